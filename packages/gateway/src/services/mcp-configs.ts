/**
 * MCP configs: reusable templates of which connections, and which of their tools, an MCP server
 * exposes. Name `^[a-z0-9_-]+$` (1–100 characters, immutable), a description, and up to 25
 * connection mappings `{connection_name, tools[]}` (empty tools = every tool of the connection).
 * Every input is checked before anything is written; an unknown connection or tool is refused
 * with its name and the path of the offending field. Each config has a static server URL,
 * `<public URL>/mcp/v3/servers/<server_id>`.
 */
import { randomUUID } from 'node:crypto';
import type { ToolDefinition } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { newId } from '../crypto/secrets.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import { pageOf, pageTokens } from '../store/pagination.ts';
import { type MappedConnection, type McpConfigRow, mcpConfigsRepo } from '../store/repos/mcp-configs.ts';
import type { Store } from '../store/store.ts';
import type { Connection, Connections } from './connections.ts';
import type { Tools } from './tools.ts';

export const MCP_CONFIG_NAME = /^[a-z0-9_-]{1,100}$/;
export const MAX_MAPPINGS = 25;
export const MAX_CONFIG_PAGE = 30;
const MAX_DESCRIPTION = 2000;
const MAX_TOOLS_PER_MAPPING = 500;

export interface McpMappingInput {
  connectionName: string;
  tools: string[];
}

export interface McpMapping {
  connection: Connection;
  /** Canonical tool names; empty = every tool of the connection. */
  tools: string[];
}

export interface McpConfig {
  id: string;
  environmentId: string;
  name: string;
  description: string;
  serverId: string;
  /** The static server URL (session tokens carry it as `aud`). */
  serverUrl: string;
  mappings: McpMapping[];
  createdAt: number;
  updatedAt: number;
}

export interface McpConfigListFilter {
  id?: string | undefined;
  name?: string | undefined;
  provider?: string | undefined;
  serverUrl?: string | undefined;
  search?: string | undefined;
  pageSize?: number | undefined;
  pageToken?: string | undefined;
}

