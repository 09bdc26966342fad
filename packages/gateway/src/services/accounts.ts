/**
 * Connected accounts: (connection, identifier) → status and encrypted credentials. Create with or
 * without credentials, get, list, update, delete (revoking at the provider where the connector
 * can), disconnect; every change is recorded as an account event with its reason.
 */
import type { Clock } from '../clock.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { newId } from '../crypto/secrets.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import { NotFoundError } from '../store/errors.ts';
import { pageOf, pageTokens } from '../store/pagination.ts';
import { type AccountRow, accountsRepo } from '../store/repos/accounts.ts';
import type { AccountEventType, AccountStatus } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { Connection, Connections } from './connections.ts';
import { checkStaticFields, credentialsAad, type StoredCredentials } from './credentials-codec.ts';
import { type HttpFetch, revokeAtProvider } from './oauth.ts';

export interface Account {
  id: string;
  environmentId: string;
  connection: Connection;
  identifier: string;
  status: AccountStatus;
  statusReason: string | undefined;
  tokenExpiresAt: number | undefined;
  lastUsedAt: number | undefined;
  createdAt: number;
  updatedAt: number;
  apiConfig: Record<string, unknown> | undefined;
  metadata: AccountMetadata;
  version: number;
}

export interface AccountMetadata {
  provider_account_id?: string;
  scopes?: string[];
  token?: Record<string, string>;
}

/** How callers name an account: by id, or by connection (name or slug) + identifier. */
export interface AccountSelector {
  id?: string | undefined;
  connector?: string | undefined;
  identifier?: string | undefined;
}

/** Credentials given by the app (the proto's AuthorizationDetails, already unwrapped). */
export type GivenCredentials =
  | { oauthToken: { accessToken: string; refreshToken: string; scopes: string[] } }
  | { staticAuth: Record<string, unknown> }
  | undefined;

const IDENTIFIER_MAX = 255;
const REVOKE_BUDGET_MS = 10_000;

