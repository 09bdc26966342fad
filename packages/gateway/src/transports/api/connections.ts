/** ConnectionService (environment connections) over the services. */
import type { JsonObject, MessageInitShape } from '@bufbuild/protobuf';
import { invalidArgument } from '../../errors.ts';
import type {
  Connection as ConnectionMessage,
  OAuthConnectionConfigSchema,
} from '../../gen/scalekit/v1/connections/connections_pb.js';
import { ConnectionService, ConnectionType } from '../../gen/scalekit/v1/connections/connections_pb.js';
import { providerKeyOf } from '../../services/catalog.ts';
import type { Connection, ConnectionPatch, ConnectionSettings } from '../../services/connections.ts';
import type { Services } from '../../services/index.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { connectionStatus, connectionType, opt, ts } from './convert.ts';

const SETTINGS_KEYS = [
  'base_url_variables',
  'mcp_server_url',
  'success_redirect_url',
  'pkce',
  'authorization_params',
] as const;

function settingsFromStruct(struct: JsonObject | undefined): ConnectionSettings | undefined {
  if (!struct) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(struct)) {
    if (!(SETTINGS_KEYS as readonly string[]).includes(k)) {
      throw invalidArgument(
        `connection.static_config.static_config.${k}`,
        `unknown setting; known: ${SETTINGS_KEYS.join(', ')}`,
      );
    }
    out[k] = v;
  }
  return out as ConnectionSettings;
}

function toMessage(
  c: Connection,
): Omit<
  MessageInitShape<typeof import('../../gen/scalekit/v1/connections/connections_pb.js').ConnectionSchema>,
  '$typeName'
> {
  const auth = c.connector.auth;
  const oauth: MessageInitShape<typeof OAuthConnectionConfigSchema> | undefined =
    auth.type === 'oauth2'
      ? {
          authorizeUri: auth.authorization_url,
          tokenUri: auth.token_url,
          clientId: c.oauthClientId,
          scopes: c.scopes,
          redirectUri: c.redirectUri,
          pkceEnabled: c.settings.pkce ?? auth.pkce,
          usePlatformCreds: c.usePlatformCredentials,
          ...(auth.authorization_params?.['access_type']
            ? { accessType: auth.authorization_params['access_type'] }
            : {}),
          ...(auth.authorization_params?.['prompt'] ? { prompt: auth.authorization_params['prompt'] } : {}),
        }
      : undefined;
  return {
    id: c.id,
    type: connectionType(auth),
    status: connectionStatus(c.configured),
    enabled: c.enabled,
    createTime: ts(c.createdAt),
    updateTime: ts(c.updatedAt),
    keyId: c.name,
    providerKey: providerKeyOf(c.connector.slug),
    settings: oauth
      ? { case: 'oauthConfig', value: oauth }
      : { case: 'staticConfig', value: { staticConfig: c.settings as JsonObject } },
    ...(c.settings.mcp_server_url ? { mcpServerUrl: c.settings.mcp_server_url } : {}),
  };
}

function toListEntry(
  c: Connection,
): Omit<
  MessageInitShape<typeof import('../../gen/scalekit/v1/connections/connections_pb.js').ListConnectionSchema>,
  '$typeName'
> {
  return {
    id: c.id,
    type: connectionType(c.connector.auth),
    status: connectionStatus(c.configured),
    enabled: c.enabled,
    providerKey: providerKeyOf(c.connector.slug),
    keyId: c.name,
    createdAt: ts(c.createdAt),
    uiButtonTitle: c.connector.display_name,
    mcpServerUrl: c.settings.mcp_server_url ?? '',
  };
}

