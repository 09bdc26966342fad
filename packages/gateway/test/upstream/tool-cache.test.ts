/**
 * The discovered-tool cache: served within its TTL, refreshed after it, dropped at once when the
 * server sends `notifications/tools/list_changed`. The upstream is a real MCP server built with the
 * official v2 server SDK (stateless, both protocol generations) whose tool set the test changes.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { type Stack, startStack } from '../helpers/stack.ts';

/** An MCP server whose tools are `names`; calling `grow` adds a tool and says the list changed. */
async function changingServer(t: TestContext, names: Set<string>) {
  let listCalls = 0;
  const handler = createMcpHandler(
    () => {
      const server = new McpServer(
        { name: 'changing', version: '1.0.0' },
        { capabilities: { tools: { listChanged: true } } },
      );
      for (const name of names) {
        server.registerTool(name, { description: `tool ${name}`, inputSchema: z.object({}) }, async () => ({
          content: [{ type: 'text' as const, text: name }],
        }));
      }
      server.registerTool(
        'grow',
        { description: 'adds a tool', inputSchema: z.object({ name: z.string() }) },
        async ({ name }, ctx) => {
          names.add(name);
          await ctx.mcpReq.notify({ method: 'notifications/tools/list_changed' });
          return { content: [{ type: 'text' as const, text: `added ${name}` }] };
        },
      );
      return server;
    },
    { legacy: 'stateless' },
  );
  const listener = getRequestListener(async (req) => {
    const body = req.method === 'POST' ? await req.clone().text() : '';
    if (body.includes('"tools/list"')) listCalls++;
    return handler.fetch(req);
  });
  const http = createServer((req, res) => void listener(req, res));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.after(async () => {
    await handler.close();
    await new Promise<void>((r) => http.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, listCalls: () => listCalls };
}

async function names(stack: Stack): Promise<string[]> {
  const res = await stack.sdk.tools.listScopedTools('user_1', {
    filter: { connectionNames: ['changing'] } as never,
    pageSize: 100,
  });
  return res.tools
    .map((x) => (x.tool?.definition as Record<string, unknown> | undefined)?.['name'] as string)
    .sort();
}

describe('discovered tool cache', () => {
  it('serves the cached list within the TTL, refreshes after it, and drops it on list_changed', async (t) => {
    const stack = await startStack(t, 'sqlite', {
      connections: {},
      gateway: { upstream: { toolsTtlMs: 1500 } },
    });
    if (!stack) return;
    const tools = new Set(['alpha']);
    const server = await changingServer(t, tools);
    const env = stack.environmentId;
    await stack.gw.services.customConnectors.createMcp(env, {
      slug: 'changing',
      displayName: 'Changing',
      serverUrl: server.url,
      auth: { type: 'none' },
    });
    await stack.gw.services.connections.create(env, { connector: 'changing', name: 'changing' });
    await stack.sdk.actions.createConnectedAccount({
      connectionName: 'changing',
      identifier: 'user_1',
    } as never);

    assert.deepEqual(await names(stack), ['changing_alpha', 'changing_grow']);
    tools.add('beta');
    assert.deepEqual(await names(stack), ['changing_alpha', 'changing_grow'], 'cached within the TTL');
    assert.equal(server.listCalls(), 1);
    await new Promise((r) => setTimeout(r, 1600));
    assert.deepEqual(
      await names(stack),
      ['changing_alpha', 'changing_beta', 'changing_grow'],
      'refreshed after it',
    );
    assert.equal(server.listCalls(), 2);

    const grown = await stack.sdk.actions.executeTool({
      toolName: 'changing_grow',
      connector: 'changing',
      identifier: 'user_1',
      toolInput: { name: 'gamma' },
    });
    // Passed through as sent: on 2026-07-28 the server adds its identity under _meta.
    assert.deepEqual((grown.data as Record<string, unknown>)['content'], [
      { type: 'text', text: 'added gamma' },
    ]);
    assert.deepEqual(
      await names(stack),
      ['changing_alpha', 'changing_beta', 'changing_gamma', 'changing_grow'],
      'list_changed dropped the cache',
    );
    assert.equal(server.listCalls(), 3);
    const gamma = await stack.sdk.actions.executeTool({
      toolName: 'changing_gamma',
      connector: 'changing',
      identifier: 'user_1',
      toolInput: {},
    });
    assert.deepEqual((gamma.data as Record<string, unknown>)['content'], [{ type: 'text', text: 'gamma' }]);
  });
});
