/**
 * The tool catalog as callers see it: which tools an environment, or one user, can call
 * (ListTools, ListScopedTools, ListAvailableTools), their definitions precomputed once, and input
 * validation with Ajv compiled once per tool (JSON Schema 2020-12 by default, draft-07 when the
 * schema says so). Upstream MCP connectors contribute tools discovered at runtime.
 */
import { type ConnectorDefinition, findTool, type ToolDefinition } from '@latchkey/connectors';
import { Ajv as AjvDraft7 } from 'ajv';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type FieldViolation, LatchkeyError } from '../errors.ts';
import type { Account, Accounts } from './accounts.ts';
import type { Catalog } from './catalog.ts';
import { providerKeyOf } from './catalog.ts';
import type { Connection, Connections } from './connections.ts';

/** Tools of upstream MCP servers, discovered as an account (implemented by the upstream MCP client). */
export interface UpstreamToolSource {
  /** Tools of an MCP connection; `account` is who to discover as (cached per connection and account). */
  list(connection: Connection, account: Account | undefined): Promise<ToolDefinition[]>;
}

/** A tool as a caller sees it: its connector, the definition, and (scoped) the account. */
export interface ToolEntry {
  connector: ConnectorDefinition;
  tool: ToolDefinition;
  /** `{name, description, input_schema, output_schema?, annotations, display_name?, provider}`. */
  definition: Record<string, unknown>;
}

export interface ScopedToolEntry extends ToolEntry {
  account: Account;
}

export interface ListToolsFilter {
  provider?: string | undefined;
  connector?: string | undefined;
  toolNames?: string[] | undefined;
  query?: string | undefined;
  identifier?: string | undefined;
  connectedAccountId?: string | undefined;
}

/** Keys callers may send that are not tool inputs (Scalekit's docs list them on many tools). */
const VERSION_KEYS = ['schema_version', 'tool_version'];
const MAX_CONNECTIONS = 1000;

function annotations(tool: ToolDefinition) {
  return { ...tool.annotations };
}

