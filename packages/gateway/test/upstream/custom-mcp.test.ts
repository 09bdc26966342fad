/**
 * Custom MCP connectors over the real MCP reference server (`@modelcontextprotocol/server-everything`,
 * streamableHttp, a stateful server with session ids) on a loopback port: created through
 * ProviderService (REST) and the CLI, listed, executed through the official SDK, with static API-key
 * auth behind a gate, and the failures (server gone, key refused, bad input, in-use delete).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import {
  ScalekitBadRequestException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { type Everything, startEverything } from '../helpers/everything.ts';
import { runCli } from '../helpers/process.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;
const staticAuth = (details: Record<string, string>) =>
  ({ details: { case: 'staticAuth', value: { details } } }) as never;

async function json(res: Response): Promise<Obj> {
  const body = (await res.json()) as Obj;
  assert.ok(res.ok, `HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function scopedNames(stack: Stack, identifier: string, connection: string): Promise<string[]> {
  const res = await stack.sdk.tools.listScopedTools(identifier, {
    filter: { connectionNames: [connection] } as never,
    pageSize: 100,
  });
  return res.tools.map((x) => (x.tool?.definition as Obj | undefined)?.['name'] as string).sort();
}

/** A loopback reverse proxy that lets a request through only with `X-Api-Key: <key.current>`. */
async function apiKeyGate(t: TestContext, upstream: () => string, key: { current: string }) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.headers['x-api-key'] ?? ''));
    if (req.headers['x-api-key'] !== key.current) {
      res.writeHead(401, { 'www-authenticate': 'ApiKey error="invalid_token"' }).end();
      return;
    }
    const target = new URL(upstream());
    const out = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  server.closeIdleConnections();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen };
}

