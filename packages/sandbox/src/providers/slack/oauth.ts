// Slack's OAuth v2 in front of the sandbox authorization server: /oauth/v2/authorize (comma-separated bot
// `scope` + `user_scope`) and /api/oauth.v2.access, which answers Slack's shape (`ok`, `authed_user`, `team`,
// errors as `{ok:false, error}` on HTTP 200), including token rotation (grant_type=refresh_token).
import type { Context, Hono } from 'hono';
import { credentialsFrom, type Facade } from '../../auth/facade.ts';
import type { AuthServer } from '../../auth/server.ts';
import { type SlackTokenInfo, slackArgs, slackJson } from './api.ts';
import type { SlackState } from './state.ts';

const split = (value: string | undefined) =>
  (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const PASS_THROUGH = [
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'login_hint',
  'prompt',
  'nonce',
  'team',
];

/** Bot tokens minted next to a user token do not rotate (12 hours, like a rotating token's lifetime). */
const SECONDARY_TOKEN_TTL = 43_200;

export function createSlackTokenInfo(auth: AuthServer, facade: Facade) {
  return (token: string, scopes: Set<string>): SlackTokenInfo => {
    const grant = facade.grantOf(token);
    const payload = auth.store.peek('AccessToken', token);
    const extra = (payload?.['extra'] ?? {}) as Record<string, unknown>;
    const meta = grant ? auth.parts.grantMeta.get(grant.grantId) : undefined;
    const userScopes = split(meta?.params['user_scope']);
    const kind: 'bot' | 'user' =
      extra['slack_token_type'] === 'bot' ? 'bot' : userScopes.length ? 'user' : 'bot';
    const allowed = kind === 'user' ? userScopes : split(meta?.params['bot_scope'] ?? [...scopes].join(' '));
    return { kind, scopes: new Set([...scopes].filter((s) => allowed.includes(s))), grantId: grant?.grantId };
  };
}

export function registerSlackOAuth(
  app: Hono,
  deps: { state: SlackState; auth: AuthServer; facade: Facade },
): void {
  const { state, auth, facade } = deps;

  app.get('/oauth/v2/authorize', (c) => {
    const q = c.req.query();
    const bot = split(q['scope']);
    const user = split(q['user_scope']);
    if (!q['client_id']) return c.html('<h1>Invalid client_id parameter</h1>', 400);
    if (bot.length + user.length === 0)
      return c.html('<h1>Invalid permissions requested</h1><p>invalid_scope</p>', 400);
    const params = new URLSearchParams({ response_type: 'code' });
    for (const key of PASS_THROUGH) if (q[key]) params.set(key, q[key]);
    params.set('scope', [...new Set([...bot, ...user])].join(' '));
    if (bot.length) params.set('bot_scope', bot.join(' '));
    if (user.length) params.set('user_scope', user.join(' '));
    return c.redirect(facade.authorizeUrl(params), 302);
  });

  const access = async (c: Context) => {
    const { args } = await slackArgs(c);
    const credentials = credentialsFrom(c.req.header('authorization'), args);
    if (!credentials?.clientId) return slackJson(c, { ok: false, error: 'invalid_client_id' });
    if (credentials.clientId !== facade.def.clientId)
      return slackJson(c, { ok: false, error: 'invalid_client_id' });
    const refresh = args['grant_type'] === 'refresh_token';
    if (!refresh && !args['code']) return slackJson(c, { ok: false, error: 'invalid_code' });
    if (refresh && !args['refresh_token']) return slackJson(c, { ok: false, error: 'invalid_refresh_token' });
    const params: Record<string, string> = refresh
      ? { grant_type: 'refresh_token', refresh_token: args['refresh_token'] ?? '' }
      : { grant_type: 'authorization_code', code: args['code'] ?? '' };
    if (!refresh && args['redirect_uri']) params['redirect_uri'] = args['redirect_uri'];
    if (!refresh && args['code_verifier']) params['code_verifier'] = args['code_verifier'];
    const result = await facade.exchange(params, credentials);
    if (!result.ok) {
      let error = refresh ? 'invalid_refresh_token' : 'invalid_code';
      if (result.error === 'invalid_client') error = 'bad_client_secret';
      else if (/redirect_uri/.test(result.description)) error = 'bad_redirect_uri';
      else if (result.error === 'invalid_request' && /code_verifier|PKCE/i.test(result.description))
        error = 'invalid_code_verifier';
      return slackJson(c, { ok: false, error });
    }
    const space = state.workspace(result.user);
    const userScopes = split(result.meta?.params['user_scope']);
    const botScopes = split(result.meta?.params['bot_scope']);
    const common = {
      team: { id: space.team.id, name: space.team.name },
      enterprise: null,
      is_enterprise_install: false,
    };
    const rotation = {
      ...(result.refreshToken ? { refresh_token: result.refreshToken } : {}),
      ...(result.expiresIn !== undefined ? { expires_in: result.expiresIn } : {}),
    };
    if (refresh) {
      const kind = userScopes.length ? 'user' : 'bot';
      return slackJson(c, {
        ok: true,
        app_id: space.appId,
        authed_user: { id: space.self.id },
        scope: (kind === 'user' ? userScopes : botScopes).join(','),
        token_type: kind,
        access_token: result.accessToken,
        ...(kind === 'bot' ? { bot_user_id: space.bot.id } : {}),
        ...rotation,
        ...common,
      });
    }
    const body: Record<string, unknown> = { ok: true, app_id: space.appId };
    if (userScopes.length) {
      body['authed_user'] = {
        id: space.self.id,
        scope: userScopes.join(','),
        access_token: result.accessToken,
        token_type: 'user',
        ...rotation,
      };
      if (botScopes.length) {
        const bot = await facade.mint(
          result.grantId,
          botScopes,
          { slack_token_type: 'bot' },
          SECONDARY_TOKEN_TTL,
        );
        Object.assign(body, {
          scope: botScopes.join(','),
          token_type: 'bot',
          access_token: bot,
          bot_user_id: space.bot.id,
        });
      }
    } else {
      body['authed_user'] = { id: space.self.id };
      Object.assign(body, {
        scope: botScopes.join(','),
        token_type: 'bot',
        access_token: result.accessToken,
        bot_user_id: space.bot.id,
        ...rotation,
      });
    }
    return slackJson(c, { ...body, ...common });
  };
  app.post('/api/oauth.v2.access', access);
  app.get('/api/oauth.v2.access', access);
  void auth;
}
