/**
 * Two gateway processes on one PostgreSQL database behind one public URL: an instance URL works on
 * both; rotated, revoked or deleted, the old URL answers 404 on both at once (no cache between the
 * store and the answer); a session token works on both and dies on both when its config is deleted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { startCluster } from '../helpers/cluster.ts';
import { mcpClient, mcpStatus } from '../helpers/mcp.ts';
import { followLink } from '../helpers/stack.ts';

/** Status of an MCP initialize, with a session token or none. */
const status = (url: string, token?: string) =>
  mcpStatus(url, token ? { authorization: `Bearer ${token}` } : {});

describe('MCP across gateway processes (postgres)', () => {
  it('a rotated, revoked or deleted URL and a deleted config’s token are dead at once on both', async (t) => {
    const cluster = await startCluster(t, { sharedPublicUrl: true });
    if (!cluster) return;
    const { bases, admin } = cluster;
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