function patchFrom(
  msg: ConnectionMessage['settings'] | undefined,
  base: { keyId?: string | undefined },
): ConnectionPatch {
  const patch: ConnectionPatch = {};
  if (base.keyId) patch.name = base.keyId;
  if (msg?.case === 'oauthConfig') {
    const o = msg.value;
    if (o.clientId !== undefined) patch.oauthClientId = o.clientId;
    if (o.clientSecret !== undefined) patch.oauthClientSecret = o.clientSecret;
    if (o.scopes.length > 0) patch.scopes = o.scopes;
    if (o.usePlatformCreds !== undefined) patch.usePlatformCredentials = o.usePlatformCreds;
    const settings: ConnectionSettings = {};
    if (o.pkceEnabled !== undefined) settings.pkce = o.pkceEnabled;
    const extra = o.extensions?.extraAuthorizeParams;
    if (extra && Object.keys(extra).length > 0) settings.authorization_params = extra;
    if (Object.keys(settings).length > 0) patch.settings = settings;
  } else if (msg?.case === 'staticConfig') {
    const s = settingsFromStruct(msg.value.staticConfig);
    if (s) patch.settings = s;
  } else if (msg?.case !== undefined) {
    throw invalidArgument(`connection.${msg.case}`, 'is not supported; use oauth_config or static_config');
  }
  return patch;
}

export function connectionServices(s: Services): ServiceRegistration[] {
  const { connections } = s;
  return [
    defineService(ConnectionService, {
      async createEnvironmentConnection(req, ctx) {
        const c = req.connection;
        if (!c?.providerKey)
          throw invalidArgument('connection.provider_key', 'is required: the connector, e.g. GMAIL or gmail');
        const connector = await connections.connector(
          ctx.principal.environmentId,
          c.providerKey,
          'connection.provider_key',
        );
        if (c.type !== ConnectionType.INVALID && c.type !== connectionType(connector.auth)) {
          throw invalidArgument(
            'connection.type',
            `${connector.slug} uses ${ConnectionType[connectionType(connector.auth)]}, not ${ConnectionType[c.type]}`,
          );
        }
        const created = await connections.create(ctx.principal.environmentId, {
          connector: connector.slug,
          name: opt(c.keyId),
        });
        return { connection: toMessage(created) };
      },
      async getEnvironmentConnection(req, ctx) {
        if (!req.connectionId) throw invalidArgument('connection_id', 'is required');
        return {
          connection: toMessage(await connections.get(ctx.principal.environmentId, req.connectionId)),
        };
      },
      async updateEnvironmentConnection(req, ctx) {
        if (!req.connectionId) throw invalidArgument('connection_id', 'is required');
        const patch = patchFrom(req.connection?.settings, { keyId: req.connection?.keyId });
        return {
          connection: toMessage(
            await connections.update(ctx.principal.environmentId, req.connectionId, patch),
          ),
        };
      },
      async deleteEnvironmentConnection(req, ctx) {
        if (!req.connectionId) throw invalidArgument('connection_id', 'is required');
        await connections.delete(ctx.principal.environmentId, req.connectionId);
        return {};
      },
      async enableEnvironmentConnection(req, ctx) {
        if (!req.connectionId) throw invalidArgument('connection_id', 'is required');
        return {
          enabled: (
            await connections.update(ctx.principal.environmentId, req.connectionId, { enabled: true })
          ).enabled,
        };
      },
      async disableEnvironmentConnection(req, ctx) {
        if (!req.connectionId) throw invalidArgument('connection_id', 'is required');
        return {
          enabled: (
            await connections.update(ctx.principal.environmentId, req.connectionId, { enabled: false })
          ).enabled,
        };
      },
      async listAppConnections(req, ctx) {
        const page = await connections.list(ctx.principal.environmentId, {
          pageSize: req.pageSize,
          pageToken: req.pageToken,
          ...(req.provider ? { provider: req.provider } : {}),
          ...(req.query ? { query: req.query } : {}),
        });
        return {
          connections: page.connections.map(toListEntry),
          totalSize: page.total,
          nextPageToken: page.nextPageToken,
          prevPageToken: page.prevPageToken,
        };
      },
    }),
  ];
}