export function createAccounts(deps: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  connections: Connections;
  fetch: HttpFetch;
  logger: Logger;
}) {
  const { store, keyring, clock, connections, logger } = deps;
  const repo = accountsRepo(store.db);

  function view(row: AccountRow, connection: Connection): Account {
    return {
      id: row.id,
      environmentId: row.environment_id,
      connection,
      identifier: row.identifier,
      status: row.status,
      statusReason: row.status_reason ?? undefined,
      tokenExpiresAt: row.token_expires_at ?? undefined,
      lastUsedAt: row.last_used_at ?? undefined,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      apiConfig: row.api_config ? (JSON.parse(row.api_config) as Record<string, unknown>) : undefined,
      metadata: JSON.parse(row.metadata) as AccountMetadata,
      version: row.version,
    };
  }

  const checkIdentifier = (identifier: string | undefined): string => {
    const id = identifier?.trim();
    if (!id)
      throw invalidArgument(
        'identifier',
        'is required (your id for the end user, e.g. user_123 or an e-mail)',
      );
    if (id.length > IDENTIFIER_MAX)
      throw invalidArgument('identifier', `is longer than ${IDENTIFIER_MAX} characters`);
    return id;
  };

  function decrypt(row: AccountRow): StoredCredentials | undefined {
    return row.credentials_enc
      ? (JSON.parse(keyring.decrypt(row.credentials_enc, credentialsAad(row.id))) as StoredCredentials)
      : undefined;
  }
  const encrypt = (id: string, creds: StoredCredentials) =>
    keyring.encrypt(JSON.stringify(creds), credentialsAad(id));

  /** Turns app-given credentials into stored ones, validated against the connector. */
  function fromGiven(connection: Connection, given: GivenCredentials): StoredCredentials | undefined {
    if (!given) return undefined;
    const auth = connection.connector.auth;
    if ('oauthToken' in given) {
      if (!given.oauthToken.accessToken) return undefined; // an empty token means "create without credentials"
      if (auth.type !== 'oauth2' && auth.type !== 'mcp_oauth2') {
        throw invalidArgument(
          'connected_account.authorization_details.oauth_token',
          `connection "${connection.name}" does not use OAuth; send static_auth`,
        );
      }
      return {
        kind: 'oauth2',
        access_token: given.oauthToken.accessToken,
        refresh_token: given.oauthToken.refreshToken || undefined,
        scopes: given.oauthToken.scopes.length ? given.oauthToken.scopes : undefined,
      };
    }
    if (auth.type === 'oauth2' || auth.type === 'mcp_oauth2' || auth.type === 'none') {
      throw invalidArgument(
        'connected_account.authorization_details.static_auth',
        `connection "${connection.name}" uses ${auth.type}; static credentials do not apply`,
      );
    }
    const violations = checkStaticFields(
      auth,
      given.staticAuth,
      'connected_account.authorization_details.static_auth.details',
    );
    if (violations.length > 0) {
      throw new LatchkeyError(
        'invalid_argument',
        violations.map((v) => `${v.field}: ${v.description}`).join('; '),
        { violations },
      );
    }
    return { kind: 'static', fields: given.staticAuth as Record<string, string> };
  }

  async function event(
    row: { id: string; environment_id: string },
    type: AccountEventType,
    reason: string | null,
  ) {
    await repo.recordEvent(row, type, reason, clock.now());
  }

  async function find(
    environmentId: string,
    sel: AccountSelector,
  ): Promise<{ row: AccountRow; connection: Connection }> {
    if (sel.id) {
      const row = await repo.find(environmentId, sel.id);
      if (!row) throw new NotFoundError(`connected account ${sel.id} not found`);
      return { row, connection: await connections.get(environmentId, row.connection_id) };
    }
    if (!sel.connector)
      throw invalidArgument('connector', 'name the connection (connector) and identifier, or the account id');
    const identifier = checkIdentifier(sel.identifier);
    const connection = await connections.resolve(environmentId, sel.connector);
    const row = await repo.findByIdentifier(environmentId, connection.id, identifier);
    if (!row) {
      throw new NotFoundError(
        `no connected account for "${identifier}" on connection "${connection.name}"; create it with CreateConnectedAccount or an authorization link (GetMagicLinkForConnectedAccount)`,
      );
    }
    return { row, connection };
  }

  async function revokeQuietly(connection: Connection, row: AccountRow): Promise<string> {
    const creds = decrypt(row);
    if (creds?.kind !== 'oauth2') return 'no provider grant to revoke';
    try {
      const oauth = await connections.resolveOAuth(connection);
      if (!oauth) return 'no provider grant to revoke';
      const ok = await Promise.race([
        revokeAtProvider(deps.fetch, { ...connection.connector, auth: oauth.auth }, oauth.client, {
          accessToken: creds.access_token,
          refreshToken: creds.refresh_token,
        }),
        new Promise<boolean>((r) => setTimeout(() => r(false), REVOKE_BUDGET_MS).unref()),
      ]);
      return ok ? 'revoked at the provider' : 'the provider offers no revocation or refused it';
    } catch (e) {
      logger.warn({ account: row.id, err: (e as Error).message }, 'revocation at the provider failed');
      return `revocation at the provider failed: ${(e as Error).message}`;
    }
  }

  return {
    view,
    decrypt,
    encrypt,
    repo,
    event,
    checkIdentifier,

    async get(environmentId: string, sel: AccountSelector): Promise<Account> {
      const { row, connection } = await find(environmentId, sel);
      return view(row, connection);
    },

    /** The account with its decrypted credentials (GetConnectedAccountAuth: API clients only). */
    async getWithCredentials(environmentId: string, sel: AccountSelector) {
      const { row, connection } = await find(environmentId, sel);
      return { account: view(row, connection), credentials: decrypt(row) };
    },

    async create(
      environmentId: string,
      sel: AccountSelector,
      given: GivenCredentials,
      apiConfig?: Record<string, unknown>,
    ): Promise<Account> {
      if (!sel.connector) throw invalidArgument('connector', 'is required: the connection name');
      const identifier = checkIdentifier(sel.identifier);
      const connection = await connections.resolve(environmentId, sel.connector);
      const creds = fromGiven(connection, given);
      const now = clock.now();
      const id = newId('ca');
      const row: AccountRow = {
        id,
        environment_id: environmentId,
        connection_id: connection.id,
        identifier,
        status: creds || connection.connector.auth.type === 'none' ? 'ACTIVE' : 'PENDING_AUTH',
        status_reason: creds ? null : 'waiting for the user to authorize',
        credentials_enc: creds ? encrypt(id, creds) : null,
        token_expires_at: null,
        metadata: JSON.stringify(creds?.kind === 'oauth2' && creds.scopes ? { scopes: creds.scopes } : {}),
        api_config: apiConfig ? JSON.stringify(apiConfig) : null,
        version: 0,
        lease_owner: null,
        lease_until: null,
        last_used_at: null,
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row);
      await event(row, 'created', creds ? 'created with credentials' : null);
      return view(row, connection);
    },

    /** The account for (connection, identifier), created PENDING_AUTH when missing. */
    async ensure(environmentId: string, connection: Connection, identifier: string): Promise<Account> {
      const id = checkIdentifier(identifier);
      const existing = await repo.findByIdentifier(environmentId, connection.id, id);
      if (existing) return view(existing, connection);
      try {
        return await this.create(environmentId, { connector: connection.name, identifier: id }, undefined);
      } catch (e) {
        // created concurrently by another request: read it
        const again = await repo.findByIdentifier(environmentId, connection.id, id);
        if (again) return view(again, connection);
        throw e;
      }
    },

    async update(
      environmentId: string,
      sel: AccountSelector,
      given: GivenCredentials,
      apiConfig?: Record<string, unknown>,
    ): Promise<Account> {
      const { row, connection } = await find(environmentId, sel);
      const creds = fromGiven(connection, given);
      const patch: Partial<AccountRow> = { updated_at: clock.now() };
      if (apiConfig !== undefined) patch.api_config = JSON.stringify(apiConfig);
      if (creds) {
        patch.credentials_enc = encrypt(row.id, creds);
        patch.status = 'ACTIVE';
        patch.status_reason = null;
        patch.token_expires_at = null;
        patch.version = row.version + 1;
      }
      const updated = await repo.update(environmentId, row.id, patch);
      if (creds) await event(row, 'credentials_updated', 'credentials replaced by the app');
      return view(updated, connection);
    },

    async delete(environmentId: string, sel: AccountSelector): Promise<{ revocation: string }> {
      const { row, connection } = await find(environmentId, sel);
      const revocation = await revokeQuietly(connection, row);
      await repo.delete(environmentId, row.id);
      await event(row, 'deleted', revocation);
      return { revocation };
    },

    async disconnect(environmentId: string, sel: AccountSelector): Promise<Account> {
      const { row, connection } = await find(environmentId, sel);
      const revocation = await revokeQuietly(connection, row);
      const updated = await repo.update(environmentId, row.id, {
        status: 'DISCONNECTED',
        status_reason: `disconnected by the app (${revocation})`,
        credentials_enc: null,
        token_expires_at: null,
        version: row.version + 1,
        updated_at: clock.now(),
      });
      await event(row, 'disconnected', revocation);
      return view(updated, connection);
    },

    async list(
      environmentId: string,
      opts: {
        connector?: string | undefined;
        connectionNames?: string[] | undefined;
        provider?: string | undefined;
        identifier?: string | undefined;
        query?: string | undefined;
        pageSize?: number | undefined;
        pageToken?: string | undefined;
      },
    ) {
      const page = pageOf(opts.pageSize, opts.pageToken, 100, 50);
      let connectionIds: string[] | undefined;
      const names = [...(opts.connectionNames ?? []), ...(opts.connector ? [opts.connector] : [])];
      if (names.length > 0) {
        connectionIds = [];
        for (const name of names) {
          const c = await connections.findByName(environmentId, name);
          if (c) connectionIds.push(c.id);
        }
      }
      if (opts.provider) {
        const byProvider = (
          await connections.list(environmentId, { provider: opts.provider, pageSize: 100 })
        ).connections.map((c) => c.id);
        connectionIds = connectionIds ? connectionIds.filter((id) => byProvider.includes(id)) : byProvider;
      }
      const { rows, total } = await repo.list(
        environmentId,
        { connectionIds, identifier: opts.identifier, query: opts.query },
        page,
      );
      const cache = new Map<string, Connection>();
      const accounts: Account[] = [];
      for (const row of rows) {
        let c = cache.get(row.connection_id);
        if (!c) {
          c = await connections.get(environmentId, row.connection_id);
          cache.set(row.connection_id, c);
        }
        accounts.push(view(row, c));
      }
      return { accounts, total, ...pageTokens(page, total) };
    },

    async events(environmentId: string, sel: AccountSelector) {
      const { row } = await find(environmentId, sel);
      return repo.events(environmentId, row.id);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
