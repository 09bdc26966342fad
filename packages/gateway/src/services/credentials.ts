/**
 * The credentials service (DESIGN §5 "Use credentials"): resolves the account a caller means,
 * hands out credentials to inject, refreshes OAuth tokens before they expire and after an
 * upstream 401, and never loses a token:
 *  - one refresh at a time per account: in-process single flight, plus on PostgreSQL a row lock
 *    held across the provider call, so one process refreshes while the others wait and re-read;
 *  - a refresh response without a refresh token keeps the old one;
 *  - on `invalid_grant` the row is re-read (another process may have rotated the token) before
 *    the account is marked EXPIRED with the provider's reason;
 *  - every credential write is a compare-and-set on the row's version.
 */
import { resolveBaseUrl } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import { type AccountRow, accountsRepo } from '../store/repos/accounts.ts';
import type { Store } from '../store/store.ts';
import type { AccountAccess, AccountRef, UpstreamAuth, UpstreamTarget } from './account-access.ts';
import type { Accounts } from './accounts.ts';
import type { Principal } from './api-access.ts';
import type { Connection, Connections } from './connections.ts';
import { fromTokenSet, injectCredentials, type StoredCredentials } from './credentials-codec.ts';
import { type HttpFetch, refreshTokens, TokenEndpointUnavailable, TokenResponseError } from './oauth.ts';

export interface CredentialsOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  accounts: Accounts;
  connections: Connections;
  fetch: HttpFetch;
  refreshMarginSeconds: number;
  /** Test hook: runs after the provider answered a refresh and before the result is stored. */
  afterRefreshResponse?: (accountId: string) => Promise<void>;
}

export type RefreshOutcome = 'refreshed' | 'already_fresh' | 'not_refreshable' | 'expired';

const TOUCH_FLUSH_MS = 2000;

const sameAuth = (a: UpstreamAuth, b: UpstreamAuth): boolean =>
  JSON.stringify(Object.entries(a.headers).sort()) === JSON.stringify(Object.entries(b.headers).sort()) &&
  JSON.stringify(Object.entries(a.query).sort()) === JSON.stringify(Object.entries(b.query).sort());

