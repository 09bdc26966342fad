// What a gateway needs per provider slug to configure a connector against the sandbox.
import type { ResourceDefinition } from './auth/resources.ts';
import type { AuthServer } from './auth/server.ts';
import type { TicketDeskState } from './providers/ticketdesk.ts';
import type { ProviderSlug, SandboxOAuthClient, SandboxProvider } from './types.ts';
import type { UserDirectory } from './users.ts';

const REAL_BASES: Record<ProviderSlug, string> = {
  gmail: 'https://gmail.googleapis.com',
  googlecalendar: 'https://www.googleapis.com/calendar/v3',
  slack: 'https://slack.com/api',
  github: 'https://api.github.com',
  notion: 'https://api.notion.com',
  acmecrm: 'https://api.acmecrm.example',
  ticketdesk: 'https://example.ticketdesk.example',
  sanitymcp: 'https://mcp.sanity.io',
};

export function buildProviders(input: {
  auth: AuthServer;
  definitions: ResourceDefinition[];
  bases: Record<'gmail' | 'googlecalendar' | 'slack' | 'github' | 'notion' | 'sanitymcp', string>;
  urls: Record<'slack' | 'github' | 'notion' | 'acmecrm' | 'ticketdesk', string>;
  users: UserDirectory;
  acme: { header: string; keyOf(user: string): string };
  desk: TicketDeskState;
}): Record<ProviderSlug, SandboxProvider> {
  const { auth, bases, urls, users } = input;
  const issuer = auth.issuer;
  const oauth = (slug: string, endpoints: Partial<SandboxOAuthClient> = {}): SandboxOAuthClient => {
    const def = input.definitions.find((d) => d.slug === slug);
    const client = def ? auth.parts.clients.get(def.clientId) : undefined;
    if (!def || !client) throw new Error(`no OAuth client for ${slug}`);
    return {
      issuer,
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      revocationEndpoint: `${issuer}/token/revocation`,
      introspectionEndpoint: `${issuer}/token/introspection`,
      clientId: def.clientId,
      clientSecret: client.clientSecret,
      scopes: [...def.defaultScopes],
      scopesSupported: [...def.scopesSupported],
      tokenEndpointAuthMethod: def.tokenEndpointAuthMethod,
      resource: def.resource,
      ...endpoints,
    };
  };
  const without = (o: SandboxOAuthClient, ...keys: Array<'revocationEndpoint' | 'introspectionEndpoint'>) => {
    const copy = { ...o };
    for (const k of keys) delete copy[k];
    return copy;
  };
  const perUserKeys = Object.fromEntries(users.names.map((u) => [u, input.acme.keyOf(u)]));
  const perUserBasic = Object.fromEntries(users.names.map((u) => [u, input.desk.credentialsOf(u)]));
  const provider = (
    slug: ProviderSlug,
    apiBaseUrl: string,
    extra: Partial<SandboxProvider> = {},
  ): SandboxProvider => ({
    slug,
    apiBaseUrl,
    realBaseUrl: REAL_BASES[slug],
    ...extra,
  });
  const defaultUser = users.defaultUser.name;
  return {
    // Google: revocation at Google's own shape (token only, no client authentication).
    gmail: provider('gmail', bases.gmail, {
      oauth: oauth('gmail', { revocationEndpoint: `${issuer}/revoke` }),
    }),
    googlecalendar: provider('googlecalendar', bases.googlecalendar, {
      oauth: oauth('googlecalendar', { revocationEndpoint: `${issuer}/revoke` }),
    }),
    slack: provider('slack', bases.slack, {
      oauth: without(
        oauth('slack', {
          authorizationEndpoint: `${urls.slack}/oauth/v2/authorize`,
          tokenEndpoint: `${urls.slack}/api/oauth.v2.access`,
        }),
        'revocationEndpoint',
        'introspectionEndpoint',
      ),
    }),
    github: provider('github', bases.github, {
      oauth: without(
        oauth('github', {
          authorizationEndpoint: `${urls.github}/login/oauth/authorize`,
          tokenEndpoint: `${urls.github}/login/oauth/access_token`,
        }),
        'revocationEndpoint',
        'introspectionEndpoint',
      ),
    }),
    notion: provider('notion', bases.notion, {
      oauth: without(
        oauth('notion', {
          authorizationEndpoint: `${urls.notion}/v1/oauth/authorize`,
          tokenEndpoint: `${urls.notion}/v1/oauth/token`,
          revocationEndpoint: `${urls.notion}/v1/oauth/revoke`,
        }),
        'introspectionEndpoint',
      ),
    }),
    acmecrm: provider('acmecrm', urls.acmecrm, {
      apiKey: { header: input.acme.header, value: input.acme.keyOf(defaultUser), perUser: perUserKeys },
    }),
    ticketdesk: provider('ticketdesk', urls.ticketdesk, {
      basic: { ...input.desk.credentialsOf(defaultUser), perUser: perUserBasic },
    }),
    sanitymcp: provider('sanitymcp', bases.sanitymcp, { oauth: oauth('sanitymcp') }),
  };
}
