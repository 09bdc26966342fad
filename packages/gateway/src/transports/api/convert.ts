/** Shared mapping between service values and wire messages (enums, times, auth types). */

import { type Timestamp, timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { AuthScheme } from '@latchkey/connectors';
import {
  ConnectorStatus,
  ConnectorType,
} from '../../gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ConnectionStatus, ConnectionType } from '../../gen/scalekit/v1/connections/connections_pb.js';
import type { AccountStatus } from '../../store/schema.ts';

export const ts = (ms: number | undefined | null): Timestamp | undefined =>
  ms === undefined || ms === null ? undefined : timestampFromMs(ms);

export const ACCOUNT_STATUS: Record<AccountStatus, ConnectorStatus> = {
  ACTIVE: ConnectorStatus.ACTIVE,
  EXPIRED: ConnectorStatus.EXPIRED,
  PENDING_AUTH: ConnectorStatus.PENDING_AUTH,
  PENDING_VERIFICATION: ConnectorStatus.PENDING_VERIFICATION,
  DISCONNECTED: ConnectorStatus.DISCONNECTED,
};

/** connected_accounts.ConnectorType of an auth scheme (the account's authorization_type). */
export function accountAuthType(auth: AuthScheme): ConnectorType {
  switch (auth.type) {
    case 'oauth2':
    case 'mcp_oauth2':
      return ConnectorType.OAUTH;
    case 'api_key':
      return ConnectorType.API_KEY;
    case 'basic':
      return ConnectorType.BASIC_AUTH;
    case 'bearer':
      return ConnectorType.BEARER_TOKEN;
    case 'none':
      return ConnectorType.NO_AUTH;
  }
}

/** connections.ConnectionType of an auth scheme. */
export function connectionType(auth: AuthScheme): ConnectionType {
  switch (auth.type) {
    case 'oauth2':
    case 'mcp_oauth2':
      return ConnectionType.OAUTH;
    case 'api_key':
      return ConnectionType.API_KEY;
    case 'basic':
      return ConnectionType.BASIC;
    case 'bearer':
      return ConnectionType.BEARER;
    case 'none':
      return ConnectionType.NO_AUTH;
  }
}

export const connectionStatus = (configured: boolean): ConnectionStatus =>
  configured ? ConnectionStatus.COMPLETED : ConnectionStatus.IN_PROGRESS;

/** Empty strings mean "not set" on the wire (proto3 scalars). */
export const opt = (s: string | undefined | null): string | undefined =>
  s === undefined || s === null || s === '' ? undefined : s;
