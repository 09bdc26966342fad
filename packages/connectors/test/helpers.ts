/** Test helpers: a recording ToolRuntime (the gateway's job in production) and reference paths. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtinConnectors,
  findTool,
  runTool,
  type ToolRequest,
  type ToolResponse,
  type ToolRuntime,
} from '../src/index.ts';

export type Responder = (req: ToolRequest) => ToolResponse | Promise<ToolResponse>;

export interface RecordingRuntime extends ToolRuntime {
  readonly requests: ToolRequest[];
}

/** Records every request and answers with `responder` (default: 200 `{}`). */
export function recordingRuntime(responder: Responder = () => json(200, {})): RecordingRuntime {
  const requests: ToolRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(structuredClone(req));
      return responder(req);
    },
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ToolResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

/** Shared reference material (provider specs, Scalekit catalog index); LATCHKEY_SHARED overrides. */
export const SHARED_DIR = process.env['LATCHKEY_SHARED'] ?? '/work/shared';
export const SPECS_DIR = join(SHARED_DIR, 'specs');
export const CATALOG_INDEX = join(SHARED_DIR, 'reference/scalekit/catalog-index.json');

/** Skip reason when the reference files are absent (never in CI: there the test fails instead). */
export function referenceMissing(path: string): string | false {
  if (existsSync(path)) return false;
  if (process.env['CI'] !== undefined) throw new Error(`reference file missing in CI: ${path}`);
  return `reference file not found: ${path}`;
}

/** Runs a shipped tool with a recording runtime; checks every request hits a declared operation. */
export async function run(
  name: string,
  input: Record<string, unknown>,
  responder?: Responder,
): Promise<{ data: Record<string, unknown>; requests: ToolRequest[] }> {
  const match = findTool(builtinConnectors({ includeSandboxOnly: true }), name);
  assert.ok(match, `no tool ${name}`);
  const runtime = recordingRuntime(responder);
  const data = await runTool(match.connector, match.tool, input, runtime);
  const ops = match.tool.operations;
  if (ops !== undefined) {
    for (const req of runtime.requests) {
      const hit = ops.some((op) => op.method === req.method && operationPattern(op.path).test(req.path));
      assert.ok(hit, `${name}: ${req.method} ${req.path} is none of its declared operations`);
    }
  }
  return { data, requests: runtime.requests };
}

/** `/a/{id}/b.c` → /^\/a\/[^/]+\/b\.c$/ */
export function operationPattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{[^/]+?\}/g, '[^/]+')}$`);
}
