// Slack Web API imitation (base https://slack.com/api): chat.postMessage, conversations.list,
// conversations.history, users.info, auth.test, auth.revoke. Every answer is HTTP 200 with `ok`, like Slack.
import type { Context, Hono } from 'hono';
import { bearerFrom, type TokenVerifier } from '../../auth/verify.ts';
import { channelObject, messageObject, userObject } from './shapes.ts';
import type { SlackMember, SlackState, SlackWorkspace } from './state.ts';

export interface SlackTokenInfo {
  kind: 'bot' | 'user';
  scopes: Set<string>;
  grantId: string | undefined;
}

type Args = Record<string, string | undefined> & { __json?: unknown };
type Handler = (c: Context, args: Args, who: Who) => Response | Promise<Response>;
interface Who {
  space: SlackWorkspace;
  kind: 'bot' | 'user';
  scopes: Set<string>;
  grantId: string | undefined;
  actor: SlackMember;
  warnings: string[];
}

/** Reads a Slack request: query string + form or JSON body (JSON values are kept as given). */
export async function slackArgs(c: Context): Promise<{ args: Args; warnings: string[] }> {
  const args: Args = { ...c.req.query() };
  const warnings: string[] = [];
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    if (type.includes('application/json')) {
      if (!/charset=/i.test(type)) warnings.push('missing_charset');
      try {
        const json = (await c.req.json()) as Record<string, unknown>;
        args.__json = json;
        for (const [k, v] of Object.entries(json ?? {})) {
          args[k] = typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v);
        }
      } catch {
        args['__invalid_json'] = '1';
      }
    } else if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      const form = await c.req.parseBody();
      for (const [k, v] of Object.entries(form)) if (typeof v === 'string') args[k] = v;
    }
  }
  return { args, warnings };
}

export function slackJson(
  c: Context,
  body: Record<string, unknown>,
  warnings: string[] = [],
  status: 200 | 404 = 200,
): Response {
  const out = warnings.length
    ? {
        ...body,
        warning: warnings.join(','),
        response_metadata: { ...(body['response_metadata'] as object), warnings },
      }
    : body;
  return c.json(out, status);
}

const fail = (c: Context, error: string, extra: Record<string, unknown> = {}, warnings: string[] = []) =>
  slackJson(c, { ok: false, error, ...extra }, warnings);

const SCOPES = {
  'chat.postMessage': ['chat:write'],
  'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'users.info': ['users:read'],
  'auth.test': [],
  'auth.revoke': [],
} as const;

