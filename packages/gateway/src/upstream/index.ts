/**
 * The upstream MCP client (DESIGN §5 "Upstream MCP connector"): the gateway as an MCP client of a
 * provider's server, authenticated as the user. Three parts plug into the services:
 * - `source`: tool discovery per connection and account (cached, `<prefix>_<tool>` names);
 * - `call`: `tools/call` as the account, the result passed through unchanged;
 * - `oauth`: the OAuth scheme of `mcp_oauth2` connections (discovery + client registration).
 */
import type { Clock } from '../clock.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Logger } from '../ops/log.ts';
import type { AccountAccess } from '../services/account-access.ts';
import type { Account } from '../services/accounts.ts';
import type { Connection, McpOAuthResolver } from '../services/connections.ts';
import type { HttpFetch } from '../services/oauth.ts';
import type { UpstreamCaller } from '../services/tool-execution.ts';
import type { UpstreamToolSource } from '../services/tools.ts';
import type { Store } from '../store/store.ts';
import { createDiscovery } from './discovery.ts';
import { createMcpOAuth } from './oauth.ts';
import { createSessions } from './sessions.ts';
import { callerFor } from './target.ts';

export interface UpstreamOptions {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  fetch: HttpFetch;
  publicUrl: () => string;
  /** Late-bound: the credentials service is built after the upstream client. */
  access: () => AccountAccess;
  /** How long discovered tools are served from the cache (default 5 minutes). */
  toolsTtlMs?: number;
  /** Idle MCP sessions are closed after this long (default 60 s). */
  sessionIdleMs?: number;
  requestTimeoutMs?: number;
}

export interface Upstream {
  source: UpstreamToolSource;
  call: UpstreamCaller;
  oauth: McpOAuthResolver;
  /** The client ID metadata document of a connection that registers that way; undefined otherwise. */
  clientMetadata(connection: Connection): Record<string, unknown> | undefined;
  /** Drops cached tools and sessions of a connection (its server URL or connector changed). */
  forgetConnection(connectionId: string): Promise<void>;
  close(): Promise<void>;
  /** Open MCP sessions (metrics, tests). */
  sessionCount(): number;
}

export function createUpstream(opts: UpstreamOptions): Upstream {
  let onToolsChanged = (_key: string) => {};
  const sessions = createSessions({
    fetch: opts.fetch,
    access: opts.access,
    logger: opts.logger,
    onToolsChanged: (key) => onToolsChanged(key),
    ...(opts.sessionIdleMs === undefined ? {} : { idleMs: opts.sessionIdleMs }),
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
  });
  const discovery = createDiscovery({
    sessions,
    clock: opts.clock,
    logger: opts.logger,
    ttlMs: opts.toolsTtlMs ?? 5 * 60_000,
    someAccount: async (connection: Connection): Promise<Account | undefined> => {
      const row = await opts.store.db
        .selectFrom('connected_accounts')
        .select(['id', 'identifier', 'status'])
        .where('environment_id', '=', connection.environmentId)
        .where('connection_id', '=', connection.id)
        .where('status', '=', 'ACTIVE')
        .orderBy('updated_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      // Only what discovery reads: who to discover as.
      return row ? ({ ...row, connection } as unknown as Account) : undefined;
    },
  });
  onToolsChanged = (key) => discovery.invalidate(key);
  const oauth = createMcpOAuth(opts);
  return {
    source: { list: (connection, account) => discovery.list(connection, account) },
    call: (target, name, args) =>
      sessions.request(callerFor(target), 'tools/call', { name, arguments: args }),
    oauth: oauth.resolve,
    clientMetadata: (connection) => {
      const auth = connection.connector.auth;
      const cimd = auth.type === 'mcp_oauth2' && auth.registration === 'client_id_metadata_document';
      return cimd ? oauth.clientMetadataDocument(connection) : undefined;
    },
    async forgetConnection(connectionId) {
      discovery.forgetConnection(connectionId);
      await sessions.forget(connectionId);
    },
    close: () => sessions.closeAll(),
    sessionCount: () => sessions.size(),
  };
}
