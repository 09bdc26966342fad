/**
 * REST transcoding driven by the google.api.http annotations: routing (path variables, custom
 * verbs, additional bindings, literal-over-variable), request building (body "*" / field / none,
 * query parameters, snake and camel names) and the error contract.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authed, type Fixture, startFixture, TOKEN } from './fixture.ts';

interface ErrorBody {
  code: number;
  message: string;
  details: Record<string, unknown>[];
}

function violatedFields(body: ErrorBody): string[] {
  const info = body.details[0]?.['validation_error_info'] as
    | { field_violations?: { field: string }[] }
    | undefined;
  return (info?.field_violations ?? []).map((v) => v.field);
}

describe('REST transcoder', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture({ maxBodyBytes: 4096 });
  });
  after(() => fx.close());

  const call = (path: string, init: RequestInit = {}) => fetch(`${fx.url}${path}`, authed(init));
  const post = (path: string, body: unknown, method = 'POST', contentType = 'application/json') =>
    call(path, {
      method,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': contentType },
    });
  /** Asserts the status and returns the request the handler received (proto names). */
  async function received(res: Response, rpc: string): Promise<Record<string, unknown>> {
    assert.equal(res.status, 200, await res.clone().text());
    const last = fx.calls.at(-1);
    assert.equal(last?.rpc, rpc);
    return last.request;
  }
  async function error(res: Response, status: number, code: number): Promise<ErrorBody> {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as ErrorBody;
    assert.equal(body.code, code);
    return body;
  }

  describe('routing', () => {
    it('fills a path variable, percent-decoded', async () => {
      const req = await received(
        await call('/api/v1/connected_accounts/ca%2F1%20x'),
        'scalekit.v1.connected_accounts.ConnectedAccountService/GetConnectedAccount',
      );
      assert.equal(req['id'], 'ca/1 x');
    });

    it('prefers literal segments over variables (this, auth, connections/app)', async () => {
      const rpcs = 'scalekit.v1.connected_accounts.ConnectedAccountService';
      assert.equal(
        (await received(await call('/api/v1/connected_accounts/this'), `${rpcs}/GetConnectedAccount`))['id'],
        '',
      );
      const auth = await received(
        await call('/api/v1/connected_accounts/auth?connector=MY_GMAIL&identifier=u1'),
        `${rpcs}/GetConnectedAccountAuth`,
      );
      assert.equal(auth['identifier'], 'u1');
      await received(
        await call('/api/v1/connections/app'),
        'scalekit.v1.connections.ConnectionService/ListAppConnections',
      );
    });

    it('routes custom verbs and additional bindings', async () => {
      const rpc = 'scalekit.v1.connected_accounts.ConnectedAccountService/DisconnectConnectedAccount';
      assert.equal(
        (await received(await post('/api/v1/connected_accounts/ca_9:disconnect', {}), rpc))['id'],
        'ca_9',
      );
      assert.equal(
        (await received(await post('/api/v1/connected_accounts/this:disconnect', {}), rpc))['id'],
        '',
      );
      assert.equal(
        (await received(await post('/api/v1/connected_accounts/-:disconnect', ''), rpc))['id'],
        '',
      );
      const res = await post('/api/v1/connected_accounts/ca_9:disconnect', {});
      assert.deepEqual(
        ((await res.json()) as Record<string, Record<string, unknown>>)['connected_account']?.['status'],
        'DISCONNECTED',
      );

      const del = await received(
        await post('/api/v1/connected_accounts:delete', { connector: 'c', identifier: 'u' }),
        'scalekit.v1.connected_accounts.ConnectedAccountService/DeleteConnectedAccount',
      );
      assert.equal(del['identifier'], 'u');
      const def = await received(
        await post('/api/v1/tools:set_default', { name: 'gmail_send', tool_version: 'v2' }),
        'scalekit.v1.tools.ToolService/SetToolDefault',
      );
      assert.deepEqual([def['name'], def['tool_version']], ['gmail_send', 'v2']);
      const enable = await received(
        await call('/api/v1/connections/conn_1:enable', { method: 'PATCH' }),
        'scalekit.v1.connections.ConnectionService/EnableEnvironmentConnection',
      );
      assert.equal(enable['connection_id'], 'conn_1');
      const state = await received(
        await call('/api/v1/mcp/instances/inst_1:get_auth_state?include_auth_links=true', { method: 'POST' }),
        'scalekit.v1.mcp.McpService/GetMcpInstanceAuthState',
      );
      assert.deepEqual([state['instance_id'], state['include_auth_links']], ['inst_1', true]);
      const token = await received(
        await post('/api/v1/mcp/connections/MY_GMAIL/tokens', { identifier: 'u1', expiry: '600s' }),
        'scalekit.v1.mcp.McpService/CreateMcpSessionToken',
      );
      assert.deepEqual([token['key_id'], token['identifier'], token['expiry']], ['MY_GMAIL', 'u1', '600s']);
    });

    it('answers 405 with Allow for a known path and another method, and falls through for unknown paths', async () => {
      const res = await call('/api/v1/execute_tool');
      await error(res, 405, 12);
      assert.equal(res.headers.get('allow'), 'POST');
      assert.equal((await call('/api/v1/no_such_thing')).status, 404);
    });

    it('rejects malformed percent-encoding with 400', async () => {
      await error(await call('/api/v1/connected_accounts/%E0%A4%A'), 400, 3);
    });
  });

  describe('query parameters', () => {
    it('maps nested, repeated and boolean wrapper fields, ignoring unknown parameters', async () => {
      const req = await received(
        await call(
          '/api/v1/tools?filter.tool_name=a&filter.tool_name=b&filter.summary=true&filter.provider=GMAIL&page_size=5&cachebuster=1',
        ),
        'scalekit.v1.tools.ToolService/ListTools',
      );
      assert.deepEqual(req['filter'], {
        summary: true,
        provider: 'GMAIL',
        identifier: '',
        tool_name: ['a', 'b'],
      });
      assert.equal(req['page_size'], 5);
    });

    it('accepts lowerCamel names and enum names or numbers', async () => {
      const scoped = await received(
        await call(
          '/api/v1/tools/scoped?identifier=u1&filter.toolNames=x&filter.connection_names=C1&pageSize=7',
        ),
        'scalekit.v1.tools.ToolService/ListScopedTools',
      );
      assert.deepEqual(scoped['filter'], { providers: [], tool_names: ['x'], connection_names: ['C1'] });
      assert.equal(scoped['page_size'], 7);
      const byName = await received(
        await call('/api/v1/providers?filter.provider_type=CUSTOM'),
        'scalekit.v1.providers.ProviderService/ListProviders',
      );
      assert.deepEqual(byName['filter'], { provider_type: 'CUSTOM' });
      const byNumber = await received(
        await call('/api/v1/providers?filter.provider_type=2'),
        'scalekit.v1.providers.ProviderService/ListProviders',
      );
      assert.deepEqual(byNumber['filter'], { provider_type: 'ALL' });
    });

    it('rejects bad values naming the parameter', async () => {
      const bool = await error(await call('/api/v1/tools?filter.summary=yes'), 400, 3);
      assert.match(bool.message, /filter\.summary/);
      assert.deepEqual(violatedFields(bool), ['filter.summary']);
      assert.match((await error(await call('/api/v1/tools?page_size=abc'), 400, 3)).message, /page_size/);
      assert.match(
        (await error(await call('/api/v1/tools?page_size=1&page_size=2'), 400, 3)).message,
        /page_size/,
      );
      assert.match(
        (await error(await call('/api/v1/providers?filter.provider_type=NOPE'), 400, 3)).message,
        /provider_type/,
      );
    });
  });

  describe('bodies', () => {
    it('body "*": accepts snake_case and lowerCamel names alike', async () => {
      const rpc = 'scalekit.v1.tools.ToolService/ExecuteTool';
      const snake = await received(
        await post('/api/v1/execute_tool', {
          tool_name: 'echo',
          identifier: 'u1',
          params: { a: [1, { b: null }] },
        }),
        rpc,
      );
      const camel = await received(
        await post('/api/v1/execute_tool', {
          toolName: 'echo',
          identifier: 'u1',
          params: { a: [1, { b: null }] },
        }),
        rpc,
      );
      assert.deepEqual(snake, camel);
      assert.deepEqual(snake['params'], { a: [1, { b: null }] });
      const res = await post('/api/v1/execute_tool', { tool_name: 'echo', params: { x: 'y' } });
      assert.deepEqual(await res.json(), { data: { echo: { x: 'y' } }, execution_id: 'exec_1' });
    });

    it('body "*" with a path variable: the path wins over the body', async () => {
      const req = await received(
        await post(
          '/api/v1/mcp/configs/cfg_1',
          {
            config_id: 'cfg_other',
            description: 'd',
            connectionToolMappings: [{ connection_name: 'C', tools: ['t'] }],
          },
          'PUT',
        ),
        'scalekit.v1.mcp.McpService/UpdateMcpConfig',
      );
      assert.equal(req['config_id'], 'cfg_1');
      assert.equal(req['description'], 'd');
      assert.deepEqual(req['connection_tool_mappings'], [
        { connection_id: '', connection_name: 'C', provider: '', tools: ['t'] },
      ]);
    });

    it('body field: the body is that field, other fields come from the query', async () => {
      const cfg = await received(
        await post('/api/v1/mcp/configs', { name: 'daily', connection_tool_mappings: [] }),
        'scalekit.v1.mcp.McpService/CreateMcpConfig',
      );
      assert.equal((cfg['config'] as Record<string, unknown>)['name'], 'daily');
      const conn = await received(
        await post('/api/v1/connections?flags.is_app=true&connection.provider_key=ignored', {
          provider_key: 'gmail',
          type: 'OAUTH',
          keyId: 'MY_GMAIL',
        }),
        'scalekit.v1.connections.ConnectionService/CreateEnvironmentConnection',
      );
      assert.deepEqual(conn['connection'], {
        provider: 'CONNECTION_PROVIDER_UNSPECIFIED',
        type: 'OAUTH',
        provider_key: 'gmail',
        key_id: 'MY_GMAIL',
      });
      assert.deepEqual(conn['flags'], { is_login: false, is_app: true });
    });

    it('round-trips Struct, Timestamp, BoolValue, repeated and enum values in JSON', async () => {
      const tool = {
        id: 't1',
        provider: 'GMAIL',
        definition: { name: 'gmail_send', input_schema: { type: 'object', required: ['to'] } },
        metadata: {},
        tags: ['mail'],
        is_default: false,
        updated_at: '2026-01-02T03:04:05.500Z',
      };
      const res = await post('/api/v1/tools', tool);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { tool });
    });

    it('emits maps and unset scalars, omits unset messages', async () => {
      const res = await call('/api/v1/providers');
      const body = (await res.json()) as { providers: Record<string, unknown>[] };
      assert.deepEqual(body.providers[0]?.['metadata'], { k: 'v' });
      assert.equal(body.providers[0]?.['coming_soon'], false);
      assert.equal('auth_patterns' in (body.providers[0] ?? {}), false);
    });

    it('an empty body is an empty message', async () => {
      await received(
        await post('/api/v1/connected_accounts:delete', ''),
        'scalekit.v1.connected_accounts.ConnectedAccountService/DeleteConnectedAccount',
      );
    });
  });

  describe('rejections', () => {
    it('unknown fields → 400 naming the field (top level and nested)', async () => {
      const top = await error(await post('/api/v1/execute_tool', { tool_name: 'x', tool_input: {} }), 400, 3);
      assert.match(top.message, /unknown field "tool_input"/);
      const nested = await error(
        await post('/api/v1/connected_accounts', {
          connector: 'c',
          connected_account: { authorization_details: { oauth_token: { acces_token: 'x' } } },
        }),
        400,
        3,
      );
      assert.deepEqual(violatedFields(nested), [
        'connected_account.authorization_details.oauth_token.acces_token',
      ]);
    });

    it('invalid JSON, non-object bodies, bad UTF-8 and type errors → 400', async () => {
      assert.match(
        (await error(await post('/api/v1/execute_tool', '{"tool_name": '), 400, 3)).message,
        /invalid JSON/,
      );
      await error(await post('/api/v1/execute_tool', '[1,2]'), 400, 3);
      await error(
        await post('/api/v1/execute_tool', new Uint8Array([0x7b, 0xff, 0x7d]) as unknown as string),
        400,
        3,
      );
      assert.match(
        (await error(await post('/api/v1/execute_tool', { tool_name: 5 }), 400, 3)).message,
        /tool_name/,
      );
      assert.match(
        (await error(await post('/api/v1/execute_tool', { params: 'x' }), 400, 3)).message,
        /params/,
      );
    });

    it('a body over the limit → 413, declared or streamed', async () => {
      const big = JSON.stringify({ tool_name: 'x', params: { pad: 'y'.repeat(5000) } });
      await error(await post('/api/v1/execute_tool', big), 413, 8);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(' '.repeat(1000)));
          c.close();
        },
      });
      const res = await fetch(`${fx.url}/api/v1/execute_tool`, {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      } as RequestInit);
      await error(res, 413, 8);
    });

    it('a non-JSON content type → 415; text/plain (fetch default) is accepted', async () => {
      await error(
        await post('/api/v1/execute_tool', 'tool_name=x', 'POST', 'application/x-www-form-urlencoded'),
        415,
        3,
      );
      await received(
        await post('/api/v1/execute_tool', { tool_name: 'echo' }, 'POST', 'text/plain;charset=UTF-8'),
        'scalekit.v1.tools.ToolService/ExecuteTool',
      );
    });

    it('no or a bad token → 401 with WWW-Authenticate, before the body is read', async () => {
      const before = fx.calls.length;
      const res = await fetch(`${fx.url}/api/v1/execute_tool`, { method: 'POST', body: '{not json' });
      const body = await error(res, 401, 16);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal(body.details[0]?.['error_code'], 'UNAUTHENTICATED');
      assert.equal(fx.calls.length, before);
    });
  });

  describe('error bodies', () => {
    it('are grpc-gateway shaped with an ErrorInfo detail carrying the request id', async () => {
      const res = await call('/api/v1/connected_accounts/auth?identifier=missing', {
        headers: { 'x-request-id': 'req-abc.1' },
      });
      assert.equal(res.headers.get('x-request-id'), 'req-abc.1');
      assert.deepEqual(await error(res, 404, 5), {
        code: 5,
        message: 'connected account not found',
        details: [
          {
            '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo',
            error_code: 'NOT_FOUND',
            request_info: { request_id: 'req-abc.1', serving_data: '' },
          },
        ],
      });
    });

    it('carry field violations in snake_case', async () => {
      const body = await error(
        await post('/api/v1/connected_accounts', { connector: 'c', identifier: 'u' }),
        400,
        3,
      );
      assert.deepEqual(body.details[0]?.['validation_error_info'], {
        field_violations: [
          {
            field: 'connected_account.authorization_details',
            description: 'value is required',
            constraint: '',
          },
          { field: 'identifier', description: 'must not be empty', constraint: 'min_len' },
        ],
      });
    });

    it('carry tool_error_info for provider failures', async () => {
      const body = await error(await post('/api/v1/execute_tool', { tool_name: 'provider_fails' }), 503, 14);
      assert.equal(body.details[0]?.['error_code'], 'TOOL_ERROR');
      assert.deepEqual(body.details[0]?.['tool_error_info'], {
        execution_id: 'exec_43',
        tool_error_message: 'upstream 502',
        tool_error_code: '502',
      });
    });

    it('hide unexpected errors', async () => {
      const body = await error(await post('/api/v1/execute_tool', { tool_name: 'crashes' }), 500, 13);
      assert.equal(body.message, 'internal error');
      assert.doesNotMatch(JSON.stringify(body), /hunter2/);
    });
  });
});
