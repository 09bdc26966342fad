/**
 * ProviderService: the connector catalog (ListProviders, shipped connectors and the environment's
 * custom ones) and custom MCP connectors (Create/Update/DeleteCustomProvider). A custom provider is
 * an MCP one when its first auth pattern says `is_mcp: true`; `proxy_url` is the MCP server URL.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { fromJson, toJson } from '@bufbuild/protobuf';
import { type ListValue, ListValueSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectorDefinition } from '@latchkey/connectors';
import { invalidArgument, isLatchkeyError, LatchkeyError } from '../../errors.ts';
import {
  type ProviderSchema,
  ProviderService,
  ProviderType,
} from '../../gen/scalekit/v1/providers/providers_pb.js';
import { providerKeyOf } from '../../services/catalog.ts';
import { credentialFields } from '../../services/credentials-codec.ts';
import type { CustomConnector, CustomMcpAuth, CustomMcpInput } from '../../services/custom-connectors.ts';
import type { Services } from '../../services/index.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { opt } from './convert.ts';

type ProviderMessage = MessageInitShape<typeof ProviderSchema>;

const AUTH_TYPE = {
  oauth2: 'OAUTH',
  mcp_oauth2: 'OAUTH',
  api_key: 'API_KEY',
  bearer: 'BEARER',
  basic: 'BASIC',
  none: 'NONE',
} as const;

function authPatterns(c: ConnectorDefinition): ListValue {
  const a = c.auth;
  return fromJson(ListValueSchema, [
    {
      type: AUTH_TYPE[a.type],
      display_name: c.display_name,
      is_mcp: c.kind === 'mcp',
      fields: credentialFields(a).map((f) => ({
        field_name: f.name,
        label: f.label,
        input_type: f.type,
        hint: f.hint ?? '',
        required: f.required,
      })),
      ...(a.type === 'api_key' ? { auth_header_key_override: a.name } : {}),
      ...(a.type === 'oauth2'
        ? {
            oauth_config: {
              pkce_enabled: a.pkce,
              authorize_uri: a.authorization_url,
              token_uri: a.token_url,
              available_scopes: a.scopes.available,
            },
          }
        : {}),
      ...(a.type === 'mcp_oauth2'
        ? {
            oauth_config: {
              pkce_enabled: true,
              dynamic_registration: a.registration === 'dynamic',
              available_scopes: a.scopes ?? [],
            },
          }
        : {}),
    },
  ]);
}

function message(c: ConnectorDefinition, priority: number, custom?: CustomConnector): ProviderMessage {
  return {
    id: custom?.id ?? c.slug,
    identifier: providerKeyOf(c.slug),
    displayName: c.display_name,
    description: c.description,
    categories: c.categories,
    iconSrc: c.icon_url ?? '',
    displayPriority: priority,
    proxyUrl: c.api?.base_url ?? c.mcp?.server_url ?? '',
    proxyEnabled: c.kind === 'rest',
    isCustom: custom !== undefined,
    isCustomMcp: custom !== undefined && c.kind === 'mcp',
    metadata: { ...custom?.metadata, connector: c.slug, kind: c.kind },
    authPatterns: authPatterns(c),
  };
}

/** The auth of a custom MCP provider from its first auth pattern; undefined when none is given. */
function authFrom(patterns: ListValue | undefined, required: boolean): CustomMcpAuth | undefined {
  const list = patterns ? (toJson(ListValueSchema, patterns) as unknown[]) : [];
  const field = 'provider.auth_patterns[0]';
  if (list.length === 0) {
    if (required) throw invalidArgument('provider.auth_patterns', 'is required: [{type, is_mcp: true, …}]');
    return undefined;
  }
  const p = list[0];
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw invalidArgument(field, 'must be an object');
  const pattern = p as Record<string, unknown>;
  if (pattern['is_mcp'] !== true) {
    throw new LatchkeyError(
      'unimplemented',
      'only MCP custom providers are supported: set auth_patterns[0].is_mcp to true and proxy_url to the MCP server URL',
      { violations: [{ field: `${field}.is_mcp`, description: 'must be true' }] },
    );
  }
  const type = String(pattern['type'] ?? 'OAUTH').toUpperCase();
  const oauthConfig = pattern['oauth_config'] as Record<string, unknown> | undefined;
  switch (type) {
    case 'OAUTH': {
      const scopes = oauthConfig?.['available_scopes'] ?? oauthConfig?.['scopes'];
      if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) {
        throw invalidArgument(`${field}.oauth_config.available_scopes`, 'must be a list of strings');
      }
      const registration = oauthConfig?.['registration'] ?? 'dynamic';
      if (registration !== 'dynamic' && registration !== 'client_id_metadata_document') {
        throw invalidArgument(
          `${field}.oauth_config.registration`,
          'must be dynamic or client_id_metadata_document',
        );
      }
      return { type: 'oauth', scopes: scopes as string[] | undefined, registration };
    }
    case 'BEARER':
      return { type: 'bearer' };
    case 'API_KEY': {
      const header = pattern['auth_header_key_override'];
      if (header !== undefined && typeof header !== 'string')
        throw invalidArgument(`${field}.auth_header_key_override`, 'must be a header name');
      return { type: 'api_key', header: header || undefined };
    }
    case 'NONE':
      return { type: 'none' };
    default:
      throw invalidArgument(
        `${field}.type`,
        'must be one of OAUTH, BEARER, API_KEY, NONE for an MCP provider',
      );
  }
}

