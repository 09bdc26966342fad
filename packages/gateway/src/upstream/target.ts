/** Where an MCP connection's server is, and who a request goes out as. */
import { BaseUrlError, resolveBaseUrl } from '@latchkey/connectors';
import { LatchkeyError } from '../errors.ts';
import type { UpstreamTarget } from '../services/account-access.ts';
import type { Account } from '../services/accounts.ts';
import type { Connection } from '../services/connections.ts';

/** The Streamable HTTP endpoint of an MCP connection: its setting, else the connector's. */
export function serverUrlOf(connection: Pick<Connection, 'name' | 'connector' | 'settings'>): string {
  try {
    return resolveBaseUrl(
      connection.connector,
      connection.settings.mcp_server_url ? { server_url: connection.settings.mcp_server_url } : {},
    );
  } catch (e) {
    if (!(e instanceof BaseUrlError)) throw e;
    throw new LatchkeyError(
      'failed_precondition',
      `connection "${connection.name}" has no MCP server URL: set its mcp_server_url setting (${e.message})`,
    );
  }
}

/**
 * Who requests go out as. `target` is absent for connectors without authentication (one shared
 * session per connection); `key` identifies the session and the tool cache entry.
 */
export interface Caller {
  key: string;
  serverUrl: string;
  connectionId: string;
  /** For messages: the connection and connector names. */
  connectionName: string;
  service: string;
  target: UpstreamTarget | undefined;
}

export function callerFor(target: UpstreamTarget): Caller {
  const anonymous = target.connector.auth.type === 'none';
  return {
    key: `${target.connectionId}:${anonymous ? '-' : target.accountId}:${target.baseUrl}`,
    serverUrl: target.baseUrl,
    connectionId: target.connectionId,
    connectionName: target.connectionName,
    service: target.connector.display_name,
    target: anonymous ? undefined : target,
  };
}

/** The caller for discovering an MCP connection's tools as `account` (undefined: anonymous). */
export function callerOf(connection: Connection, account: Account | undefined): Caller {
  const serverUrl = serverUrlOf(connection).replace(/\/+$/, '');
  if (!account || connection.connector.auth.type === 'none') {
    return {
      key: `${connection.id}:-:${serverUrl}`,
      serverUrl,
      connectionId: connection.id,
      connectionName: connection.name,
      service: connection.connector.display_name,
      target: undefined,
    };
  }
  return callerFor({
    accountId: account.id,
    environmentId: connection.environmentId,
    identifier: account.identifier,
    connectionId: connection.id,
    connectionName: connection.name,
    connector: connection.connector,
    baseUrl: serverUrl,
  });
}