export function createCredentials(opts: CredentialsOptions) {
  const { store, clock, logger, accounts, connections } = opts;
  const repo = accounts.repo;
  const marginMs = opts.refreshMarginSeconds * 1000;
  const inFlight = new Map<string, Promise<RefreshOutcome>>();
  const touched = new Set<string>();
  let touchTimer: NodeJS.Timeout | undefined;

  const expiresSoon = (row: AccountRow) =>
    row.token_expires_at !== null && row.token_expires_at - clock.now() <= marginMs;

  function notActive(
    account: { identifier: string; status: string; statusReason?: string | undefined },
    connection: Connection,
  ) {
    const reason = account.statusReason ? ` (${account.statusReason})` : '';
    return new LatchkeyError(
      'failed_precondition',
      `the connected account of "${account.identifier}" on connection "${connection.name}" is ${account.status}${reason}; ` +
        'create an authorization link (GetMagicLinkForConnectedAccount / actions.getAuthorizationLink) and have the user complete it',
      { errorCode: 'CONNECTED_ACCOUNT_NOT_ACTIVE' },
    );
  }

  async function resolve(principal: Principal, ref: AccountRef): Promise<UpstreamTarget> {
    const env = principal.environmentId;
    let account: Awaited<ReturnType<Accounts['get']>>;
    if (ref.accountId) {
      account = await accounts.get(env, { id: ref.accountId });
      if (ref.identifier && ref.identifier !== account.identifier) {
        throw new LatchkeyError(
          'invalid_argument',
          `connected account ${ref.accountId} does not belong to "${ref.identifier}"`,
        );
      }
    } else {
      const name = ref.connectionName ?? ref.connector;
      if (!name)
        throw new LatchkeyError(
          'invalid_argument',
          'name the connection (connection_name) or the connected account id',
        );
      account = await accounts.get(env, { connector: name, identifier: ref.identifier });
    }
    const connection = account.connection;
    if (!connection.enabled)
      throw new LatchkeyError('failed_precondition', `connection "${connection.name}" is disabled`);
    if (account.status !== 'ACTIVE') throw notActive(account, connection);
    let baseUrl: string;
    try {
      baseUrl = resolveBaseUrl(connection.connector, {
        ...connection.settings.base_url_variables,
        ...account.metadata.token,
        ...(connection.settings.mcp_server_url ? { server_url: connection.settings.mcp_server_url } : {}),
      });
    } catch (e) {
      throw new LatchkeyError(
        'failed_precondition',
        `connection "${connection.name}": ${(e as Error).message}`,
      );
    }
    return {
      accountId: account.id,
      environmentId: env,
      identifier: account.identifier,
      connectionId: connection.id,
      connectionName: connection.name,
      connector: connection.connector,
      baseUrl: baseUrl.replace(/\/+$/, ''),
    };
  }

  /** The provider call and the write, with the row already locked (PG) or single-flighted (SQLite). */
  async function refreshLocked(
    row: AccountRow,
    connection: Connection,
    force: { rejected: string } | undefined,
    r: ReturnType<typeof accountsRepo>,
  ): Promise<RefreshOutcome> {
    if (row.status !== 'ACTIVE') return 'expired';
    const creds = accounts.decrypt(row);
    if (creds?.kind !== 'oauth2') return 'not_refreshable';
    if (force && creds.access_token !== force.rejected) return 'already_fresh';
    if (!force && !expiresSoon(row)) return 'already_fresh';
    if (!creds.refresh_token) return 'not_refreshable';
    const oauth = await connections.resolveOAuth(connection);
    if (!oauth) return 'not_refreshable';
    try {
      const set = await refreshTokens(
        opts.fetch,
        oauth.auth,
        oauth.client,
        creds.refresh_token,
        oauth.tokenParams,
      );
      await opts.afterRefreshResponse?.(row.id);
      const next = fromTokenSet(set, creds);
      const now = clock.now();
      const written = await r.compareAndSetCredentials(row.id, row.version, {
        credentials_enc: accounts.encrypt(row.id, next),
        token_expires_at: set.expires_in ? now + set.expires_in * 1000 : null,
        status: 'ACTIVE',
        status_reason: null,
        updated_at: now,
      });
      if (!written) {
        // Should not happen under the lock; if it does, the other writer's tokens are the current ones.
        logger.warn({ account: row.id }, 'refresh result lost a race; keeping the concurrent write');
        return 'already_fresh';
      }
      await accounts.event(row, 'refreshed', set.refresh_token ? 'tokens rotated' : 'access token renewed');
      return 'refreshed';
    } catch (e) {
      if (e instanceof TokenResponseError) {
        // Re-read before concluding: another process may have refreshed with a rotated token.
        const current = await r.findById(row.id);
        if (current && current.version !== row.version) return 'already_fresh';
        const reason = `the provider refused the refresh token (${e.code}): ${e.message}`;
        await r.update(row.environment_id, row.id, {
          status: 'EXPIRED',
          status_reason: reason,
          updated_at: clock.now(),
          version: row.version + 1,
        });
        await accounts.event(row, 'refresh_failed', reason);
        await accounts.event(row, 'expired', reason);
        logger.info({ account: row.id, code: e.code }, 'account expired: refresh refused');
        return 'expired';
      }
      if (e instanceof TokenEndpointUnavailable) {
        await accounts.event(row, 'refresh_failed', e.message);
        throw new LatchkeyError(
          'unavailable',
          `could not refresh the ${connection.connector.slug} token: ${e.message}`,
        );
      }
      throw e;
    }
  }

  async function refreshOnce(
    accountId: string,
    force: { rejected: string } | undefined,
  ): Promise<RefreshOutcome> {
    const peek = await repo.findById(accountId);
    if (!peek) return 'expired';
    const connection = await connections.get(peek.environment_id, peek.connection_id);
    if (store.dialect === 'postgres') {
      // The row lock is held across the provider call: other processes wait here, then re-read.
      return store.db.transaction().execute(async (trx) => {
        const r = accountsRepo(trx);
        const locked = await r.lockForUpdate(accountId, 'postgres');
        if (!locked) return 'expired';
        return refreshLocked(locked, connection, force, r);
      });
    }
    // Embedded store: one gateway process (the gateway lock), so single flight is the lock.
    return refreshLocked(peek, connection, force, repo);
  }

  /** Single flight per account in this process. */
  function refresh(accountId: string, force?: { rejected: string }): Promise<RefreshOutcome> {
    const running = inFlight.get(accountId);
    if (running) return running;
    const p = refreshOnce(accountId, force).finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, p);
    return p;
  }

  async function currentCredentials(
    target: UpstreamTarget,
  ): Promise<{ row: AccountRow; creds: StoredCredentials | undefined }> {
    const row = await repo.findById(target.accountId);
    if (!row || row.environment_id !== target.environmentId)
      throw new LatchkeyError('not_found', `connected account ${target.accountId} not found`);
    if (row.status !== 'ACTIVE') {
      throw notActive(
        { identifier: row.identifier, status: row.status, statusReason: row.status_reason ?? undefined },
        {
          name: target.connectionName,
        } as Connection,
      );
    }
    return { row, creds: accounts.decrypt(row) };
  }

  const access: AccountAccess = {
    resolve,
    async credentials(target) {
      let { row, creds } = await currentCredentials(target);
      if (creds?.kind === 'oauth2' && expiresSoon(row) && creds.refresh_token) {
        await refresh(row.id);
        ({ row, creds } = await currentCredentials(target));
      }
      return injectCredentials(target.connector.auth, creds);
    },
    async afterUnauthorized(target, rejected: UpstreamAuth) {
      const { creds } = await currentCredentials(target);
      if (creds?.kind !== 'oauth2') return undefined;
      const current = injectCredentials(target.connector.auth, creds);
      // Someone refreshed since the rejected request was sent: use their tokens.
      if (!sameAuth(current, rejected)) return current;
      for (let attempt = 0; attempt < 2; attempt++) {
        // A refresh already running (perhaps not forced) is awaited first; then force ours.
        const outcome = await refresh(target.accountId, { rejected: creds.access_token });
        if (outcome === 'expired' || outcome === 'not_refreshable') return undefined;
        const after = await currentCredentials(target).catch(() => undefined);
        if (after?.creds?.kind === 'oauth2' && after.creds.access_token !== creds.access_token) {
          return injectCredentials(target.connector.auth, after.creds);
        }
        if (!after) return undefined;
      }
      return undefined;
    },
    touch(target) {
      touched.add(target.accountId);
      touchTimer ??= setTimeout(() => {
        touchTimer = undefined;
        const ids = [...touched];
        touched.clear();
        repo
          .touch(ids, clock.now())
          .catch((e) => logger.warn({ err: (e as Error).message }, 'last_used_at update failed'));
      }, TOUCH_FLUSH_MS).unref();
    },
  };

  return {
    access,
    refresh,
    /** Writes pending last_used_at updates now (shutdown, tests). */
    async flush() {
      if (touchTimer) clearTimeout(touchTimer);
      touchTimer = undefined;
      const ids = [...touched];
      touched.clear();
      await repo.touch(ids, clock.now());
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentials>;