for (const dialect of DIALECTS) {
  describe(`custom MCP connectors (${dialect})`, () => {
    it('ProviderService creates, lists, updates and deletes a custom MCP provider; its tools list and run through the SDK', async (t) => {
      const stack = await startStack(t, dialect, { connections: {} });
      if (!stack) return;
      const { sdk, gw } = stack;
      let everything: Everything = await startEverything(t);

      const created = await json(
        await stack.rest('/api/v1/custom-providers', {
          method: 'POST',
          body: JSON.stringify({
            display_name: 'Everything',
            description: 'The MCP reference server',
            proxy_url: everything.url,
            auth_patterns: [{ type: 'NONE', is_mcp: true }],
            metadata: { team: 'platform' },
          }),
        }),
      );
      const provider = created['provider'] as Obj;
      assert.equal(provider['identifier'], 'EVERYTHING');
      assert.equal(provider['is_custom'], true);
      assert.equal(provider['is_custom_mcp'], true);
      assert.equal(provider['proxy_url'], everything.url);
      assert.equal((provider['metadata'] as Obj)['team'], 'platform');

      const custom = await json(await stack.rest('/api/v1/providers?filter.provider_type=CUSTOM'));
      assert.deepEqual(
        (custom['providers'] as Obj[]).map((p) => p['identifier']),
        ['EVERYTHING'],
      );
      const builtin = await json(
        await stack.rest('/api/v1/providers?filter.provider_type=DEFAULT&page_size=100'),
      );
      assert.ok(!(builtin['providers'] as Obj[]).some((p) => p['is_custom']));

      await json(
        await stack.rest('/api/v1/connections', {
          method: 'POST',
          body: JSON.stringify({ provider_key: 'EVERYTHING', key_id: 'everything' }),
        }),
      );
      await sdk.actions.createConnectedAccount({
        connectionName: 'everything',
        identifier: 'user_1',
      } as never);

      const names = await scopedNames(stack, 'user_1', 'everything');
      for (const n of ['everything_echo', 'everything_get-sum', 'everything_get-structured-content'])
        assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);

      const sum = await sdk.actions.executeTool({
        toolName: 'everything_get-sum',
        connector: 'everything',
        identifier: 'user_1',
        toolInput: { a: 2, b: 3 },
      });
      assert.deepEqual(sum.data, { content: [{ type: 'text', text: 'The sum of 2 and 3 is 5.' }] });
      const weather = await sdk.actions.executeTool({
        toolName: 'everything_get-structured-content',
        connector: 'everything',
        identifier: 'user_1',
        toolInput: { location: 'Chicago' },
      });
      const structured = (weather.data as Obj)['structuredContent'] as Obj;
      assert.equal(typeof structured['temperature'], 'number');
      assert.deepEqual(
        JSON.parse(((weather.data as Obj)['content'] as { text: string }[])[0]!.text),
        structured,
      );
      // Only the tool name is given: the tool is found among the environment's MCP connections.
      const echoed = await sdk.actions.executeTool({
        toolName: 'everything_echo',
        identifier: 'user_1',
        toolInput: { message: 'hi' },
      });
      assert.match(JSON.stringify(echoed.data), /Echo: hi/);
      await assert.rejects(
        () =>
          sdk.actions.executeTool({
            toolName: 'everything_get-sum',
            connector: 'everything',
            identifier: 'user_1',
            toolInput: { a: 'two', b: 3 },
          }),
        (e: unknown) =>
          e instanceof ScalekitBadRequestException && /params\.a must be number/.test(e.message),
      );
      assert.equal(gw.upstream.sessionCount(), 1, 'one stateful session for the connection');

      // The server goes away: a clear tool error. It comes back elsewhere: update the URL.
      await everything.stop();
      await assert.rejects(
        () =>
          sdk.actions.executeTool({
            toolName: 'everything_get-sum',
            connector: 'everything',
            identifier: 'user_1',
            toolInput: { a: 1, b: 1 },
          }),
        (e: unknown) =>
          e instanceof ScalekitToolException && e.errorCode === 'TOOL_ERROR' && /unreachable/.test(e.message),
      );
      everything = await startEverything(t);
      const updated = await json(
        await stack.rest('/api/v1/custom-providers/EVERYTHING', {
          method: 'PUT',
          body: JSON.stringify({ proxy_url: everything.url }),
        }),
      );
      assert.equal((updated['provider'] as Obj)['proxy_url'], everything.url);
      assert.equal((updated['provider'] as Obj)['display_name'], 'Everything', 'unchanged fields stay');
      const again = await sdk.actions.executeTool({
        toolName: 'everything_get-sum',
        connector: 'everything',
        identifier: 'user_1',
        toolInput: { a: 20, b: 22 },
      });
      assert.match(JSON.stringify(again.data), /is 42/);

      // Deleting a provider in use is refused, naming the connection; after it is gone, allowed.
      const refused = await stack.rest('/api/v1/custom-providers/EVERYTHING', { method: 'DELETE' });
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(await refused.json()), /used by connection\(s\) everything/);
      const conn = await gw.services.connections.findByName(stack.environmentId, 'everything');
      await gw.services.connections.delete(stack.environmentId, conn!.id);
      assert.equal(
        (await stack.rest('/api/v1/custom-providers/EVERYTHING', { method: 'DELETE' })).status,
        200,
      );
      const after = await json(await stack.rest('/api/v1/providers?filter.provider_type=CUSTOM'));
      assert.deepEqual(after['providers'] ?? [], []);
    });

    it('refuses bad custom provider definitions with the offending field', async (t) => {
      const stack = await startStack(t, dialect, { connections: {} });
      if (!stack) return;
      const create = async (provider: Obj) => {
        const res = await stack.rest('/api/v1/custom-providers', {
          method: 'POST',
          body: JSON.stringify(provider),
        });
        return { status: res.status, body: JSON.stringify(await res.json()) };
      };
      const mcp = [{ type: 'OAUTH', is_mcp: true }];
      let r = await create({ display_name: 'X1', proxy_url: 'ftp://example.com/mcp', auth_patterns: mcp });
      assert.equal(r.status, 400);
      assert.match(r.body, /provider\.proxy_url/);
      r = await create({ display_name: 'X2', auth_patterns: mcp });
      assert.equal(r.status, 400);
      assert.match(r.body, /provider\.proxy_url/);
      r = await create({ proxy_url: 'http://127.0.0.1:1/mcp', auth_patterns: mcp });
      assert.equal(r.status, 400);
      assert.match(r.body, /provider\.display_name/);
      r = await create({
        display_name: 'X3',
        proxy_url: 'http://127.0.0.1:1/mcp',
        auth_patterns: [{ type: 'BASIC', is_mcp: true }],
      });
      assert.equal(r.status, 400);
      assert.match(r.body, /auth_patterns\[0\]\.type/);
      r = await create({
        display_name: 'X4',
        proxy_url: 'https://api.example.com',
        auth_patterns: [{ type: 'API_KEY' }],
      });
      assert.equal(r.status, 501);
      assert.match(r.body, /only MCP custom providers/);
      r = await create({ display_name: 'Gmail', proxy_url: 'http://127.0.0.1:1/mcp', auth_patterns: mcp });
      assert.equal(r.status, 201, r.body);
      assert.match(r.body, /"identifier":"GMAIL_2"/, 'a derived slug steps aside for shipped connectors');
      r = await create({
        display_name: 'Y',
        proxy_url: 'http://127.0.0.1:1/mcp',
        auth_patterns: mcp,
        metadata: { slug: 'gmail' },
      });
      assert.equal(r.status, 409);
      r = await create({
        display_name: 'Z',
        proxy_url: 'http://127.0.0.1:1/mcp',
        auth_patterns: mcp,
        metadata: { slug: '9x' },
      });
      assert.equal(r.status, 400);
      assert.match(r.body, /provider\.metadata\.slug/);
      assert.equal((await stack.rest('/api/v1/custom-providers/NOPE', { method: 'DELETE' })).status, 404);
    });
  });
}

