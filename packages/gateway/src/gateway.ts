/**
 * The composition root: builds every part of a gateway from its configuration. No module-level
 * singletons: tests start several gateways in one process against one database.
 */
import { getRequestListener } from '@hono/node-server';
import { builtinConnectors, type ConnectorDefinition } from '@latchkey/connectors';
import type { Hono } from 'hono';
import { type Clock, systemClock } from './clock.ts';
import { type Config, derivePublicUrl } from './config/config.ts';
import { createKeyring, type Keyring, loadOrCreateKeyFile } from './crypto/keyring.ts';
import { createSigner, ensureSigningKey, type Signer } from './crypto/signing.ts';
import { createEgress, type Egress } from './egress/egress.ts';
import { createSsrfGuard, parseEgressPolicy } from './egress/ssrf-guard.ts';
import { createLogger, type Logger } from './ops/log.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import { createAccessLog } from './server/access-log.ts';
import { type AppEnv, createApp } from './server/app.ts';
import { type Listening, listen } from './server/listen.ts';
import { mountTokenEndpoint } from './server/token-endpoint.ts';
import type { ApiAccess } from './services/api-access.ts';
import type { PlatformCredentials } from './services/catalog.ts';
import { createServices, type Services } from './services/index.ts';
import type { HttpFetch } from './services/oauth.ts';
import { createProxy } from './services/proxy.ts';
import { openStore, type Store } from './store/store.ts';
import { mountApiExtensions } from './transports/api/extensions.ts';
import { apiServices, restConventions } from './transports/api/index.ts';
import { mountMcpApiExtensions } from './transports/api/mcp-extensions.ts';
import { type CompatTransport, createCompatTransport } from './transports/compat/index.ts';
import { mountMcpClientMetadata } from './transports/hosted/mcp-client-metadata.ts';
import { mountHostedPages } from './transports/hosted/routes.ts';
import { isLoopbackHost, mountMcp } from './transports/mcp/index.ts';
import { createProxyHandler, isProxyPath } from './transports/proxy/handler.ts';
import { createUpstream, type Upstream, type UpstreamOptions } from './upstream/index.ts';

export interface RuntimeOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** Gateways take the embedded store's exclusive lock; CLI commands do not. */
  gatewayLock?: boolean;
  /** The connector catalog (default: the shipped definitions; `latchkey dev` passes sandbox variants). */
  connectors?: ConnectorDefinition[];
  /** Deployment-wide OAuth apps per connector slug ("managed credentials"). */
  platformCredentials?: Record<string, PlatformCredentials>;
  /** Outgoing HTTP for OAuth calls (default: global fetch); provider API calls go through the egress. */
  fetch?: HttpFetch;
  /** Test hook: runs between a refresh response and storing it (crash-during-refresh tests). */
  afterRefreshResponse?: (accountId: string) => Promise<void>;
  /** Upstream MCP client tuning (tool cache TTL, session idle time, request timeout). */
  upstream?: Pick<UpstreamOptions, 'toolsTtlMs' | 'sessionIdleMs' | 'requestTimeoutMs'>;
}

/** The parts both gateways and CLI commands need: store (migrated), key ring, signer, services. */
export interface Runtime {
  config: Config;
  logger: Logger;
  clock: Clock;
  store: Store;
  keyring: Keyring;
  signer: Signer;
  services: Services;
  /** The MCP client of upstream MCP servers (sessions, tool cache). */
  upstream: Upstream;
  apiAccess: ApiAccess;
  /** Outgoing HTTP to provider APIs (undici pools per origin, SSRF guard): proxy and tools. */
  egress: Egress;
  /** Public base URL: configured, or derived (updated once a gateway listens). */
  urls: { publicUrl: string };
  close(): Promise<void>;
}

export function resolveKeyring(config: Config, logger: Logger): Keyring {
  if (config.encryptionKeys.length > 0) return createKeyring(config.encryptionKeys);
  // Only the embedded set-up gets here (config validation refuses PostgreSQL without keys).
  const { keys, file, created } = loadOrCreateKeyFile(config.dataDir);
  if (created) {
    logger.warn(
      { file },
      'no LATCHKEY_ENCRYPTION_KEYS configured: generated an encryption key file; back it up, or set LATCHKEY_ENCRYPTION_KEYS in production',
    );
  }
  return createKeyring(keys);
}

