/**
 * Test server for the compat transport: small in-test fake handlers (fixed data) behind the real
 * transport, a minimal /oauth/token, gRPC (h2c) and REST (HTTP/1.1) on ONE port through the
 * dual-protocol listener, exactly as the official SDK expects.
 */
import type * as http from 'node:http';
import type * as http2 from 'node:http2';
import { type DescMessage, type Message, toJson } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { LatchkeyError, notFound } from '../../src/errors.ts';
import {
  ConnectedAccountService,
  ConnectorStatus,
  ConnectorType,
} from '../../src/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import {
  ConnectionService,
  ConnectionStatus,
  ConnectionType,
} from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { McpService } from '../../src/gen/scalekit/v1/mcp/mcp_pb.js';
import { ProviderService } from '../../src/gen/scalekit/v1/providers/providers_pb.js';
import { ToolService } from '../../src/gen/scalekit/v1/tools/tools_pb.js';
import {
  type CompatTransport,
  type CompatTransportOptions,
  createCompatTransport,
  createDualProtocolServer,
  defineService,
  type RpcContext,
} from '../../src/transports/compat/index.ts';

export const CLIENT_ID = 'skc_test_client';
export const CLIENT_SECRET = 'test-secret';
export const TOKEN = 'tok_valid';
export const CREATED_AT = new Date('2026-01-02T03:04:05Z');

export interface Call {
  rpc: string;
  protocol: RpcContext['protocol'];
  /** The decoded request as proto-named JSON (all fields emitted), for assertions. */
  request: Record<string, unknown>;
}

export interface Fixture {
  url: string;
  transport: CompatTransport;
  calls: Call[];
  /** Authorization header values seen by authenticate, in order. */
  authHeaders: (string | undefined)[];
  tokenRequests: number;
  errors: unknown[];
  /** Protocols of calls whose handler saw its abort signal fire. */
  aborted: RpcContext['protocol'][];
  close(): Promise<void>;
}

