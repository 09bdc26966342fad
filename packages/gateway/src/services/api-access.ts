/**
 * Environments, API clients and the tokens they exchange their credentials for.
 * Client secrets are shown once and stored as SHA-256 hashes. Access tokens are RS256 JWTs
 * bound to the environment (`env` claim) and the client (`sub`); a token is refused when it is
 * expired, signed by an unknown key, or its client was revoked (noticed within CLIENT_CACHE_MS).
 * A token verified once is remembered until it expires, so the signature is checked once per token.
 */
import type { Clock } from '../clock.ts';
import { hashSecret, newId, newSecret, secretMatches } from '../crypto/secrets.ts';
import type { Signer } from '../crypto/signing.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import { type ApiClient, apiClientsRepo } from '../store/repos/api-clients.ts';
import { type Environment, environmentsRepo } from '../store/repos/environments.ts';
import type { Store } from '../store/store.ts';

export const TOKEN_ISSUER = 'latchkey';
export const API_AUDIENCE = 'latchkey:api';
const CLIENT_CACHE_MS = 5000;
/** Verified tokens kept (token → principal until it expires); cleared when full. */
const VERIFIED_MAX = 10_000;
const ENV_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Who is calling the API: always an API client of one environment. */
export interface Principal {
  environmentId: string;
  clientId: string;
}

/** Errors of the OAuth token endpoint, in RFC 6749 §5.2 terms. */
export class OAuthError extends Error {
  readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_grant';
  readonly status: number;
  constructor(
    error: OAuthError['error'],
    description: string,
    status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
  }
}

export interface CreatedClient {
  client: Omit<ApiClient, 'secret_hash'>;
  environment: Environment;
  /** Shown once; only its hash is stored. */
  clientSecret: string;
}

export function createApiAccess(deps: {
  store: Store;
  signer: Signer;
  clock: Clock;
  tokenTtlSeconds: number;
}) {
  const { store, signer, clock } = deps;
  const envs = environmentsRepo(store.db);
  const clients = apiClientsRepo(store.db);
  const clientCache = new Map<string, { ok: boolean; environmentId: string; at: number }>();
  // A token's signature and claims are checked once; later calls only check expiry and the client.
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();

  /** The cached answer, or undefined when the client must be looked up. */
  function clientCached(clientId: string, environmentId: string, now: number): boolean | undefined {
    const cached = clientCache.get(clientId);
    if (cached && now - cached.at < CLIENT_CACHE_MS)
      return cached.ok && cached.environmentId === environmentId;
    return undefined;
  }

  async function clientIsUsable(clientId: string, environmentId: string): Promise<boolean> {
    const now = clock.now();
    const cached = clientCached(clientId, environmentId, now);
    if (cached !== undefined) return cached;
    const row = await clients.find(clientId);
    const ok = row !== undefined && row.revoked_at === null;
    if (clientCache.size > 10_000) clientCache.clear();
    clientCache.set(clientId, { ok, environmentId: row?.environment_id ?? '', at: now });
    return ok && row?.environment_id === environmentId;
  }

  return {
    async createEnvironment(name: string): Promise<Environment> {
      if (!ENV_NAME.test(name)) {
        throw invalidArgument(
          'name',
          'must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit',
        );
      }
      return envs.create(name, clock.now());
    },

    listEnvironments: () => envs.list(),
    getEnvironmentByName: (name: string) => envs.getByName(name),
    findEnvironmentByName: (name: string) => envs.findByName(name),

    async createClient(environmentName: string, name = 'default'): Promise<CreatedClient> {
      const environment = await envs.getByName(environmentName);
      const clientSecret = newSecret('lks_');
      const row: ApiClient = {
        id: newId('lkc'),
        environment_id: environment.id,
        name,
        secret_hash: hashSecret(clientSecret),
        created_at: clock.now(),
        revoked_at: null,
        last_used_at: null,
      };
      await clients.insert(row);
      const { secret_hash: _, ...client } = row;
      return { client, environment, clientSecret };
    },

    async listClients(environmentName: string): Promise<Omit<ApiClient, 'secret_hash'>[]> {
      const environment = await envs.getByName(environmentName);
      return (await clients.listByEnvironment(environment.id)).map(({ secret_hash: _, ...c }) => c);
    },

    async revokeClient(clientId: string): Promise<Omit<ApiClient, 'secret_hash'>> {
      const { secret_hash: _, ...c } = await clients.revoke(clientId, clock.now());
      clientCache.delete(clientId);
      return c;
    },

    /** The client-credentials grant. */
    async issueToken(
      clientId: string,
      clientSecret: string,
    ): Promise<{ accessToken: string; expiresIn: number }> {
      const row = await clients.find(clientId);
      // Same answer for unknown client, wrong secret and revoked client: nothing to enumerate.
      if (!row || row.revoked_at !== null || !secretMatches(clientSecret, row.secret_hash)) {
        throw new OAuthError('invalid_client', 'client authentication failed');
      }
      await clients.touch(row.id, clock.now());
      const accessToken = await signer.sign(
        { sub: row.id, env: row.environment_id, client_id: row.id },
        { audience: API_AUDIENCE, issuer: TOKEN_ISSUER, expiresInSeconds: deps.tokenTtlSeconds },
      );
      return { accessToken, expiresIn: deps.tokenTtlSeconds };
    },

    /** Verifies an `Authorization: Bearer` header value; throws `unauthenticated`. */
    async authenticate(authorization: string | undefined | null): Promise<Principal> {
      const m = authorization ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(authorization) : null;
      if (!m) throw new LatchkeyError('unauthenticated', 'missing bearer token: get one at /oauth/token');
      const token = m[1]!;
      const now = clock.now();
      const known = verified.get(token);
      if (known && known.expiresAt > now) {
        const { clientId, environmentId } = known.principal;
        const usable =
          clientCached(clientId, environmentId, now) ?? (await clientIsUsable(clientId, environmentId));
        if (usable) return known.principal;
        throw new LatchkeyError('unauthenticated', 'invalid or expired access token');
      }
      let payload: Record<string, unknown>;
      try {
        payload = await signer.verify(token, { audience: API_AUDIENCE, issuer: TOKEN_ISSUER });
      } catch {
        throw new LatchkeyError('unauthenticated', 'invalid or expired access token');
      }
      const environmentId = payload['env'];
      const clientId = payload['sub'];
      if (typeof environmentId !== 'string' || typeof clientId !== 'string') {
        throw new LatchkeyError('unauthenticated', 'invalid or expired access token');
      }
      if (!(await clientIsUsable(clientId, environmentId))) {
        throw new LatchkeyError('unauthenticated', 'invalid or expired access token');
      }
      const principal = { environmentId, clientId };
      if (typeof payload['exp'] === 'number') {
        if (verified.size >= VERIFIED_MAX) verified.clear();
        verified.set(token, { principal, expiresAt: payload['exp'] * 1000 });
      }
      return principal;
    },
  };
}

export type ApiAccess = ReturnType<typeof createApiAccess>;
