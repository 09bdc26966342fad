// The OAuth-protected resources of the sandbox: one static client and one token audience per provider.
// Scope lists come from the official descriptions in shared/specs (see MATCHED.md).

export interface ResourceDefinition {
  slug: string;
  /** RFC 8707 resource indicator = the `aud` of access tokens for this provider. */
  resource: string;
  /** Static client registered for this provider. */
  clientId: string;
  clientName: string;
  /** Client id this provider's API server uses to call the introspection endpoint. */
  introspectorId: string;
  scopesSupported: string[];
  /** What a connector should ask for by default. */
  defaultScopes: string[];
  /** Added to every authorization request for this resource and never shown outside (providers without scopes). */
  implicitScope?: string;
  /** Granted when a request names no scope at all. */
  scopeWhenMissing?: string[];
  /** Google: a refresh token is issued only when the authorization request said `access_type=offline`. */
  refreshTokenNeedsOfflineAccess?: boolean;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

const GMAIL = 'https://www.googleapis.com/auth/gmail.';
const CAL = 'https://www.googleapis.com/auth/calendar';

export const GMAIL_SCOPES = [
  'https://mail.google.com/',
  `${GMAIL}compose`,
  `${GMAIL}insert`,
  `${GMAIL}labels`,
  `${GMAIL}metadata`,
  `${GMAIL}modify`,
  `${GMAIL}readonly`,
  `${GMAIL}send`,
  `${GMAIL}settings.basic`,
];
export const CALENDAR_SCOPES = [
  CAL,
  `${CAL}.readonly`,
  `${CAL}.events`,
  `${CAL}.events.readonly`,
  `${CAL}.events.owned`,
  `${CAL}.events.owned.readonly`,
  `${CAL}.app.created`,
  `${CAL}.calendarlist.readonly`,
];
export const SLACK_SCOPES = [
  'chat:write',
  'channels:read',
  'channels:history',
  'groups:read',
  'groups:history',
  'im:read',
  'im:history',
  'mpim:read',
  'users:read',
  'users:read.email',
  'team:read',
];
export const GITHUB_SCOPES = ['repo', 'public_repo', 'read:user', 'user', 'user:email', 'read:org'];
export const NOTION_CAPABILITIES = ['notion.content'];
export const SANITY_SCOPES = ['projects:read', 'documents:read', 'releases:read'];

export function resourceDefinitions(urls: Record<string, string>): ResourceDefinition[] {
  const u = (slug: string): string => {
    const url = urls[slug];
    if (!url) throw new Error(`no URL for ${slug}`);
    return url;
  };
  return [
    {
      slug: 'gmail',
      resource: u('gmail'),
      clientId: 'sandbox-gmail',
      clientName: 'Latchkey (Gmail)',
      introspectorId: 'rs-gmail',
      scopesSupported: GMAIL_SCOPES,
      defaultScopes: ['openid', 'email', 'profile', `${GMAIL}readonly`, `${GMAIL}send`, `${GMAIL}labels`],
      refreshTokenNeedsOfflineAccess: true,
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    {
      slug: 'googlecalendar',
      resource: u('googlecalendar'),
      clientId: 'sandbox-googlecalendar',
      clientName: 'Latchkey (Google Calendar)',
      introspectorId: 'rs-googlecalendar',
      scopesSupported: CALENDAR_SCOPES,
      defaultScopes: ['openid', 'email', 'profile', `${CAL}.events`, `${CAL}.readonly`],
      refreshTokenNeedsOfflineAccess: true,
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    {
      slug: 'slack',
      resource: u('slack'),
      clientId: 'sandbox-slack',
      clientName: 'Latchkey (Slack)',
      introspectorId: 'rs-slack',
      scopesSupported: SLACK_SCOPES,
      defaultScopes: ['chat:write', 'channels:read', 'channels:history', 'users:read'],
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    {
      slug: 'github',
      resource: u('github'),
      clientId: 'sandbox-github',
      clientName: 'Latchkey (GitHub)',
      introspectorId: 'rs-github',
      scopesSupported: GITHUB_SCOPES,
      defaultScopes: ['repo', 'read:user'],
      implicitScope: 'github.public',
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    {
      slug: 'notion',
      resource: u('notion'),
      clientId: 'sandbox-notion',
      clientName: 'Latchkey (Notion)',
      introspectorId: 'rs-notion',
      scopesSupported: [],
      defaultScopes: [],
      implicitScope: 'notion.content',
      tokenEndpointAuthMethod: 'client_secret_basic',
    },
    {
      slug: 'sanitymcp',
      resource: u('sanitymcp'),
      clientId: 'sandbox-sanitymcp',
      clientName: 'Latchkey (Sanity MCP)',
      introspectorId: 'rs-sanitymcp',
      scopesSupported: SANITY_SCOPES,
      defaultScopes: SANITY_SCOPES,
      scopeWhenMissing: SANITY_SCOPES,
      tokenEndpointAuthMethod: 'client_secret_basic',
    },
  ];
}

/** Every scope a resource server may put into a token (supported + hidden). */
export function allResourceScopes(def: ResourceDefinition): string[] {
  return def.implicitScope ? [...def.scopesSupported, def.implicitScope] : def.scopesSupported;
}

/** Drops the hidden implicit scope from a scope list. */
export function visibleScopes(def: ResourceDefinition, scopes: Iterable<string>): string[] {
  return [...scopes].filter((s) => s && s !== def.implicitScope);
}
