// GitHub's web application flow in front of the sandbox authorization server:
// /login/oauth/authorize, /login/oauth/access_token (form-encoded answer unless `Accept: application/json`,
// errors such as `bad_verification_code` on HTTP 200, expiring tokens with refresh), and token revocation
// through DELETE /applications/{client_id}/grant|token.
import type { Context, Hono } from 'hono';
import { credentialsFrom, type Facade } from '../../auth/facade.ts';
import type { AuthServer } from '../../auth/server.ts';

const TROUBLESHOOT =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';
const ERRORS: Record<string, string> = {
  bad_verification_code: 'The code passed is incorrect or expired.',
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  redirect_uri_mismatch: 'The redirect_uri MUST match the registered callback URL for this application.',
  bad_refresh_token: 'The refresh token passed is incorrect or expired.',
  unsupported_grant_type: 'The grant type is not supported.',
};

function answer(c: Context, body: Record<string, string | number>): Response {
  const accept = c.req.header('accept') ?? '';
  if (accept.includes('application/json')) return c.json(body);
  if (accept.includes('application/xml')) {
    const xml = `<OAuth>${Object.entries(body)
      .map(([k, v]) => `<${k}>${String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`)
      .join('')}</OAuth>`;
    return c.body(xml, 200, { 'content-type': 'application/xml; charset=utf-8' });
  }
  const form = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
  return c.body(form.toString(), 200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
}

const error = (c: Context, code: string) =>
  answer(c, {
    error: code,
    error_description: ERRORS[code] ?? code,
    error_uri: `${TROUBLESHOOT}#${code.replace(/_/g, '-')}`,
  });

async function params(c: Context): Promise<Record<string, string>> {
  const out: Record<string, string> = { ...c.req.query() };
  const type = c.req.header('content-type') ?? '';
  if (type.includes('json')) {
    const json = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  } else if (type.includes('form')) {
    for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function registerGithubOAuth(app: Hono, deps: { auth: AuthServer; facade: Facade }): void {
  const { auth, facade } = deps;

  app.get('/login/oauth/authorize', (c) => {
    const q = c.req.query();
    if (q['client_id'] !== facade.def.clientId)
      return c.html('<h1>404</h1><p>This is not the web page you are looking for.</p>', 404);
    const out = new URLSearchParams({ response_type: 'code', client_id: q['client_id'] });
    for (const key of ['redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'prompt'])
      if (q[key]) out.set(key, q[key]);
    const scopes = (q['scope'] ?? '').split(/[\s,]+/).filter(Boolean);
    if (scopes.length) out.set('scope', scopes.join(' '));
    const hint = q['login'] ?? q['login_hint'];
    if (hint) out.set('login_hint', hint);
    return c.redirect(facade.authorizeUrl(out), 302);
  });

  app.post('/login/oauth/access_token', async (c) => {
    const p = await params(c);
    const credentials = credentialsFrom(c.req.header('authorization'), p);
    if (!credentials || credentials.clientId !== facade.def.clientId)
      return error(c, 'incorrect_client_credentials');
    const refresh = p['grant_type'] === 'refresh_token';
    if (p['grant_type'] && !refresh && p['grant_type'] !== 'authorization_code')
      return error(c, 'unsupported_grant_type');
    const request: Record<string, string> = refresh
      ? { grant_type: 'refresh_token', refresh_token: p['refresh_token'] ?? '' }
      : { grant_type: 'authorization_code', code: p['code'] ?? '' };
    if (!refresh && p['redirect_uri']) request['redirect_uri'] = p['redirect_uri'];
    if (!refresh && p['code_verifier']) request['code_verifier'] = p['code_verifier'];
    const result = await facade.exchange(request, credentials);
    if (!result.ok) {
      if (result.error === 'invalid_client') return error(c, 'incorrect_client_credentials');
      if (/redirect_uri/.test(result.description)) return error(c, 'redirect_uri_mismatch');
      return error(c, refresh ? 'bad_refresh_token' : 'bad_verification_code');
    }
    return answer(c, {
      access_token: result.accessToken,
      ...(result.expiresIn !== undefined ? { expires_in: result.expiresIn } : {}),
      ...(result.refreshToken
        ? {
            refresh_token: result.refreshToken,
            refresh_token_expires_in: auth.settings.refreshTokenTtlSeconds,
          }
        : {}),
      scope: result.scopes.join(','),
      token_type: 'bearer',
    });
  });

  // Revoke a grant (every token of this user for the app) or one token: Basic auth with the app's credentials.
  const revoke = (kind: 'grant' | 'token') => async (c: Context) => {
    const credentials = credentialsFrom(c.req.header('authorization'), {});
    const client = auth.parts.clients.get(facade.def.clientId);
    if (
      !credentials ||
      credentials.clientId !== c.req.param('client_id') ||
      credentials.clientId !== facade.def.clientId ||
      credentials.clientSecret !== client?.clientSecret
    ) {
      return c.json(
        {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/apps/oauth-applications',
          status: '404',
        },
        404,
      );
    }
    const body = (await c.req.json().catch(() => ({}))) as { access_token?: unknown };
    if (typeof body.access_token !== 'string') {
      return c.json(
        {
          message: 'Invalid request.\n\n"access_token" wasn\'t supplied.',
          documentation_url: 'https://docs.github.com/rest/apps/oauth-applications',
          status: '422',
        },
        422,
      );
    }
    const grant = facade.grantOf(body.access_token);
    if (!grant || grant.clientId !== facade.def.clientId) {
      return c.json(
        {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/apps/oauth-applications',
          status: '404',
        },
        404,
      );
    }
    if (kind === 'grant') await facade.revokeGrant(grant.grantId);
    else await auth.store.adapterFor('AccessToken').destroy(body.access_token);
    return c.body(null, 204);
  };
  app.delete('/applications/:client_id/grant', revoke('grant'));
  app.delete('/applications/:client_id/token', revoke('token'));
}