export async function startFixture(extra: Partial<CompatTransportOptions> = {}): Promise<Fixture> {
  const calls: Call[] = [];
  const authHeaders: (string | undefined)[] = [];
  const errors: unknown[] = [];
  const aborted: RpcContext['protocol'][] = [];
  const record = (schema: DescMessage, req: Message, ctx: RpcContext) =>
    calls.push({
      rpc: ctx.rpc,
      protocol: ctx.protocol,
      request: toJson(schema, req, { useProtoFieldName: true, alwaysEmitImplicit: true }) as Record<
        string,
        unknown
      >,
    });

  const transport = createCompatTransport({
    async authenticate(authorization) {
      authHeaders.push(authorization);
      if (authorization !== `Bearer ${TOKEN}`) {
        throw new LatchkeyError('unauthenticated', 'missing or invalid access token');
      }
      return { environmentId: 'env_test', clientId: CLIENT_ID };
    },
    onError: (err) => errors.push(err),
    services: [
      defineService(ConnectionService, {
        async listAppConnections(req, ctx) {
          record(ConnectionService.method.listAppConnections.input, req, ctx);
          return {
            connections: [
              {
                id: 'conn_1',
                type: ConnectionType.OAUTH,
                status: ConnectionStatus.COMPLETED,
                enabled: true,
                providerKey: 'gmail',
                keyId: 'MY_GMAIL',
                createdAt: timestampFromDate(CREATED_AT),
              },
            ],
            totalSize: 1,
          };
        },
        async enableEnvironmentConnection(req, ctx) {
          record(ConnectionService.method.enableEnvironmentConnection.input, req, ctx);
          return { enabled: true };
        },
        async createEnvironmentConnection(req, ctx) {
          record(ConnectionService.method.createEnvironmentConnection.input, req, ctx);
          return { connection: { id: 'conn_new', providerKey: req.connection?.providerKey ?? '' } };
        },
      }),
      defineService(ConnectedAccountService, {
        async getConnectedAccountAuth(req, ctx) {
          record(ConnectedAccountService.method.getConnectedAccountAuth.input, req, ctx);
          if (req.identifier === 'missing') throw notFound('connected account');
          return {
            connectedAccount: {
              id: 'ca_1',
              identifier: req.identifier ?? '',
              connector: req.connector ?? '',
              status: ConnectorStatus.ACTIVE,
              authorizationType: ConnectorType.OAUTH,
              authorizationDetails: {
                details: { case: 'oauthToken', value: { accessToken: 'at', scopes: ['a', 'b'] } },
              },
            },
          };
        },
        async createConnectedAccount(req, ctx) {
          record(ConnectedAccountService.method.createConnectedAccount.input, req, ctx);
          throw new LatchkeyError('invalid_argument', 'invalid connected account', {
            violations: [
              { field: 'connected_account.authorization_details', description: 'value is required' },
              { field: 'identifier', description: 'must not be empty', constraint: 'min_len' },
            ],
          });
        },
        async getConnectedAccount(req, ctx) {
          record(ConnectedAccountService.method.getConnectedAccount.input, req, ctx);
          return { connectedAccount: { id: req.id } };
        },
        async disconnectConnectedAccount(req, ctx) {
          record(ConnectedAccountService.method.disconnectConnectedAccount.input, req, ctx);
          return { connectedAccount: { id: req.id, status: ConnectorStatus.DISCONNECTED } };
        },
        async deleteConnectedAccount(req, ctx) {
          record(ConnectedAccountService.method.deleteConnectedAccount.input, req, ctx);
          return {};
        },
      }),
      defineService(ToolService, {
        async listTools(req, ctx) {
          record(ToolService.method.listTools.input, req, ctx);
          return { toolNames: ['gmail_send_email'], totalSize: 1 };
        },
        async listScopedTools(req, ctx) {
          record(ToolService.method.listScopedTools.input, req, ctx);
          if (req.identifier === 'wait_for_abort') {
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
            aborted.push(ctx.protocol);
            throw ctx.signal.reason;
          }
          return {};
        },
        async setToolDefault(req, ctx) {
          record(ToolService.method.setToolDefault.input, req, ctx);
          return { tool: { id: 'tool_1', provider: req.name } };
        },
        async createTool(req, ctx) {
          record(ToolService.method.createTool.input, req, ctx);
          return { tool: req.tool ?? {} };
        },
        async executeTool(req, ctx) {
          record(ToolService.method.executeTool.input, req, ctx);
          if (req.toolName === 'provider_rejects') {
            throw new LatchkeyError('unauthenticated', 'the provider rejected the credentials', {
              toolError: { executionId: 'exec_42', message: 'invalid_auth', code: '401' },
            });
          }
          if (req.toolName === 'provider_fails') {
            throw new LatchkeyError('unavailable', 'the provider failed', {
              toolError: { executionId: 'exec_43', message: 'upstream 502', code: '502' },
            });
          }
          if (req.toolName === 'crashes') throw new Error('db password=hunter2 in a stack');
          return { data: { echo: req.params ?? {} }, executionId: 'exec_1' };
        },
      }),
      defineService(McpService, {
        async updateMcpConfig(req, ctx) {
          record(McpService.method.updateMcpConfig.input, req, ctx);
          return { config: { id: req.configId, description: req.description } };
        },
        async createMcpConfig(req, ctx) {
          record(McpService.method.createMcpConfig.input, req, ctx);
          return { config: req.config ?? {} };
        },
        async getMcpInstanceAuthState(req, ctx) {
          record(McpService.method.getMcpInstanceAuthState.input, req, ctx);
          return { connections: [] };
        },
        async createMcpSessionToken(req, ctx) {
          record(McpService.method.createMcpSessionToken.input, req, ctx);
          return { token: 'jwt', expiresAt: timestampFromDate(CREATED_AT) };
        },
      }),
      defineService(ProviderService, {
        async listProviders(req, ctx) {
          record(ProviderService.method.listProviders.input, req, ctx);
          return { providers: [{ identifier: 'gmail', displayName: 'Gmail', metadata: { k: 'v' } }] };
        },
      }),
    ],
    ...extra,
  });

  const app = new Hono();
  let tokenRequests = 0;
  app.post('/oauth/token', async (c) => {
    tokenRequests++;
    const form = await c.req.parseBody();
    if (form['client_id'] !== CLIENT_ID || form['client_secret'] !== CLIENT_SECRET) {
      return c.json({ error: 'invalid_client' }, 401);
    }
    return c.json({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 });
  });
  app.route('/', transport.restApp);
  const rest = getRequestListener(app.fetch);
  const server = createDualProtocolServer({
    http1Handler: (req: http.IncomingMessage, res: http.ServerResponse) => void rest(req, res),
    http2Handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) =>
      transport.grpcHandler(req, res, () => void rest(req, res)),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    transport,
    calls,
    authHeaders,
    get tokenRequests() {
      return tokenRequests;
    },
    errors,
    aborted,
    async close() {
      server.closeAllConnections();
      await server.close();
    },
  };
}

/** fetch with the valid token. */
export function authed(init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) },
  };
}
