/**
 * MCP session tokens (the static-URL model): an app mints a short-lived RS256 JWT for one user,
 * and any MCP client uses the config's static server URL (or a connection's) with it as
 * `Authorization: Bearer`. Claims: `sub` identifier, `aud` the server URL, `env`, `mcp_cfg` (the
 * config id) or `conn` (the connection id, per-connection servers), `ca_ids` (the connected
 * accounts the token reaches; minting needs an ACTIVE account on every mapped connection),
 * `token_type: mcp_session`. Every MCP request checks the signature, expiry and audience, and
 * looks the config (or connection) up in the store: deleting it kills its tokens at once.
 */
import type { Clock } from '../clock.ts';
import type { Signer } from '../crypto/signing.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import type { Accounts } from './accounts.ts';
import { TOKEN_ISSUER } from './api-access.ts';
import type { Connection, Connections } from './connections.ts';
import type { McpAuthStates, McpConnectionState } from './mcp-auth-state.ts';
import type { McpConfigs, McpMapping } from './mcp-configs.ts';

export const SESSION_MIN_SECONDS = 60;
export const SESSION_MAX_SECONDS = 24 * 3600;
export const SESSION_DEFAULT_SECONDS = 3600;
const TOKEN_TYPE = 'mcp_session';

/** What a verified session token grants. */
export interface McpSessionGrant {
  environmentId: string;
  identifier: string;
  accountIds: ReadonlySet<string>;
  /** The config's mappings, or the one connection (all its tools) of a per-connection server. */
  mappings: McpMapping[];
  configId: string | undefined;
  /** Config updated_at (or connection updated_at): part of the tool-set cache key. */
  version: number;
}

export function createMcpSessions(deps: {
  signer: Signer;
  clock: Clock;
  accounts: Accounts;
  connections: Connections;
  configs: McpConfigs;
  authStates: McpAuthStates;
  publicUrl: () => string;
}) {
  const { signer, accounts, connections, configs, clock } = deps;
  const connectionUrl = (name: string) =>
    `${deps.publicUrl()}/mcp/v3/connections/${encodeURIComponent(name)}`;

  /** The ACTIVE accounts of `identifier` on every connection, or failed_precondition naming one. */
  async function activeAccounts(environmentId: string, identifier: string, list: Connection[]) {
    const byConnection = await deps.authStates.accountsOf(environmentId, identifier);
    const ids: string[] = [];
    for (const c of list) {
      const a = byConnection.get(c.id);
      if (a?.status !== 'ACTIVE') {
        throw new LatchkeyError(
          'failed_precondition',
          `"${identifier}" has no ACTIVE connected account on connection "${c.name}"${a ? ` (${a.status})` : ''}; authorize it first (ListMcpConnectedAccounts with include_auth_link)`,
          { violations: [{ field: 'identifier', description: `needs an ACTIVE account on "${c.name}"` }] },
        );
      }
      ids.push(a.id);
    }
    return ids;
  }

  return {
    connectionUrl,

    /** CreateMcpSessionToken: for a config (`configId`) or one connection (`connectionName`). */
    async mint(
      environmentId: string,
      input: {
        configId?: string | undefined;
        connectionName?: string | undefined;
        identifier: string;
        expirySeconds?: number | undefined;
      },
    ): Promise<{ token: string; expiresAt: number; audience: string }> {
      if (input.configId && input.connectionName)
        throw invalidArgument('key_id', 'give mcp_config_id or key_id (a connection name), not both');
      if (!input.configId && !input.connectionName)
        throw invalidArgument('mcp_config_id', 'is required (or key_id, a connection name)');
      const identifier = input.identifier.trim();
      if (!identifier || identifier.length > 255)
        throw invalidArgument('identifier', 'must be 1-255 characters (your id for the end user)');
      const expiry = input.expirySeconds ?? SESSION_DEFAULT_SECONDS;
      if (!Number.isFinite(expiry) || expiry < SESSION_MIN_SECONDS || expiry > SESSION_MAX_SECONDS)
        throw invalidArgument(
          'expiry',
          `must be between ${SESSION_MIN_SECONDS}s and ${SESSION_MAX_SECONDS}s`,
        );
      const seconds = Math.floor(expiry);
      let audience: string;
      let claims: Record<string, unknown>;
      if (input.configId) {
        const config = await configs.get(environmentId, input.configId, 'mcp_config_id');
        if (config.mappings.length === 0)
          throw new LatchkeyError('failed_precondition', `MCP config "${config.name}" has no connections`);
        const ids = await activeAccounts(
          environmentId,
          identifier,
          config.mappings.map((m) => m.connection),
        );
        audience = config.serverUrl;
        claims = { mcp_cfg: config.id, ca_ids: ids };
      } else {
        const name = input.connectionName!;
        const connection = await connections.findByName(environmentId, name);
        if (!connection) throw new NotFoundError(`no connection named "${name}" in this environment`);
        const ids = await activeAccounts(environmentId, identifier, [connection]);
        audience = connectionUrl(connection.name);
        claims = { conn: connection.id, ca_ids: ids };
      }
      const token = await signer.sign(
        { ...claims, sub: identifier, env: environmentId, token_type: TOKEN_TYPE },
        { audience, issuer: TOKEN_ISSUER, expiresInSeconds: seconds },
      );
      return { token, expiresAt: clock.now() + seconds * 1000, audience };
    },

    /**
     * Verifies a bearer token presented at a static server URL (`serverId`) or a connection URL
     * (`connectionName`); undefined when it is invalid, expired, for another URL, or its config
     * (connection) is gone.
     */
    async verify(
      token: string,
      at: { serverId: string } | { connectionName: string },
    ): Promise<McpSessionGrant | undefined> {
      const audience = 'serverId' in at ? configs.serverUrl(at.serverId) : connectionUrl(at.connectionName);
      let claims: Record<string, unknown>;
      try {
        claims = await signer.verify(token, { audience, issuer: TOKEN_ISSUER });
      } catch {
        return undefined;
      }
      const env = claims['env'];
      const sub = claims['sub'];
      const ids = claims['ca_ids'];
      if (claims['token_type'] !== TOKEN_TYPE || typeof env !== 'string' || typeof sub !== 'string')
        return undefined;
      if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) return undefined;
      const accountIds = new Set(ids as string[]);
      if ('serverId' in at) {
        const row = await configs.repo.findByServerId(at.serverId);
        if (!row || row.environment_id !== env || row.id !== claims['mcp_cfg']) return undefined;
        const mapped = (await configs.repo.mappingsOf([row.id])).get(row.id) ?? [];
        return {
          environmentId: env,
          identifier: sub,
          accountIds,
          mappings: await configs.mappingViews(mapped),
          configId: row.id,
          version: row.updated_at,
        };
      }
      const connection = await connections.findByName(env, at.connectionName);
      if (!connection || connection.id !== claims['conn']) return undefined;
      return {
        environmentId: env,
        identifier: sub,
        accountIds,
        mappings: [{ connection, tools: [] }],
        configId: undefined,
        version: connection.updatedAt,
      };
    },

    /** ListMcpConnectedAccounts. */
    async connectedAccounts(
      environmentId: string,
      input: { configId: string; identifier: string; includeAuthLink: boolean },
    ): Promise<McpConnectionState[]> {
      const config = await configs.get(environmentId, input.configId, 'config_id');
      const identifier = accounts.checkIdentifier(input.identifier);
      return deps.authStates.states(environmentId, config.mappings, identifier, input.includeAuthLink);
    },
  };
}

export type McpSessions = ReturnType<typeof createMcpSessions>;
