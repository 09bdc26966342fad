// Each seeded user has a Slack workspace of their own: members (the user, the other seeded people, the
// app's bot), public and private channels, and channel history.
import { upperId } from '../../ids.ts';
import type { SandboxUser, UserDirectory } from '../../users.ts';

export interface SlackMember {
  id: string;
  name: string;
  realName: string;
  firstName: string;
  lastName: string;
  email: string | null;
  tz: string;
  isBot: boolean;
  isAdmin: boolean;
  isOwner: boolean;
  botId?: string;
}

export interface SlackMessage {
  type: 'message';
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  thread_ts?: string;
  reply_count?: number;
  blocks?: unknown[];
  team: string;
}

export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isGeneral: boolean;
  created: number;
  creator: string;
  topic: string;
  purpose: string;
  members: string[];
  messages: SlackMessage[];
}

export interface SlackWorkspace {
  owner: SandboxUser;
  team: { id: string; name: string; domain: string };
  appId: string;
  bot: SlackMember & { botId: string };
  self: SlackMember;
  members: SlackMember[];
  channels: SlackChannel[];
}

export interface SlackState {
  workspace(user: string): SlackWorkspace;
  /** Messages of a channel (id, name or #name), oldest first, thread replies included. */
  messages(user: string, channel: string): SlackMessage[];
  channel(user: string, channel: string): SlackChannel | undefined;
  post(
    user: string,
    channel: SlackChannel,
    message: Omit<SlackMessage, 'ts' | 'type' | 'team'>,
  ): SlackMessage;
}

const ts = (ms: number, n = 0) =>
  `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + n).padStart(6, '0')}`;

function member(u: SandboxUser, owner: SandboxUser, isSelf: boolean): SlackMember {
  return {
    id: upperId('U', 10, 'slack-user', owner.name, u.name),
    name: u.name.replace(/-/g, '.'),
    realName: u.displayName,
    firstName: u.givenName,
    lastName: u.familyName,
    email: u.email,
    tz: u.timeZone,
    isBot: false,
    isAdmin: isSelf,
    isOwner: isSelf,
  };
}

export function createSlackState(users: UserDirectory, now: number): SlackState {
  const spaces = new Map<string, SlackWorkspace>();
  let counter = 0;
  for (const owner of users.all) {
    const teamId = upperId('T', 10, 'slack-team', owner.name);
    const self = member(owner, owner, true);
    const colleagues = users.all.filter((u) => u !== owner).map((u) => member(u, owner, false));
    const botId = upperId('B', 10, 'slack-bot', owner.name);
    const bot: SlackMember & { botId: string } = {
      id: upperId('U', 10, 'slack-bot-user', owner.name),
      name: 'latchkey',
      realName: 'Latchkey',
      firstName: 'Latchkey',
      lastName: '',
      email: null,
      tz: 'America/Los_Angeles',
      isBot: true,
      isAdmin: false,
      isOwner: false,
      botId,
    };
    const everyone = [self.id, ...colleagues.map((c) => c.id)];
    const peer = colleagues[0] ?? self;
    const peer2 = colleagues[1] ?? peer;
    const base = now - 3 * 86_400_000;
    const msg = (at: number, by: SlackMember, text: string): SlackMessage => ({
      type: 'message',
      ts: ts(base + at * 60_000),
      text,
      user: by.id,
      team: teamId,
    });
    const channel = (
      name: string,
      opts: Partial<SlackChannel> & { messages: SlackMessage[]; members: string[] },
    ): SlackChannel => ({
      id: upperId('C', 10, 'slack-channel', owner.name, name),
      name,
      isPrivate: false,
      isGeneral: false,
      created: Math.floor((now - 400 * 86_400_000) / 1000),
      creator: self.id,
      topic: '',
      purpose: '',
      ...opts,
    });
    const channels = [
      channel('general', {
        isGeneral: true,
        topic: 'Company-wide announcements and work-based matters',
        purpose: 'This channel is for workspace-wide communication and announcements.',
        members: [...everyone, bot.id],
        messages: [
          msg(0, self, `Welcome to ${owner.givenName}'s workspace, everyone!`),
          msg(30, peer, 'Reminder: all-hands on Friday at 16:00.'),
          msg(95, peer2, 'The new office coffee machine is finally here :coffee:'),
        ],
      }),
      channel('random', {
        purpose: 'A place for non-work-related flimflam.',
        members: everyone,
        messages: [msg(10, peer2, 'Anyone up for lunch at the ramen place?'), msg(12, self, 'Count me in!')],
      }),
      channel('engineering', {
        topic: 'Deploys, incidents, code review',
        purpose: 'Engineering discussions.',
        members: [...everyone, bot.id],
        messages: [
          msg(40, peer, 'Deploy of v2.3.0 finished, all green.'),
          msg(41, self, 'Thanks! I will update the changelog.'),
          msg(60, peer2, 'Flaky test in the billing suite again, looking into it.'),
        ],
      }),
      channel('leadership', {
        isPrivate: true,
        purpose: 'Private planning.',
        members: [self.id, peer.id],
        messages: [msg(20, peer, 'Draft of the Q3 plan is in the shared folder.')],
      }),
    ];
    spaces.set(owner.name, {
      owner,
      team: { id: teamId, name: `${owner.givenName}'s Workspace`, domain: `${owner.name}-sandbox` },
      appId: upperId('A', 10, 'slack-app'),
      bot,
      self,
      members: [self, ...colleagues, bot],
      channels,
    });
  }

  const workspace = (name: string): SlackWorkspace => {
    const space = spaces.get(users.find(name)?.name ?? name);
    if (!space) throw new Error(`no Slack workspace for ${name}`);
    return space;
  };
  const channel = (user: string, key: string): SlackChannel | undefined => {
    const name = key.replace(/^#/, '');
    return workspace(user).channels.find((c) => c.id === key || c.name === name);
  };

  return {
    workspace,
    channel,
    messages: (user, key) => [...(channel(user, key)?.messages ?? [])],
    post(user, ch, message) {
      const space = workspace(user);
      const last = ch.messages[ch.messages.length - 1]?.ts ?? '0.000000';
      let next = ts(Date.now(), ++counter % 1000);
      if (next <= last) {
        const [s = '0', us = '0'] = last.split('.');
        next = `${s}.${String(Number(us) + 1).padStart(6, '0')}`;
      }
      const stored: SlackMessage = { type: 'message', ...message, ts: next, team: space.team.id };
      ch.messages.push(stored);
      if (message.thread_ts) {
        const parent = ch.messages.find((m) => m.ts === message.thread_ts);
        if (parent) {
          parent.thread_ts = parent.ts;
          parent.reply_count = (parent.reply_count ?? 0) + 1;
        }
      }
      return stored;
    },
  };
}
