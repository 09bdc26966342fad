/**
 * The Scalekit-compatible API: one thin adapter per service (parse the request message, call the
 * service, shape the response message). Served as gRPC and REST by the compat transport. Every
 * service of proto/ is registered, so each RPC has its REST binding; RPCs without a handler
 * answer UNIMPLEMENTED / 501.
 */
import type { Runtime } from '../../gateway.ts';
import { ConnectedAccountService } from '../../gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ConnectionService } from '../../gen/scalekit/v1/connections/connections_pb.js';
import { McpService } from '../../gen/scalekit/v1/mcp/mcp_pb.js';
import { ProviderService } from '../../gen/scalekit/v1/providers/providers_pb.js';
import { ToolService } from '../../gen/scalekit/v1/tools/tools_pb.js';
import { defineService, type ServiceRegistration } from '../compat/index.ts';

export function apiServices(_rt: Runtime): ServiceRegistration[] {
  return [
    defineService(ConnectionService, {
      // Filled by the connections service (issue 5); an environment without connections lists none.
      listAppConnections: async () => ({
        connections: [],
        totalSize: 0,
        nextPageToken: '',
        prevPageToken: '',
      }),
    }),
    defineService(ConnectedAccountService, {}),
    defineService(ToolService, {}),
    defineService(McpService, {}),
    defineService(ProviderService, {}),
  ];
}