export function createMcpConfigs(deps: {
  store: Store;
  clock: Clock;
  connections: Connections;
  tools: Tools;
  publicUrl: () => string;
}) {
  const { connections, clock } = deps;
  const repo = mcpConfigsRepo(deps.store.db);
  const serverUrl = (serverId: string) => `${deps.publicUrl()}/mcp/v3/servers/${serverId}`;

  /** Mapped connections whose connector this gateway offers, as service views. */
  async function mappingViews(mapped: MappedConnection[]): Promise<McpMapping[]> {
    const out: McpMapping[] = [];
    for (const m of mapped) {
      try {
        out.push({ connection: await connections.view(m.connection), tools: m.tools });
      } catch {
        // a connection on a connector this gateway no longer offers: not served, not listed
      }
    }
    return out;
  }

  async function view(row: McpConfigRow, mapped: MappedConnection[]): Promise<McpConfig> {
    return {
      id: row.id,
      environmentId: row.environment_id,
      name: row.name,
      description: row.description,
      serverId: row.server_id,
      serverUrl: serverUrl(row.server_id),
      mappings: await mappingViews(mapped),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** The tools a connection offers (discovered for upstream MCP connectors, without an account). */
  async function toolsOfConnection(connection: Connection): Promise<ToolDefinition[]> {
    if (connection.connector.kind !== 'mcp') return connection.connector.tools;
    const entries = await deps.tools
      .list(connection.environmentId, { connector: connection.name })
      .catch(() => []); // discovery unavailable (no account yet, server down): names cannot be checked
    return entries.filter((e) => e.connector.slug === connection.connector.slug).map((e) => e.tool);
  }

  /** Checks mappings; returns them resolved. `path` is the field path of the list. */
  async function checkMappings(
    environmentId: string,
    input: McpMappingInput[],
    path: string,
  ): Promise<{ connectionId: string; tools: string[] }[]> {
    if (input.length > MAX_MAPPINGS)
      throw invalidArgument(path, `at most ${MAX_MAPPINGS} connection mappings (got ${input.length})`);
    const out: { connectionId: string; tools: string[] }[] = [];
    const exposedBy = new Map<string, string>();
    const seen = new Set<string>();
    for (const [i, m] of input.entries()) {
      const at = `${path}[${i}]`;
      const name = m.connectionName.trim();
      if (!name) throw invalidArgument(`${at}.connection_name`, 'is required');
      const connection = await connections.findByName(environmentId, name);
      if (!connection) {
        throw invalidArgument(
          `${at}.connection_name`,
          `unknown connection "${name}"; list connections with ListAppConnections`,
        );
      }
      if (seen.has(connection.id))
        throw invalidArgument(`${at}.connection_name`, `connection "${name}" is mapped twice`);
      seen.add(connection.id);
      if (m.tools.length > MAX_TOOLS_PER_MAPPING)
        throw invalidArgument(`${at}.tools`, `at most ${MAX_TOOLS_PER_MAPPING} tools per connection`);
      const offered = await toolsOfConnection(connection);
      // Upstream MCP servers that list no tools without an account cannot be checked before use.
      const checkable = connection.connector.kind !== 'mcp' || offered.length > 0;
      const tools: string[] = [];
      for (const [j, raw] of m.tools.entries()) {
        const wanted = raw.trim();
        const tool = offered.find((t) => t.name === wanted || t.aliases?.includes(wanted));
        if (!tool && checkable) {
          throw invalidArgument(
            `${at}.tools[${j}]`,
            `unknown tool "${wanted}" for connection "${name}" (connector ${connection.connector.slug}); list its tools with ListTools`,
          );
        }
        const canonical = tool?.name ?? wanted;
        if (!canonical) throw invalidArgument(`${at}.tools[${j}]`, 'is empty');
        if (!tools.includes(canonical)) tools.push(canonical);
      }
      const exposed = tools.length > 0 || !checkable ? tools : offered.map((t) => t.name);
      for (const t of exposed) {
        const other = exposedBy.get(t);
        if (other) {
          throw invalidArgument(
            `${at}.tools`,
            `tool "${t}" would be exposed by both connection "${other}" and "${name}"; an MCP server's tool names are unique, so whitelist it on one of them`,
          );
        }
        exposedBy.set(t, name);
      }
      out.push({ connectionId: connection.id, tools });
    }
    return out;
  }

  function checkDescription(description: string, field: string): string {
    if (description.length > MAX_DESCRIPTION)
      throw invalidArgument(field, `is longer than ${MAX_DESCRIPTION} characters`);
    return description;
  }

  async function load(row: McpConfigRow): Promise<McpConfig> {
    const mapped = await repo.mappingsOf([row.id]);
    return view(row, mapped.get(row.id) ?? []);
  }

  async function byIdOrName(environmentId: string, idOrName: string, field: string): Promise<McpConfigRow> {
    if (!idOrName) throw invalidArgument(field, 'is required');
    const row =
      (await repo.find(environmentId, idOrName)) ?? (await repo.findByName(environmentId, idOrName));
    if (!row) throw new NotFoundError(`MCP config "${idOrName}" not found`);
    return row;
  }

  return {
    repo,
    view,
    serverUrl,
    mappingViews,
    toolsOfConnection,

    async create(
      environmentId: string,
      input: { name: string; description: string; mappings: McpMappingInput[] },
    ): Promise<McpConfig> {
      if (!MCP_CONFIG_NAME.test(input.name)) {
        throw invalidArgument(
          'config.name',
          'must be 1-100 characters of lowercase letters, digits, - and _ (^[a-z0-9_-]+$)',
        );
      }
      const description = checkDescription(input.description, 'config.description');
      const mappings = await checkMappings(environmentId, input.mappings, 'config.connection_tool_mappings');
      if (await repo.findByName(environmentId, input.name)) {
        throw new LatchkeyError(
          'already_exists',
          `an MCP config named "${input.name}" already exists in this environment`,
        );
      }
      const now = clock.now();
      const row: McpConfigRow = {
        id: newId('mcfg'),
        environment_id: environmentId,
        name: input.name,
        description,
        server_id: randomUUID(),
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row, mappings);
      return load(row);
    },

    /** By id, or by name. */
    async get(environmentId: string, idOrName: string, field = 'config_id'): Promise<McpConfig> {
      return load(await byIdOrName(environmentId, idOrName, field));
    },

    async list(environmentId: string, f: McpConfigListFilter) {
      const page = pageOf(f.pageSize, f.pageToken, MAX_CONFIG_PAGE, MAX_CONFIG_PAGE);
      if (f.name !== undefined && f.name.length > 100)
        throw invalidArgument('filter.name', 'is longer than 100 characters');
      let serverId: string | undefined;
      if (f.serverUrl) {
        serverId = f.serverUrl.replace(/\/+$/, '').split('/').pop();
        if (!serverId || !/^[0-9a-f-]{36}$/i.test(serverId))
          throw invalidArgument('filter.mcp_server_url', 'must end with the server id (a UUID)');
      }
      const { rows, total } = await repo.list(
        environmentId,
        {
          id: f.id,
          name: f.name,
          connector: f.provider?.toLowerCase(),
          serverId: serverId?.toLowerCase(),
          search: f.search,
        },
        page,
      );
      const mapped = await repo.mappingsOf(rows.map((r) => r.id));
      return {
        configs: await Promise.all(rows.map((r) => view(r, mapped.get(r.id) ?? []))),
        total,
        ...pageTokens(page, total),
      };
    },

    /** Description and/or mappings; an empty value leaves the field as it is. The name is immutable. */
    async update(
      environmentId: string,
      id: string,
      patch: { description?: string | undefined; mappings?: McpMappingInput[] | undefined },
    ): Promise<McpConfig> {
      if (!id) throw invalidArgument('config_id', 'is required');
      const row = await repo.get(environmentId, id);
      const description =
        patch.description === undefined ? undefined : checkDescription(patch.description, 'description');
      const mappings =
        patch.mappings === undefined
          ? undefined
          : await checkMappings(environmentId, patch.mappings, 'connection_tool_mappings');
      const updated = await repo.update(
        environmentId,
        row.id,
        { ...(description === undefined ? {} : { description }), updatedAt: clock.now() },
        mappings,
      );
      return load(updated);
    },

    /** Deletes the config with its instances: their URLs and its session tokens stop working at once. */
    async delete(environmentId: string, id: string): Promise<void> {
      if (!id) throw invalidArgument('config_id', 'is required');
      if (!(await repo.delete(environmentId, id))) throw new NotFoundError(`MCP config ${id} not found`);
    },
  };
}

export type McpConfigs = ReturnType<typeof createMcpConfigs>;
