/**
 * A full stack for end-to-end tests: the sandbox (real OAuth server + provider imitations), a
 * gateway on the sandbox catalog, an environment with an API client, connections to the sandbox
 * providers, and the official SDK pointed at the gateway.
 */
import type { TestContext } from 'node:test';
import type { ConnectorDefinition } from '@latchkey/connectors';
import { type Sandbox, type SandboxOptions, startSandbox } from '@latchkey/sandbox';
import { ScalekitClient } from '@scalekit-sdk/node';
import type { Config } from '../../src/config/config.ts';
import { sandboxCatalog } from '../../src/dev/sandbox-catalog.ts';
import { createGateway, type Gateway, type RuntimeOptions } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { type DialectName, setupConfig } from './env.ts';

export interface Stack {
  gw: Gateway;
  sandbox: Sandbox;
  sdk: ScalekitClient;
  environmentId: string;
  clientId: string;
  clientSecret: string;
  /** A bearer token for REST calls. */
  token(): Promise<string>;
  rest(path: string, init?: RequestInit): Promise<Response>;
}

export interface StackOptions {
  config?: Partial<Config>;
  sandbox?: SandboxOptions;
  gateway?: Partial<Omit<RuntimeOptions, 'config'>>;
  /** Connections to create (slug → connection name); default: one per sandbox provider named by slug. */
  connections?: Record<string, string>;
  /** Connectors added to the sandbox catalog (e.g. pointed at a test's own upstream server). */
  extraConnectors?: ConnectorDefinition[];
}

export async function startStack(
  t: TestContext,
  dialect: DialectName,
  opts: StackOptions = {},
): Promise<Stack | undefined> {
  const setup = await setupConfig(t, dialect, { refreshIntervalSeconds: 0, ...opts.config });
  if (!setup) return undefined;
  const sandbox = await startSandbox(opts.sandbox);
  const catalog = sandboxCatalog(sandbox);
  const connectors = [...catalog.connectors, ...(opts.extraConnectors ?? [])];
  const { platformCredentials } = catalog;
  const gw = await createGateway({
    config: setup.config,
    logger: createLogger(process.env['LATCHKEY_TEST_LOG'] ?? 'silent'),
    connectors,
    platformCredentials,
    ...opts.gateway,
  });
  t.after(async () => {
    await gw.close();
    await sandbox.close();
    await setup.cleanup();
  });
  await gw.listen();
  const env = await gw.apiAccess.createEnvironment('dev');
  const { client, clientSecret } = await gw.apiAccess.createClient('dev');
  const wanted = opts.connections ?? Object.fromEntries(connectors.map((c) => [c.slug, c.slug]));
  for (const [slug, name] of Object.entries(wanted)) {
    await gw.services.connections.create(env.id, { connector: slug, name });
  }
  let cached: string | undefined;
  const token = async () => {
    if (cached) return cached;
    const r = await fetch(`${gw.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: clientSecret,
      }),
    });
    cached = ((await r.json()) as { access_token: string }).access_token;
    return cached;
  };
  return {
    gw,
    sandbox,
    sdk: new ScalekitClient(gw.url, client.id, clientSecret),
    environmentId: env.id,
    clientId: client.id,
    clientSecret,
    token,
    async rest(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await token()}`);
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${gw.url}${path}`, { ...init, headers });
    },
  };
}

/** Follows an authorization link through consent by HTTP redirects, like a browser would. */
export async function followLink(
  link: string,
  opts: { stopAt?: (url: URL) => boolean; maxHops?: number } = {},
) {
  let url = link;
  const hops: { url: string; status: number }[] = [];
  for (let i = 0; i < (opts.maxHops ?? 10); i++) {
    const res = await fetch(url, { redirect: 'manual' });
    hops.push({ url, status: res.status });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      await res.body?.cancel();
      if (opts.stopAt?.(next)) return { final: next.toString(), status: res.status, body: '', hops };
      url = next.toString();
      continue;
    }
    return { final: url, status: res.status, body: await res.text(), hops };
  }
  throw new Error(`too many redirects: ${JSON.stringify(hops)}`);
}
