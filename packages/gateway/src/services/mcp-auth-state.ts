/**
 * The state of a user's connected account on every connection of an MCP config
 * (GetMcpInstanceAuthState, ListMcpConnectedAccounts): status, and on request a fresh
 * authorization link per connection, creating PENDING_AUTH accounts where missing. Connections
 * that need no authorization (auth `none`) never get a link.
 */
import type { Accounts } from './accounts.ts';
import type { Authorization } from './authorization.ts';
import type { Connection } from './connections.ts';
import type { McpMapping } from './mcp-configs.ts';

export interface McpConnectionState {
  connection: Connection;
  account: { id: string; status: string } | undefined;
  /** Empty unless links were asked for (and the connection is authorized through one). */
  link: string;
}

export function createMcpAuthStates(deps: { accounts: Accounts; authorization: Authorization }) {
  const { accounts, authorization } = deps;

  /** The user's accounts keyed by connection id (one query). */
  async function accountsOf(environmentId: string, identifier: string) {
    const rows = await accounts.repo.listByIdentifier(environmentId, identifier);
    return new Map(rows.map((r) => [r.connection_id, { id: r.id, status: r.status as string }]));
  }

  return {
    accountsOf,

    async states(
      environmentId: string,
      mappings: McpMapping[],
      identifier: string,
      withLinks: boolean,
    ): Promise<McpConnectionState[]> {
      const byConnection = await accountsOf(environmentId, identifier);
      const out: McpConnectionState[] = [];
      for (const { connection } of mappings) {
        let account = byConnection.get(connection.id);
        let link = '';
        if (withLinks && connection.connector.auth.type !== 'none') {
          const created = await authorization.createLink(environmentId, {
            connector: connection.name,
            identifier,
          });
          link = created.link;
          account = { id: created.account.id, status: created.account.status };
        }
        out.push({ connection, account, link });
      }
      return out;
    },
  };
}

export type McpAuthStates = ReturnType<typeof createMcpAuthStates>;
