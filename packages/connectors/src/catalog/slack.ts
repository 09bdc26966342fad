/**
 * Slack. API: Slack Web API (shared/specs/slack/slack_web_openapi_v2_without_examples.json, stale
 * 2021 floor), base https://slack.com/api.
 *
 * Token decision: the connector acts AS THE USER, with the user token. Scopes are requested as
 * `user_scope` (not `scope`, which is for a bot token), and the token lives under `authed_user` in
 * the oauth.v2.access response. Reasons: Scalekit's Slack tools are described as acting "on behalf
 * of your users" (reading their DMs, their DND status, deleting "as the authed user"), and an
 * account in Latchkey is one end user's. With token rotation enabled, a refresh answers with the
 * user token at the top level, hence the fallback paths.
 */
import type { ConnectorInput } from '../model/connector.ts';
import { bool, CREATES, int, objectSchema, READ_ONLY, str } from './schema.ts';

const USER_SCOPES = [
  'channels:read',
  'groups:read',
  'im:read',
  'mpim:read',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'chat:write',
  'users:read',
];
const MORE_SCOPES = [
  'bookmarks:read',
  'bookmarks:write',
  'channels:write',
  'dnd:read',
  'dnd:write',
  'emoji:read',
  'files:read',
  'files:write',
  'groups:write',
  'im:write',
  'mpim:write',
  'pins:read',
  'pins:write',
  'reactions:read',
  'reactions:write',
  'reminders:read',
  'reminders:write',
  'search:read',
  'stars:read',
  'stars:write',
  'team:read',
  'usergroups:read',
  'usergroups:write',
  'users:read.email',
  'users.profile:read',
  'users.profile:write',
  'users:write',
];

const channel = str(
  'Conversation ID (C…, G…, D…). chat.postMessage also accepts a #name or a user ID (opens the DM).',
);