describe('custom MCP connector with a static API key (CLI)', () => {
  it('latchkey connector create-mcp; tools listed and run with the key injected; a refused key is a TOOL_ERROR', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: {} });
    if (!stack) return;
    const { sdk, gw } = stack;
    const everything = await startEverything(t);
    const key = { current: 'k-123' };
    const gate = await apiKeyGate(t, () => everything.url, key);
    const env = { LATCHKEY_DATA_DIR: gw.config.dataDir, LATCHKEY_LOG_LEVEL: 'silent' };

    const made = await runCli(
      [
        'connector',
        'create-mcp',
        '--env',
        'dev',
        '--slug',
        'gated',
        '--name',
        'Gated Everything',
        '--url',
        gate.url,
        '--auth',
        'api-key',
        '--header',
        'X-Api-Key',
        '--connection',
        'gated',
      ],
      env,
    );
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /created connector gated .*auth API key; tools are named gated_<tool>/);
    assert.match(made.stdout, /created connection gated/);
    const listed = await runCli(['connector', 'list', '--env', 'dev'], env);
    assert.match(listed.stdout, new RegExp(`gated\\tmcp\\t${gate.url}\\tAPI key`));
    const usage = await runCli(
      ['connector', 'create-mcp', '--env', 'dev', '--slug', 'x', '--url', gate.url, '--auth', 'magic'],
      env,
    );
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--auth must be one of oauth, bearer, api-key, none/);

    await sdk.actions.createConnectedAccount({
      connectionName: 'gated',
      identifier: 'user_1',
      authorizationDetails: staticAuth({ api_key: 'k-123' }),
    });
    assert.ok((await scopedNames(stack, 'user_1', 'gated')).includes('gated_get-sum'));
    const sum = await sdk.actions.executeTool({
      toolName: 'gated_get-sum',
      connector: 'gated',
      identifier: 'user_1',
      toolInput: { a: 1, b: 2 },
    });
    assert.match(JSON.stringify(sum.data), /is 3/);
    assert.ok(gate.seen.length > 0 && gate.seen.every((k) => k === 'k-123'), 'the key on every request');

    key.current = 'k-456';
    await assert.rejects(
      () =>
        sdk.actions.executeTool({
          toolName: 'gated_get-sum',
          connector: 'gated',
          identifier: 'user_1',
          toolInput: { a: 1, b: 2 },
        }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitToolUnauthorizedException, String(e));
        assert.match(e.message, /refused the credentials/);
        return true;
      },
    );
    const del = await runCli(['connector', 'delete', '--env', 'dev', 'gated'], env);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /used by connection\(s\) gated; delete them first/);
  });
});
