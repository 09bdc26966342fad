/**
 * The Scalekit-compatible API: one thin adapter per service (parse the request message, call the
 * service, shape the response message). Served as gRPC and REST by the compat transport. Every
 * service of proto/ is registered, so each RPC has its REST binding; RPCs without a handler
 * answer UNIMPLEMENTED / 501.
 */
import { McpService } from '../../gen/scalekit/v1/mcp/mcp_pb.js';
import type { Services } from '../../services/index.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { connectedAccountServices } from './connected-accounts.ts';
import { connectionServices } from './connections.ts';
import { providerServices } from './providers.ts';
import { toolServices } from './tools.ts';

export function apiServices(services: Services): ServiceRegistration[] {
  return [
    ...connectionServices(services),
    ...providerServices(services),
    ...connectedAccountServices(services),
    ...toolServices(services),
    defineService(McpService, {}),
  ];
}
