/**
 * The Scalekit-compatible API: one thin adapter per service (parse the request message, call the
 * service, shape the response message). Served as gRPC and REST by the compat transport. Every
 * service of proto/ is registered, so each RPC has its REST binding; RPCs without a handler
 * answer UNIMPLEMENTED / 501.
 */
import { invalidArgument } from '../../errors.ts';
import type { Services } from '../../services/index.ts';
import type { RestConventions, ServiceRegistration } from '../compat/index.ts';
import { connectedAccountServices } from './connected-accounts.ts';
import { connectionServices } from './connections.ts';
import { mcpServices } from './mcp.ts';
import { providerServices } from './providers.ts';
import { toolServices } from './tools.ts';

export function apiServices(services: Services): ServiceRegistration[] {
  return [
    ...connectionServices(services),
    ...providerServices(services),
    ...connectedAccountServices(services),
    ...toolServices(services),
    ...mcpServices(services),
  ].map(refusingSaasKitUsers);
}

/**
 * Scalekit can name an account by a SaaSKit organization and user (`organization_id`, `user_id`)
 * instead of an identifier. Latchkey has no user directory: a request that sets them is refused,
 * naming the field, rather than served as if they were absent (which could pick another account).
 */
function refusingSaasKitUsers(reg: ServiceRegistration): ServiceRegistration {
  const handlers: ServiceRegistration['handlers'] = {};
  for (const [name, handler] of Object.entries(reg.handlers)) {
    if (!handler) continue;
    handlers[name] = (req, ctx) => {
      for (const [prefix, msg] of [
        ['', req],
        ['filter.', (req as { filter?: unknown }).filter],
      ] as const) {
        const m = msg as { organizationId?: string; userId?: string } | undefined;
        if (m?.organizationId) throw unsupportedUserRef(`${prefix}organization_id`);
        if (m?.userId) throw unsupportedUserRef(`${prefix}user_id`);
      }
      return handler(req, ctx);
    };
  }
  return { service: reg.service, handlers };
}

const unsupportedUserRef = (field: string) =>
  invalidArgument(
    field,
    'Scalekit organizations and users are not part of Latchkey; name the end user by identifier',
  );

/** The RPCs whose REST success Scalekit's API reference documents as 201 Created. */
const CREATED = new Set(['CreateConnectedAccount', 'CreateCustomProvider', 'CreateMcpConfig']);

/**
 * What Scalekit's API reference (agentkit-openapi.yaml) documents beyond the annotations: some
 * creations answer 201, and ExecuteTool's curl sample spells the input `tool_input` (the proto field
 * is `params`).
 */
export const restConventions: RestConventions = {
  successStatus: (method) => (CREATED.has(method.name) ? 201 : 200),
  bodyAliases: { 'scalekit.v1.tools.ToolService/ExecuteTool': { tool_input: 'params' } },
};
