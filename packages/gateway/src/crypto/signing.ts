/**
 * RS256 signing keys for API access tokens and MCP session tokens. Private keys are stored
 * encrypted with the key ring; the public keys are served as a JWKS at /keys.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createLocalJWKSet, importPKCS8, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../clock.ts';
import { signingKeysRepo } from '../store/repos/signing-keys.ts';
import type { Store } from '../store/store.ts';
import { aadFor } from './encrypted-columns.ts';
import type { Keyring } from './keyring.ts';

const ALG = 'RS256';

export interface Signer {
  /** Signs claims; `expiresInSeconds` sets exp. Returns the compact JWT. */
  sign(
    claims: JWTPayload,
    opts: { audience: string; expiresInSeconds: number; issuer: string },
  ): Promise<string>;
  /** Verifies signature, exp/nbf, audience and issuer; throws on any failure. */
  verify(token: string, opts: { audience: string; issuer: string }): Promise<JWTPayload>;
  jwks(): { keys: JWK[] };
  /** Re-reads keys from the store (after another process added one). */
  reload(): Promise<void>;
}

/** Creates the first signing key when none is active; safe when gateways start together. */
export async function ensureSigningKey(store: Store, keyring: Keyring, clock: Clock): Promise<void> {
  await store.withLock('latchkey:signing-keys', async (trx) => {
    const repo = signingKeysRepo(trx);
    const keys = await repo.list();
    if (keys.some((k) => k.status === 'active')) return;
    const kid = randomUUID();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: ALG, use: 'sig' };
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await repo.insert({
      kid,
      alg: ALG,
      public_jwk: JSON.stringify(jwk),
      private_key_enc: keyring.encrypt(pem, aadFor('signing_keys', kid, 'private_key_enc')),
      status: 'active',
      created_at: clock.now(),
      retired_at: null,
    });
  });
}

export async function createSigner(store: Store, keyring: Keyring): Promise<Signer> {
  let active: { kid: string; key: Awaited<ReturnType<typeof importPKCS8>> } | undefined;
  let publicJwks: { keys: JWK[] } = { keys: [] };
  let keySet = createLocalJWKSet(publicJwks);

  async function reload(): Promise<void> {
    const rows = await signingKeysRepo(store.db).list();
    publicJwks = { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
    keySet = createLocalJWKSet(publicJwks);
    const row = rows.find((r) => r.status === 'active');
    if (!row) throw new Error('no active signing key; run `latchkey migrate` or start a gateway');
    if (active?.kid !== row.kid) {
      const pem = keyring.decrypt(row.private_key_enc, aadFor('signing_keys', row.kid, 'private_key_enc'));
      active = { kid: row.kid, key: await importPKCS8(pem, ALG) };
    }
  }
  await reload();

  return {
    async sign(claims, { audience, expiresInSeconds, issuer }) {
      const a = active!;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALG, kid: a.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(a.key);
    },
    async verify(token, { audience, issuer }) {
      const { payload } = await jwtVerify(token, keySet, { audience, issuer, algorithms: [ALG] });
      return payload;
    },
    jwks: () => publicJwks,
    reload,
  };
}
