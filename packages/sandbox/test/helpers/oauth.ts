// Test helpers: obtain authorization codes and tokens from the sandbox the way a script would
// (auto-approval, following redirects without a cookie jar), per provider's own OAuth shape.
import { createHash, randomBytes } from 'node:crypto';
import type { Sandbox } from '../../src/index.ts';

export const REDIRECT_URI = 'http://127.0.0.1:8976/callback';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Follows redirects by hand until one points at `redirectUri`; returns its query parameters. */
export async function followToCallback(start: string, redirectUri = REDIRECT_URI): Promise<URLSearchParams> {
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redirectUri)) return new URL(url).searchParams;
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (!location) {
      throw new Error(
        `no redirect from ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`,
      );
    }
    await response.body?.cancel();
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects');
}

export interface AuthorizeOptions {
  user?: string;
  scopes?: string[];
  userScopes?: string[];
  pkce?: boolean;
  extra?: Record<string, string>;
  redirectUri?: string;
}

/** Runs the provider's authorization endpoint with auto-approval; returns the code (or the error params). */
export async function authorize(
  sandbox: Sandbox,
  slug: string,
  options: AuthorizeOptions = {},
): Promise<{ params: URLSearchParams; code: string; verifier: string | undefined; redirectUri: string }> {
  const provider = sandbox.providers[slug];
  if (!provider?.oauth) throw new Error(`${slug} has no OAuth client`);
  const redirectUri = options.redirectUri ?? REDIRECT_URI;
  const url = new URL(provider.oauth.authorizationEndpoint);
  url.searchParams.set('client_id', provider.oauth.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', randomBytes(8).toString('hex'));
  const scopes = options.scopes ?? provider.oauth.scopes;
  if (scopes.length) url.searchParams.set('scope', slug === 'slack' ? scopes.join(',') : scopes.join(' '));
  if (options.userScopes?.length) url.searchParams.set('user_scope', options.userScopes.join(','));
  if (options.user) url.searchParams.set(slug === 'github' ? 'login' : 'login_hint', options.user);
  let verifier: string | undefined;
  if (options.pkce !== false) {
    const pair = pkcePair();
    verifier = pair.verifier;
    url.searchParams.set('code_challenge', pair.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(options.extra ?? {})) url.searchParams.set(k, v);
  const params = await followToCallback(url.toString(), redirectUri);
  return { params, code: params.get('code') ?? '', verifier, redirectUri };
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  raw: Record<string, unknown>;
}

/** Authorization code + token exchange through the provider's own token endpoint shape. */
export async function tokensFor(
  sandbox: Sandbox,
  slug: string,
  options: AuthorizeOptions = {},
): Promise<Tokens> {
  const provider = sandbox.providers[slug];
  if (!provider?.oauth) throw new Error(`${slug} has no OAuth client`);
  const { clientId, clientSecret, tokenEndpoint } = provider.oauth;
  const extra =
    slug === 'gmail' || slug === 'googlecalendar'
      ? { access_type: 'offline', prompt: 'consent', ...options.extra }
      : options.extra;
  const slackUser =
    slug === 'slack' && !options.userScopes
      ? { userScopes: options.scopes ?? provider.oauth.scopes, scopes: [] }
      : {};
  const { code, verifier, redirectUri } = await authorize(sandbox, slug, {
    ...options,
    ...slackUser,
    ...(extra ? { extra } : {}),
  });
  if (!code) throw new Error(`no code for ${slug}`);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  if (verifier) form.set('code_verifier', verifier);
  let response: Response;
  if (slug === 'notion') {
    response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(form)),
    });
  } else {
    response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: basic(clientId, clientSecret),
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    });
  }
  const raw = (await response.json()) as Record<string, unknown>;
  const user = raw['authed_user'] as Record<string, unknown> | undefined;
  const accessToken = String(user?.['access_token'] ?? raw['access_token'] ?? '');
  if (!accessToken) throw new Error(`no token for ${slug}: ${JSON.stringify(raw)}`);
  const refresh = user?.['refresh_token'] ?? raw['refresh_token'];
  return { accessToken, ...(typeof refresh === 'string' ? { refreshToken: refresh } : {}), raw };
}
