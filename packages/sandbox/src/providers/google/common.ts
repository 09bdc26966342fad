// What every Google API answers the same way: the error envelope, the 401/403 challenges, and `userId`.
import type { Context } from 'hono';
import type { TokenCheck, TokenRefusal, TokenVerifier } from '../../auth/verify.ts';
import { bearerFrom } from '../../auth/verify.ts';

export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

const REALM = 'Bearer realm="https://accounts.google.com/"';

export function googleError(
  c: Context,
  code: 400 | 401 | 403 | 404 | 405 | 409 | 500,
  message: string,
  errors: GoogleErrorItem[],
  options: { status?: string; details?: unknown[]; headers?: Record<string, string> } = {},
): Response {
  const error: Record<string, unknown> = { code, message, errors };
  if (options.status) error['status'] = options.status;
  if (options.details) error['details'] = options.details;
  for (const [k, v] of Object.entries(options.headers ?? {})) c.header(k, v);
  return c.json({ error }, code);
}

export function badRequest(c: Context, message: string, reason = 'invalidArgument'): Response {
  return googleError(c, 400, message, [{ message, domain: 'global', reason }], {
    status: 'INVALID_ARGUMENT',
  });
}

export function notFound(c: Context, message = 'Requested entity was not found.'): Response {
  return googleError(c, 404, message, [{ message, domain: 'global', reason: 'notFound' }], {
    status: 'NOT_FOUND',
  });
}

const CONSOLE = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export function unauthenticated(c: Context, reason: TokenRefusal, service: string, method: string): Response {
  const missing = reason === 'missing';
  const message = missing
    ? `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${CONSOLE}`
    : `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${CONSOLE}`;
  const item: GoogleErrorItem = missing
    ? {
        message: 'Login Required.',
        domain: 'global',
        reason: 'required',
        location: 'Authorization',
        locationType: 'header',
      }
    : {
        message: 'Invalid Credentials',
        domain: 'global',
        reason: 'authError',
        location: 'Authorization',
        locationType: 'header',
      };
  const infoReason = missing
    ? 'CREDENTIALS_MISSING'
    : reason === 'expired'
      ? 'ACCESS_TOKEN_EXPIRED'
      : undefined;
  const details = infoReason
    ? [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: infoReason,
          domain: 'googleapis.com',
          metadata: { service, method },
        },
      ]
    : undefined;
  return googleError(c, 401, message, [item], {
    status: 'UNAUTHENTICATED',
    ...(details ? { details } : {}),
    headers: { 'WWW-Authenticate': missing ? REALM : `${REALM}, error="invalid_token"` },
  });
}

export function insufficientScope(c: Context, scopes: string[], service: string, method: string): Response {
  return googleError(
    c,
    403,
    'Request had insufficient authentication scopes.',
    [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
    {
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service, method },
        },
      ],
      headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scopes.join(' ')}"` },
    },
  );
}

export type GoogleAuthResult =
  | { ok: true; check: Extract<TokenCheck, { ok: true }> }
  | { ok: false; response: Response };

/** Checks the bearer token and that it carries one of `scopes` (Google's "any of" rule per method). */
export async function googleAuth(
  c: Context,
  verify: TokenVerifier,
  scopes: string[],
  service: string,
  method: string,
): Promise<GoogleAuthResult> {
  const check = await verify(bearerFrom(c.req.header('authorization')) ?? c.req.query('access_token'));
  if (!check.ok) return { ok: false, response: unauthenticated(c, check.reason, service, method) };
  if (!scopes.some((s) => check.scopes.has(s))) {
    return { ok: false, response: insufficientScope(c, scopes, service, method) };
  }
  return { ok: true, check };
}

/** Google's `fields`-less JSON bodies: 2-space indented like the real APIs. */
export function googleJson(c: Context, body: unknown, status: 200 | 201 = 200): Response {
  return c.body(JSON.stringify(body, null, 2), status, { 'content-type': 'application/json; charset=UTF-8' });
}
