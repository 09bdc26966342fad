/** Builds every service from the ports; the composition root and CLI commands call this. */
import type { ConnectorDefinition } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Signer } from '../crypto/signing.ts';
import type { Egress } from '../egress/egress.ts';
import type { Logger } from '../ops/log.ts';
import type { Store } from '../store/store.ts';
import { cachedAccountAccess } from './account-access-cache.ts';
import { createAccounts } from './accounts.ts';
import { createApiAccess } from './api-access.ts';
import { createAuthorization } from './authorization.ts';
import { createCatalog, type PlatformCredentials } from './catalog.ts';
import { createConnections, type McpOAuthResolver } from './connections.ts';
import { createCredentials } from './credentials.ts';
import { createCustomConnectors } from './custom-connectors.ts';
import { createHousekeeping } from './housekeeping.ts';
import { createMcp } from './mcp.ts';
import type { HttpFetch } from './oauth.ts';
import { createRefresher } from './refresher.ts';
import { createToolExecution, type UpstreamCaller } from './tool-execution.ts';
import { createTools, type UpstreamToolSource } from './tools.ts';

export interface ServiceDeps {
  config: Config;
  store: Store;
  keyring: Keyring;
  signer: Signer;
  clock: Clock;
  logger: Logger;
  /** The public base URL (known once the gateway listens). */
  publicUrl: () => string;
  connectors: ConnectorDefinition[];
  platformCredentials?: Record<string, PlatformCredentials> | undefined;
  fetch: HttpFetch;
  /** Provider API calls of tools (the proxy uses it too). */
  egress?: Egress | undefined;
  /**
   * Upstream MCP servers: tools discovered and called as the user, and the OAuth of MCP
   * connections. Absent: MCP connectors have no tools and cannot be authorized.
   */
  upstream?: { source: UpstreamToolSource; call: UpstreamCaller; oauth: McpOAuthResolver } | undefined;
  /** Test hook, see CredentialsOptions. */
  afterRefreshResponse?: ((accountId: string) => Promise<void>) | undefined;
}

export function createServices(d: ServiceDeps) {
  const { store, keyring, clock, logger, config } = d;
  const catalog = createCatalog({ connectors: d.connectors, platformCredentials: d.platformCredentials });
  const apiAccess = createApiAccess({
    store,
    signer: d.signer,
    clock,
    tokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  const customConnectors = createCustomConnectors({ store, clock, catalog });
  const connections = createConnections({
    store,
    keyring,
    clock,
    catalog,
    publicUrl: d.publicUrl,
    mcpOAuth: d.upstream?.oauth,
    custom: customConnectors,
  });
  const accounts = createAccounts({ store, keyring, clock, connections, fetch: d.fetch, logger });
  const credentials = createCredentials({
    store,
    clock,
    logger,
    accounts,
    connections,
    fetch: d.fetch,
    refreshMarginSeconds: config.refreshMarginSeconds,
    ...(d.afterRefreshResponse ? { afterRefreshResponse: d.afterRefreshResponse } : {}),
  });
  const authorization = createAuthorization({
    store,
    keyring,
    clock,
    logger,
    connections,
    accounts,
    fetch: d.fetch,
    publicUrl: d.publicUrl,
    linkTtlSeconds: config.authLinkTtlSeconds,
  });
  const refresher = createRefresher({
    repo: accounts.repo,
    credentials,
    clock,
    logger,
    intervalSeconds: config.refreshIntervalSeconds,
    marginSeconds: config.refreshMarginSeconds,
  });
  // The hot paths (proxy, tools, MCP) reuse resolved accounts while their stamp is unchanged.
  const cachedAccess = cachedAccountAccess(credentials.access, {
    clock,
    stamp: (id) => accounts.repo.stamp(id),
    refreshMarginMs: config.refreshMarginSeconds * 1000,
  });
  const tools = createTools({ catalog, connections, accounts, upstream: d.upstream?.source });
  const execution = createToolExecution({
    store,
    clock,
    logger,
    tools,
    accounts,
    connections,
    access: cachedAccess,
    fetch: d.fetch,
    egress: d.egress,
    upstream: d.upstream?.call,
    record: config.executionRetentionDays > 0,
  });
  const housekeeping = createHousekeeping({
    store,
    clock,
    logger,
    execution,
    executionRetentionDays: config.executionRetentionDays,
  });
  const mcp = createMcp({
    store,
    keyring,
    signer: d.signer,
    clock,
    logger,
    connections,
    accounts,
    authorization,
    tools,
    execution,
    publicUrl: d.publicUrl,
  });
  return {
    catalog,
    customConnectors,
    apiAccess,
    connections,
    accounts,
    credentials,
    cachedAccess,
    authorization,
    refresher,
    tools,
    execution,
    housekeeping,
    mcp,
  };
}

export type Services = ReturnType<typeof createServices>;
