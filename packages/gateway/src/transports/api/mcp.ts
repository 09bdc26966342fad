/**
 * McpService over the MCP service: configs, per-user instances, auth state, session tokens.
 * The legacy per-user `Mcp` resource (CreateMcp/GetMcp/ListMcp/DeleteMcp, PREVIEW, backing the
 * retired `/mcp/v1` servers) is not implemented and answers UNIMPLEMENTED / 501.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  type McpConfigConnectionToolMappingSchema,
  type McpConfigSchema,
  type McpInstanceSchema,
  McpService,
} from '../../gen/scalekit/v1/mcp/mcp_pb.js';
import { providerKeyOf } from '../../services/catalog.ts';
import type { Services } from '../../services/index.ts';
import type { McpConnectionState } from '../../services/mcp-auth-state.ts';
import type { McpConfig, McpMappingInput } from '../../services/mcp-configs.ts';
import type { McpInstance } from '../../services/mcp-instances.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { opt, ts } from './convert.ts';

type ConfigMessage = MessageInitShape<typeof McpConfigSchema>;
type MappingMessage = MessageInitShape<typeof McpConfigConnectionToolMappingSchema>;
type InstanceMessage = MessageInitShape<typeof McpInstanceSchema>;

function configMessage(c: McpConfig, accounts?: Map<string, { id: string; status: string }>): ConfigMessage {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    mcpServerUrl: c.serverUrl,
    connectionToolMappings: c.mappings.map((m): MappingMessage => {
      const account = accounts?.get(m.connection.id);
      return {
        connectionId: m.connection.id,
        connectionName: m.connection.name,
        provider: providerKeyOf(m.connection.connector.slug),
        tools: m.tools,
        ...(account ? { connectedAccountId: account.id, connectedAccountStatus: account.status } : {}),
      };
    }),
  };
}

export const instanceMessage = (i: McpInstance): InstanceMessage => ({
  id: i.id,
  name: i.name,
  userIdentifier: i.identifier,
  config: configMessage(i.config, i.accounts),
  lastUsedAt: ts(i.lastUsedAt),
  updatedAt: ts(i.updatedAt),
  url: i.url,
});

const stateMessage = (s: McpConnectionState) => ({
  connectionId: s.connection.id,
  connectionName: s.connection.name,
  provider: providerKeyOf(s.connection.connector.slug),
  connectedAccountId: s.account?.id ?? '',
  connectedAccountStatus: s.account?.status ?? '',
  authenticationLink: s.link,
});

const mappingsIn = (list: { connectionName: string; tools: string[] }[]): McpMappingInput[] =>
  list.map((m) => ({ connectionName: m.connectionName, tools: m.tools }));

export function mcpServices(s: Services): ServiceRegistration[] {
  const { configs, instances, sessions } = s.mcp;
  return [
    defineService(McpService, {
      async createMcpConfig(req, ctx) {
        const c = req.config;
        const config = await configs.create(ctx.principal.environmentId, {
          name: c?.name ?? '',
          description: c?.description ?? '',
          mappings: mappingsIn(c?.connectionToolMappings ?? []),
        });
        return { config: configMessage(config) };
      },
      async getMcpConfig(req, ctx) {
        return { config: configMessage(await configs.get(ctx.principal.environmentId, req.configId)) };
      },
      async listMcpConfigs(req, ctx) {
        const page = await configs.list(ctx.principal.environmentId, {
          id: opt(req.filter?.id),
          name: opt(req.filter?.name),
          provider: opt(req.filter?.provider),
          serverUrl: opt(req.filter?.mcpServerUrl),
          search: opt(req.search),
          pageSize: req.pageSize,
          pageToken: opt(req.pageToken),
        });
        return {
          configs: page.configs.map((c) => configMessage(c)),
          totalSize: page.total,
          nextPageToken: page.nextPageToken,
          prevPageToken: page.prevPageToken,
        };
      },
      async updateMcpConfig(req, ctx) {
        const config = await configs.update(ctx.principal.environmentId, req.configId, {
          description: opt(req.description),
          mappings: req.connectionToolMappings.length ? mappingsIn(req.connectionToolMappings) : undefined,
        });
        return { config: configMessage(config) };
      },
      async deleteMcpConfig(req, ctx) {
        await configs.delete(ctx.principal.environmentId, req.configId);
        return {};
      },
      async ensureMcpInstance(req, ctx) {
        const instance = await instances.ensure(ctx.principal.environmentId, {
          configName: req.configName,
          identifier: req.userIdentifier,
          name: opt(req.name),
        });
        return { instance: instanceMessage(instance) };
      },
      async getMcpInstance(req, ctx) {
        return {
          instance: instanceMessage(await instances.get(ctx.principal.environmentId, req.instanceId)),
        };
      },
      async listMcpInstances(req, ctx) {
        const page = await instances.list(ctx.principal.environmentId, {
          id: opt(req.filter?.id),
          name: opt(req.filter?.name),
          configName: opt(req.filter?.configName),
          identifier: opt(req.filter?.userIdentifier),
          search: opt(req.search),
          pageSize: req.pageSize,
          pageToken: opt(req.pageToken),
        });
        return {
          instances: page.instances.map(instanceMessage),
          totalSize: page.total,
          nextPageToken: page.nextPageToken,
          prevPageToken: page.prevPageToken,
        };
      },
      async updateMcpInstance(req, ctx) {
        const instance = await instances.update(ctx.principal.environmentId, req.instanceId, {
          name: opt(req.name),
          configName: opt(req.configName),
        });
        return { instance: instanceMessage(instance) };
      },
      async deleteMcpInstance(req, ctx) {
        await instances.delete(ctx.principal.environmentId, req.instanceId);
        return {};
      },
      async getMcpInstanceAuthState(req, ctx) {
        const states = await instances.authState(
          ctx.principal.environmentId,
          req.instanceId,
          req.includeAuthLinks,
        );
        return { connections: states.map(stateMessage) };
      },
      async createMcpSessionToken(req, ctx) {
        const expiry = req.expiry ? Number(req.expiry.seconds) + req.expiry.nanos / 1e9 : undefined;
        const { token, expiresAt } = await sessions.mint(ctx.principal.environmentId, {
          configId: opt(req.mcpConfigId),
          connectionName: opt(req.keyId),
          identifier: req.identifier,
          expirySeconds: expiry,
        });
        return { token, expiresAt: ts(expiresAt) };
      },
      async listMcpConnectedAccounts(req, ctx) {
        const states = await sessions.connectedAccounts(ctx.principal.environmentId, {
          configId: req.configId,
          identifier: req.identifier,
          includeAuthLink: req.includeAuthLink,
        });
        return {
          connectedAccounts: states.map((st) => {
            const m = stateMessage(st);
            return st.account
              ? m
              : { ...m, connectedAccountId: undefined, connectedAccountStatus: undefined };
          }),
        };
      },
    }),
  ];
}