export function registerSlackApi(
  app: Hono,
  deps: {
    state: SlackState;
    verify: TokenVerifier;
    tokenInfo: (token: string, scopes: Set<string>) => SlackTokenInfo;
    revokeGrant: (grantId: string) => Promise<void>;
  },
): void {
  const { state, verify } = deps;

  const method = (name: keyof typeof SCOPES, handler: Handler) => {
    const run = async (c: Context) => {
      const { args, warnings } = await slackArgs(c);
      if (args['__invalid_json']) return fail(c, 'invalid_json', {}, warnings);
      const token = bearerFrom(c.req.header('authorization')) ?? args['token'];
      const check = await verify(token);
      if (!check.ok) {
        const error =
          { missing: 'not_authed', expired: 'token_expired', revoked: 'token_revoked' }[
            check.reason as string
          ] ?? 'invalid_auth';
        return fail(c, error, {}, warnings);
      }
      const info = deps.tokenInfo(check.token, check.scopes);
      const space = state.workspace(check.user);
      const needed = SCOPES[name] as readonly string[];
      c.header('x-oauth-scopes', [...info.scopes].join(','));
      c.header('x-accepted-oauth-scopes', needed.join(','));
      if (needed.length && !needed.some((s) => info.scopes.has(s))) {
        return fail(
          c,
          'missing_scope',
          { needed: needed.join(','), provided: [...info.scopes].join(',') },
          warnings,
        );
      }
      const actor = info.kind === 'bot' ? space.bot : space.self;
      return handler(c, args, {
        space,
        kind: info.kind,
        scopes: info.scopes,
        grantId: info.grantId,
        actor,
        warnings,
      });
    };
    app.post(`/api/${name}`, run);
    app.get(`/api/${name}`, run);
  };

  method('auth.test', (c, _args, who) =>
    slackJson(
      c,
      {
        ok: true,
        url: `https://${who.space.team.domain}.slack.com/`,
        team: who.space.team.name,
        user: who.actor.name,
        team_id: who.space.team.id,
        user_id: who.actor.id,
        ...(who.kind === 'bot' ? { bot_id: who.space.bot.botId } : {}),
        is_enterprise_install: false,
      },
      who.warnings,
    ),
  );

  method('auth.revoke', async (c, args, who) => {
    if (args['test'] !== 'true' && args['test'] !== '1' && who.grantId) await deps.revokeGrant(who.grantId);
    return slackJson(c, { ok: true, revoked: args['test'] !== 'true' && args['test'] !== '1' }, who.warnings);
  });

  method('chat.postMessage', (c, args, who) => {
    const channel = args['channel'] ? state.channel(who.space.owner.name, args['channel']) : undefined;
    if (!args['channel']) return fail(c, 'channel_not_found', {}, who.warnings);
    if (!channel || (channel.isPrivate && !channel.members.includes(who.actor.id))) {
      return fail(c, 'channel_not_found', {}, who.warnings);
    }
    if (
      who.kind === 'bot' &&
      !channel.members.includes(who.actor.id) &&
      !who.scopes.has('chat:write.public')
    ) {
      return fail(c, 'not_in_channel', {}, who.warnings);
    }
    const json = (args.__json ?? {}) as Record<string, unknown>;
    const blocks = Array.isArray(json['blocks'])
      ? json['blocks']
      : args['blocks']
        ? safeArray(args['blocks'])
        : undefined;
    const text = args['text'] ?? '';
    if (!text && !blocks?.length && !args['attachments']) return fail(c, 'no_text', {}, who.warnings);
    if (text.length > 40_000) return fail(c, 'msg_too_long', {}, who.warnings);
    const threadTs = args['thread_ts'];
    const stored = state.post(who.space.owner.name, channel, {
      text,
      user: who.actor.id,
      ...(who.kind === 'bot' ? { bot_id: who.space.bot.botId } : {}),
      ...(blocks?.length ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return slackJson(
      c,
      { ok: true, channel: channel.id, ts: stored.ts, message: messageObject(stored, who.space) },
      who.warnings,
    );
  });

  method('conversations.list', (c, args, who) => {
    const types = (args['types'] ?? 'public_channel').split(',').map((t) => t.trim());
    const canPublic = who.scopes.has('channels:read');
    const canPrivate = who.scopes.has('groups:read');
    const visible = who.space.channels.filter((ch) =>
      ch.isPrivate
        ? types.includes('private_channel') && canPrivate && ch.members.includes(who.actor.id)
        : types.includes('public_channel') && canPublic,
    );
    const limit = Math.min(Math.max(Number(args['limit'] ?? 100) || 100, 1), 1000);
    const offset = args['cursor']
      ? Number(Buffer.from(args['cursor'], 'base64').toString('utf8').split(':')[1]) || 0
      : 0;
    const page = visible.slice(offset, offset + limit);
    const next =
      offset + limit < visible.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
    return slackJson(
      c,
      {
        ok: true,
        channels: page.map((ch) => channelObject(ch, who.space, who.actor)),
        response_metadata: { next_cursor: next },
      },
      who.warnings,
    );
  });

  method('conversations.history', (c, args, who) => {
    const channel = args['channel'] ? state.channel(who.space.owner.name, args['channel']) : undefined;
    if (!channel || !/^[CGD]/.test(args['channel'] ?? ''))
      return fail(c, 'channel_not_found', {}, who.warnings);
    const need = channel.isPrivate ? 'groups:history' : 'channels:history';
    if (!who.scopes.has(need))
      return fail(c, 'missing_scope', { needed: need, provided: [...who.scopes].join(',') }, who.warnings);
    if (!channel.members.includes(who.actor.id))
      return fail(c, channel.isPrivate ? 'channel_not_found' : 'not_in_channel', {}, who.warnings);
    const inclusive = args['inclusive'] === 'true' || args['inclusive'] === '1';
    const latest = args['latest'] ?? '9999999999.999999';
    const oldest = args['oldest'] ?? '0';
    const cursorTs = args['cursor']
      ? Buffer.from(args['cursor'], 'base64')
          .toString('utf8')
          .replace(/^next_ts:/, '')
      : undefined;
    const limit = Math.min(Math.max(Number(args['limit'] ?? 100) || 100, 1), 999);
    const inRange = (ts: string) =>
      (inclusive ? ts <= latest && ts >= oldest : ts < latest && ts > oldest) && (!cursorTs || ts < cursorTs);
    const all = channel.messages
      .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
      .filter((m) => inRange(m.ts))
      .sort((a, b) => (a.ts < b.ts ? 1 : -1));
    const page = all.slice(0, limit);
    const hasMore = all.length > limit;
    const body: Record<string, unknown> = {
      ok: true,
      messages: page.map((m) => messageObject(m, who.space)),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
    };
    const last = page[page.length - 1];
    if (hasMore && last)
      body['response_metadata'] = { next_cursor: Buffer.from(`next_ts:${last.ts}`).toString('base64') };
    return slackJson(c, body, who.warnings);
  });

  method('users.info', (c, args, who) => {
    const id = args['user'];
    const found = who.space.members.find((m) => m.id === id);
    if (!found) return fail(c, 'user_not_found', {}, who.warnings);
    return slackJson(
      c,
      { ok: true, user: userObject(found, who.space, who.scopes.has('users:read.email')) },
      who.warnings,
    );
  });

  app.all('/api/:method', (c) =>
    c.json({ ok: false, error: 'unknown_method', req_method: c.req.param('method') }, 404),
  );
}

function safeArray(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
