// The authorization server: a real oidc-provider configured like a provider's OAuth server.
// Authorization code + PKCE (S256), refresh-token rotation with reuse detection, RFC 7009 revocation,
// RFC 7662 introspection, dynamic client registration, one audience (resource indicator) per provider.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { randomSecret } from '../ids.ts';
import type { UserDirectory } from '../users.ts';
import type { OidcStore } from './adapter.ts';
import { renderErrorPage } from './pages.ts';
import { allResourceScopes, type ResourceDefinition } from './resources.ts';

export interface GrantMeta {
  /** Authorization-request parameters the sandbox keeps per grant (access_type, user_scope, scope...). */
  params: Record<string, string>;
}

export interface AuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  autoApprove: boolean;
  denyConsent: boolean;
  delayMs: number;
  delayPhase: 'before' | 'after';
  extraRedirectUris: Set<string>;
  /** Who auto-approval signs in when the request has no login_hint. */
  defaultUser: string;
}

export interface StaticClient {
  def: ResourceDefinition;
  clientSecret: string;
  introspectorSecret: string;
}

export interface OidcParts {
  provider: Provider;
  clients: Map<string, StaticClient>;
  /** Resource definition by client id (static or introspector), or by resource indicator. */
  resourceByClient(clientId: string): ResourceDefinition | undefined;
  resourceByIndicator(resource: string): ResourceDefinition | undefined;
  grantMeta: Map<string, GrantMeta>;
}

const EXTRA_PARAMS = [
  'access_type',
  'include_granted_scopes',
  'user_scope',
  'bot_scope',
  'owner',
  'team',
  'approval_prompt',
];

export function isLoopbackRedirect(uri: string): boolean {
  const url = URL.parse(uri);
  if (url?.protocol !== 'http:') return false;
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

const generateKeyPairAsync = promisify(generateKeyPair);

export async function createOidcProvider(input: {
  issuer: string;
  definitions: ResourceDefinition[];
  users: UserDirectory;
  store: OidcStore;
  settings: AuthSettings;
}): Promise<OidcParts> {
  const { issuer, definitions, users, store, settings } = input;
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'sandbox-rs256',
    use: 'sig',
    alg: 'RS256',
  };

  const clients = new Map<string, StaticClient>();
  const byClient = new Map<string, ResourceDefinition>();
  const byIndicator = new Map<string, ResourceDefinition>();
  for (const def of definitions) {
    clients.set(def.clientId, { def, clientSecret: randomSecret(), introspectorSecret: randomSecret() });
    byClient.set(def.clientId, def);
    byClient.set(def.introspectorId, def);
    byIndicator.set(def.resource, def);
  }
  const mcp = definitions.find((d) => d.slug === 'sanitymcp');
  const grantMeta = new Map<string, GrantMeta>();

  const clientMetadata = [...clients.values()].flatMap(({ def, clientSecret, introspectorSecret }) => [
    {
      client_id: def.clientId,
      client_secret: clientSecret,
      client_name: def.clientName,
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: def.introspectorId,
      client_secret: introspectorSecret,
      client_name: `${def.slug} API (resource server)`,
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ]);

  const configuration: Configuration = {
    adapter: (name: string) => store.adapterFor(name),
    clients: clientMetadata as Configuration['clients'],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomSecret(32)] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'zoneinfo', 'preferred_username'],
    },
    // Resource scopes are listed too, so that dynamic registration accepts them (`scope` client metadata).
    scopes: [
      ...new Set(['openid', 'offline_access', 'email', 'profile', ...definitions.flatMap(allResourceScopes)]),
    ],
    responseTypes: ['code'],
    extraParams: EXTRA_PARAMS,
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    rotateRefreshToken: true,
    // Keeps the `extra` a sandbox facade gives a token it mints (e.g. Slack's bot token marker).
    extraTokenClaims: async (_ctx, token) => (token as { extra?: Record<string, unknown> }).extra,
    expiresWithSession: async () => false,
    issueRefreshToken: async (_ctx, client, code) => {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      const def = byClient.get(client.clientId);
      if (!def?.refreshTokenNeedsOfflineAccess) return true;
      const meta = code.grantId ? grantMeta.get(code.grantId) : undefined;
      return meta?.params['access_type'] === 'offline';
    },
    ttl: {
      AccessToken: () => settings.accessTokenTtlSeconds,
      RefreshToken: () => settings.refreshTokenTtlSeconds,
      AuthorizationCode: 60,
      Grant: () => settings.refreshTokenTtlSeconds,
      Session: 24 * 60 * 60,
      Interaction: 60 * 60,
      IdToken: 3600,
    },
    findAccount: async (_ctx, sub) => {
      const user = users.find(sub);
      if (!user) return undefined;
      return {
        accountId: user.name,
        claims: async () => ({
          sub: user.name,
          email: user.email,
          email_verified: true,
          name: user.displayName,
          given_name: user.givenName,
          family_name: user.familyName,
          zoneinfo: user.timeZone,
          preferred_username: user.name,
        }),
      };
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage({ ...out });
    },
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // A client may introspect its own tokens; a provider's API server (introspector) any token.
        allowedPolicy: async (_ctx, client, token) =>
          token.clientId === client.clientId ||
          byClient.get(client.clientId)?.introspectorId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      registration: { enabled: true, initialAccessToken: false },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: async () => true,
        defaultResource: async (_ctx, client, oneOf) => {
          if (oneOf) return oneOf;
          const def = byClient.get(client.clientId);
          if (def) return def.resource;
          // Dynamically registered clients are clients of the upstream MCP server.
          return mcp?.resource;
        },
        getResourceServerInfo: async (_ctx, indicator, client) => {
          const def = byIndicator.get(indicator) ?? byIndicator.get(indicator.replace(/\/$/, ''));
          if (!def) throw new errors.InvalidTarget('unknown resource indicator');
          const own = byClient.get(client.clientId);
          // A provider's client gets tokens for that provider only; dynamically registered ones for the MCP server.
          if (own ? own.slug !== def.slug : def.slug !== 'sanitymcp') {
            throw new errors.InvalidTarget('this client may not request tokens for that resource');
          }
          return {
            scope: allResourceScopes(def).join(' '),
            audience: def.resource,
            accessTokenTTL: settings.accessTokenTtlSeconds,
            accessTokenFormat: 'opaque',
          };
        },
      },
    },
  };

  const provider = new Provider(issuer, configuration);
  // Loopback http redirect URIs (any port) are accepted for every client, and so are URIs added at runtime.
  const proto = provider.Client.prototype as { redirectUriAllowed(this: unknown, value: string): boolean };
  const registered = proto.redirectUriAllowed;
  proto.redirectUriAllowed = function redirectUriAllowed(value: string) {
    return registered.call(this, value) || isLoopbackRedirect(value) || settings.extraRedirectUris.has(value);
  };
  provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) => {
    process.emitWarning(`sandbox authorization server error: ${err.message}`);
  });

  return {
    provider,
    clients,
    grantMeta,
    resourceByClient: (id) => byClient.get(id),
    resourceByIndicator: (r) => byIndicator.get(r) ?? byIndicator.get(r.replace(/\/$/, '')),
  };
}
