/**
 * How the gateway becomes a client of an MCP authorization server, and how upstream tools are
 * named and annotated: the client ID metadata document the gateway serves, the fallback to dynamic
 * registration when the authorization server does not take such documents, one registration per
 * connection, and the tool-definition mapping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toolNameFor, toToolDefinition } from '../../src/upstream/discovery.ts';
import { followLink, startStack } from '../helpers/stack.ts';

type Obj = Record<string, unknown>;

describe('MCP client registration', () => {
  it('serves a client ID metadata document; falls back to dynamic registration when the AS does not accept one', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: {} });
    if (!stack) return;
    const { gw, sandbox, sdk } = stack;
    const env = stack.environmentId;
    await gw.services.customConnectors.createMcp(env, {
      slug: 'docsmcp',
      displayName: 'Docs MCP',
      serverUrl: sandbox.urls.mcpServer,
      auth: { type: 'oauth', registration: 'client_id_metadata_document' },
    });
    const conn = await gw.services.connections.create(env, { connector: 'docsmcp', name: 'docs' });

    const url = `${gw.url}/mcp-clients/${conn.id}/client.json`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Obj;
    assert.equal(doc['client_id'], url, 'the document URL is the client id');
    assert.deepEqual(doc['redirect_uris'], [conn.redirectUri]);
    assert.equal(doc['token_endpoint_auth_method'], 'none');
    assert.equal((await fetch(`${gw.url}/mcp-clients/conn_nope/client.json`)).status, 404);

    // The sandbox's authorization server does not advertise client_id_metadata_document_supported.
    const { link } = await sdk.actions.getAuthorizationLink({ connectionName: 'docs', identifier: 'u1' });
    assert.equal((await followLink(link)).status, 200);
    const [client] = await gw.store.db.selectFrom('mcp_clients').selectAll().execute();
    assert.ok(client && client.client_id !== url, 'registered dynamically instead');
    const out = await sdk.actions.executeTool({
      toolName: 'docsmcp_list_projects',
      connector: 'docs',
      identifier: 'u1',
      toolInput: {},
    });
    assert.ok((out.data as Obj)['structuredContent']);

    // A second user of the same connection reuses the registered client.
    const second = await sdk.actions.getAuthorizationLink({ connectionName: 'docs', identifier: 'u2' });
    assert.equal((await followLink(second.link)).status, 200);
    assert.equal((await gw.store.db.selectFrom('mcp_clients').selectAll().execute()).length, 1);
  });

  it('a dynamically registering connection serves no metadata document', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: { sanitymcp: 'sanitymcp' } });
    if (!stack) return;
    const conn = await stack.gw.services.connections.findByName(stack.environmentId, 'sanitymcp');
    assert.equal((await fetch(`${stack.gw.url}/mcp-clients/${conn!.id}/client.json`)).status, 404);
  });
});

describe('upstream tool definitions', () => {
  it('names tools <prefix>_<tool> with characters clients refuse replaced, and maps annotations with MCP defaults', () => {
    assert.equal(toolNameFor('acme', 'search'), 'acme_search');
    assert.equal(toolNameFor('acme', 'docs.search/v2'), 'acme_docs_search_v2');
    assert.equal(toolNameFor('acme', 'x'.repeat(100)).length, 64);
    const def = toToolDefinition('acme', { name: 'write', inputSchema: { properties: {} } });
    assert.deepEqual(def?.annotations, {
      read_only_hint: false,
      destructive_hint: true,
      idempotent_hint: false,
      open_world_hint: true,
    });
    assert.equal(def?.input_schema['type'], 'object', 'a missing root type is object');
    assert.deepEqual(def?.executor, { type: 'mcp', upstream_name: 'write' });
    assert.equal(def?.description, 'write (from the upstream MCP server)');
    const titled = toToolDefinition('acme', {
      name: 'read',
      title: 'Read things',
      inputSchema: { type: 'object' },
      outputSchema: { type: 'object' },
      annotations: { readOnlyHint: true, destructiveHint: true },
    });
    assert.equal(titled?.display_name, 'Read things');
    assert.equal(titled?.annotations.destructive_hint, false, 'read-only tools are not destructive');
    assert.deepEqual(titled?.output_schema, { type: 'object' });
    assert.equal(toToolDefinition('acme', { name: 'bad', inputSchema: { type: 'string' } }), undefined);
    assert.equal(toToolDefinition('acme', { inputSchema: { type: 'object' } }), undefined);
  });
});
