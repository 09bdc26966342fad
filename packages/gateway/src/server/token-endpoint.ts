/**
 * POST /oauth/token (client credentials; client authentication by form/JSON body or HTTP Basic)
 * and GET /keys (JWKS). Errors are the OAuth error JSON of RFC 6749 §5.2.
 */
import type { Context, Hono } from 'hono';
import type { Signer } from '../crypto/signing.ts';
import { type ApiAccess, OAuthError } from '../services/api-access.ts';
import type { AppEnv } from './app.ts';

const MAX_TOKEN_BODY = 16 * 1024;

export function mountTokenEndpoint(app: Hono<AppEnv>, deps: { apiAccess: ApiAccess; signer: Signer }): void {
  app.post('/oauth/token', async (c) => {
    try {
      const params = await readParams(c);
      const basic = parseBasic(c.req.header('authorization'));
      const grantType = params['grant_type'];
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
      if (grantType !== 'client_credentials') {
        throw new OAuthError(
          'unsupported_grant_type',
          `grant_type ${JSON.stringify(grantType)} is not supported; use client_credentials`,
        );
      }
      if (basic && (params['client_id'] || params['client_secret'])) {
        throw new OAuthError(
          'invalid_request',
          'use either HTTP Basic or client_id/client_secret in the body, not both',
        );
      }
      const clientId = basic?.id ?? params['client_id'];
      const clientSecret = basic?.secret ?? params['client_secret'];
      if (!clientId || !clientSecret)
        throw new OAuthError('invalid_client', 'client_id and client_secret are required');
      const { accessToken, expiresIn } = await deps.apiAccess.issueToken(clientId, clientSecret);
      c.header('cache-control', 'no-store');
      return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      c.header('cache-control', 'no-store');
      if (e.error === 'invalid_client' && c.req.header('authorization')) {
        c.header('www-authenticate', 'Basic realm="latchkey"');
      }
      return c.json({ error: e.error, error_description: e.message }, e.status as 400 | 401);
    }
  });

  app.get('/keys', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(deps.signer.jwks());
  });
}

async function readParams(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_TOKEN_BODY) throw new OAuthError('invalid_request', 'request body too large');
  const text = await c.req.text();
  if (text.length > MAX_TOKEN_BODY) throw new OAuthError('invalid_request', 'request body too large');
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OAuthError('invalid_request', 'body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new OAuthError('invalid_request', 'body must be a JSON object');
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new OAuthError(
    'invalid_request',
    `unsupported content-type ${type}; use application/x-www-form-urlencoded or application/json`,
  );
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials');
  // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replaceAll('+', ' '));
    } catch {
      throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials');
    }
  };
  return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
}
