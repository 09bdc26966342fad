// Each user's mailbox: messages stored as raw RFC 2822 (what Gmail keeps) with labels, threads and dates.
import { hexId } from '../../ids.ts';
import type { SandboxUser, UserDirectory } from '../../users.ts';
import { addresses, buildRaw, header, type MimePart, parseMessage, textOf } from './mime.ts';

export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  raw: Buffer;
  parsed: MimePart;
  internalDate: number;
  historyId: number;
}

export interface GmailLabel {
  id: string;
  name: string;
  type: 'system' | 'user';
  messageListVisibility?: 'show' | 'hide';
  labelListVisibility?: 'labelShow' | 'labelShowIfUnread' | 'labelHide';
}

const HIDDEN = { messageListVisibility: 'hide', labelListVisibility: 'labelHide' } as const;
const SYSTEM_LABELS: GmailLabel[] = [
  { id: 'CHAT', name: 'CHAT', type: 'system', ...HIDDEN },
  { id: 'SENT', name: 'SENT', type: 'system' },
  { id: 'INBOX', name: 'INBOX', type: 'system' },
  { id: 'IMPORTANT', name: 'IMPORTANT', type: 'system', ...HIDDEN },
  { id: 'TRASH', name: 'TRASH', type: 'system', ...HIDDEN },
  { id: 'DRAFT', name: 'DRAFT', type: 'system' },
  { id: 'SPAM', name: 'SPAM', type: 'system', ...HIDDEN },
  { id: 'CATEGORY_FORUMS', name: 'CATEGORY_FORUMS', type: 'system' },
  { id: 'CATEGORY_UPDATES', name: 'CATEGORY_UPDATES', type: 'system' },
  { id: 'CATEGORY_PERSONAL', name: 'CATEGORY_PERSONAL', type: 'system' },
  { id: 'CATEGORY_PROMOTIONS', name: 'CATEGORY_PROMOTIONS', type: 'system' },
  { id: 'CATEGORY_SOCIAL', name: 'CATEGORY_SOCIAL', type: 'system' },
  { id: 'STARRED', name: 'STARRED', type: 'system' },
  { id: 'UNREAD', name: 'UNREAD', type: 'system' },
];

export interface Mailbox {
  user: SandboxUser;
  messages: GmailMessage[];
  labels: GmailLabel[];
}

export interface GmailState {
  mailbox(user: string): Mailbox;
  /** Messages of a user, newest first. */
  messages(user: string): GmailMessage[];
  message(user: string, id: string): GmailMessage | undefined;
  /** Stores a message sent by `user` (label SENT) and delivers copies to seeded recipients' inboxes. */
  send(user: string, raw: Buffer, threadId?: string): GmailMessage;
}

const HOUR = 3600_000;

function seedMessages(
  user: SandboxUser,
  others: SandboxUser[],
  now: number,
): Array<Omit<GmailMessage, 'historyId'>> {
  const peer = others[0] ?? user;
  const peer2 = others[1] ?? peer;
  const addr = (u: SandboxUser) => `${u.displayName} <${u.email}>`;
  const mk = (
    i: number,
    hoursAgo: number,
    labelIds: string[],
    m: {
      from: string;
      to: string;
      subject: string;
      text: string;
      html?: string;
      thread?: number;
      replyTo?: number;
    },
  ) => {
    const id = hexId(16, 'gmail', user.name, i);
    const messageId = `<${hexId(24, 'msgid', user.name, i)}@mail.example.com>`;
    const date = new Date(now - hoursAgo * HOUR);
    const raw = Buffer.from(
      buildRaw({
        from: m.from,
        to: m.to,
        subject: m.subject,
        date,
        messageId,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        ...(m.replyTo !== undefined
          ? { inReplyTo: `<${hexId(24, 'msgid', user.name, m.replyTo)}@mail.example.com>` }
          : {}),
      }),
    );
    return {
      id,
      threadId: m.thread !== undefined ? hexId(16, 'gmail', user.name, m.thread) : id,
      labelIds,
      raw,
      parsed: parseMessage(raw),
      internalDate: date.getTime(),
    };
  };
  const first = user.givenName;
  return [
    mk(1, 24 * 9, ['CATEGORY_UPDATES', 'INBOX'], {
      from: 'Latchkey Team <team@latchkey.example>',
      to: addr(user),
      subject: 'Welcome to your sandbox mailbox',
      text: `Hi ${first},\n\nThis mailbox is part of the Latchkey sandbox. Everything you send here stays on your machine.\n\n- The Latchkey team`,
    }),
    mk(2, 30, ['IMPORTANT', 'CATEGORY_PERSONAL', 'INBOX', 'UNREAD'], {
      from: addr(peer),
      to: addr(user),
      subject: 'Quarterly planning',
      text: `Hi ${first},\n\nCan we meet on Thursday to go over the Q3 roadmap? I'd like to lock the launch date.\n\nThanks,\n${peer.givenName}`,
      html: `<p>Hi ${first},</p><p>Can we meet on Thursday to go over the <b>Q3 roadmap</b>? I'd like to lock the launch date.</p><p>Thanks,<br>${peer.givenName}</p>`,
    }),
    mk(3, 26, ['SENT'], {
      from: addr(user),
      to: addr(peer),
      subject: 'Re: Quarterly planning',
      text: `Thursday 10:00 works for me. I'll send an invite.\n\n${first}`,
      thread: 2,
      replyTo: 2,
    }),
    mk(4, 24 * 3, ['CATEGORY_UPDATES', 'INBOX', 'Label_1'], {
      from: 'Acme Cloud Billing <billing@acme-cloud.example>',
      to: user.email,
      subject: 'Your invoice #1042 is available',
      text: `Hello ${user.displayName},\n\nYour invoice #1042 for $42.00 is now available. Payment will be taken on the 1st.\n\nAcme Cloud`,
    }),
    mk(5, 5, ['STARRED', 'CATEGORY_PERSONAL', 'INBOX', 'UNREAD'], {
      from: addr(peer2),
      to: addr(user),
      subject: 'Dinner on Friday?',
      text: `Hey ${first}! Are you free for dinner on Friday at 7pm? There's a new ramen place downtown.`,
    }),
    mk(6, 24 * 2, ['CATEGORY_PROMOTIONS', 'INBOX'], {
      from: 'Gadget Weekly <news@gadgetweekly.example>',
      to: user.email,
      subject: 'This week: 10 gadgets under $50',
      text: 'Our picks of the week, from USB-C hubs to pocket projectors. Unsubscribe at any time.',
    }),
    mk(7, 24 * 4, ['SPAM'], {
      from: 'Prize Center <winner@prizes.example>',
      to: user.email,
      subject: 'You have WON a cruise',
      text: 'Click here to claim your prize before midnight!',
    }),
    mk(8, 24 * 6, ['TRASH'], {
      from: addr(peer),
      to: addr(user),
      subject: 'Old draft notes',
      text: 'Ignore these notes, they are out of date.',
    }),
  ];
}

