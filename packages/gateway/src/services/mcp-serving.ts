/**
 * What an MCP server serves, without MCP itself: a request's credential (instance URL token, or
 * session token at a static URL) becomes a scope (environment, identifier, tool set), and a tool
 * call runs the same executor as ExecuteTool for that identifier.
 *
 * Tool sets are built once per config and kept while its signature (config version, every mapped
 * connection's id, name, connector, state and whitelist) and the catalog's connector objects stay
 * the same, so a config edit, a connection change or a catalog change rebuilds them and nothing
 * else does; the scope itself is read from the store on every request (revocation is immediate
 * on every process). Every whitelisted tool is listed whatever the user's account state: calling
 * one whose account is not ACTIVE gives an "authorize" outcome carrying a fresh authorization
 * link, which is how the agent learns what to hand the user.
 */
import type { ConnectorDefinition, ToolDefinition } from '@latchkey/connectors';
import { isLatchkeyError, LatchkeyError } from '../errors.ts';
import type { Accounts } from './accounts.ts';
import type { Authorization } from './authorization.ts';
import type { Connection } from './connections.ts';
import type { McpConfigs, McpMapping } from './mcp-configs.ts';
import type { McpInstances } from './mcp-instances.ts';
import type { McpSessions } from './mcp-sessions.ts';
import type { ToolExecution } from './tool-execution.ts';
import type { Tools } from './tools.ts';

export interface McpToolEntry {
  connection: Connection;
  tool: ToolDefinition;
}

/** The tools of one config version; treat as immutable (transports cache derived JSON per set). */
export interface McpToolSet {
  signature: string;
  connectors: ConnectorDefinition[];
  /** Tools of catalog connectors, in mapping order. */
  tools: McpToolEntry[];
  byName: Map<string, McpToolEntry>;
  /** Upstream MCP connections: their tools are discovered per account at request time. */
  upstream: McpMapping[];
}

export interface McpScope {
  kind: 'instance' | 'session';
  /** Instance id, or config id / connection id for session tokens. */
  id: string;
  environmentId: string;
  identifier: string;
  /** Session tokens: the only accounts the token reaches. */
  accountIds: ReadonlySet<string> | undefined;
  toolSet: McpToolSet;
}

export type McpCallOutcome =
  | { kind: 'result'; data: Record<string, unknown>; executionId: string; upstream: boolean }
  | { kind: 'authorize'; message: string; link: string; connectionName: string; status: string }
  | { kind: 'error'; message: string; code: string; executionId: string | undefined }
  | { kind: 'unknown_tool' };

const MAX_CACHED_SETS = 10_000;

