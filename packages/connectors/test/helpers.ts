/** Test helpers: a recording ToolRuntime (the gateway's job in production) and reference paths. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolRequest, ToolResponse, ToolRuntime } from '../src/index.ts';

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
