/**
 * The OpenAPI document generated from the descriptors: valid OpenAPI 3.1 (checked against the
 * official schema by @seriousme/openapi-schema-validator), one operation per annotated binding,
 * snake_case property names, resolvable references.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DescService, getOption, hasOption } from '@bufbuild/protobuf';
import { Validator } from '@seriousme/openapi-schema-validator';
import { http } from '../../src/gen/google/api/annotations_pb.js';
import type { HttpRule } from '../../src/gen/google/api/http_pb.js';
import { ConnectedAccountService } from '../../src/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ConnectionService } from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { McpService } from '../../src/gen/scalekit/v1/mcp/mcp_pb.js';
import { ProviderService } from '../../src/gen/scalekit/v1/providers/providers_pb.js';
import { ToolService } from '../../src/gen/scalekit/v1/tools/tools_pb.js';
import { createCompatTransport, defineService } from '../../src/transports/compat/index.ts';

const SERVICES: DescService[] = [
  ToolService,
  ConnectedAccountService,
  ConnectionService,
  McpService,
  ProviderService,
];

const transport = createCompatTransport({
  services: SERVICES.map((s) => defineService(s, {})),
  authenticate: async () => ({ environmentId: 'e', clientId: 'c' }),
});
const doc = transport.openapi({ version: '0.1.0' });

type Op = {
  operationId: string;
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
} & Record<string, unknown>;
const op = (path: string, verb: string): Op => {
  const found = doc.paths[path]?.[verb] as Op | undefined;
  assert.ok(found, `${verb.toUpperCase()} ${path} missing`);
  return found;
};

/** Every (verb, path) of every annotated RPC, read independently from the descriptors. */
function expectedOperations(): string[] {
  const out: string[] = [];
  const add = (rule: HttpRule) => {
    const p = rule.pattern;
    if (p.case === undefined) return;
    const verb = p.case === 'custom' ? p.value.kind.toLowerCase() : p.case;
    const path = p.case === 'custom' ? p.value.path : p.value;
    out.push(`${verb} ${path.replace(/\{([^}=]+)=[^}]*\}/g, '{$1}')}`);
  };
  for (const s of SERVICES) {
    for (const m of s.methods) {
      if (!hasOption(m, http)) continue;
      const rule = getOption(m, http);
      add(rule);
      for (const extra of rule.additionalBindings) add(extra);
    }
  }
  return out.sort();
}

function* walk(value: unknown): Generator<[string, unknown]> {
  if (Array.isArray(value)) for (const v of value) yield* walk(v);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      yield [k, v];
      yield* walk(v);
    }
  }
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(structuredClone(doc) as unknown as Record<string, unknown>);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    // The validator does reject a broken document.
    const broken = structuredClone(doc) as unknown as { paths: Record<string, unknown> };
    broken.paths['/x'] = { get: { responses: 'none' } };
    assert.equal((await new Validator().validate(broken)).valid, false);
  });

  it('lists every annotated RPC binding, and nothing else', () => {
    const listed = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((verb) => `${verb} ${path}`))
      .sort();
    const expected = expectedOperations();
    assert.equal(expected.length, 58); // 53 RPCs, 5 additional bindings
    assert.deepEqual(listed, expected);
    const ids = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((o) => (o as Op).operationId),
    );
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.equal(
      op('/api/v1/connected_accounts/{id}:disconnect', 'post').operationId,
      'ConnectedAccountService_DisconnectConnectedAccount',
    );
    assert.equal(
      op('/api/v1/connected_accounts/{id}', 'get').operationId,
      'ConnectedAccountService_GetConnectedAccount2',
    );
  });

  it('declares every path variable as a required path parameter', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const vars = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const o of Object.values(ops) as Op[]) {
        const declared = (o.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        assert.deepEqual(declared.sort(), vars.sort(), `${o.operationId} ${path}`);
      }
    }
  });

  it('uses snake_case property and parameter names', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const [key, value] of walk(schema)) {
        if (key !== 'properties') continue;
        for (const prop of Object.keys(value as object)) {
          assert.match(prop, /^(@type|[a-z][a-z0-9_]*)$/, `${name}.${prop}`);
        }
      }
    }
    const execute = doc.components.schemas['scalekit.v1.tools.ExecuteToolRequest'] as { properties: object };
    assert.deepEqual(Object.keys(execute.properties), [
      'tool_name',
      'identifier',
      'params',
      'connected_account_id',
      'connector',
      'organization_id',
      'user_id',
      'agent_run_id',
    ]);
    const list = op('/api/v1/tools', 'get').parameters ?? [];
    const byName = Object.fromEntries(list.map((p) => [p.name, p.schema]));
    assert.deepEqual(byName['filter.tool_name'], { type: 'array', items: { type: 'string' } });
    assert.deepEqual(byName['filter.summary'], { type: 'boolean' });
    assert.equal(byName['page_size']?.['type'], 'integer');
  });

  it('describes bodies: "*" minus path fields, a named field, or none', () => {
    const update = op('/api/v1/mcp/configs/{config_id}', 'put') as unknown as {
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
    };
    const ref = update.requestBody.content['application/json']?.schema.$ref ?? '';
    const body = doc.components.schemas[ref.replace('#/components/schemas/', '')] as { properties: object };
    assert.deepEqual(Object.keys(body.properties), ['description', 'connection_tool_mappings']);
    const create = op('/api/v1/mcp/configs', 'post') as unknown as {
      requestBody: { content: Record<string, { schema: unknown }> };
    };
    assert.deepEqual(create.requestBody.content['application/json']?.schema, {
      $ref: '#/components/schemas/scalekit.v1.mcp.McpConfig',
    });
    assert.equal('requestBody' in op('/api/v1/tools', 'get'), false);
  });

  it('has only resolvable references and uses names for enums and formats for WKTs', () => {
    for (const [key, value] of walk(doc)) {
      if (key !== '$ref') continue;
      const name = String(value).replace('#/components/schemas/', '');
      assert.ok(name in doc.components.schemas, `dangling ${String(value)}`);
    }
    const account = doc.components.schemas['scalekit.v1.connected_accounts.ConnectedAccount'] as {
      properties: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(account.properties['status']?.['enum'], [
      'CONNECTION_STATUS_UNSPECIFIED',
      'ACTIVE',
      'EXPIRED',
      'PENDING_AUTH',
      'PENDING_VERIFICATION',
      'DISCONNECTED',
    ]);
    assert.deepEqual(account.properties['updated_at'], { type: 'string', format: 'date-time' });
    assert.deepEqual(account.properties['api_config'], { type: 'object', additionalProperties: true });
  });
});
