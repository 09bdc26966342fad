/**
 * MCP instances on both stores: EnsureMcpInstance idempotence and bad input, get/list/update/
 * delete, URL rotation and revocation (the old URL answers 404 at once), no URL in the database
 * or in any log line, Origin validation.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/ops/log.ts';
import { DIALECTS } from '../helpers/env.ts';
import { type ApiResult, api, mcpClient, mcpStatus, violatedFields } from '../helpers/mcp.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

async function ensure(stack: Stack, body: Obj) {
  return api<{ instance: Obj }>(stack, 'POST', '/api/v1/mcp/instances', body);
}

async function toolNames(url: string): Promise<string[]> {
  const client = await mcpClient(url, 'legacy');
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

describe('MCP instances', () => {
  for (const dialect of DIALECTS) {
    it(`ensure, get, list, update, rotate, revoke, delete; no URL stored or logged (${dialect})`, async (t) => {
      const lines: string[] = [];
      const stack = await startStack(t, dialect, {
        gateway: { logger: createLogger('debug', { write: (s: string) => void lines.push(s) }) },
      });
      if (!stack) return;
      for (const [name, conn] of [
        ['mail', 'gmail'],
        ['chat', 'slack'],
      ] as const) {
        const r: ApiResult<Obj> = await api(stack, 'POST', '/api/v1/mcp/configs', {
          name,
          connection_tool_mappings: [{ connection_name: conn, tools: [] }],
        });
        assert.equal(r.status, 201, JSON.stringify(r.json));
      }

      const bad = async (body: Obj, field: string) => {
        const r = await ensure(stack, body);
        assert.equal(r.status, 400, JSON.stringify(r.json));
        assert.deepEqual(violatedFields(r.json), [field]);
      };
      await bad({ user_identifier: 'u1' }, 'config_name');
      await bad({ config_name: 'mail' }, 'identifier');
      await bad({ config_name: 'mail', user_identifier: 'x'.repeat(256) }, 'identifier');
      await bad({ config_name: 'mail', user_identifier: 'u1', name: 'n'.repeat(101) }, 'name');
      assert.equal((await ensure(stack, { config_name: 'nope', user_identifier: 'u1' })).status, 404);
      assert.equal(
        (await api<{ total_size: number }>(stack, 'GET', '/api/v1/mcp/instances')).json.total_size,
        0,
      );

      const a = (await ensure(stack, { config_name: 'mail', user_identifier: 'u1', name: 'u1 mail' })).json
        .instance;
      const b = (await ensure(stack, { config_name: 'mail', user_identifier: 'u2' })).json.instance;
      assert.notEqual(a['url'], b['url']);
      assert.equal(a['name'], 'u1 mail');
      assert.equal(b['name'], 'mail-u2');
      assert.equal((a['config'] as Obj)['name'], 'mail');
      const url = String(a['url']);
      assert.deepEqual(await toolNames(url), [
        'gmail_fetch_mails',
        'gmail_get_message_by_id',
        'gmail_list_labels',
        'gmail_send_message',
      ]);

      const got = await api<{ instance: Obj }>(stack, 'GET', `/api/v1/mcp/instances/${a['id']}`);
      assert.equal(got.json.instance['url'], url, 'the URL can be shown again');
      const list = async (q: string) =>
        (await api<{ instances: Obj[] }>(stack, 'GET', `/api/v1/mcp/instances?${q}`)).json.instances.map(
          (i) => i['user_identifier'],
        );
      assert.deepEqual(await list('filter.user_identifier=u2'), ['u2']);
      assert.deepEqual(await list('filter.config_name=mail'), ['u1', 'u2']);
      assert.deepEqual(await list('filter.config_name=chat'), []);
      assert.deepEqual(await list('search=U1%20MA'), ['u1']);

      // move to another config: same URL, other tools
      const moved = await api<{ instance: Obj }>(stack, 'PATCH', `/api/v1/mcp/instances/${a['id']}`, {
        config_name: 'chat',
        name: 'u1 chat',
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.json));
      assert.equal(moved.json.instance['url'], url);
      assert.equal(moved.json.instance['name'], 'u1 chat');
      assert.ok((await toolNames(url)).every((n) => n.startsWith('slack_')));

      const rotated = await api<{ instance: Obj }>(
        stack,
        'POST',
        `/api/v1/mcp/instances/${a['id']}:rotate_url`,
      );
      assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
      const url2 = String(rotated.json.instance['url']);
      assert.notEqual(url2, url);
      assert.equal(await mcpStatus(url), 404, 'the old URL is dead at once');
      assert.equal(await mcpStatus(url2), 200);

      const revoked = await api<{ instance: Obj }>(
        stack,
        'POST',
        `/api/v1/mcp/instances/${a['id']}:revoke_url`,
      );
      assert.equal(revoked.json.instance['url'], '');
      assert.equal(await mcpStatus(url2), 404);
      const fresh = (await ensure(stack, { config_name: 'chat', user_identifier: 'u1' })).json.instance;
      assert.equal(fresh['id'], a['id']);
      assert.equal(await mcpStatus(String(fresh['url'])), 200, 'ensure after a revocation gives a new URL');
      assert.equal(await mcpStatus(String(b['url'])), 200);

      assert.equal((await api(stack, 'DELETE', `/api/v1/mcp/instances/${a['id']}`)).status, 200);
      assert.equal(await mcpStatus(String(fresh['url'])), 404);
      assert.equal((await api(stack, 'GET', `/api/v1/mcp/instances/${a['id']}`)).status, 404);
      // deleting a config deletes its instances
      const mail = (await api<{ configs: Obj[] }>(stack, 'GET', '/api/v1/mcp/configs?filter.name=mail')).json
        .configs[0]!;
      assert.equal((await api(stack, 'DELETE', `/api/v1/mcp/configs/${mail['id']}`)).status, 200);
      assert.equal(await mcpStatus(String(b['url'])), 404);
      assert.equal(await mcpStatus(`${stack.gw.url}/mcp/i/not-a-token`), 404);

      // no URL token in the store, nor in any log line (debug level, 404s included)
      const tokens = [url, url2, String(fresh['url']), String(b['url'])].map((u) => u.split('/').pop()!);
      const rows = JSON.stringify(await stack.gw.store.db.selectFrom('mcp_instances').selectAll().execute());
      let stored = rows;
      if (dialect === 'sqlite') {
        const dir = stack.gw.config.dataDir;
        stored += readdirSync(dir)
          .filter((f) => f.startsWith('latchkey.db'))
          .map((f) => readFileSync(join(dir, f)).toString('latin1'))
          .join('');
      }
      const logged = lines.join('');
      assert.ok(logged.includes('/mcp/i/[redacted]'), 'MCP requests were logged, redacted');
      for (const token of tokens) {
        assert.ok(!stored.includes(token), 'the store holds no URL token');
        assert.ok(!logged.includes(token), 'no log line holds a URL token');
      }
    });
  }

  it('validates Origin (and Host on a loopback bind)', async (t) => {
    const stack = await startStack(t, 'sqlite', {
      config: { mcpAllowedOrigins: ['https://app.example.com'] },
    });
    if (!stack) return;
    await api(stack, 'POST', '/api/v1/mcp/configs', {
      name: 'mail',
      connection_tool_mappings: [{ connection_name: 'gmail', tools: [] }],
    });
    const url = String(
      (await ensure(stack, { config_name: 'mail', user_identifier: 'u1' })).json.instance['url'],
    );
    assert.equal(await mcpStatus(url, { origin: 'https://evil.example' }), 403);
    assert.equal(await mcpStatus(url, { origin: 'https://app.example.com' }), 200);
    assert.equal(await mcpStatus(url, { origin: new URL(stack.gw.url).origin }), 200);
    assert.equal(
      await mcpStatus(url, { origin: 'http://localhost:6274' }),
      200,
      'loopback bind: local tools',
    );
    const r = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        origin: 'https://evil.example',
      },
      body: JSON.stringify(LIST),
    });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /Origin/);
  });

  it('refuses a body that is not JSON, empty or over the limit with JSON-RPC errors', async (t) => {
    const stack = await startStack(t, 'sqlite', { config: { maxBodyBytes: 4096 } });
    if (!stack) return;
    await api(stack, 'POST', '/api/v1/mcp/configs', {
      name: 'mail',
      connection_tool_mappings: [{ connection_name: 'gmail', tools: [] }],
    });
    const url = String(
      (await ensure(stack, { config_name: 'mail', user_identifier: 'u1' })).json.instance['url'],
    );
    const post = async (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      return { status: r.status, json: (await r.json()) as { error?: { code: number; message: string } } };
    };
    const bad = await post('{"jsonrpc":');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error?.code, -32700);
    assert.equal((await post('')).status, 400, 'an empty body is not a request');
    const big = JSON.stringify({ ...LIST, params: { pad: 'x'.repeat(5000) } });
    const declared = await post(big);
    assert.equal(declared.status, 413);
    assert.match(declared.json.error?.message ?? '', /4096-byte limit/);
    // Chunked, without a content-length: counted while it streams.
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    assert.equal((await post(chunked)).status, 413);
    assert.equal(await mcpStatus(url), 200, 'the server still answers');
  });
});
