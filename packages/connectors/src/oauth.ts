/**
 * Pure helpers that turn a connector's declared OAuth quirks into concrete values for the gateway's
 * OAuth client: extra authorization parameters, the token set inside a (possibly non-standard)
 * token response, and the revocation request.
 */
import { getFirst, getPath, isRecord } from './json-path.ts';
import type { OAuth2Scheme } from './model/auth.ts';
import type { ConnectorDefinition } from './model/connector.ts';

/** Parameters to add to the authorization request (besides client_id, redirect_uri, state, PKCE). */
export function authorizationParams(auth: OAuth2Scheme, scopes?: readonly string[]): Record<string, string> {
  const params: Record<string, string> = { ...(auth.authorization_params ?? {}) };
  const list = scopes ?? auth.scopes.default;
  if (list.length > 0) params[auth.scopes.param] = list.join(auth.scopes.separator);
  return params;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scopes?: string[];
  token_type?: string;
  account_id?: string;
  metadata: Record<string, string>;
}

export class TokenResponseError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`token endpoint error ${code}: ${message}`);
    this.name = 'TokenResponseError';
    this.code = code;
  }
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * Reads the token set from a parsed token endpoint response using the declared paths (default:
 * RFC 6749 names). Throws TokenResponseError for an error response or one without an access token.
 */
export function extractTokenSet(auth: OAuth2Scheme, body: unknown): TokenSet {
  const shape = auth.token_response;
  const flag = shape?.error?.error_when_body;
  const flagged =
    flag !== undefined && JSON.stringify(getPath(body, flag.path)) === JSON.stringify(flag.equals);
  const rfcError = isRecord(body) && typeof body['error'] === 'string';
  if (flagged || rfcError) {
    const code = text(getFirst(body, shape?.error?.code ?? 'error')) ?? 'error';
    const message = text(getFirst(body, shape?.error?.message ?? 'error_description')) ?? code;
    throw new TokenResponseError(code, message);
  }
  const access = text(getFirst(body, shape?.access_token ?? 'access_token'));
  if (access === undefined)
    throw new TokenResponseError('no_access_token', 'the response holds no access token');
  const out: TokenSet = { access_token: access, metadata: {} };
  const refresh = text(getFirst(body, shape?.refresh_token ?? 'refresh_token'));
  if (refresh !== undefined) out.refresh_token = refresh;
  const expires = Number(getFirst(body, shape?.expires_in ?? 'expires_in'));
  if (Number.isFinite(expires) && expires > 0) out.expires_in = expires;
  const scope = text(getFirst(body, shape?.scope ?? 'scope'));
  if (scope !== undefined) out.scopes = scope.split(/[\s,]+/).filter((s) => s !== '');
  const type = text(getFirst(body, shape?.token_type ?? 'token_type'));
  if (type !== undefined) out.token_type = type;
  const account = shape?.account_id === undefined ? undefined : text(getFirst(body, shape.account_id));
  if (account !== undefined) out.account_id = account;
  for (const [name, paths] of Object.entries(shape?.metadata ?? {})) {
    const value = text(getFirst(body, paths));
    if (value !== undefined) out.metadata[name] = value;
  }
  return out;
}

export interface RevocationInput {
  client_id: string;
  client_secret: string;
  access_token: string;
  refresh_token?: string;
}

export interface RevocationRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: { form: Record<string, string> } | { json: Record<string, string> };
  /** Statuses meaning "revoked" (RFC 7009: 200; a 400 `unsupported_token_type` is not success). */
  expect_status: number[];
  expect_body?: { path: string; equals: unknown };
}

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const fill = (template: string, vars: Record<string, string>, encode: boolean): string =>
  template.replace(/\{\{\s*(client_id|access_token|refresh_token)\s*\}\}/g, (_m, name: string) => {
    const value = vars[name] ?? '';
    return encode ? encodeURIComponent(value) : value;
  });

/**
 * The request that revokes an account's grant, or undefined when the connector declares none. The
 * result carries secrets: send it, never log it.
 */
export function buildRevocationRequest(
  def: ConnectorDefinition,
  input: RevocationInput,
): RevocationRequest | undefined {
  if (def.auth.type !== 'oauth2') return undefined;
  const r = def.auth.revocation;
  if (r.type === 'none') return undefined;
  if (r.type === 'rfc7009') {
    const useRefresh = r.prefer_refresh_token && input.refresh_token !== undefined;
    const form: Record<string, string> = {
      token: useRefresh ? input.refresh_token! : input.access_token,
      token_type_hint: useRefresh ? 'refresh_token' : 'access_token',
    };
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (r.client_auth === 'client_secret_basic')
      headers['authorization'] = basic(input.client_id, input.client_secret);
    if (r.client_auth === 'client_secret_post') {
      form['client_id'] = input.client_id;
      form['client_secret'] = input.client_secret;
    }
    return { method: 'POST', url: r.url, headers, body: { form }, expect_status: [200] };
  }
  const vars: Record<string, string> = { client_id: input.client_id, access_token: input.access_token };
  if (input.refresh_token !== undefined) vars['refresh_token'] = input.refresh_token;
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = value;
  if (r.auth === 'client_basic') headers['authorization'] = basic(input.client_id, input.client_secret);
  if (r.auth === 'bearer_access_token') headers['authorization'] = `Bearer ${input.access_token}`;
  const out: RevocationRequest = {
    method: r.method,
    url: fill(r.url, vars, true),
    headers,
    expect_status: r.expect_status,
  };
  if (r.body !== undefined) {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.body.fields)) fields[k] = fill(v, vars, false);
    headers['content-type'] =
      r.body.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    out.body = r.body.encoding === 'json' ? { json: fields } : { form: fields };
  }
  if (r.expect_body !== undefined) out.expect_body = r.expect_body;
  return out;
}