export function createMcpServing(deps: {
  configs: McpConfigs;
  instances: McpInstances;
  sessions: McpSessions;
  accounts: Accounts;
  authorization: Authorization;
  tools: Tools;
  execution: ToolExecution;
}) {
  const { accounts, execution } = deps;
  const sets = new Map<string, McpToolSet>();

  const signatureOf = (version: number, mappings: McpMapping[]) =>
    `${version}|${mappings
      .map(
        (m) =>
          `${m.connection.id}/${m.connection.name}/${m.connection.connector.slug}/${m.connection.enabled}/${m.connection.updatedAt}/${m.tools.join(',')}`,
      )
      .join('|')}`;

  function build(signature: string, mappings: McpMapping[]): McpToolSet {
    const tools: McpToolEntry[] = [];
    const upstream: McpMapping[] = [];
    for (const m of mappings) {
      const connector = m.connection.connector;
      if (connector.kind === 'mcp') {
        upstream.push(m);
        continue;
      }
      const chosen =
        m.tools.length === 0 ? connector.tools : connector.tools.filter((t) => m.tools.includes(t.name));
      for (const tool of chosen) tools.push({ connection: m.connection, tool });
    }
    const byName = new Map<string, McpToolEntry>();
    for (const e of tools) if (!byName.has(e.tool.name)) byName.set(e.tool.name, e);
    return {
      signature,
      connectors: mappings.map((m) => m.connection.connector),
      tools: [...byName.values()],
      byName,
      upstream,
    };
  }

  /** The cached tool set of `key` when still current, else a new one. */
  function toolSetOf(key: string, version: number, mappings: McpMapping[]): McpToolSet {
    const signature = signatureOf(version, mappings);
    const cached = sets.get(key);
    if (
      cached &&
      cached.signature === signature &&
      cached.connectors.every((c, i) => c === mappings[i]?.connection.connector)
    ) {
      return cached;
    }
    if (sets.size >= MAX_CACHED_SETS) sets.clear();
    const fresh = build(signature, mappings);
    sets.set(key, fresh);
    return fresh;
  }

  /** The upstream MCP entry a name belongs to (`<slug>_<tool>`, whitelisted), if any. */
  function upstreamEntry(set: McpToolSet, name: string): McpMapping | undefined {
    return set.upstream.find(
      (m) =>
        name.startsWith(`${m.connection.connector.slug}_`) &&
        (m.tools.length === 0 || m.tools.includes(name)),
    );
  }

  async function authorizeOutcome(
    scope: McpScope,
    connection: Connection,
    status: string,
  ): Promise<McpCallOutcome> {
    const service = connection.connector.display_name;
    try {
      const { link } = await deps.authorization.createLink(scope.environmentId, {
        connector: connection.name,
        identifier: scope.identifier,
      });
      return {
        kind: 'authorize',
        link,
        status,
        connectionName: connection.name,
        message: `${service} is not connected for this user (${status}). Ask the user to open this link and authorize access, then call the tool again: ${link}`,
      };
    } catch (e) {
      if (!isLatchkeyError(e)) throw e;
      return { kind: 'error', code: 'AUTHORIZATION_UNAVAILABLE', executionId: undefined, message: e.message };
    }
  }

  return {
    /** The scope of a per-user instance URL token; undefined: unknown, rotated or revoked. */
    async resolveInstance(token: string): Promise<McpScope | undefined> {
      const found = await deps.instances.resolveToken(token);
      if (!found) return undefined;
      const { instance, config } = found;
      const mappings = await deps.configs.mappingViews(found.mappings);
      deps.instances.touch(instance.id);
      return {
        kind: 'instance',
        id: instance.id,
        environmentId: instance.environment_id,
        identifier: instance.identifier,
        accountIds: undefined,
        toolSet: toolSetOf(config.id, config.updated_at, mappings),
      };
    },

    /** The scope of a session token at a static server URL or a connection URL; undefined: refused. */
    async resolveSession(
      token: string,
      at: { serverId: string } | { connectionName: string },
    ): Promise<McpScope | undefined> {
      const grant = await deps.sessions.verify(token, at);
      if (!grant) return undefined;
      const key = grant.configId ?? `conn:${grant.mappings[0]?.connection.id}`;
      return {
        kind: 'session',
        id: grant.configId ?? grant.mappings[0]?.connection.id ?? '',
        environmentId: grant.environmentId,
        identifier: grant.identifier,
        accountIds: grant.accountIds,
        toolSet: toolSetOf(key, grant.version, grant.mappings),
      };
    },

    /** Tools of upstream MCP connections, discovered as the user (the catalog tools are in toolSet). */
    async upstreamTools(scope: McpScope): Promise<McpToolEntry[]> {
      const out: McpToolEntry[] = [];
      for (const m of scope.toolSet.upstream) {
        let entries: Awaited<ReturnType<Tools['list']>>;
        try {
          entries = await deps.tools.list(scope.environmentId, {
            connector: m.connection.name,
            identifier: scope.identifier,
          });
        } catch {
          // an upstream server that is down or refuses discovery: its tools are not listed now
          continue;
        }
        for (const e of entries) {
          if (e.connector.slug !== m.connection.connector.slug) continue;
          if (m.tools.length > 0 && !m.tools.includes(e.tool.name)) continue;
          out.push({ connection: m.connection, tool: e.tool });
        }
      }
      return out;
    },

    /** tools/call: the same executor as ExecuteTool, as the scope's identifier. */
    async call(scope: McpScope, name: string, args: Record<string, unknown>): Promise<McpCallOutcome> {
      const entry = scope.toolSet.byName.get(name);
      const connection = entry?.connection ?? upstreamEntry(scope.toolSet, name)?.connection;
      if (!connection) return { kind: 'unknown_tool' };
      if (!connection.enabled) {
        return {
          kind: 'error',
          code: 'CONNECTION_DISABLED',
          executionId: undefined,
          message: `connection "${connection.name}" is disabled`,
        };
      }
      const accountOf = () =>
        accounts.repo.findByIdentifier(scope.environmentId, connection.id, scope.identifier);
      let accountId: string | undefined;
      if (scope.accountIds) {
        // a session token reaches only the accounts it names: check before executing
        const account = await accountOf();
        if (account?.status !== 'ACTIVE')
          return authorizeOutcome(scope, connection, account?.status ?? 'NOT_CONNECTED');
        if (!scope.accountIds.has(account.id)) {
          return {
            kind: 'error',
            code: 'SESSION_TOKEN_SCOPE',
            executionId: undefined,
            message: `this session token does not cover connection "${connection.name}"; mint a new one with CreateMcpSessionToken`,
          };
        }
        accountId = account.id;
      }
      try {
        const { data, executionId } = await execution.execute(
          { environmentId: scope.environmentId, clientId: `mcp:${scope.id}` },
          {
            toolName: name,
            params: args,
            identifier: scope.identifier,
            ...(accountId ? { connectedAccountId: accountId } : { connector: connection.name }),
          },
        );
        return { kind: 'result', data, executionId, upstream: connection.connector.kind === 'mcp' };
      } catch (e) {
        if (!(e instanceof LatchkeyError)) throw e;
        // no account, or not ACTIVE (also when the provider refused it and the refresh did not help)
        if (
          e.code === 'not_found' ||
          e.code === 'failed_precondition' ||
          (e.toolError && e.code === 'unauthenticated')
        ) {
          const account = await accountOf();
          if (account?.status !== 'ACTIVE')
            return authorizeOutcome(scope, connection, account?.status ?? 'NOT_CONNECTED');
        }
        if (e.code === 'internal' && !e.toolError) throw e;
        return {
          kind: 'error',
          code: e.toolError?.code ?? e.errorCode ?? e.code.toUpperCase(),
          executionId: e.toolError?.executionId,
          message: e.message,
        };
      }
    },
  };
}

export type McpServing = ReturnType<typeof createMcpServing>;