export function createTools(deps: {
  catalog: Catalog;
  connections: Connections;
  accounts: Accounts;
  upstream?: UpstreamToolSource | undefined;
}) {
  const { connections, accounts } = deps;
  const definitions = new WeakMap<ToolDefinition, Record<string, unknown>>();
  const validators = new WeakMap<ToolDefinition, ValidateFunction>();
  const ajv2020 = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  const ajv7 = new AjvDraft7({ allErrors: true, strict: false, validateFormats: true });
  addFormats.default(ajv2020);
  addFormats.default(ajv7);

  function definitionOf(connector: ConnectorDefinition, tool: ToolDefinition): Record<string, unknown> {
    let d = definitions.get(tool);
    if (!d) {
      d = {
        name: tool.name,
        description: tool.description,
        input_schema: tool.input_schema,
        ...(tool.output_schema ? { output_schema: tool.output_schema } : {}),
        annotations: annotations(tool),
        ...(tool.display_name ? { display_name: tool.display_name } : {}),
        provider: providerKeyOf(connector.slug),
      };
      definitions.set(tool, d);
    }
    return d;
  }

  function validatorOf(tool: ToolDefinition): ValidateFunction {
    let v = validators.get(tool);
    if (!v) {
      const schema = tool.input_schema as Record<string, unknown>;
      const draft7 = typeof schema['$schema'] === 'string' && schema['$schema'].includes('draft-07');
      try {
        v = draft7 ? ajv7.compile(schema) : ajv2020.compile(schema);
      } catch (e) {
        throw new LatchkeyError(
          'internal',
          `tool ${tool.name} has an invalid input schema: ${(e as Error).message}`,
        );
      }
      validators.set(tool, v);
    }
    return v;
  }

  /** `listing`: an unreachable upstream MCP server contributes no tools instead of failing the list. */
  async function toolsOf(
    connection: Connection,
    account: Account | undefined,
    listing = false,
  ): Promise<ToolDefinition[]> {
    if (connection.connector.kind !== 'mcp') return connection.connector.tools;
    if (!deps.upstream) return [];
    if (!listing) return deps.upstream.list(connection, account);
    return deps.upstream.list(connection, account).catch(() => []);
  }

  async function allConnections(environmentId: string): Promise<Connection[]> {
    return (await connections.list(environmentId, { pageSize: MAX_CONNECTIONS })).connections;
  }

  function matches(entry: ToolEntry, f: ListToolsFilter): boolean {
    if (f.provider) {
      const p = f.provider.toLowerCase();
      if (p !== entry.connector.slug && p !== providerKeyOf(entry.connector.slug).toLowerCase()) return false;
    }
    if (f.toolNames?.length) {
      const names = [entry.tool.name, ...(entry.tool.aliases ?? [])];
      if (!f.toolNames.some((n) => names.includes(n))) return false;
    }
    if (f.query) {
      const text =
        `${entry.tool.name} ${entry.tool.display_name ?? ''} ${entry.tool.description}`.toLowerCase();
      if (
        !f.query
          .toLowerCase()
          .split(/\s+/)
          .filter(Boolean)
          .every((w) => text.includes(w))
      )
        return false;
    }
    return true;
  }

  return {
    definitionOf,

    /** ListTools: tools of the environment's connections (optionally one user's or one account's). */
    async list(environmentId: string, f: ListToolsFilter): Promise<ToolEntry[]> {
      let conns = await allConnections(environmentId);
      let scope: Map<string, Account> | undefined;
      if (f.connectedAccountId) {
        const a = await accounts.get(environmentId, { id: f.connectedAccountId });
        scope = new Map([[a.connection.id, a]]);
      } else if (f.identifier) {
        const { accounts: list } = await accounts.list(environmentId, {
          identifier: f.identifier,
          pageSize: 100,
        });
        scope = new Map(list.map((a) => [a.connection.id, a]));
      }
      if (scope) conns = conns.filter((c) => scope.has(c.id));
      if (f.connector) {
        const key = f.connector.toLowerCase();
        conns = conns.filter((c) => c.name === f.connector || c.connector.slug === key);
      }
      const seen = new Set<string>();
      const out: ToolEntry[] = [];
      for (const c of conns) {
        for (const tool of await toolsOf(c, scope?.get(c.id), true)) {
          if (seen.has(tool.name)) continue;
          const entry = { connector: c.connector, tool, definition: definitionOf(c.connector, tool) };
          if (!matches(entry, f)) continue;
          seen.add(tool.name);
          out.push(entry);
        }
      }
      return out;
    },

    /** ListScopedTools: the tools a user can call now (their ACTIVE accounts), each with its account. */
    async listScoped(
      environmentId: string,
      identifier: string,
      f: { providers?: string[]; toolNames?: string[]; connectionNames?: string[] },
    ): Promise<ScopedToolEntry[]> {
      if (!identifier)
        throw new LatchkeyError('invalid_argument', 'identifier is required', {
          violations: [{ field: 'identifier', description: 'is required' }],
        });
      const { accounts: list } = await accounts.list(environmentId, {
        identifier,
        connectionNames: f.connectionNames?.length ? f.connectionNames : undefined,
        pageSize: 100,
      });
      const out: ScopedToolEntry[] = [];
      for (const account of list) {
        if (account.status !== 'ACTIVE' || !account.connection.enabled) continue;
        const connector = account.connection.connector;
        if (
          f.providers?.length &&
          !f.providers.some((p) => p.toLowerCase() === connector.slug || p === providerKeyOf(connector.slug))
        ) {
          continue;
        }
        for (const tool of await toolsOf(account.connection, account, true)) {
          const entry = { connector, tool, definition: definitionOf(connector, tool), account };
          if (f.toolNames?.length && !matches(entry, { toolNames: f.toolNames })) continue;
          out.push(entry);
        }
      }
      return out;
    },

    /** ListAvailableTools: every tool the user could call once connected (enabled connections). */
    async listAvailable(environmentId: string, identifier: string): Promise<ToolEntry[]> {
      if (!identifier)
        throw new LatchkeyError('invalid_argument', 'identifier is required', {
          violations: [{ field: 'identifier', description: 'is required' }],
        });
      const { accounts: list } = await accounts.list(environmentId, { identifier, pageSize: 100 });
      const byConnection = new Map(list.map((a) => [a.connection.id, a]));
      const out: ToolEntry[] = [];
      const seen = new Set<string>();
      for (const c of await allConnections(environmentId)) {
        if (!c.enabled) continue;
        for (const tool of await toolsOf(c, byConnection.get(c.id), true)) {
          if (seen.has(tool.name)) continue;
          seen.add(tool.name);
          out.push({ connector: c.connector, tool, definition: definitionOf(c.connector, tool) });
        }
      }
      return out;
    },

    /**
     * Finds a tool by name or alias among the connectors an environment uses (MCP tools of the
     * given connection included), or throws not_found.
     */
    async find(
      environmentId: string,
      name: string,
      connection?: Connection,
      account?: Account,
    ): Promise<ToolEntry> {
      if (connection?.connector.kind === 'mcp') {
        const tool = (await toolsOf(connection, account)).find((t) => t.name === name);
        if (tool)
          return {
            connector: connection.connector,
            tool,
            definition: definitionOf(connection.connector, tool),
          };
      }
      const candidates = connection ? [connection.connector] : deps.catalog.list();
      const match = findTool(candidates, name);
      if (match)
        return {
          connector: match.connector,
          tool: match.tool,
          definition: definitionOf(match.connector, match.tool),
        };
      if (!connection) {
        for (const c of await allConnections(environmentId)) {
          if (c.connector.kind !== 'mcp') continue;
          const tool = (await toolsOf(c, undefined, true)).find((t) => t.name === name);
          if (tool) return { connector: c.connector, tool, definition: definitionOf(c.connector, tool) };
        }
      }
      throw new LatchkeyError(
        'not_found',
        `unknown tool "${name}"${connection ? ` for connection "${connection.name}"` : ''}; list tools with ListTools`,
        {
          errorCode: 'TOOL_NOT_FOUND',
        },
      );
    },

    /** A tool of a catalog connector by name or alias, or not_found naming the connection. */
    findOf(connector: ConnectorDefinition, name: string, connectionName: string): ToolEntry {
      const match = findTool([connector], name);
      if (match) return { connector, tool: match.tool, definition: definitionOf(connector, match.tool) };
      throw new LatchkeyError(
        'not_found',
        `unknown tool "${name}" for connection "${connectionName}"; list tools with ListTools`,
        { errorCode: 'TOOL_NOT_FOUND' },
      );
    },

    /** Validates tool input; returns it without Scalekit's version keys, or throws with every violation. */
    validate(tool: ToolDefinition, params: Record<string, unknown>): Record<string, unknown> {
      const input = { ...params };
      for (const k of VERSION_KEYS) delete input[k];
      const validate = validatorOf(tool);
      if (validate(input)) return input;
      const violations = (validate.errors ?? []).map(violation);
      throw new LatchkeyError(
        'invalid_argument',
        `invalid input for ${tool.name}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
        {
          violations,
        },
      );
    },
  };
}

/** An Ajv error as a field violation with a JSON path under `params`. */
function violation(e: ErrorObject): FieldViolation {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join('');
  let field = `params${path}`;
  let description = e.message ?? 'is invalid';
  if (e.keyword === 'required') {
    field = `${field}.${(e.params as { missingProperty: string }).missingProperty}`;
    description = 'is required';
  } else if (e.keyword === 'additionalProperties') {
    field = `${field}.${(e.params as { additionalProperty: string }).additionalProperty}`;
    description = 'is not a known field of this tool';
  } else if (e.keyword === 'enum') {
    description = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  return { field, description, constraint: e.keyword };
}

export type Tools = ReturnType<typeof createTools>;
