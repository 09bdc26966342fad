/**
 * A Latchkey gateway for benchmarks (a service script): embedded store in a temp dir, one
 * connector `benchapi` pointed at an upstream (API key in `X-Bench-Key`) with one tool
 * `benchapi_get_item` (GET /v1/items/{item_id}), an environment with an API client, a connection
 * `benchapi` and an ACTIVE account of `user_1`. Reports `{url, token, clientId, clientSecret}`.
 *
 * `startGateway(upstream, {nodeArgs, env})` runs it in its own process; logs go to stdout, which is
 * discarded (LATCHKEY_LOG_LEVEL, default info, so the access log is paid for as in production).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnector } from '../../packages/connectors/src/index.ts';
import { loadConfig } from '../../packages/gateway/src/config/config.ts';
import { createGateway } from '../../packages/gateway/src/gateway.ts';
import { ready, type Service, startService } from './proc.ts';

export interface BenchGateway {
  url: string;
  token: string;
  clientId: string;
  clientSecret: string;
}

export function startGateway(
  upstream: string,
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<Service<BenchGateway>> {
  return startService(import.meta.filename, {
    nodeArgs: opts.nodeArgs ?? [],
    env: { BENCH_UPSTREAM: upstream, ...opts.env },
  });
}

export const benchConnector = (upstream: string) =>
  loadConnector({
    slug: 'benchapi',
    display_name: 'Bench API',
    description: 'The benchmark stub upstream.',
    categories: ['Test'],
    kind: 'rest',
    auth: {
      type: 'api_key',
      placement: 'header',
      name: 'X-Bench-Key',
      field: 'api_key',
      fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
    },
    api: { base_url: upstream },
    tools: [
      {
        name: 'benchapi_get_item',
        display_name: 'Get item',
        description: 'Get one item by id. Returns the item document.',
        input_schema: {
          type: 'object',
          properties: { item_id: { type: 'string', description: 'The item id.' } },
          required: ['item_id'],
          additionalProperties: false,
        },
        annotations: {
          read_only_hint: true,
          destructive_hint: false,
          idempotent_hint: true,
          open_world_hint: true,
        },
        executor: { type: 'http', method: 'GET', path: '/v1/items/{item_id}' },
      },
    ],
  });

if (import.meta.main) {
  const upstream = process.env['BENCH_UPSTREAM']!;
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const config = loadConfig({
    env: process.env,
    overrides: { dataDir, port: 0, databaseUrl: 'sqlite', refreshIntervalSeconds: 0 },
  });
  const gw = await createGateway({ config, connectors: [benchConnector(upstream)] });
  await gw.listen();
  const env = await gw.apiAccess.createEnvironment('bench');
  const { client, clientSecret } = await gw.apiAccess.createClient('bench');
  await gw.services.connections.create(env.id, { connector: 'benchapi', name: 'benchapi' });
  await gw.services.accounts.create(
    env.id,
    { connector: 'benchapi', identifier: 'user_1' },
    { staticAuth: { api_key: 'bench-key' } },
  );
  const { accessToken } = await gw.apiAccess.issueToken(client.id, clientSecret);
  ready({ url: gw.url, token: accessToken, clientId: client.id, clientSecret }, async () => {
    await gw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}
