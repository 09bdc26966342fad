/**
 * Each tool is mapped onto a real provider operation: the declared operations (and an HTTP
 * executor's method + path) must exist in the provider's official API description, under the same
 * origin, and the declared OAuth scopes must be scopes the provider defines for them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { builtinConnectors, type ConnectorDefinition } from '../src/index.ts';
import { referenceMissing, SPECS_DIR } from './helpers.ts';

interface SpecOperation {
  id: string;
  method: string;
  /** Absolute path on the API origin, with the spec's placeholders. */
  path: string;
  scopes: string[];
}
interface Spec {
  origin: string;
  operations: SpecOperation[];
  scopes: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: walking untyped JSON API descriptions
type Json = Record<string, any>;
const read = (file: string): Json => JSON.parse(readFileSync(join(SPECS_DIR, file), 'utf8')) as Json;

function discovery(file: string): Spec {
  const doc = read(file);
  const operations: SpecOperation[] = [];
  const walk = (resources: Json | undefined): void => {
    for (const resource of Object.values(resources ?? {})) {
      for (const m of Object.values((resource.methods ?? {}) as Json)) {
        operations.push({
          id: m.id,
          method: m.httpMethod,
          path: `/${doc.servicePath}${m.path}`,
          scopes: m.scopes ?? [],
        });
      }
      walk(resource.resources);
    }
  };
  walk(doc.resources);
  return { origin: new URL(doc.rootUrl).origin, operations, scopes: Object.keys(doc.auth.oauth2.scopes) };
}

function openapi(file: string): Spec {
  const doc = read(file);
  const swagger = doc.swagger !== undefined;
  const base = swagger ? `${doc.schemes[0]}://${doc.host}${doc.basePath}` : doc.servers[0].url;
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/$/, '');
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if (typeof op !== 'object' || op === null || op.operationId === undefined) continue;
      const scopes = ((op.security ?? []) as Json[]).flatMap((s) => Object.values(s).flat() as string[]);
      operations.push({ id: op.operationId, method: method.toUpperCase(), path: prefix + path, scopes });
    }
  }
  return { origin: url.origin, operations, scopes: [] };
}

const SPECS: Record<string, () => Spec> = {
  gmail: () => discovery('google/gmail-v1.json'),
  googlecalendar: () => discovery('google/calendar-v3.json'),
  slack: () => openapi('slack/slack_web_openapi_v2_without_examples.json'),
  github: () => openapi('github/api.github.com.json'),
  notion: () => openapi('notion/notion-openapi.json'),
};

/** Slack's 2021 spec names the granular scopes of today by their old split names. */
const SLACK_RENAMED: Record<string, string[]> = { 'chat:write': ['chat:write:user', 'chat:write:bot'] };

/** Scopes from Nango's per-provider scope list (a YAML list; parsed by hand, no YAML dependency). */
function nangoScopes(provider: string): string[] {
  const lines = readFileSync(join(SPECS_DIR, 'oauth-providers/nango-providers.scopes.yaml'), 'utf8').split(
    '\n',
  );
  const start = lines.indexOf(`${provider}:`);
  assert.ok(start >= 0, provider);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^ {4}- (.+)$/.exec(line);
    if (m === null) break;
    out.push(m[1]!.trim());
  }
  return out;
}

const skip = referenceMissing(SPECS_DIR);
const restConnectors = (): ConnectorDefinition[] => builtinConnectors().filter((c) => c.kind === 'rest');

describe('tool mappings target real operations', { skip }, () => {
  for (const slug of Object.keys(SPECS)) {
    it(`${slug}: every operation exists with its id, method and path`, () => {
      const spec = SPECS[slug]!();
      const connector = restConnectors().find((c) => c.slug === slug)!;
      const base = new URL(connector.api!.base_url);
      assert.equal(base.origin, spec.origin, 'API origin');
      const prefix = base.pathname.replace(/\/$/, '');
      assert.ok(connector.tools.length > 0);
      for (const tool of connector.tools) {
        const ops = tool.operations ?? [];
        assert.ok(ops.length > 0, `${tool.name} declares no operation`);
        for (const op of ops) {
          const found = spec.operations.find((o) => o.method === op.method && o.path === prefix + op.path);
          assert.ok(found, `${tool.name}: ${op.method} ${prefix}${op.path} is not in the ${slug} spec`);
          assert.equal(found.id, op.id, `${tool.name}: operation id`);
        }
        if (tool.executor.type === 'http') {
          assert.equal(tool.executor.method, ops[0]!.method, `${tool.name}: executor method`);
          assert.equal(tool.executor.path, ops[0]!.path, `${tool.name}: executor path`);
        }
      }
    });
  }

  it("google: available scopes are the discovery scopes; tool scopes are the methods' scopes", () => {
    for (const slug of ['gmail', 'googlecalendar']) {
      const spec = SPECS[slug]!();
      const c = restConnectors().find((x) => x.slug === slug)!;
      assert.ok(c.auth.type === 'oauth2');
      assert.deepEqual([...c.auth.scopes.available].sort(), [...spec.scopes].sort(), slug);
      for (const tool of c.tools) {
        // The tool's scopes grant its main operation; the default scopes grant all of them.
        const [main, ...helpers] = tool.operations ?? [];
        const mainScopes = spec.operations.find((o) => o.id === main!.id)!.scopes;
        for (const s of tool.scopes ?? [])
          assert.ok(mainScopes.includes(s), `${tool.name}: ${s} does not grant ${main!.id}`);
        for (const op of [main!, ...helpers]) {
          const found = spec.operations.find((o) => o.id === op.id)!;
          assert.ok(
            c.auth.scopes.default.some((s) => found.scopes.includes(s)),
            `${tool.name}: default scopes do not grant ${op.id}`,
          );
        }
      }
    }
  });

  it("slack: tool scopes are the methods' scopes; all scopes are known Slack scopes", () => {
    const spec = SPECS['slack']!();
    const c = restConnectors().find((x) => x.slug === 'slack')!;
    assert.ok(c.auth.type === 'oauth2');
    const known = new Set(nangoScopes('slack'));
    for (const s of c.auth.scopes.available) assert.ok(known.has(s), `unknown Slack scope ${s}`);
    for (const tool of c.tools) {
      const found = spec.operations.find((o) => o.id === tool.operations![0]!.id)!;
      for (const s of tool.scopes ?? []) {
        const names = [s, ...(SLACK_RENAMED[s] ?? [])];
        assert.ok(
          names.some((n) => found.scopes.includes(n)),
          `${tool.name}: ${s} is not a scope of ${found.id}`,
        );
      }
    }
  });

  it('github: all scopes are GitHub OAuth app scopes', () => {
    const c = restConnectors().find((x) => x.slug === 'github')!;
    assert.ok(c.auth.type === 'oauth2');
    const known = new Set(nangoScopes('github'));
    for (const s of c.auth.scopes.available) assert.ok(known.has(s), `unknown GitHub scope ${s}`);
  });

  it('the default scopes let every tool run', () => {
    for (const c of restConnectors()) {
      if (c.auth.type !== 'oauth2') continue;
      for (const tool of c.tools) {
        if (tool.scopes === undefined) continue;
        assert.ok(
          tool.scopes.some((s) => c.auth.type === 'oauth2' && c.auth.scopes.default.includes(s)),
          `${c.slug}: ${tool.name}`,
        );
      }
    }
  });
});