export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const keyring = resolveKeyring(config, logger);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    gatewayLock: opts.gatewayLock ?? false,
  });
  let egress: Egress | undefined;
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    await ensureSigningKey(store, keyring, clock);
    const signer = await createSigner(store, keyring);
    const urls = { publicUrl: derivePublicUrl(config, config.port) };
    const out = createEgress({
      guard: createSsrfGuard(parseEgressPolicy(config.egressAllow)),
      maxResponseBytes: config.proxyMaxResponseBytes,
    });
    egress = out;
    const fetchImpl = opts.fetch ?? ((url, init) => fetch(url, init));
    // The upstream client reaches credentials through the services built right after it.
    const late: { services?: Services } = {};
    const upstream = createUpstream({
      store,
      keyring,
      clock,
      logger,
      fetch: fetchImpl,
      publicUrl: () => urls.publicUrl,
      access: () => late.services!.credentials.access,
      ...opts.upstream,
    });
    const services = createServices({
      egress: out,
      config,
      store,
      keyring,
      signer,
      clock,
      logger,
      publicUrl: () => urls.publicUrl,
      connectors: opts.connectors ?? builtinConnectors(),
      platformCredentials: opts.platformCredentials,
      fetch: fetchImpl,
      upstream,
      afterRefreshResponse: opts.afterRefreshResponse,
    });
    late.services = services;
    return {
      config,
      logger,
      clock,
      store,
      keyring,
      signer,
      services,
      upstream,
      apiAccess: services.apiAccess,
      egress: out,
      urls,
      close: async () => {
        await services.refresher.stop();
        await upstream.close();
        services.housekeeping.stop();
        await services.credentials.flush().catch(() => {});
        await services.execution.flush();
        await out.close();
        await store.close();
      },
    };
  } catch (e) {
    await egress?.close();
    await store.close();
    throw e;
  }
}

export interface Gateway extends Runtime {
  app: Hono<AppEnv>;
  compat: CompatTransport;
  metrics: Metrics;
  /** Set once listening. */
  url: string;
  port: number;
  listen(): Promise<{ url: string; port: number }>;
}

export async function createGateway(opts: Omit<RuntimeOptions, 'gatewayLock'>): Promise<Gateway> {
  const runtime = await openRuntime({ ...opts, gatewayLock: true });
  const { config, logger, store, signer, apiAccess, services } = runtime;
  const metrics = createMetrics();
  const app = createApp({ logger, metrics, store });
  mountTokenEndpoint(app, { apiAccess, signer });
  const authenticate = async (authorization: string | undefined) => {
    try {
      const principal = await apiAccess.authenticate(authorization);
      metrics.apiAuth.inc({ result: 'success' });
      return principal;
    } catch (e) {
      metrics.apiAuth.inc({ result: authorization ? 'invalid' : 'missing' });
      throw e;
    }
  };
  const compat = createCompatTransport({
    services: apiServices(services),
    authenticate,
    maxBodyBytes: config.maxBodyBytes,
    rest: restConventions,
    onError: (err, info) => logger.error({ err, rpc: info.rpc, reqId: info.requestId }, 'rpc failed'),
  });
  app.get('/api/v1/openapi.json', (c) =>
    c.json(compat.openapi({ title: 'Latchkey API (Scalekit AgentKit compatible)', version: '1' })),
  );
  mountHostedPages(app, services.authorization);
  const mcp = mountMcp(app, {
    serving: services.mcp.serving,
    logger,
    publicUrl: () => runtime.urls.publicUrl,
    allowedOrigins: config.mcpAllowedOrigins,
    loopback: isLoopbackHost(config.host),
    maxBodyBytes: config.maxBodyBytes,
  });
  mountMcpClientMetadata(app, { store, connections: services.connections, upstream: runtime.upstream });
  mountApiExtensions(app, services, (err) => logger.error({ err }, 'API request failed'));
  mountMcpApiExtensions(app, services, (err) => logger.error({ err }, 'API request failed'));
  app.route('/', compat.restApp);
  const access = createAccessLog(logger, metrics);
  // REST RPCs and /proxy are served by raw Node handlers; everything else by the Hono app.
  const nodeRest = compat.nodeRestHandler((r) =>
    access({
      method: r.method,
      route: r.route ?? 'unmatched',
      path: r.path,
      status: r.status,
      seconds: r.seconds,
      requestId: r.requestId,
    }),
  );
  const proxy = createProxyHandler({
    proxy: createProxy({
      access: services.cachedAccess,
      egress: runtime.egress,
      logger,
      limits: {
        maxRequestBytes: config.proxyMaxRequestBytes,
        maxResponseBytes: config.proxyMaxResponseBytes,
        timeoutMs: config.proxyTimeoutSeconds * 1000,
        replayBytes: 64 * 1024,
      },
    }),
    authenticate,
    logger,
    access,
  });

  let listening: Listening | undefined;
  let closing: Promise<void> | undefined;
  const gateway: Gateway = {
    ...runtime,
    app,
    compat,
    metrics,
    url: '',
    port: 0,
    async listen() {
      const rest = getRequestListener(app.fetch);
      listening = await listen({
        host: config.host,
        port: config.port,
        http1: (req, res) =>
          isProxyPath(req.url) ? proxy(req, res) : nodeRest(req, res, () => void rest(req, res)),
        http2: (req, res) =>
          compat.grpcHandler(req, res, () =>
            isProxyPath(req.url) ? proxy(req, res) : nodeRest(req, res, () => void rest(req, res)),
          ),
        tls:
          config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
      });
      gateway.port = listening.port;
      gateway.url = derivePublicUrl(config, listening.port);
      runtime.urls.publicUrl = gateway.url;
      services.refresher.start();
      services.housekeeping.start();
      logger.info(
        { url: gateway.url, port: listening.port, store: store.dialect },
        'latchkey gateway listening',
      );
      return { url: gateway.url, port: gateway.port };
    },
    close() {
      closing ??= (async () => {
        await listening?.close(config.shutdownTimeoutMs);
        await mcp.close();
        await runtime.close();
      })();
      return closing;
    },
  };
  return gateway;
}