/** Service field names → the request's field names. */
const WIRE_FIELDS: Record<string, string> = {
  server_url: 'provider.proxy_url',
  display_name: 'provider.display_name',
  description: 'provider.description',
  icon_url: 'provider.icon_src',
  auth: 'provider.auth_patterns[0]',
  'auth.header': 'provider.auth_patterns[0].auth_header_key_override',
  slug: 'provider.metadata.slug',
};

async function onWire<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!isLatchkeyError(e) || e.violations.length === 0) throw e;
    const violations = e.violations.map((v) => ({ ...v, field: WIRE_FIELDS[v.field] ?? v.field }));
    throw new LatchkeyError(e.code, violations.map((v) => `${v.field}: ${v.description}`).join('; '), {
      violations,
    });
  }
}

export function providerServices(s: Services): ServiceRegistration[] {
  const { catalog, customConnectors } = s;
  return [
    defineService(ProviderService, {
      async listProviders(req, ctx) {
        const type = req.filter ? req.filter.providerType : ProviderType.ALL;
        const wanted = (c: ConnectorDefinition) =>
          !req.identifier ||
          c.slug === req.identifier.toLowerCase() ||
          providerKeyOf(c.slug) === req.identifier;
        const shipped = type === ProviderType.CUSTOM ? [] : catalog.list().filter(wanted);
        const custom =
          type === ProviderType.DEFAULT
            ? []
            : (await customConnectors.list(ctx.principal.environmentId)).filter((c) => wanted(c.definition));
        const all = [
          ...shipped.map((c, i) => message(c, i)),
          ...custom.map((c, i) => message(c.definition, shipped.length + i, c)),
        ];
        const size = req.pageSize > 0 ? Math.min(req.pageSize, 100) : 50;
        const offset = req.pageToken ? Number(Buffer.from(req.pageToken, 'base64url').toString()) || 0 : 0;
        const next =
          offset + size < all.length ? Buffer.from(String(offset + size)).toString('base64url') : '';
        return {
          providers: all.slice(offset, offset + size),
          nextPageToken: next,
          totalSize: all.length,
          prevPageToken: '',
        };
      },

      async createCustomProvider(req, ctx) {
        const p = req.provider;
        if (!p) throw invalidArgument('provider', 'is required');
        const input: CustomMcpInput = {
          slug: opt(p.metadata['slug']),
          displayName: p.displayName,
          description: opt(p.description),
          serverUrl: p.proxyUrl,
          auth: authFrom(p.authPatterns, true)!,
          iconUrl: opt(p.iconSrc),
          metadata: p.metadata,
        };
        const created = await onWire(() => customConnectors.createMcp(ctx.principal.environmentId, input));
        return { provider: message(created.definition, 0, created) };
      },

      async updateCustomProvider(req, ctx) {
        if (!req.identifier) throw invalidArgument('identifier', 'is required');
        const p = req.provider;
        if (!p) throw invalidArgument('provider', 'is required');
        const auth = authFrom(p.authPatterns, false);
        const updated = await onWire(() =>
          customConnectors.update(ctx.principal.environmentId, req.identifier, {
            displayName: opt(p.displayName),
            description: opt(p.description),
            serverUrl: opt(p.proxyUrl),
            iconUrl: opt(p.iconSrc),
            ...(auth ? { auth } : {}),
            ...(Object.keys(p.metadata).length > 0 ? { metadata: p.metadata } : {}),
          }),
        );
        return { provider: message(updated.definition, 0, updated) };
      },

      async deleteCustomProvider(req, ctx) {
        if (!req.identifier) throw invalidArgument('identifier', 'is required');
        await customConnectors.delete(ctx.principal.environmentId, req.identifier);
        return {};
      },
    }),
  ];
}
