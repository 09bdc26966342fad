/**
 * Tool discovery on upstream MCP servers: `tools/list` (all pages) as the account, turned into
 * tool definitions named `<prefix>_<upstream name>`, cached per connection and account for a TTL
 * and dropped when the server sends `notifications/tools/list_changed`. A failed refresh serves
 * the stale list when there is one.
 */
import { ProviderError, type ToolAnnotations, type ToolDefinition } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import type { Logger } from '../ops/log.ts';
import type { Account } from '../services/accounts.ts';
import type { Connection } from '../services/connections.ts';
import { discoveryError } from './errors.ts';
import type { Sessions } from './sessions.ts';
import { type Caller, callerOf } from './target.ts';

const MAX_PAGES = 20;
const MAX_NAME = 64;
const MAX_DESCRIPTION = 4000;

interface Entry {
  tools: ToolDefinition[];
  fetchedAt: number;
  connectionId: string;
}

type McpTool = {
  name?: unknown;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: Record<string, unknown>;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** MCP annotations with the spec's defaults (not read-only, destructive, not idempotent, open world). */
function annotationsOf(a: Record<string, unknown> | undefined): ToolAnnotations {
  const flag = (key: string, fallback: boolean) =>
    typeof a?.[key] === 'boolean' ? (a[key] as boolean) : fallback;
  const readOnly = flag('readOnlyHint', false);
  return {
    read_only_hint: readOnly,
    destructive_hint: readOnly ? false : flag('destructiveHint', true),
    idempotent_hint: flag('idempotentHint', false),
    open_world_hint: flag('openWorldHint', true),
  };
}

/** Our name for an upstream tool: `<prefix>_<name>` with characters clients refuse replaced by `_`. */
export function toolNameFor(prefix: string, upstream: string): string {
  return `${prefix}_${upstream.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, MAX_NAME);
}

/** Turns one `tools/list` entry into a definition; undefined (skipped) when it is malformed. */
export function toToolDefinition(prefix: string, t: McpTool): ToolDefinition | undefined {
  if (typeof t.name !== 'string' || t.name === '' || !isObject(t.inputSchema)) return undefined;
  const title = typeof t.title === 'string' && t.title ? t.title : undefined;
  const description =
    (typeof t.description === 'string' && t.description.trim()) ||
    title ||
    `${t.name} (from the upstream MCP server)`;
  const input = { ...t.inputSchema };
  if (input['type'] === undefined) input['type'] = 'object';
  if (input['type'] !== 'object') return undefined;
  return {
    name: toolNameFor(prefix, t.name),
    ...(title ? { display_name: title } : {}),
    description: description.slice(0, MAX_DESCRIPTION),
    input_schema: input,
    ...(isObject(t.outputSchema) ? { output_schema: t.outputSchema } : {}),
    annotations: annotationsOf(t.annotations),
    executor: { type: 'mcp', upstream_name: t.name },
  };
}

export function createDiscovery(deps: {
  sessions: Sessions;
  clock: Clock;
  logger: Logger;
  ttlMs: number;
  /** An ACTIVE account of the connection, for listing without a user (ListTools of an environment). */
  someAccount: (connection: Connection) => Promise<Account | undefined>;
}) {
  const { sessions, clock, logger } = deps;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ToolDefinition[]>>();

  async function fetchTools(caller: Caller, prefix: string): Promise<ToolDefinition[]> {
    const out: ToolDefinition[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await sessions.request(caller, 'tools/list', cursor ? { cursor } : {});
      const tools = Array.isArray(result['tools']) ? (result['tools'] as McpTool[]) : [];
      for (const t of tools) {
        const def = toToolDefinition(prefix, t);
        if (!def) {
          logger.warn(
            { server: caller.serverUrl, tool: String(t?.name) },
            'skipped a malformed upstream MCP tool',
          );
          continue;
        }
        if (seen.has(def.name)) continue;
        seen.add(def.name);
        out.push(def);
      }
      cursor =
        typeof result['nextCursor'] === 'string' && result['nextCursor'] ? result['nextCursor'] : undefined;
      if (!cursor) break;
    }
    return out;
  }

  /** The freshest list any account of this connection discovered (for listing without a user). */
  function latestFor(connectionId: string): Entry | undefined {
    let best: Entry | undefined;
    for (const e of cache.values()) {
      if (e.connectionId === connectionId && (!best || e.fetchedAt > best.fetchedAt)) best = e;
    }
    return best;
  }

  async function discover(caller: Caller, prefix: string): Promise<ToolDefinition[]> {
    const cached = cache.get(caller.key);
    if (cached && clock.now() - cached.fetchedAt < deps.ttlMs) return cached.tools;
    const running = inFlight.get(caller.key);
    if (running) return running;
    const p = fetchTools(caller, prefix)
      .then((tools) => {
        cache.set(caller.key, { tools, fetchedAt: clock.now(), connectionId: caller.connectionId });
        return tools;
      })
      .catch((e: Error) => {
        logger.warn(
          { server: caller.serverUrl, connection: caller.connectionName, err: e.message },
          'MCP tool discovery failed',
        );
        const refused = e instanceof ProviderError && (e.status === 401 || e.status === 403);
        if (cached && !refused) return cached.tools;
        throw discoveryError(e, caller);
      })
      .finally(() => inFlight.delete(caller.key));
    inFlight.set(caller.key, p);
    return p;
  }

  return {
    /** Tools of an MCP connection as `account` (or, without one, as the connection sees them). */
    async list(connection: Connection, account: Account | undefined): Promise<ToolDefinition[]> {
      const prefix = connection.connector.mcp?.tool_prefix ?? connection.connector.slug;
      if (connection.connector.auth.type === 'none') return discover(callerOf(connection, undefined), prefix);
      if (account && account.status === 'ACTIVE') return discover(callerOf(connection, account), prefix);
      const latest = latestFor(connection.id);
      if (latest) return latest.tools;
      if (account) return [];
      const some = await deps.someAccount(connection);
      return some ? discover(callerOf(connection, some), prefix) : [];
    },

    /** Forgets cached tools: of one session key (list_changed), or of a whole connection. */
    invalidate(key: string): void {
      cache.delete(key);
    },
    forgetConnection(connectionId: string): void {
      for (const [k, e] of cache) if (e.connectionId === connectionId) cache.delete(k);
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;
