/** The declarative HTTP executor's mapping features, on a small custom connector loaded from JSON. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConnectorDefinition,
  loadConnector,
  ProviderError,
  runTool,
  ToolInputError,
} from '../src/index.ts';
import { json, recordingRuntime } from './helpers.ts';

const READ = { read_only_hint: true, destructive_hint: false, idempotent_hint: true, open_world_hint: true };

/** A custom connector as the API would receive it: plain JSON, no functions. */
const custom: unknown = JSON.parse(
  JSON.stringify({
    slug: 'acme',
    display_name: 'Acme',
    description: 'Acme tickets',
    categories: ['Support'],
    kind: 'rest',
    auth: {
      type: 'bearer',
      field: 'token',
      fields: [{ name: 'token', label: 'API token', type: 'password', required: true }],
      test_call: { method: 'GET', path: '/me', expect_status: [200] },
    },
    api: {
      base_url: 'https://{{subdomain}}.acme.example/api',
      variables: [{ name: 'subdomain', kind: 'host', source: 'account', label: 'Subdomain' }],
    },
    errors: {
      error_when_body: { path: 'status', equals: 'error' },
      code: 'error.kind',
      message: 'error.text',
    },
    tools: [
      {
        name: 'acme_search',
        description: 'Search tickets.',
        input_schema: {
          type: 'object',
          properties: {
            team: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' } },
            ids: { type: 'array', items: { type: 'integer' } },
            limit: { type: 'integer' },
            trace: { type: 'string' },
          },
          required: ['team'],
          additionalProperties: false,
        },
        annotations: READ,
        executor: {
          type: 'http',
          method: 'GET',
          path: '/teams/{team_slug}/tickets',
          path_params: { team_slug: { from: 'team' } },
          query: {
            tag: { from: 'tags' },
            ids: { from: 'ids', join: ',' },
            per_page: { from: 'limit', default: 25 },
            v: { const: 2 },
          },
          headers: { 'X-Trace': { from: 'trace' } },
          response: { pick: 'data.page', omit: ['cursor_internal'], rename: { rows: 'tickets' } },
        },
      },
      {
        name: 'acme_update',
        description: 'Update a ticket.',
        input_schema: {
          type: 'object',
          properties: { id: { type: 'string' }, title: { type: 'string' }, urgent: { type: 'boolean' } },
          required: ['id'],
        },
        annotations: { ...READ, read_only_hint: false, idempotent_hint: true },
        executor: {
          type: 'http',
          method: 'PATCH',
          path: '/tickets/{id}',
          body: {
            encoding: 'json',
            fields: {
              'ticket.title': { from: 'title' },
              'ticket.priority.urgent': { from: 'urgent' },
              source: { const: 'latchkey' },
            },
          },
          response: { pick: 'ticket.id', wrap: 'id' },
        },
      },
      {
        name: 'acme_note',
        description: 'Add a note (form body).',
        input_schema: {
          type: 'object',
          properties: { id: { type: 'string' }, lines: { type: 'array', items: { type: 'string' } } },
        },
        annotations: { ...READ, read_only_hint: false, idempotent_hint: false },
        executor: {
          type: 'http',
          method: 'POST',
          path: '/tickets/{id}/notes',
          body: {
            encoding: 'form',
            fields: { text: { from: 'lines', join: '\n' }, meta: { const: { a: 1 } } },
          },
        },
      },
    ],
  }),
);

const tool = (def: ConnectorDefinition, name: string) => def.tools.find((t) => t.name === name)!;

describe('declarative HTTP executor', () => {
  const def = loadConnector(custom);

  it('maps path, repeated and joined query values, defaults, constants, headers; shapes the response', async () => {
    const rt = recordingRuntime(() =>
      json(200, { status: 'ok', data: { page: { rows: [1, 2], cursor_internal: 'x', next: 'n' } } }),
    );
    const data = await runTool(
      def,
      tool(def, 'acme_search'),
      { team: 'core', tags: ['a', 'b'], ids: [3, 4], trace: 't-1' },
      rt,
    );
    assert.deepEqual(rt.requests, [
      {
        method: 'GET',
        path: '/teams/core/tickets',
        query: { tag: ['a', 'b'], ids: '3,4', per_page: '25', v: '2' },
        headers: { 'X-Trace': 't-1' },
      },
    ]);
    assert.deepEqual(data, { tickets: [1, 2], next: 'n' });
  });

  it('nests JSON body fields and wraps a scalar result', async () => {
    const rt = recordingRuntime(() => json(200, { ticket: { id: 'T-9' } }));
    const data = await runTool(def, tool(def, 'acme_update'), { id: 'T-9', urgent: true }, rt);
    assert.deepEqual(rt.requests[0], {
      method: 'PATCH',
      path: '/tickets/T-9',
      body: { json: { ticket: { priority: { urgent: true } }, source: 'latchkey' } },
    });
    assert.deepEqual(data, { id: 'T-9' });
  });

  it('form bodies carry text (joined arrays, JSON for objects)', async () => {
    const rt = recordingRuntime();
    await runTool(def, tool(def, 'acme_note'), { id: '1', lines: ['a', 'b'] }, rt);
    assert.deepEqual(rt.requests[0]?.body, { form: { text: 'a\nb', meta: '{"a":1}' } });
  });

  it('refuses header injection and missing path values', async () => {
    const rt = recordingRuntime();
    await assert.rejects(
      runTool(def, tool(def, 'acme_search'), { team: 'x', trace: 'a\r\nHost: evil' }, rt),
      ToolInputError,
    );
    await assert.rejects(runTool(def, tool(def, 'acme_note'), { lines: [] }, rt), /id: is required/);
    assert.equal(rt.requests.length, 0);
  });

  it('applies the declared error shape to 2xx bodies', async () => {
    const rt = recordingRuntime(() =>
      json(200, { status: 'error', error: { kind: 'locked', text: 'Ticket is locked' } }),
    );
    const e = await runTool(def, tool(def, 'acme_update'), { id: '1' }, rt).catch((x: unknown) => x);
    assert.ok(e instanceof ProviderError);
    assert.deepEqual([e.status, e.code, e.providerMessage], [400, 'locked', 'Ticket is locked']);
  });
});
