import type { ModelServer, ModelServerOptions } from './model/index.ts';
// Public contract of the sandbox: what `startSandbox()` returns and accepts.
// The connectors package and the gateway configure themselves from these values.

import type { SandboxState } from './state.ts';

/** OAuth 2.0 client registered in the sandbox authorization server for one provider. */
export interface SandboxOAuthClient {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 endpoint (or the provider's own revocation endpoint shape, see MATCHED.md). */
  revocationEndpoint?: string;
  /** RFC 7662 endpoint (authorization server's). */
  introspectionEndpoint?: string;
  clientId: string;
  clientSecret: string;
  /** Scopes a connector should request by default. */
  scopes: string[];
  /** Every scope this provider's resource accepts. */
  scopesSupported: string[];
  /** How the provider documents client authentication at its token endpoint. Google, Slack and GitHub
   * accept both Basic and body credentials; Notion only Basic. */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** RFC 8707 resource identifier (= token audience) of this provider's API. */
  resource: string;
}

export interface SandboxProvider {
  slug: string;
  /** Real base URL of the provider's API maps onto this (same relative paths). */
  apiBaseUrl: string;
  /** The real provider base URL that `apiBaseUrl` stands in for. */
  realBaseUrl: string;
  oauth?: SandboxOAuthClient;
  /** API-key services: the default user's key; `perUser` holds every seeded user's key. */
  apiKey?: { header: string; value: string; perUser: Record<string, string> };
  /** Basic-auth services: the default user's credentials; `perUser` holds every seeded user's. */
  basic?: {
    username: string;
    password: string;
    perUser: Record<string, { username: string; password: string }>;
  };
}

export interface TokenRequestRecord {
  clientId: string;
  grantType: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** HTTP status the token endpoint answered. */
  status: number;
}

export type DelayPhase = 'before' | 'after';

export interface SandboxUrls {
  authServer: string;
  /** MCP endpoint (Streamable HTTP) of the upstream Sanity-like MCP server. */
  mcpServer: string;
  gmail: string;
  googlecalendar: string;
  slack: string;
  github: string;
  notion: string;
  acmecrm: string;
  ticketdesk: string;
  /** Control endpoints live under `${authServer}/_sandbox/`. */
  control: string;
  /** Scripted model server: Anthropic Messages at `${model}/v1/messages`, OpenAI at `${model}/v1`. */
  model: string;
}

export type ProviderSlug =
  | 'gmail'
  | 'googlecalendar'
  | 'slack'
  | 'github'
  | 'notion'
  | 'acmecrm'
  | 'ticketdesk'
  | 'sanitymcp';

export interface SandboxOptions {
  /** Fixed ports per server (0 or absent = ephemeral). */
  ports?: Partial<Record<'authServer' | Exclude<ProviderSlug, 'sanitymcp'> | 'mcpServer', number>>;
  /** Host to bind and advertise. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Complete consent without a browser (login_hint user or the default user). Default true. */
  autoApprove?: boolean;
  /** Access-token lifetime in seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds. Default 14 days. */
  refreshTokenTtlSeconds?: number;
  /** Extra redirect URIs accepted for every sandbox client (loopback http URIs are always accepted). */
  redirectUris?: string[];
  /** Pin "now" for seeded data (dates are relative to the start of this day, UTC). Default: real now. */
  now?: Date;
  /** Delay injected on the token endpoint (ms). Default 0. */
  tokenEndpointDelayMs?: number;
  /** The scripted model server's options (script, port). */
  model?: Omit<ModelServerOptions, 'host'>;
}

export interface Sandbox {
  urls: SandboxUrls;
  /** The scripted model server (Anthropic Messages + OpenAI APIs). */
  model: ModelServer;
  providers: Record<ProviderSlug, SandboxProvider> & Record<string, SandboxProvider>;
  /** Seeded user names (the first is the default user for auto-approval). */
  users: string[];
  /** Who auto-approval signs in when the authorization request has no login_hint (initially the first user). */
  readonly defaultUser: string;
  setDefaultUser(user: string): void;
  /** Read (and, for tests, inspect) each user's data in every imitation. */
  state: SandboxState;
  /** Accept this redirect URI for every sandbox client (and dynamically registered ones). */
  allowRedirectUri(uri: string): void;
  /** Token-endpoint requests so far, optionally for one client. */
  tokenRequests(clientId?: string): TokenRequestRecord[];
  /** Counts by client then grant type, e.g. `{ 'sandbox-slack': { refresh_token: 1 } }`. */
  tokenRequestCounts(clientId?: string): Record<string, Record<string, number>>;
  resetTokenRequests(): void;
  /** Revoke a user's grants (all clients, or one), as a user would in the provider's account settings. */
  revokeGrants(user: string, clientId?: string): Promise<number>;
  setAutoApprove(on: boolean): void;
  /** When on, every consent (automatic or on the page) answers `error=access_denied`. */
  setDenyConsent(on: boolean): void;
  /** Delay token-endpoint answers. `before` = before the grant is processed; `after` = after (tokens rotated, answer late). */
  setTokenEndpointDelay(ms: number, phase?: DelayPhase): void;
  /** Lifetime of access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}
