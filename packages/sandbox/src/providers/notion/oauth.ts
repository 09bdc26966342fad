// Notion's public-integration OAuth in front of the sandbox authorization server: /v1/oauth/authorize,
// /v1/oauth/token (HTTP Basic client authentication required, JSON body, answers with bot_id, workspace and
// owner), /v1/oauth/revoke.
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { credentialsFrom, type Facade } from '../../auth/facade.ts';
import type { AuthServer } from '../../auth/server.ts';
import type { NotionState } from './state.ts';

async function bodyOf(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  const out: Record<string, string> = {};
  if (type.includes('json')) {
    const json = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json ?? {})) if (typeof v === 'string') out[k] = v;
  } else if (type.includes('form')) {
    for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const oauthError = (c: Context, status: 400 | 401, error: string, description: string) =>
  c.json({ error, error_description: description, request_id: randomUUID() }, status);

export function registerNotionOAuth(
  app: Hono,
  deps: { state: NotionState; auth: AuthServer; facade: Facade },
): void {
  const { state, auth, facade } = deps;

  app.get('/v1/oauth/authorize', (c) => {
    const q = c.req.query();
    if (q['client_id'] !== facade.def.clientId)
      return c.html('<h1>Invalid client</h1><p>Missing or invalid client_id.</p>', 400);
    const out = new URLSearchParams({ response_type: 'code', client_id: q['client_id'] });
    for (const key of [
      'redirect_uri',
      'state',
      'owner',
      'code_challenge',
      'code_challenge_method',
      'login_hint',
    ])
      if (q[key]) out.set(key, q[key]);
    return c.redirect(facade.authorizeUrl(out), 302);
  });

  /** Notion accepts client credentials only as HTTP Basic. */
  const basicClient = (c: Context) => {
    const credentials = credentialsFrom(c.req.header('authorization'), {});
    const client = auth.parts.clients.get(facade.def.clientId);
    if (
      !credentials ||
      credentials.clientId !== facade.def.clientId ||
      credentials.clientSecret !== client?.clientSecret
    )
      return undefined;
    return credentials;
  };

  app.post('/v1/oauth/token', async (c) => {
    const credentials = basicClient(c);
    if (!credentials)
      return oauthError(
        c,
        401,
        'invalid_client',
        'Client authentication failed: use HTTP Basic with the integration credentials.',
      );
    const body = await bodyOf(c);
    const refresh = body['grant_type'] === 'refresh_token';
    if (body['grant_type'] !== 'authorization_code' && !refresh) {
      return oauthError(
        c,
        400,
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token.',
      );
    }
    const request: Record<string, string> = refresh
      ? { grant_type: 'refresh_token', refresh_token: body['refresh_token'] ?? '' }
      : { grant_type: 'authorization_code', code: body['code'] ?? '' };
    if (!refresh && body['redirect_uri']) request['redirect_uri'] = body['redirect_uri'];
    if (!refresh && body['code_verifier']) request['code_verifier'] = body['code_verifier'];
    const result = await facade.exchange(request, credentials);
    if (!result.ok) {
      const description = refresh
        ? 'Invalid refresh token.'
        : /redirect_uri/.test(result.description)
          ? 'Invalid redirect_uri.'
          : 'Invalid code.';
      return oauthError(
        c,
        400,
        result.error === 'invalid_client' ? 'invalid_client' : 'invalid_grant',
        description,
      );
    }
    const ws = state.workspace(result.user);
    return c.json({
      access_token: result.accessToken,
      token_type: 'bearer',
      ...(result.refreshToken ? { refresh_token: result.refreshToken } : {}),
      bot_id: ws.botId,
      workspace_name: ws.name,
      workspace_icon: null,
      workspace_id: ws.id,
      owner: {
        type: 'user',
        user: {
          object: 'user',
          id: ws.personId,
          name: ws.user.displayName,
          avatar_url: null,
          type: 'person',
          person: { email: ws.user.email },
        },
      },
      duplicated_template_id: null,
      request_id: randomUUID(),
    });
  });

  app.post('/v1/oauth/revoke', async (c) => {
    if (!basicClient(c))
      return oauthError(
        c,
        401,
        'invalid_client',
        'Client authentication failed: use HTTP Basic with the integration credentials.',
      );
    const body = await bodyOf(c);
    const grant = body['token'] ? facade.grantOf(body['token']) : undefined;
    if (grant?.clientId === facade.def.clientId) await facade.revokeGrant(grant.grantId);
    return c.json({ request_id: randomUUID() });
  });
}
