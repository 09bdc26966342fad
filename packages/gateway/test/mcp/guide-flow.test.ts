/**
 * The guide "Give your agent tool access via MCP", end to end on both stores: a config exposing
 * gmail_fetch_mails and googlecalendar_create_event, an instance for john-doe, its auth state with
 * links, both authorizations completed through the links against the sandbox, then the official
 * MCP client (2026-07-28 and 2025 eras) lists exactly those two tools and calls both, with the
 * effect visible in the sandbox imitations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { DIALECTS } from '../helpers/env.ts';
import { api, ERAS, mcpClient } from '../helpers/mcp.ts';
import { followLink, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;
interface AuthState {
  connection_name: string;
  connected_account_id: string;
  connected_account_status: string;
  authentication_link: string;
}

describe('MCP: give your agent tool access via MCP', () => {
  for (const dialect of DIALECTS) {
    it(`config → instance → authorize through the links → a real MCP client lists and calls (${dialect})`, async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sandbox } = stack;

      const created = await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
        name: 'john-assistant',
        description: 'Reads mail and schedules meetings',
        connection_tool_mappings: [
          { connection_name: 'gmail', tools: ['gmail_fetch_mails'] },
          { connection_name: 'googlecalendar', tools: ['googlecalendar_create_event'] },
        ],
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const config = created.json.config;
      assert.match(String(config['id']), /^mcfg_/);
      assert.match(String(config['mcp_server_url']), /\/mcp\/v3\/servers\/[0-9a-f-]{36}$/);

      const ensured = await api<{ instance: Obj }>(stack, 'POST', '/api/v1/mcp/instances', {
        config_name: 'john-assistant',
        user_identifier: 'john-doe',
      });
      assert.equal(ensured.status, 200, JSON.stringify(ensured.json));
      const instance = ensured.json.instance;
      const url = String(instance['url']);
      assert.match(url, new RegExp(`^${stack.gw.url}/mcp/i/lkm_[A-Za-z0-9_-]{43}$`));
      // idempotent: the same instance and the same URL on every login
      const again = await api<{ instance: Obj }>(stack, 'POST', '/api/v1/mcp/instances', {
        config_name: 'john-assistant',
        user_identifier: 'john-doe',
      });
      assert.equal(again.json.instance['id'], instance['id']);
      assert.equal(again.json.instance['url'], url);

      const before = await api<{ connections: AuthState[] }>(
        stack,
        'POST',
        `/api/v1/mcp/instances/${instance['id']}:get_auth_state?include_auth_links=true`,
      );
      assert.equal(before.status, 200, JSON.stringify(before.json));
      assert.deepEqual(
        before.json.connections.map((c) => [c.connection_name, c.connected_account_status]),
        [
          ['gmail', 'PENDING_AUTH'],
          ['googlecalendar', 'PENDING_AUTH'],
        ],
      );

      // Before authorizing, a call answers isError with the link to hand to the user.
      const early = await mcpClient(url, 'modern');
      const pending = (await early.callTool({ name: 'gmail_fetch_mails', arguments: {} })) as CallToolResult;
      assert.equal(pending.isError, true);
      const pendingText = (pending.content[0] as { text: string }).text;
      assert.match(pendingText, new RegExp(`${stack.gw.url}/connect/lkl_`));
      await early.close();

      sandbox.setDefaultUser('john-doe');
      for (const c of before.json.connections) {
        const done = await followLink(c.authentication_link);
        assert.equal(done.status, 200, done.body);
      }
      const after = await api<{ connections: AuthState[] }>(
        stack,
        'POST',
        `/api/v1/mcp/instances/${instance['id']}:get_auth_state`,
      );
      assert.deepEqual(
        after.json.connections.map((c) => [
          c.connection_name,
          c.connected_account_status,
          c.authentication_link,
        ]),
        [
          ['gmail', 'ACTIVE', ''],
          ['googlecalendar', 'ACTIVE', ''],
        ],
      );

      for (const era of ERAS) {
        const client = await mcpClient(url, era);
        try {
          const { tools } = await client.listTools();
          assert.deepEqual(tools.map((x) => x.name).sort(), [
            'gmail_fetch_mails',
            'googlecalendar_create_event',
          ]);
          const fetchTool = tools.find((x) => x.name === 'gmail_fetch_mails')!;
          assert.equal(fetchTool.annotations?.readOnlyHint, true);
          assert.equal(fetchTool.inputSchema.type, 'object');
          const create = tools.find((x) => x.name === 'googlecalendar_create_event')!;
          assert.equal(create.annotations?.readOnlyHint, false);

          const mails = (await client.callTool({
            name: 'gmail_fetch_mails',
            arguments: { max_results: 5 },
          })) as CallToolResult;
          assert.notEqual(mails.isError, true, JSON.stringify(mails));
          const got = (mails.structuredContent as { messages: { id: string }[] }).messages.map((m) => m.id);
          const inbox = sandbox.state.gmail.messages('john-doe').map((m) => m.id);
          assert.ok(got.length > 0 && got.every((id) => inbox.includes(id)), `${got} ⊆ john-doe's mailbox`);
          assert.deepEqual(JSON.parse((mails.content[0] as { text: string }).text), mails.structuredContent);

          const summary = `Latchkey MCP sync (${era})`;
          const event = (await client.callTool({
            name: 'googlecalendar_create_event',
            arguments: { summary, start_datetime: '2026-12-01T10:00:00Z', event_duration_minutes: 30 },
          })) as CallToolResult;
          assert.notEqual(event.isError, true, JSON.stringify(event));
          const events = sandbox.state.googlecalendar.events('john-doe');
          assert.ok(
            events.some((e) => e['summary'] === summary),
            'the event is in john-doe’s calendar',
          );
          assert.ok(!sandbox.state.googlecalendar.events('alice').some((e) => e['summary'] === summary));

          // bad input: an isError result naming the field, nothing created; an unknown tool: a protocol error
          const count = sandbox.state.googlecalendar.events('john-doe').length;
          const bad = (await client.callTool({
            name: 'googlecalendar_create_event',
            arguments: { start_datetime: 'tomorrow', surprise: 1 },
          })) as CallToolResult;
          assert.equal(bad.isError, true);
          assert.match((bad.content[0] as { text: string }).text, /params\.surprise/);
          assert.equal(sandbox.state.googlecalendar.events('john-doe').length, count);
          await assert.rejects(
            client.callTool({ name: 'gmail_send_message', arguments: {} }),
            /Unknown tool/,
          );
        } finally {
          await client.close();
        }
      }
    });
  }
});