export function createGmailState(users: UserDirectory, now: number): GmailState {
  let history = 1000;
  const boxes = new Map<string, Mailbox>();
  for (const user of users.all) {
    const others = users.all.filter((u) => u !== user);
    const messages = seedMessages(user, others, now).map((m) => ({ ...m, historyId: history++ }));
    const labels = [
      ...SYSTEM_LABELS.map((l) => ({ ...l })),
      {
        id: 'Label_1',
        name: 'Receipts',
        type: 'user',
        messageListVisibility: 'show',
        labelListVisibility: 'labelShow',
      },
      {
        id: 'Label_2',
        name: 'Work',
        type: 'user',
        messageListVisibility: 'show',
        labelListVisibility: 'labelShow',
      },
    ] satisfies GmailLabel[];
    boxes.set(user.name, { user, messages, labels });
  }
  let seq = 0;
  const mailbox = (name: string): Mailbox => {
    const box = boxes.get(users.find(name)?.name ?? name);
    if (!box) throw new Error(`no mailbox for ${name}`);
    return box;
  };
  const sorted = (box: Mailbox) => [...box.messages].sort((a, b) => b.internalDate - a.internalDate);
  const newId = (user: string) => hexId(16, 'gmail-sent', user, Date.now(), ++seq);

  return {
    mailbox,
    messages: (user) => sorted(mailbox(user)),
    message: (user, id) => mailbox(user).messages.find((m) => m.id === id),
    send(user, raw, threadId) {
      const box = mailbox(user);
      const parsed = parseMessage(raw);
      const id = newId(box.user.name);
      const internalDate = Date.now();
      const known = threadId && box.messages.some((m) => m.threadId === threadId) ? threadId : id;
      const recipients = [
        ...addresses(header(parsed.headers, 'To')),
        ...addresses(header(parsed.headers, 'Cc')),
        ...addresses(header(parsed.headers, 'Bcc')),
      ];
      const toSelf = recipients.includes(box.user.email);
      const sent: GmailMessage = {
        id,
        threadId: known,
        labelIds: toSelf ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'],
        raw,
        parsed,
        internalDate,
        historyId: history++,
      };
      box.messages.push(sent);
      for (const address of new Set(recipients)) {
        const other = users.all.find((u) => u.email === address);
        if (!other || other === box.user) continue;
        const copyId = newId(other.name);
        const withoutBcc = Buffer.from(raw.toString('utf8').replace(/^Bcc:.*(?:\r?\n[ \t].*)*\r?\n/im, ''));
        mailbox(other.name).messages.push({
          id: copyId,
          threadId: copyId,
          labelIds: ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX'],
          raw: withoutBcc,
          parsed: parseMessage(withoutBcc),
          internalDate,
          historyId: history++,
        });
      }
      return sent;
    },
  };
}

export { textOf };
