/**
 * The OAuth 2.0 client, driven by each connector's declared quirks (never by its name):
 * authorization URL (PKCE S256, extra parameters, scope parameter and separator), token requests
 * (client authentication, body encoding, Accept header, non-standard response paths such as
 * Slack's `authed_user`), refresh and revocation. PKCE values and state come from oauth4webapi.
 */
import {
  authorizationParams,
  buildRevocationRequest,
  type ConnectorDefinition,
  extractTokenSet,
  type OAuth2Scheme,
  TokenResponseError,
  type TokenSet,
} from '@latchkey/connectors';
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from 'oauth4webapi';

export { TokenResponseError, type TokenSet };

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** How the gateway talks HTTP to providers (egress); tests and the proxy share it. */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;

export const USER_AGENT = 'Latchkey/0.1 (+https://github.com/latchkey)';
const TOKEN_TIMEOUT_MS = 15_000;
const MAX_TOKEN_RESPONSE = 64 * 1024;

export interface AuthorizationStart {
  url: string;
  state: string;
  codeVerifier: string | undefined;
}

export async function startAuthorization(
  auth: OAuth2Scheme,
  client: OAuthClientCredentials,
  opts: {
    redirectUri: string;
    scopes: string[];
    pkce: boolean;
    extraParams?: Record<string, string> | undefined;
  },
): Promise<AuthorizationStart> {
  const url = new URL(auth.authorization_url);
  const state = generateRandomState();
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', opts.redirectUri);
  url.searchParams.set('state', state);
  for (const [k, v] of Object.entries({ ...authorizationParams(auth, opts.scopes), ...opts.extraParams })) {
    url.searchParams.set(k, v);
  }
  let codeVerifier: string | undefined;
  if (opts.pkce) {
    codeVerifier = generateRandomCodeVerifier();
    url.searchParams.set('code_challenge', await calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { url: url.toString(), state, codeVerifier };
}

/** A token request failed at the transport level (timeout, refused, not JSON). */
export class TokenEndpointUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenEndpointUnavailable';
  }
}

async function tokenRequest(
  fetchImpl: HttpFetch,
  auth: OAuth2Scheme,
  client: OAuthClientCredentials,
  params: Record<string, string>,
): Promise<TokenSet> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  const body: Record<string, string> = { ...params };
  if (auth.client_auth === 'client_secret_basic') {
    const enc = (s: string) => encodeURIComponent(s);
    headers['authorization'] =
      `Basic ${Buffer.from(`${enc(client.clientId)}:${enc(client.clientSecret)}`).toString('base64')}`;
  } else if (auth.client_auth === 'none') {
    body['client_id'] = client.clientId;
  } else {
    body['client_id'] = client.clientId;
    body['client_secret'] = client.clientSecret;
  }
  if (auth.token_request.accept_json) headers['accept'] = 'application/json';
  let encoded: string;
  if (auth.token_request.body_encoding === 'json') {
    headers['content-type'] = 'application/json';
    encoded = JSON.stringify(body);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    encoded = new URLSearchParams(body).toString();
  }
  let res: Response;
  try {
    res = await fetchImpl(auth.token_url, {
      method: 'POST',
      headers,
      body: encoded,
      redirect: 'manual',
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (e) {
    throw new TokenEndpointUnavailable(`token endpoint unreachable: ${(e as Error).message}`, { cause: e });
  }
  const text = await res.text();
  if (text.length > MAX_TOKEN_RESPONSE) throw new TokenEndpointUnavailable('token response too large');
  const type = res.headers.get('content-type') ?? '';
  let parsed: unknown;
  if (type.includes('application/x-www-form-urlencoded')) {
    parsed = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      parsed = JSON.parse(text);
    } catch {
      if (res.status >= 500) throw new TokenEndpointUnavailable(`token endpoint answered HTTP ${res.status}`);
      throw new TokenResponseError(
        'invalid_response',
        `token endpoint answered HTTP ${res.status} without JSON`,
      );
    }
  }
  if (res.status >= 500) throw new TokenEndpointUnavailable(`token endpoint answered HTTP ${res.status}`);
  // extractTokenSet reads errors from the body (RFC 6749 `error`, or the declared shape).
  const set = extractTokenSet(auth, parsed);
  if (res.status >= 400)
    throw new TokenResponseError('http_error', `token endpoint answered HTTP ${res.status}`);
  return set;
}

export function exchangeCode(
  fetchImpl: HttpFetch,
  auth: OAuth2Scheme,
  client: OAuthClientCredentials,
  opts: {
    code: string;
    redirectUri: string;
    codeVerifier: string | undefined;
    extra?: Record<string, string>;
  },
): Promise<TokenSet> {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code: opts.code,
    redirect_uri: opts.redirectUri,
    ...opts.extra,
  };
  if (opts.codeVerifier) params['code_verifier'] = opts.codeVerifier;
  return tokenRequest(fetchImpl, auth, client, params);
}

export function refreshTokens(
  fetchImpl: HttpFetch,
  auth: OAuth2Scheme,
  client: OAuthClientCredentials,
  refreshToken: string,
  extra?: Record<string, string>,
): Promise<TokenSet> {
  return tokenRequest(fetchImpl, auth, client, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...extra,
  });
}

/** Revokes the grant at the provider when the connector declares how; false when it cannot. */
export async function revokeAtProvider(
  fetchImpl: HttpFetch,
  connector: ConnectorDefinition,
  client: OAuthClientCredentials,
  tokens: { accessToken: string; refreshToken?: string | undefined },
): Promise<boolean> {
  const req = buildRevocationRequest(connector, {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    access_token: tokens.accessToken,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
  });
  if (!req) return false;
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
  let body: string | undefined;
  if (req.body && 'form' in req.body) body = new URLSearchParams(req.body.form).toString();
  else if (req.body && 'json' in req.body) {
    body = JSON.stringify(req.body.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetchImpl(req.url, {
    method: req.method,
    headers,
    ...(body === undefined ? {} : { body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!req.expect_status.includes(res.status)) return false;
  if (req.expect_body) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const value = req.expect_body.path
        .split('.')
        .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], parsed);
      return JSON.stringify(value) === JSON.stringify(req.expect_body.equals);
    } catch {
      return false;
    }
  }
  return true;
}
