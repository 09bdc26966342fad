/**
 * Compatibility: the REST API with plain fetch, as Scalekit's API reference documents it. Every
 * operation of `agentkit-openapi.yaml` is called at its documented path with its documented JSON,
 * and every success response is validated against the documented response schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { completeLink, ROOT, sharedDev } from './harness.ts';

const SPEC_FILE = join(ROOT, '../shared/reference/scalekit/agentkit-openapi.yaml');

interface Operation {
  method: string;
  path: string;
  success: Record<string, { content?: { 'application/json'?: { schema?: unknown } } }>;
}

const spec = YAML.parse(readFileSync(SPEC_FILE, 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; responses: Operation['success'] }>>;
  components: Record<string, unknown>;
};
const operations = new Map<string, Operation>();
for (const [path, ops] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    if (!op.operationId) continue;
    const success = Object.fromEntries(Object.entries(op.responses).filter(([code]) => code.startsWith('2')));
    operations.set(op.operationId, { method: method.toUpperCase(), path, success });
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'agentkit', components: spec.components });
/** `#/components/…` refs inside the document resolve against it. */
const rebase = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"agentkit#/'));

describe('compat: REST API per agentkit-openapi.yaml', () => {
  const shared = sharedDev();
  const exercised = new Set<string>();

  /** Calls an operation by id; checks a success against its documented status codes and schema. */
  async function call(
    operationId: string,
    opts: { params?: Record<string, string>; query?: Record<string, string | string[]>; body?: unknown } = {},
  ): Promise<{ status: number; json: Record<string, any> }> {
    const op = operations.get(operationId);
    assert.ok(op, `${operationId} is in the reference`);
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(opts.params?.[name] ?? assert.fail(`${operationId}: path parameter ${name}`)),
    );
    const url = new URL(path, shared.dev().url);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    }
    const res = await fetch(url, {
      method: op.method,
      headers: {
        authorization: `Bearer ${shared.token()}`,
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Record<string, any>;
    if (res.status >= 200 && res.status < 300) {
      const documented = op.success[String(res.status)];
      assert.ok(
        documented,
        `${operationId}: ${res.status} is not a documented success (${Object.keys(op.success)})`,
      );
      const schema = documented.content?.['application/json']?.schema;
      if (schema) {
        const validate = ajv.compile(rebase(schema) as object);
        assert.ok(
          validate(json),
          `${operationId} response: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
        );
      }
      exercised.add(operationId);
    }
    return { status: res.status, json };
  }

  it('connected accounts: create, list, read with and without secrets, update, search, delete', async () => {
    const key = shared.dev().sandbox.providers['acmecrm']!.apiKey!.perUser['alice']!;
    const created = await call('ConnectedAccountService_CreateConnectedAccount', {
      body: {
        connector: 'acmecrm',
        identifier: 'rest_user',
        connected_account: { authorization_details: { static_auth: { details: { api_key: key } } } },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const account = created.json['connected_account'];
    assert.equal(account.status, 'ACTIVE');
    assert.equal(account.authorization_type, 'API_KEY');
    assert.match(account.id, /^ca_/);

    const listed = await call('ConnectedAccountService_ListConnectedAccounts', {
      query: { identifier: 'rest_user', connection_names: ['acmecrm'], page_size: '10' },
    });
    assert.deepEqual(
      listed.json['connected_accounts'].map((a: { id: string }) => a.id),
      [account.id],
    );
    assert.equal(listed.json['total_size'], 1);

    const auth = await call('ConnectedAccountService_GetConnectedAccountAuth', {
      query: { connector: 'acmecrm', identifier: 'rest_user' },
    });
    assert.equal(auth.json['connected_account'].authorization_details.static_auth.details.api_key, key);
    const details = await call('ConnectedAccountService_GetConnectedAccountDetails', {
      query: { id: account.id },
    });
    assert.equal(details.json['connected_account'].id, account.id);

    const updated = await call('ConnectedAccountService_UpdateConnectedAccount', {
      body: {
        connector: 'acmecrm',
        identifier: 'rest_user',
        connected_account: { api_config: { region: 'eu' } },
      },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.deepEqual(updated.json['connected_account'].api_config, { region: 'eu' });

    const found = await call('ConnectedAccountService_SearchConnectedAccounts', {
      query: { query: 'rest_', page_size: '5' },
    });
    assert.ok(
      found.json['connected_accounts'].some((a: { id: string }) => a.id === account.id),
      JSON.stringify(found.json),
    );

    const deleted = await call('ConnectedAccountService_DeleteConnectedAccount', {
      body: { connector: 'acmecrm', identifier: 'rest_user' },
    });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
    const gone = await call('ConnectedAccountService_GetConnectedAccountAuth', {
      query: { connector: 'acmecrm', identifier: 'rest_user' },
    });
    assert.equal(gone.status, 404);
    assert.equal(typeof gone.json['message'], 'string');
  });

  it('authorization link with user verification', async () => {
    const link = await call('ConnectedAccountService_GetMagicLinkForConnectedAccount', {
      body: {
        connector: 'github',
        identifier: 'rest_verify',
        state: 'st-1',
        user_verify_url: 'https://app.example/verify',
      },
    });
    assert.equal(link.status, 200, JSON.stringify(link.json));
    assert.ok(Date.parse(link.json['expiry']) > Date.now(), 'expiry is an RFC 3339 time in the future');
    // Consent by redirects, stopping where the browser would reach the app's verify page.
    let url = link.json['link'] as string;
    let verifyAt: URL | undefined;
    for (let i = 0; i < 10 && !verifyAt; i++) {
      const res = await fetch(url, { redirect: 'manual' });
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? assert.fail(`no redirect from ${url}`), url);
      if (next.origin === 'https://app.example') verifyAt = next;
      url = next.toString();
    }
    assert.ok(verifyAt);
    assert.equal(verifyAt.searchParams.get('state'), 'st-1');
    const refused = await call('ConnectedAccountService_VerifyConnectedAccountUser', {
      body: { auth_request_id: verifyAt.searchParams.get('auth_request_id'), identifier: 'someone_else' },
    });
    assert.equal(refused.status, 403);
    const verified = await call('ConnectedAccountService_VerifyConnectedAccountUser', {
      body: { auth_request_id: verifyAt.searchParams.get('auth_request_id'), identifier: 'rest_verify' },
    });
    assert.equal(verified.status, 200, JSON.stringify(verified.json));
    assert.match(verified.json['post_user_verify_redirect_url'], /^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('tools: list, scoped, available, execute (params, and the documented tool_input spelling)', async () => {
    const link = await call('ConnectedAccountService_GetMagicLinkForConnectedAccount', {
      body: { connector: 'gmail', identifier: 'rest_tools' },
    });
    await completeLink(link.json['link']);

    const listed = await call('ToolService_ListTools', {
      query: { 'filter.connector': 'gmail', 'filter.identifier': 'rest_tools', page_size: '50' },
    });
    const names = listed.json['tools'].map((t: { definition: { name: string } }) => t.definition.name);
    assert.ok(names.includes('gmail_fetch_mails'), names.join());
    const byName = await call('ToolService_ListTools', {
      query: { 'filter.tool_name': 'gmail_list_labels', 'filter.summary': 'true' },
    });
    assert.deepEqual(byName.json['tool_names'], ['gmail_list_labels']);

    const scoped = await call('ToolService_ListScopedTools', {
      query: { identifier: 'rest_tools', 'filter.connection_names': 'gmail', page_size: '100' },
    });
    assert.ok(scoped.json['tools'].length >= 4);
    assert.equal(scoped.json['tools'][0].identifier, 'rest_tools');
    assert.match(scoped.json['tools'][0].connected_account_id, /^ca_/);
    const available = await call('ToolService_ListAvailableTools', {
      query: { identifier: 'rest_tools', page_size: '100' },
    });
    assert.ok(available.json['tools'].length >= names.length);

    const run = await call('ToolService_ExecuteTool', {
      body: { tool_name: 'gmail_list_labels', identifier: 'rest_tools', connector: 'gmail', params: {} },
    });
    assert.equal(run.status, 200, JSON.stringify(run.json));
    assert.ok(Array.isArray(run.json['data'].labels), JSON.stringify(run.json));
    assert.match(run.json['execution_id'], /^exec_/);
    // The reference's curl sample spells the input `tool_input`; the proto field is `params`.
    const sample = await call('ToolService_ExecuteTool', {
      body: { tool_name: 'gmail_fetch_mails', identifier: 'rest_tools', tool_input: { max_results: 1 } },
    });
    assert.equal(sample.status, 200, JSON.stringify(sample.json));
    assert.equal(sample.json['data'].messages.length, 1, 'tool_input reached the tool');
  });

  it('custom providers: an MCP connector created, updated and deleted', async () => {
    const created = await call('ProviderService_CreateCustomProvider', {
      body: {
        display_name: 'Docs Search',
        description: 'Our docs MCP server',
        proxy_url: 'http://127.0.0.1:9/mcp',
        auth_patterns: [{ type: 'BEARER', display_name: 'Token', is_mcp: true }],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const identifier = created.json['provider'].identifier as string;
    assert.equal(created.json['provider'].is_custom_mcp, true);
    const updated = await call('ProviderService_UpdateCustomProvider', {
      params: { identifier },
      body: { proxy_url: 'http://127.0.0.1:10/mcp' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal(updated.json['provider'].proxy_url, 'http://127.0.0.1:10/mcp');
    const deleted = await call('ProviderService_DeleteCustomProvider', { params: { identifier } });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
  });

  it('MCP configurations: create, get, list, update, connected accounts, session token, delete', async () => {
    const key = shared.dev().sandbox.providers['acmecrm']!.apiKey!.perUser['alice']!;
    const account = await call('ConnectedAccountService_CreateConnectedAccount', {
      body: {
        connector: 'acmecrm',
        identifier: 'rest_mcp_user',
        connected_account: { authorization_details: { static_auth: { details: { api_key: key } } } },
      },
    });
    assert.equal(account.status, 201, JSON.stringify(account.json));
    const created = await call('McpService_CreateMcpConfig', {
      body: {
        name: 'rest-mcp',
        description: 'CRM assistant',
        connection_tool_mappings: [{ connection_name: 'acmecrm', tools: ['acmecrm_list_contacts'] }],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const config = created.json['config'];
    assert.match(config.mcp_server_url, /\/mcp\/v3\/servers\/[0-9a-f-]{36}$/);
    const got = await call('McpService_GetMcpConfig', { params: { config_id: config.id } });
    assert.deepEqual(got.json['config'], config);
    const listed = await call('McpService_ListMcpConfigs', {
      query: { 'filter.name': 'rest-mcp', page_size: '30' },
    });
    assert.deepEqual(
      listed.json['configs'].map((c: { id: string }) => c.id),
      [config.id],
    );
    const updated = await call('McpService_UpdateMcpConfig', {
      params: { config_id: config.id },
      body: { description: 'CRM assistant, v2' },
    });
    assert.equal(updated.json['config'].description, 'CRM assistant, v2');
    const states = await call('McpService_ListMcpConnectedAccounts', {
      params: { config_id: config.id },
      body: { identifier: 'rest_mcp_user' },
    });
    assert.deepEqual(
      states.json['connected_accounts'].map(
        (a: { connected_account_status: string }) => a.connected_account_status,
      ),
      ['ACTIVE'],
    );
    const token = await call('McpService_CreateMcpSessionToken', {
      params: { mcp_config_id: config.id },
      body: { identifier: 'rest_mcp_user', expiry: '600s' },
    });
    assert.equal(token.status, 200, JSON.stringify(token.json));
    assert.equal(token.json['token'].split('.').length, 3);
    const deleted = await call('McpService_DeleteMcpConfig', { params: { config_id: config.id } });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
  });

  it('every operation of the reference was called and answered as documented', () => {
    assert.deepEqual([...operations.keys()].filter((id) => !exercised.has(id)).sort(), []);
  });
});
