/**
 * Two gateway processes on one PostgreSQL database behind one public URL: an instance URL works on
 * both; rotated, revoked or deleted, the old URL answers 404 on both at once (no cache between the
 * store and the answer); a session token works on both and dies on both when its config is deleted.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSandbox } from '@latchkey/sandbox';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { loadConfig } from '../../src/config/config.ts';
import { sandboxCatalog } from '../../src/dev/sandbox-catalog.ts';
import { openRuntime } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { newKey, tempDir } from '../helpers/env.ts';
import { mcpClient } from '../helpers/mcp.ts';
import { createTestDatabase, requirePostgres } from '../helpers/pg.ts';
import { startCli } from '../helpers/process.ts';
import { followLink } from '../helpers/stack.ts';

const GATEWAY = join(import.meta.dirname, '../helpers/gateway-process.ts');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Status of a 2025 initialize at `url` (a request every MCP server must answer). */
async function status(url: string, token?: string): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await r.body?.cancel();
  return r.status;
}

describe('MCP across gateway processes (postgres)', () => {
  it('a rotated, revoked or deleted URL and a deleted config’s token are dead at once on both', async (t) => {
    const skip = await requirePostgres();
    if (skip) return t.skip(skip);
    const db = await createTestDatabase();
    const sandbox = await startSandbox();
    const key = newKey();
    const dirs = [tempDir(), tempDir(), tempDir()];
    const ports = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${ports[0]}`;
    const env = (i: number) => ({
      LATCHKEY_DATA_DIR: dirs[i]!.path,
      LATCHKEY_DATABASE_URL: db.url,
      LATCHKEY_ENCRYPTION_KEYS: key,
      LATCHKEY_PORT: String(ports[i]),
      LATCHKEY_PUBLIC_URL: publicUrl,
      LATCHKEY_REFRESH_INTERVAL: '0',
      LATCHKEY_TEST_SANDBOX: JSON.stringify(sandbox.providers),
    });
    const gateways = await Promise.all([0, 1].map((i) => startCli([process.execPath, GATEWAY], env(i))));
    const admin = await openRuntime({
      config: loadConfig({
        env: {},
        overrides: { dataDir: dirs[2]!.path, databaseUrl: db.url, encryptionKeys: [key], publicUrl },
      }),
      logger: createLogger('silent'),
      ...sandboxCatalog(sandbox),
    });
    t.after(async () => {
      await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
      await admin.close();
      await sandbox.close();
      await db.drop();
      for (const d of dirs) d.remove();
    });
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    /** The same path on each process (a load balancer may send a client to either). */
    const onEach = (url: string) => bases.map((b) => b + new URL(url).pathname);

    const { services } = admin;
    const environment = await admin.apiAccess.createEnvironment('prod');
    const envId = environment.id;
    await services.connections.create(envId, { connector: 'gmail', name: 'gmail' });
    const config = await services.mcp.configs.create(envId, {
      name: 'mail',
      description: '',
      mappings: [{ connectionName: 'gmail', tools: ['gmail_fetch_mails'] }],
    });
    let instance = await services.mcp.instances.ensure(envId, { configName: 'mail', identifier: 'u1' });
    const states = await services.mcp.instances.authState(envId, instance.id, true);
    assert.equal((await followLink(states[0]!.link)).status, 200);

    for (const url of onEach(instance.url)) {
      const client = await mcpClient(url, 'modern');
      const r = (await client.callTool({ name: 'gmail_fetch_mails', arguments: {} })) as CallToolResult;
      assert.notEqual(r.isError, true, JSON.stringify(r));
      await client.close();
    }

    // a config edit on one process changes the tool set on both at once (no per-process staleness)
    await services.mcp.configs.update(envId, config.id, {
      mappings: [{ connectionName: 'gmail', tools: ['gmail_fetch_mails', 'gmail_list_labels'] }],
    });
    for (const url of onEach(instance.url)) {
      const client = await mcpClient(url, 'legacy');
      assert.deepEqual((await client.listTools()).tools.map((x) => x.name).sort(), [
        'gmail_fetch_mails',
        'gmail_list_labels',
      ]);
      await client.close();
    }

    const old = instance.url;
    instance = await services.mcp.instances.rotateUrl(envId, instance.id);
    assert.deepEqual(
      await Promise.all(onEach(old).map((u) => status(u))),
      [404, 404],
      'rotated: dead on both',
    );
    assert.deepEqual(await Promise.all(onEach(instance.url).map((u) => status(u))), [200, 200]);

    await services.mcp.instances.revokeUrl(envId, instance.id);
    assert.deepEqual(await Promise.all(onEach(instance.url).map((u) => status(u))), [404, 404], 'revoked');
    instance = await services.mcp.instances.ensure(envId, { configName: 'mail', identifier: 'u1' });
    assert.deepEqual(await Promise.all(onEach(instance.url).map((u) => status(u))), [200, 200]);

    const { token } = await services.mcp.sessions.mint(envId, { configId: config.id, identifier: 'u1' });
    assert.deepEqual(await Promise.all(onEach(config.serverUrl).map((u) => status(u, token))), [200, 200]);

    await services.mcp.instances.delete(envId, instance.id);
    assert.deepEqual(await Promise.all(onEach(instance.url).map((u) => status(u))), [404, 404], 'deleted');
    await services.mcp.configs.delete(envId, config.id);
    assert.deepEqual(
      await Promise.all(onEach(config.serverUrl).map((u) => status(u, token))),
      [401, 401],
      'config deleted: its token is refused on both',
    );
  });
});
