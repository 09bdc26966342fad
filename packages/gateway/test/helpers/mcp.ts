/** MCP test helpers: the official v2 client in either protocol era, and JSON REST calls. */
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Stack } from './stack.ts';

export type Era = 'modern' | 'legacy';
export const ERAS: Era[] = ['modern', 'legacy'];

/** A connected official client: `modern` negotiates 2026-07-28 (server/discover), `legacy` the 2025 handshake. */
export async function mcpClient(
  url: string,
  era: Era,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client(
    { name: 'latchkey-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  assert.equal(client.getProtocolEra(), era);
  return client;
}

export interface ApiResult<T> {
  status: number;
  json: T;
}

/** A REST call with the stack's API token; returns status and parsed JSON. */
export async function api<T = Record<string, unknown>>(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const res = await stack.rest(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

/** Field paths named by a REST error body's violations. */
export function violatedFields(json: unknown): string[] {
  const details = (
    json as { details?: { validation_error_info?: { field_violations?: { field: string }[] } }[] }
  ).details;
  return (details ?? []).flatMap((d) => d.validation_error_info?.field_violations?.map((v) => v.field) ?? []);
}

/** The 2025 initialize: the simplest request every MCP server must answer. */
export const MCP_INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** HTTP status of a raw MCP initialize POST to `url` with extra headers (Origin, Authorization, …). */
export async function mcpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(MCP_INITIALIZE),
  });
  await r.body?.cancel();
  return r.status;
}
