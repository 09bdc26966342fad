/**
 * The MCP service (DESIGN §5 "MCP"): configs, per-user instances, session tokens, and what the
 * MCP transport serves. Nothing here knows MCP's wire format, HTTP or gRPC.
 */
import type { Clock } from '../clock.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Signer } from '../crypto/signing.ts';
import type { Logger } from '../ops/log.ts';
import type { Store } from '../store/store.ts';
import type { Accounts } from './accounts.ts';
import type { Authorization } from './authorization.ts';
import type { Connections } from './connections.ts';
import { createMcpAuthStates } from './mcp-auth-state.ts';
import { createMcpConfigs } from './mcp-configs.ts';
import { createMcpInstances } from './mcp-instances.ts';
import { createMcpServing } from './mcp-serving.ts';
import { createMcpSessions } from './mcp-sessions.ts';
import type { ToolExecution } from './tool-execution.ts';
import type { Tools } from './tools.ts';

export function createMcp(deps: {
  store: Store;
  keyring: Keyring;
  signer: Signer;
  clock: Clock;
  logger: Logger;
  connections: Connections;
  accounts: Accounts;
  authorization: Authorization;
  tools: Tools;
  execution: ToolExecution;
  publicUrl: () => string;
}) {
  const { store, clock, connections, accounts, tools, publicUrl } = deps;
  const configs = createMcpConfigs({ store, clock, connections, tools, publicUrl });
  const authStates = createMcpAuthStates({ accounts, authorization: deps.authorization });
  const instances = createMcpInstances({
    store,
    keyring: deps.keyring,
    clock,
    logger: deps.logger,
    accounts,
    configs,
    authStates,
    publicUrl,
  });
  const sessions = createMcpSessions({
    signer: deps.signer,
    clock,
    accounts,
    connections,
    configs,
    authStates,
    publicUrl,
  });
  const serving = createMcpServing({
    configs,
    instances,
    sessions,
    accounts,
    authorization: deps.authorization,
    tools,
    execution: deps.execution,
  });
  return { configs, instances, sessions, serving };
}

export type Mcp = ReturnType<typeof createMcp>;
