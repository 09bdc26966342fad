// Slack Web API object shapes (objs_conversation, objs_message, objs_user, objs_bot_profile in
// slack/slack_web_openapi_v2_without_examples.json), built from the sandbox state.
import type { SlackChannel, SlackMember, SlackMessage, SlackWorkspace } from './state.ts';

export function channelObject(
  ch: SlackChannel,
  space: SlackWorkspace,
  viewer: SlackMember,
): Record<string, unknown> {
  return {
    id: ch.id,
    name: ch.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: ch.isPrivate,
    created: ch.created,
    is_archived: false,
    is_general: ch.isGeneral,
    unlinked: 0,
    name_normalized: ch.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    parent_conversation: null,
    creator: ch.creator,
    is_ext_shared: false,
    shared_team_ids: [space.team.id],
    pending_connected_team_ids: [],
    is_member: ch.members.includes(viewer.id),
    topic: { value: ch.topic, creator: ch.topic ? ch.creator : '', last_set: ch.topic ? ch.created : 0 },
    purpose: {
      value: ch.purpose,
      creator: ch.purpose ? ch.creator : '',
      last_set: ch.purpose ? ch.created : 0,
    },
    previous_names: [],
    num_members: ch.members.length,
  };
}

export function botProfile(space: SlackWorkspace): Record<string, unknown> {
  const icon = 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png';
  return {
    id: space.bot.botId,
    deleted: false,
    name: 'Latchkey',
    updated: Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000),
    app_id: space.appId,
    icons: { image_36: icon, image_48: icon, image_72: icon },
    team_id: space.team.id,
  };
}

export function messageObject(m: SlackMessage, space: SlackWorkspace): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m };
  if (m.bot_id) out['bot_profile'] = botProfile(space);
  return out;
}

export function userObject(
  u: SlackMember,
  space: SlackWorkspace,
  withEmail: boolean,
): Record<string, unknown> {
  const avatar = (size: number) =>
    `https://secure.gravatar.com/avatar/${u.id.toLowerCase()}.jpg?s=${size}&d=identicon`;
  const offset = tzOffsetSeconds(u.tz);
  const profile: Record<string, unknown> = {
    title: u.isBot ? '' : 'Team member',
    phone: '',
    skype: '',
    real_name: u.realName,
    real_name_normalized: u.realName,
    display_name: u.isBot ? '' : u.firstName,
    display_name_normalized: u.isBot ? '' : u.firstName,
    fields: null,
    status_text: '',
    status_emoji: '',
    status_expiration: 0,
    avatar_hash: u.id.slice(1, 13).toLowerCase(),
    first_name: u.firstName,
    last_name: u.lastName,
    image_24: avatar(24),
    image_32: avatar(32),
    image_48: avatar(48),
    image_72: avatar(72),
    image_192: avatar(192),
    image_512: avatar(512),
    status_text_canonical: '',
    team: space.team.id,
  };
  if (withEmail && u.email) profile['email'] = u.email;
  if (u.isBot) {
    profile['bot_id'] = u.botId;
    profile['api_app_id'] = space.appId;
    profile['always_active'] = true;
  }
  return {
    id: u.id,
    team_id: space.team.id,
    name: u.name,
    deleted: false,
    color: u.isAdmin ? '9f69e7' : '4bbe2e',
    real_name: u.realName,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: offset,
    profile,
    is_admin: u.isAdmin,
    is_owner: u.isOwner,
    is_primary_owner: u.isOwner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000),
  };
}

/** Current UTC offset of a time zone in seconds (Slack's `tz_offset`). */
function tzOffsetSeconds(timeZone: string): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}
