// How a provider imitation checks a bearer token: RFC 7662 introspection at the authorization server
// (so revocation is noticed at once), then the audience. The reason for a refusal picks the error shape.

import type { ResourceDefinition } from './resources.ts';
import type { AuthServer } from './server.ts';

export type TokenRefusal = 'missing' | 'invalid' | 'expired' | 'revoked' | 'wrong_audience';

export type TokenCheck =
  | {
      ok: true;
      user: string;
      clientId: string;
      scopes: Set<string>;
      exp: number;
      token: string;
      /** The full introspection answer. */
      info: Record<string, unknown>;
    }
  | { ok: false; reason: TokenRefusal };

export type TokenVerifier = (token: string | undefined) => Promise<TokenCheck>;

/** Reads `Authorization: Bearer <token>` (scheme case-insensitive; GitHub's `token <t>` when allowed). */
export function bearerFrom(header: string | undefined | null, schemes = ['bearer']): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  return schemes.includes(scheme) && value ? value : undefined;
}

export function createTokenVerifier(auth: AuthServer, def: ResourceDefinition): TokenVerifier {
  const client = auth.parts.clients.get(def.clientId);
  if (!client) throw new Error(`no client for ${def.slug}`);
  const basic = `Basic ${Buffer.from(`${def.introspectorId}:${client.introspectorSecret}`).toString('base64')}`;
  const endpoint = new URL('/token/introspection', auth.issuer);
  return async (token) => {
    if (!token) return { ok: false, reason: 'missing' };
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        [auth.internalHeader.name]: auth.internalHeader.value,
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (!response.ok) throw new Error(`introspection failed with HTTP ${response.status}`);
    const info = (await response.json()) as Record<string, unknown>;
    if (info['active'] !== true || info['token_type'] === undefined) {
      const reason = auth.store.tokenEndReason('AccessToken', token);
      return { ok: false, reason: reason === 'unknown' ? 'invalid' : reason };
    }
    const aud = info['aud'];
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(def.resource)) return { ok: false, reason: 'wrong_audience' };
    return {
      ok: true,
      token,
      user: String(info['sub']),
      clientId: String(info['client_id']),
      scopes: new Set(
        String(info['scope'] ?? '')
          .split(' ')
          .filter(Boolean),
      ),
      exp: Number(info['exp']),
      info,
    };
  };
}
