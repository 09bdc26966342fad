/**
 * The benchmark's gateway process: a real gateway with a stub connector (API key, tools POST to
 * the loopback stub), one ACTIVE account, MCP configs of 1 and 100 tools and their instances.
 * Sends the URLs to the parent and serves until killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ConnectorDefinition, loadConnector, sandboxConnector } from '@latchkey/connectors';
import { loadConfig } from '../../packages/gateway/src/config/config.ts';
import { createGateway } from '../../packages/gateway/src/gateway.ts';
import { createLogger } from '../../packages/gateway/src/ops/log.ts';
import type { Targets } from '../mcp.bench.ts';

const { values } = parseArgs({
  options: { role: { type: 'string' }, store: { type: 'string' }, 'log-level': { type: 'string' } },
});
const stubUrl = process.env['BENCH_STUB_URL']!;
const ANNOTATIONS = {
  read_only_hint: true,
  destructive_hint: false,
  idempotent_hint: true,
  open_world_hint: false,
};

function stubConnector(): ConnectorDefinition {
  const tool = (name: string, description: string) => ({
    name,
    description,
    input_schema: {
      type: 'object',
      properties: {
        msg: { type: 'string', description: 'Text the stub echoes.' },
        count: { type: 'integer', minimum: 0, maximum: 100, description: 'How many times.' },
      },
      required: ['msg'],
      additionalProperties: false,
    },
    annotations: ANNOTATIONS,
    executor: {
      type: 'http' as const,
      method: 'POST' as const,
      path: '/echo',
      body: { encoding: 'json' as const, fields: { msg: { from: 'msg' }, count: { from: 'count' } } },
    },
  });
  const def = loadConnector({
    slug: 'benchstub',
    display_name: 'Bench stub',
    description: 'A loopback stub provider for benchmarks.',
    categories: ['Developer tools'],
    kind: 'rest',
    auth: {
      type: 'api_key',
      placement: 'header',
      name: 'X-API-Key',
      field: 'api_key',
      fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
    },
    api: { base_url: 'https://stub.example' },
    tools: [
      tool('benchstub_echo', 'Echo a message through the stub provider.'),
      ...Array.from({ length: 100 }, (_, i) =>
        tool(
          `benchstub_tool_${String(i).padStart(3, '0')}`,
          `Stub tool number ${i}: echoes a message; a realistic one-line description of what it does and returns.`,
        ),
      ),
    ],
  });
  return sandboxConnector(def, { apiBaseUrl: stubUrl });
}

const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
const gw = await createGateway({
  config: loadConfig({
    env: {},
    overrides: {
      dataDir,
      port: 0,
      databaseUrl: values.store ?? 'sqlite',
      logLevel: (values['log-level'] ?? 'info') as 'info',
      refreshIntervalSeconds: 0,
      ...(values.store?.startsWith('postgres')
        ? { encryptionKeys: [Buffer.alloc(32, 7).toString('base64')] }
        : {}),
    },
  }),
  logger: createLogger(values['log-level'] ?? 'info'),
  connectors: [stubConnector()],
});
await gw.listen();
const stop = () =>
  void gw.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
process.once('SIGTERM', stop);
process.once('disconnect', stop);

const { services } = gw;
const env = await gw.apiAccess.createEnvironment(`bench${Date.now().toString(36)}`);
const { client, clientSecret } = await gw.apiAccess.createClient(env.name);
const { accessToken } = await gw.apiAccess.issueToken(client.id, clientSecret);
await services.connections.create(env.id, { connector: 'benchstub', name: 'stub' });
await services.accounts.create(
  env.id,
  { connector: 'stub', identifier: 'bench-user' },
  { staticAuth: { api_key: 'k-bench' } },
);
await services.mcp.configs.create(env.id, {
  name: 'echo',
  description: 'one tool',
  mappings: [{ connectionName: 'stub', tools: ['benchstub_echo'] }],
});
await services.mcp.configs.create(env.id, {
  name: 'hundred',
  description: '100 tools',
  mappings: [
    {
      connectionName: 'stub',
      tools: Array.from({ length: 100 }, (_, i) => `benchstub_tool_${String(i).padStart(3, '0')}`),
    },
  ],
});
const call = await services.mcp.instances.ensure(env.id, { configName: 'echo', identifier: 'bench-user' });
const list = await services.mcp.instances.ensure(env.id, { configName: 'hundred', identifier: 'bench-user' });
const targets: Targets = {
  origin: gw.url,
  stubUrl,
  callUrl: call.url,
  legacyCallUrl: call.url,
  listUrl: list.url,
  apiToken: accessToken,
};
process.send!(targets);
if (process.env['BENCH_DEBUG']) {
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(
      `mem rss ${(m.rss / 1e6).toFixed(0)} heapUsed ${(m.heapUsed / 1e6).toFixed(0)} heapTotal ${(m.heapTotal / 1e6).toFixed(0)} external ${(m.external / 1e6).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 1e6).toFixed(0)}\n`,
    );
  }, 3000).unref();
}
