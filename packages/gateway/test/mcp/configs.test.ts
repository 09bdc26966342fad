/**
 * MCP configs over REST and gRPC on both stores: create/get/list (filters, search, page size ≤ 30)
 * /update/delete, and bad input refused with the field that is wrong, nothing stored changed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { McpService } from '../../src/gen/scalekit/v1/mcp/mcp_pb.js';
import { DIALECTS } from '../helpers/env.ts';
import { type ApiResult, api, violatedFields } from '../helpers/mcp.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;
const GMAIL = { connection_name: 'gmail', tools: ['gmail_fetch_mails'] };

async function count(stack: Stack): Promise<number> {
  const { json } = await api<{ total_size: number }>(stack, 'GET', '/api/v1/mcp/configs');
  return json.total_size;
}

describe('MCP configs', () => {
  for (const dialect of DIALECTS) {
    it(`create, get, list with filters and pages, update, delete (${dialect})`, async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const made: Obj[] = [];
      for (let i = 0; i < 32; i++) {
        const r: ApiResult<{ config: Obj }> = await api(stack, 'POST', '/api/v1/mcp/configs', {
          name: `cfg-${String(i).padStart(2, '0')}`,
          connection_tool_mappings: i % 2 ? [GMAIL] : [{ connection_name: 'slack', tools: [] }],
        });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        made.push(r.json.config);
      }
      const first = made[1]!;
      assert.deepEqual(first['connection_tool_mappings'], [
        {
          connection_id: (first['connection_tool_mappings'] as Obj[])[0]!['connection_id'],
          connection_name: 'gmail',
          provider: 'GMAIL',
          tools: ['gmail_fetch_mails'],
        },
      ]);
      const got = await api<{ config: Obj }>(stack, 'GET', `/api/v1/mcp/configs/${first['id']}`);
      assert.deepEqual(got.json.config, first);

      const page1 = await api<{ configs: Obj[]; next_page_token: string; total_size: number }>(
        stack,
        'GET',
        '/api/v1/mcp/configs?page_size=100',
      );
      assert.equal(page1.json.configs.length, 30, 'page size is capped at 30');
      assert.equal(page1.json.total_size, 32);
      const page2 = await api<{ configs: Obj[]; next_page_token: string }>(
        stack,
        'GET',
        `/api/v1/mcp/configs?page_size=30&page_token=${page1.json.next_page_token}`,
      );
      assert.deepEqual(
        page2.json.configs.map((c) => c['name']),
        ['cfg-30', 'cfg-31'],
      );
      const names = async (q: string) =>
        (await api<{ configs: Obj[] }>(stack, 'GET', `/api/v1/mcp/configs?${q}`)).json.configs.map(
          (c) => c['name'],
        );
      assert.deepEqual(await names('filter.name=CFG-03'), ['cfg-03']);
      assert.deepEqual(await names(`filter.id=${first['id']}`), ['cfg-01']);
      assert.deepEqual(
        await names('search=cfg-2'),
        [...Array(10)].map((_, i) => `cfg-2${i}`),
      );
      assert.equal((await names('filter.provider=slack&page_size=30')).length, 16);
      assert.deepEqual(
        await names(`filter.mcp_server_url=${encodeURIComponent(String(first['mcp_server_url']))}`),
        ['cfg-01'],
      );

      const updated = await api<{ config: Obj }>(stack, 'PUT', `/api/v1/mcp/configs/${first['id']}`, {
        description: 'now with calendar',
        connection_tool_mappings: [GMAIL, { connection_name: 'googlecalendar', tools: [] }],
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.equal(updated.json.config['name'], 'cfg-01');
      assert.equal(updated.json.config['description'], 'now with calendar');
      assert.equal((updated.json.config['connection_tool_mappings'] as Obj[]).length, 2);
      // an empty update leaves everything as it is
      const same = await api<{ config: Obj }>(stack, 'PUT', `/api/v1/mcp/configs/${first['id']}`, {});
      assert.deepEqual(same.json.config, updated.json.config);

      // deleting a connection removes it from the configs that map it
      const slackConfig = made[0]!;
      const slack = (slackConfig['connection_tool_mappings'] as Obj[])[0]!;
      await stack.gw.services.connections.delete(stack.environmentId, String(slack['connection_id']));
      const without = await api<{ config: Obj }>(stack, 'GET', `/api/v1/mcp/configs/${slackConfig['id']}`);
      assert.deepEqual(without.json.config['connection_tool_mappings'], []);

      assert.equal((await api(stack, 'DELETE', `/api/v1/mcp/configs/${first['id']}`)).status, 200);
      assert.equal((await api(stack, 'GET', `/api/v1/mcp/configs/${first['id']}`)).status, 404);
      assert.equal((await api(stack, 'DELETE', `/api/v1/mcp/configs/${first['id']}`)).status, 404);
      assert.equal(await count(stack), 31);
    });

    it(`bad input names the field and stores nothing (${dialect})`, async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      await stack.gw.services.connections.create(stack.environmentId, {
        connector: 'gmail',
        name: 'gmail-2',
      });
      const base = (
        await api<{ config: Obj }>(stack, 'POST', '/api/v1/mcp/configs', {
          name: 'base',
          connection_tool_mappings: [GMAIL],
        })
      ).json.config;
      const refused = async (method: string, path: string, body: unknown, field: string, text?: RegExp) => {
        const r = await api(stack, method, path, body);
        assert.equal(r.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(r.json)}`);
        assert.deepEqual(violatedFields(r.json), [field]);
        if (text) assert.match(String(r.json['message']), text);
      };
      const create = (body: unknown, field: string, text?: RegExp) =>
        refused('POST', '/api/v1/mcp/configs', body, field, text);
      await create({ name: 'Has-Capitals' }, 'config.name');
      await create({ name: '' }, 'config.name');
      await create({ name: 'x'.repeat(101) }, 'config.name');
      await create({ name: 'a b' }, 'config.name');
      await create(
        { name: 'ok', connection_tool_mappings: [{ connection_name: 'nope', tools: [] }] },
        'config.connection_tool_mappings[0].connection_name',
        /"nope"/,
      );
      await create(
        {
          name: 'ok',
          connection_tool_mappings: [GMAIL, { connection_name: 'slack', tools: ['slack_nope'] }],
        },
        'config.connection_tool_mappings[1].tools[0]',
        /"slack_nope"/,
      );
      await create(
        { name: 'ok', connection_tool_mappings: [GMAIL, GMAIL] },
        'config.connection_tool_mappings[1].connection_name',
        /twice/,
      );
      await create(
        { name: 'ok', connection_tool_mappings: [GMAIL, { connection_name: 'gmail-2', tools: [] }] },
        'config.connection_tool_mappings[1].tools',
        /gmail_fetch_mails/,
      );
      await create(
        { name: 'ok', connection_tool_mappings: [...Array(26)].map(() => GMAIL) },
        'config.connection_tool_mappings',
        /25/,
      );
      await create({ name: 'ok', description: 'd'.repeat(2001) }, 'config.description');
      const dup = await api(stack, 'POST', '/api/v1/mcp/configs', { name: 'base' });
      assert.equal(dup.status, 409);
      await refused(
        'PUT',
        `/api/v1/mcp/configs/${base['id']}`,
        { description: 'changed', connection_tool_mappings: [{ connection_name: 'gmail', tools: ['nope'] }] },
        'connection_tool_mappings[0].tools[0]',
      );
      assert.equal(await count(stack), 1);
      const after = await api<{ config: Obj }>(stack, 'GET', `/api/v1/mcp/configs/${base['id']}`);
      assert.deepEqual(after.json.config, base, 'a refused update changes nothing');
      await refused('GET', '/api/v1/mcp/configs?page_token=garbage', undefined, 'page_token');
      await refused(
        'GET',
        '/api/v1/mcp/configs?filter.mcp_server_url=http://x/y',
        undefined,
        'filter.mcp_server_url',
      );

      // gRPC: the same refusal as INVALID_ARGUMENT with the field violation
      const grpc = createClient(McpService, createGrpcTransport({ baseUrl: stack.gw.url }));
      await assert.rejects(
        grpc.createMcpConfig(
          { config: { name: 'BAD' } },
          { headers: { authorization: `Bearer ${await stack.token()}` } },
        ),
        (e: unknown) =>
          e instanceof ConnectError && e.code === Code.InvalidArgument && /config\.name/.test(e.message),
      );
      await assert.rejects(
        grpc.getMcpConfig(
          { configId: 'mcfg_missing' },
          { headers: { authorization: `Bearer ${await stack.token()}` } },
        ),
        (e: unknown) => e instanceof ConnectError && e.code === Code.NotFound,
      );
    });
  }
});
