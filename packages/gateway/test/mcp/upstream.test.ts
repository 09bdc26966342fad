/**
 * An upstream MCP connector (sanitymcp, the sandbox's OAuth-protected MCP server) inside an MCP
 * config: the config is accepted before anyone authorized (its tools cannot be discovered without
 * an account), the instance lists the catalog tools at once and the upstream tools once the user
 * authorized (discovery runs as the user), and tools/call passes the upstream result through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { api, mcpClient } from '../helpers/mcp.ts';
import { followLink, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;

describe('MCP config with an upstream MCP connector', () => {
  it('lists and calls sanitymcp tools through an instance URL after authorization', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: { sanitymcp: 'sanitymcp', gmail: 'gmail' } });
    if (!stack) return;
    const created = await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
      name: 'editorial',
      connection_tool_mappings: [
        { connection_name: 'sanitymcp', tools: ['sanitymcp_list_projects', 'sanitymcp_query_documents'] },
        { connection_name: 'gmail', tools: ['gmail_fetch_mails'] },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const instance = (
      await api<{ instance: Obj }>(stack, 'POST', '/api/v1/mcp/instances', {
        config_name: 'editorial',
        user_identifier: 'alice-app',
      })
    ).json.instance;
    const url = String(instance['url']);

    const before = await mcpClient(url, 'modern');
    assert.deepEqual(
      (await before.listTools()).tools.map((x) => x.name),
      ['gmail_fetch_mails'],
      'upstream tools appear once the user authorized',
    );
    const pending = (await before.callTool({
      name: 'sanitymcp_list_projects',
      arguments: {},
    })) as CallToolResult;
    assert.equal(pending.isError, true);
    const link = String(((pending._meta as Obj)['latchkey/authorization'] as Obj)['authorization_link']);
    await before.close();

    assert.equal((await followLink(link)).status, 200);
    const client = await mcpClient(url, 'legacy');
    t.after(() => client.close());
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((x) => x.name).sort(), [
      'gmail_fetch_mails',
      'sanitymcp_list_projects',
      'sanitymcp_query_documents',
    ]);
    const query = tools.find((x) => x.name === 'sanitymcp_query_documents')!;
    assert.ok((query.inputSchema.properties as Obj)['query'], 'the upstream input schema');
    const listed = (await client.callTool({
      name: 'sanitymcp_list_projects',
      arguments: {},
    })) as CallToolResult;
    assert.notEqual(listed.isError, true, JSON.stringify(listed));
    const projects = (listed.structuredContent as { projects: { displayName: string }[] }).projects;
    assert.deepEqual(
      projects.map((p) => p.displayName),
      ["Alice's Blog", 'Product Docs'],
    );
    await assert.rejects(client.callTool({ name: 'sanitymcp_list_releases', arguments: {} }), /Unknown tool/);
  });
});
