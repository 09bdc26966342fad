/**
 * The tools are called by name and parameters by existing Scalekit user code: names, parameter
 * names, types and required flags must match the catalog index exactly. Every schema must compile
 * as JSON Schema 2020-12 (strict mode) and have a root object type.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { builtinConnectors, listToolSchemas } from '../src/index.ts';
import { CATALOG_INDEX, referenceMissing } from './helpers.ts';

interface IndexParam {
  name: string;
  type: string;
  required: boolean;
}
interface IndexConnector {
  kind: 'rest' | 'mcp';
  authType: string;
  categories: string[];
  tools: { name: string; params: IndexParam[] }[];
}

const skip = referenceMissing(CATALOG_INDEX);
const index = (): Record<string, IndexConnector> =>
  JSON.parse(readFileSync(CATALOG_INDEX, 'utf8')) as Record<string, IndexConnector>;

/** Aliases absent from the index; they share their tool's parameters. */
const ALIASES_NOT_IN_INDEX = new Set(['gmail_send_mail', 'gmail_search_mails', 'gmail_send_email']);

describe('tool schemas', () => {
  it('compile as JSON Schema 2020-12 in strict mode, root type object, no extra properties', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const entries = listToolSchemas(builtinConnectors({ includeSandboxOnly: true }));
    assert.ok(entries.length >= 22);
    for (const entry of entries) {
      const validate = ajv.compile(entry.input_schema);
      assert.equal(entry.input_schema['type'], 'object', entry.tool);
      assert.equal(entry.input_schema['additionalProperties'], false, entry.tool);
      assert.equal(validate({ definitely_not_a_param: 1 }), false, `${entry.tool} accepts unknown fields`);
    }
  });

  it('also compile as draft-07 (older clients)', () => {
    const ajv = new Ajv({ strict: true });
    for (const entry of listToolSchemas(builtinConnectors({ includeSandboxOnly: true })))
      ajv.compile(entry.input_schema);
  });

  it('accept what callers send and refuse wrong types', () => {
    const ajv = new Ajv2020({ strict: true });
    const byName = new Map(
      listToolSchemas(builtinConnectors()).flatMap((e) => e.names.map((n) => [n, e.input_schema])),
    );
    const check = (name: string, input: unknown): boolean => ajv.validate(byName.get(name)!, input);
    assert.ok(check('gmail_send_mail', { to: 'a@example.com', subject: 'Hi', body: 'Hello' }));
    assert.ok(!check('gmail_send_message', { to: 'a@example.com', subject: 'Hi' }));
    assert.ok(check('gmail_fetch_mails', { query: 'is:unread', max_results: 5, label_ids: ['INBOX'] }));
    assert.ok(!check('gmail_fetch_mails', { max_results: '5' }));
    assert.ok(check('github_issues_list', { owner: 'o', repo: 'r', per_page: 50 }));
    assert.ok(!check('notion_page_create', { notion_version: '2025-09-03\r\nX: y' }));
  });
});

describe('catalog index compatibility', { skip }, () => {
  it('every tool has the exact parameter names, types and required flags of the index', () => {
    const idx = index();
    for (const connector of builtinConnectors()) {
      const entry = idx[connector.slug];
      assert.ok(entry, `${connector.slug} is not in the catalog index`);
      assert.equal(entry.kind, connector.kind, connector.slug);
      assert.deepEqual([...connector.categories].sort(), [...entry.categories].sort(), connector.slug);
      for (const tool of connector.tools) {
        const indexed: IndexConnector['tools'][number] | undefined = entry.tools.find(
          (t) => t.name === tool.name,
        );
        assert.ok(indexed, `${tool.name} is not in the catalog index`);
        const props = tool.input_schema['properties'] as Record<string, { type?: string; items?: unknown }>;
        const required = (tool.input_schema['required'] as string[] | undefined) ?? [];
        assert.deepEqual(
          Object.keys(props).sort(),
          indexed.params.map((p: IndexParam) => p.name).sort(),
          `${tool.name} parameter names`,
        );
        for (const p of indexed.params) {
          assert.equal(props[p.name]?.type, p.type, `${tool.name}.${p.name} type`);
          assert.equal(required.includes(p.name), p.required, `${tool.name}.${p.name} required`);
        }
        for (const alias of tool.aliases ?? []) {
          const aliased: IndexConnector['tools'][number] | undefined = entry.tools.find(
            (t) => t.name === alias,
          );
          if (aliased === undefined)
            assert.ok(ALIASES_NOT_IN_INDEX.has(alias), `${alias} is neither indexed nor known`);
          else {
            assert.deepEqual(
              aliased.params.map((p: IndexParam) => p.name).sort(),
              Object.keys(props).sort(),
              `${alias} parameters differ from ${tool.name}`,
            );
          }
        }
      }
    }
  });

  it('the auth types agree with the index', () => {
    const idx = index();
    const expected: Record<string, string> = { 'OAuth 2.0': 'oauth2', 'OAuth 2.1/DCR': 'mcp_oauth2' };
    for (const c of builtinConnectors()) assert.equal(c.auth.type, expected[idx[c.slug]!.authType], c.slug);
  });
});
