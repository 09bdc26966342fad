/**
 * Isolation: one config, two users. Each user's instance URL and session token reach only that
 * user's accounts (their own mailbox in the imitation); disconnecting one user's account leaves
 * the other untouched and turns the first user's calls into isError results carrying a link for
 * that user; another environment sees none of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { api, mcpClient } from '../helpers/mcp.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;

async function messageIds(client: Client): Promise<string[]> {
  const r = (await client.callTool({
    name: 'gmail_fetch_mails',
    arguments: { max_results: 50 },
  })) as CallToolResult;
  assert.notEqual(r.isError, true, JSON.stringify(r));
  return (r.structuredContent as { messages: { id: string }[] }).messages.map((m) => m.id).sort();
}

async function connectUser(stack: Stack, instanceId: string, user: string) {
  const state = await api<{ connections: { authentication_link: string }[] }>(
    stack,
    'POST',
    `/api/v1/mcp/instances/${instanceId}:get_auth_state?include_auth_links=true`,
  );
  stack.sandbox.setDefaultUser(user);
  for (const c of state.json.connections) assert.equal((await followLink(c.authentication_link)).status, 200);
}

describe('MCP isolation', () => {
  it("a user's URL or token never reaches another user's accounts", async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { sandbox, gw } = stack;
    const config = (
      await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
        name: 'mail',
        connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_fetch_mails'] }],
      })
    ).json.config;
    const users = ['alice', 'bob'] as const;
    const instances: Record<string, Obj> = {};
    for (const u of users) {
      instances[u] = (
        await api<{ instance: Obj }>(stack, 'POST', '/api/v1/mcp/instances', {
          config_name: 'mail',
          user_identifier: `app-${u}`,
        })
      ).json.instance;
      await connectUser(stack, String(instances[u]!['id']), u);
    }
    const mailbox = (u: string) =>
      sandbox.state.gmail
        .messages(u)
        .map((m) => m.id)
        .sort();
    assert.ok(!mailbox('alice').some((id) => mailbox('bob').includes(id)), 'the mailboxes are disjoint');

    const clients: Record<string, Client> = {};
    for (const u of users) {
      clients[u] = await mcpClient(String(instances[u]!['url']), 'modern');
      const token = (
        await api<{ token: string }>(stack, 'POST', `/api/v1/mcp/configs/${config['id']}/tokens`, {
          identifier: `app-${u}`,
        })
      ).json.token;
      clients[`${u}-token`] = await mcpClient(String(config['mcp_server_url']), 'legacy', {
        authorization: `Bearer ${token}`,
      });
    }
    t.after(() => Promise.all(Object.values(clients).map((c) => c.close())));
    for (const u of users) {
      const own = (await messageIds(clients[u]!)).filter((id) => mailbox(u).includes(id));
      assert.deepEqual(await messageIds(clients[u]!), own, `${u}'s URL reads ${u}'s mailbox only`);
      assert.ok(own.length > 0);
      assert.deepEqual(
        await messageIds(clients[`${u}-token`]!),
        own,
        `${u}'s token reads ${u}'s mailbox only`,
      );
    }

    // bob disconnects: alice is untouched, bob's calls ask bob to authorize again
    const bobAccount = (
      await gw.services.accounts.get(stack.environmentId, { connector: 'gmail', identifier: 'app-bob' })
    ).id;
    await gw.services.accounts.disconnect(stack.environmentId, { id: bobAccount });
    assert.ok((await messageIds(clients['alice']!)).length > 0);
    for (const c of [clients['bob']!, clients['bob-token']!]) {
      const r = (await c.callTool({ name: 'gmail_fetch_mails', arguments: {} })) as CallToolResult;
      assert.equal(r.isError, true);
      const auth = (r._meta as Obj)['latchkey/authorization'] as Obj;
      assert.equal(auth['connected_account_status'], 'DISCONNECTED');
      const link = String(auth['authorization_link']);
      assert.match(
        (r.content[0] as { text: string }).text,
        new RegExp(link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      // the link re-authorizes bob's account, not alice's
      sandbox.setDefaultUser('bob');
      assert.equal((await followLink(link)).status, 200);
      const again = await gw.services.accounts.get(stack.environmentId, { id: bobAccount });
      assert.equal(again.status, 'ACTIVE');
      assert.equal(again.identifier, 'app-bob');
      await gw.services.accounts.disconnect(stack.environmentId, { id: bobAccount });
    }

    // another environment sees none of it
    await gw.apiAccess.createEnvironment('other');
    const { client, clientSecret } = await gw.apiAccess.createClient('other');
    const tok = (await (
      await fetch(`${gw.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.id,
          client_secret: clientSecret,
        }),
      })
    ).json()) as { access_token: string };
    const get = (path: string) =>
      fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${tok.access_token}` } });
    assert.equal((await get(`/api/v1/mcp/configs/${config['id']}`)).status, 404);
    assert.equal((await get(`/api/v1/mcp/instances/${instances['alice']!['id']}`)).status, 404);
    assert.equal(((await (await get('/api/v1/mcp/configs')).json()) as { total_size: number }).total_size, 0);
  });
});
