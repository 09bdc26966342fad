/**
 * The Scalekit-compatible API: one thin adapter per service (parse the request message, call the
 * service, shape the response message). Served as gRPC and REST by the compat transport. Every
 * service of proto/ is registered, so each RPC has its REST binding; RPCs without a handler
 * answer UNIMPLEMENTED / 501.
 */
import type { Services } from '../../services/index.ts';
import type { ServiceRegistration } from '../compat/index.ts';
import { connectedAccountServices } from './connected-accounts.ts';
import { connectionServices } from './connections.ts';
import { mcpServices } from './mcp.ts';
import { toolServices } from './tools.ts';

export function apiServices(services: Services): ServiceRegistration[] {
  return [
    ...connectionServices(services),
    ...connectedAccountServices(services),
    ...toolServices(services),
    ...mcpServices(services),
  ];
}