export const slack: ConnectorInput = {
  slug: 'slack',
  display_name: 'Slack',
  description:
    'Post and read messages, list channels and look up people in a Slack workspace, as the connected user.',
  categories: ['Communication', 'Collaboration'],
  docs_url: 'https://docs.slack.dev/reference/methods',
  kind: 'rest',
  auth: {
    type: 'oauth2',
    grant_type: 'authorization_code',
    authorization_url: 'https://slack.com/oauth/v2/authorize',
    token_url: 'https://slack.com/api/oauth.v2.access',
    pkce: false,
    client_auth: 'client_secret_post',
    scopes: {
      default: USER_SCOPES,
      available: [...USER_SCOPES, ...MORE_SCOPES],
      separator: ',',
      param: 'user_scope',
    },
    token_request: { body_encoding: 'form', accept_json: false },
    token_response: {
      access_token: ['authed_user.access_token', 'access_token'],
      refresh_token: ['authed_user.refresh_token', 'refresh_token'],
      expires_in: ['authed_user.expires_in', 'expires_in'],
      scope: ['authed_user.scope', 'scope'],
      token_type: ['authed_user.token_type', 'token_type'],
      account_id: ['authed_user.id', 'user_id'],
      metadata: { team_id: 'team.id', team_name: 'team.name', enterprise_id: 'enterprise.id' },
      error: { error_when_body: { path: 'ok', equals: false }, code: 'error', message: 'error' },
    },
    refresh: { supported: true, rotates_refresh_token: true },
    revocation: {
      type: 'http',
      method: 'POST',
      url: 'https://slack.com/api/auth.revoke',
      auth: 'bearer_access_token',
      expect_status: [200],
      expect_body: { path: 'ok', equals: true },
    },
    token_lifetime: {
      access_token_seconds: null,
      refresh_token_seconds: null,
      note: 'Tokens never expire unless the Slack app enables token rotation: then access tokens last 12 hours and each refresh token works once.',
    },
  },
  api: { base_url: 'https://slack.com/api' },
  // Slack answers HTTP 200 with {"ok": false, "error": "channel_not_found"}.
  errors: {
    error_when_body: { path: 'ok', equals: false },
    code: 'error',
    message: ['error', 'warning'],
    details: 'response_metadata.messages',
    status_by_code: {
      not_authed: 401,
      invalid_auth: 401,
      token_expired: 401,
      token_revoked: 401,
      account_inactive: 401,
      missing_scope: 403,
      no_permission: 403,
      not_in_channel: 403,
      restricted_action: 403,
      channel_not_found: 404,
      user_not_found: 404,
      ratelimited: 429,
    },
  },
  tools: [
    {
      name: 'slack_send_message',
      display_name: 'Send message',
      description:
        'Post a message as the user to a channel, a DM (pass a user ID) or a thread (thread_ts). `text` is Slack mrkdwn (*bold*, <https://x|link>, <@U123> mentions); blocks/attachments are JSON-encoded strings for rich layouts, and then text is the notification fallback. Returns {ok, channel, ts, message}; ts identifies the message for replies.',
      input_schema: objectSchema(
        {
          channel,
          text: str('Message text (mrkdwn).'),
          thread_ts: str('ts of the parent message, to reply in its thread.'),
          reply_broadcast: bool('With thread_ts: also show the reply in the channel.'),
          blocks: str('JSON-encoded array of Block Kit blocks.'),
          attachments: str('JSON-encoded array of legacy attachments.'),
          unfurl_links: bool('Show previews of text links.'),
          unfurl_media: bool('Show previews of media links.'),
        },
        ['channel', 'text'],
      ),
      annotations: CREATES,
      scopes: ['chat:write'],
      operations: [{ id: 'chat_postMessage', method: 'POST', path: '/chat.postMessage' }],
      executor: {
        type: 'http',
        method: 'POST',
        path: '/chat.postMessage',
        body: {
          encoding: 'form',
          fields: {
            channel: { from: 'channel' },
            text: { from: 'text' },
            thread_ts: { from: 'thread_ts' },
            reply_broadcast: { from: 'reply_broadcast' },
            blocks: { from: 'blocks' },
            attachments: { from: 'attachments' },
            unfurl_links: { from: 'unfurl_links' },
            unfurl_media: { from: 'unfurl_media' },
          },
        },
      },
    },
    {
      name: 'slack_list_channels',
      display_name: 'List channels',
      description:
        'List conversations the user can see, to find a channel ID by name. By default public and private channels; set types to include DMs ("im") or group DMs ("mpim"). Paginated: pass response_metadata.next_cursor as cursor. Returns {ok, channels: [{id, name, is_private, is_archived, num_members, topic, purpose}], response_metadata}.',
      input_schema: objectSchema({
        types: str(
          'Comma-separated: public_channel, private_channel, mpim, im. Default "public_channel,private_channel".',
        ),
        exclude_archived: bool('Leave out archived channels.'),
        limit: int('Page size, up to 1000 (Slack recommends at most 200).', { minimum: 1, maximum: 1000 }),
        cursor: str('next_cursor from the previous page.'),
        team_id: str('Workspace ID, for Enterprise Grid org-wide tokens.'),
      }),
      annotations: READ_ONLY,
      scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      operations: [{ id: 'conversations_list', method: 'GET', path: '/conversations.list' }],
      executor: {
        type: 'http',
        method: 'GET',
        path: '/conversations.list',
        query: {
          types: { from: 'types', default: 'public_channel,private_channel' },
          exclude_archived: { from: 'exclude_archived' },
          limit: { from: 'limit' },
          cursor: { from: 'cursor' },
          team_id: { from: 'team_id' },
        },
      },
    },
    {
      name: 'slack_fetch_conversation_history',
      display_name: 'Fetch conversation history',
      description:
        'Read the messages of a channel or DM, newest first (thread replies are not included, only their parents). Narrow with oldest/latest (message ts values, e.g. "1712345678.000100"). Paginated via response_metadata.next_cursor. Returns {ok, messages: [{type, user, text, ts, thread_ts?, reply_count?}], has_more, response_metadata}.',
      input_schema: objectSchema(
        {
          channel: str('Conversation ID (C…, G…, D…); find it with slack_list_channels.'),
          limit: int('Messages per page (default 100, max 999).', { minimum: 1, maximum: 999 }),
          cursor: str('next_cursor from the previous page.'),
          oldest: str('Only messages after this ts.'),
          latest: str('Only messages before this ts.'),
        },
        ['channel'],
      ),
      annotations: READ_ONLY,
      scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
      operations: [{ id: 'conversations_history', method: 'GET', path: '/conversations.history' }],
      executor: {
        type: 'http',
        method: 'GET',
        path: '/conversations.history',
        query: {
          channel: { from: 'channel' },
          limit: { from: 'limit' },
          cursor: { from: 'cursor' },
          oldest: { from: 'oldest' },
          latest: { from: 'latest' },
        },
      },
    },
    {
      name: 'slack_get_user_info',
      display_name: 'Get user info',
      description:
        'Look up a member by user ID (e.g. the `user` of a message): name, real_name, display name, title, time zone, status, whether deleted or a bot. Returns {ok, user: {id, name, real_name, tz, profile: {display_name, title, status_text, email?}, is_bot, deleted}}; the email needs the users:read.email scope.',
      input_schema: objectSchema(
        {
          user: str('User ID, e.g. U0123ABCD.'),
          include_locale: bool("Also return the user's locale."),
        },
        ['user'],
      ),
      annotations: READ_ONLY,
      scopes: ['users:read'],
      operations: [{ id: 'users_info', method: 'GET', path: '/users.info' }],
      executor: {
        type: 'http',
        method: 'GET',
        path: '/users.info',
        query: { user: { from: 'user' }, include_locale: { from: 'include_locale' } },
      },
    },
  ],
};
