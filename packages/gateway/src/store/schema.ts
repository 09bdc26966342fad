/**
 * Table types for Kysely. Conventions that keep both dialects identical:
 * ids are text; times are epoch milliseconds (bigint in PostgreSQL, parsed to number);
 * booleans are integers 0/1; JSON is text; secrets are either SHA-256 hashes (`*_hash`)
 * or key-ring ciphertexts (`*_enc`), never plaintext.
 */
import type { Generated } from 'kysely';

export interface EnvironmentsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiClientsTable {
  id: string;
  environment_id: string;
  name: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_key_enc: string;
  status: 'active' | 'retired';
  created_at: number;
  retired_at: number | null;
}

/** Small key/value table for process-wide facts (e.g. the secrets canary used by readiness). */
export interface MetaTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface ConnectionsTable {
  id: string;
  environment_id: string;
  /** The connection name (`key_id` on the wire), unique per environment. */
  name: string;
  /** Connector slug. */
  connector: string;
  enabled: number;
  /** JSON array of scopes; null = the connector's defaults. */
  scopes: string | null;
  oauth_client_id: string | null;
  oauth_client_secret_enc: string | null;
  /** Use the deployment's (platform, or sandbox in dev) OAuth app instead of own credentials. */
  use_platform_credentials: number;
  /** JSON ConnectionSettings. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export type AccountStatus = 'ACTIVE' | 'EXPIRED' | 'PENDING_AUTH' | 'PENDING_VERIFICATION' | 'DISCONNECTED';

export interface ConnectedAccountsTable {
  id: string;
  environment_id: string;
  connection_id: string;
  identifier: string;
  status: AccountStatus;
  status_reason: string | null;
  /** JSON credentials (tokens or static fields), encrypted. */
  credentials_enc: string | null;
  token_expires_at: number | null;
  /** JSON: provider account id, token-response metadata, scopes. */
  metadata: string;
  /** JSON Struct given by the app (api_config). */
  api_config: string | null;
  /** Bumped on every credential write: refreshes compare it to detect a concurrent one. */
  version: number;
  /** Background refresher lease. */
  lease_owner: string | null;
  lease_until: number | null;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

export type AuthRequestStatus = 'created' | 'started' | 'pending_verification' | 'completed' | 'failed';

/** An authorization link and the flow it starts (OAuth state + PKCE, or a credential form). */
export interface AuthRequestsTable {
  id: string;
  environment_id: string;
  account_id: string;
  link_hash: string;
  expires_at: number;
  used_at: number | null;
  app_state: string | null;
  user_verify_url: string | null;
  /** SHA-256 of the OAuth `state` (or credential-form token) handed to the browser. */
  flow_state_hash: string | null;
  /** Encrypted JSON: PKCE code verifier and the redirect URI used. */
  flow_secret_enc: string | null;
  /** Encrypted credentials waiting for user verification. */
  pending_credentials_enc: string | null;
  status: AuthRequestStatus;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

export type AccountEventType =
  | 'created'
  | 'authorized'
  | 'verified'
  | 'refreshed'
  | 'refresh_failed'
  | 'expired'
  | 'disconnected'
  | 'deleted'
  | 'link_created'
  | 'credentials_updated';

export interface AccountEventsTable {
  id: string;
  account_id: string;
  environment_id: string;
  type: AccountEventType;
  reason: string | null;
  at: number;
}

/** One tool execution: no inputs, outputs or secrets; sizes and a bounded error summary only. */
export interface ExecutionsTable {
  id: string;
  environment_id: string;
  account_id: string | null;
  connection_name: string | null;
  identifier: string | null;
  tool: string;
  status: 'success' | 'error';
  error_code: string | null;
  error_message: string | null;
  duration_ms: number;
  input_bytes: number;
  output_bytes: number;
  created_at: number;
}

/** An MCP config: which connections and tools an MCP server exposes. */
export interface McpConfigsTable {
  id: string;
  environment_id: string;
  /** ^[a-z0-9_-]+$, unique per environment, immutable. */
  name: string;
  description: string;
  /** UUID of the static server URL `/mcp/v3/servers/<server_id>`. */
  server_id: string;
  created_at: number;
  updated_at: number;
}

/** A connector an environment defined (ProviderService CreateCustomProvider, `latchkey connector`). */
export interface CustomConnectorsTable {
  id: string;
  environment_id: string;
  slug: string;
  /** JSON connector definition (validated by loadConnector on every write and read). */
  definition: string;
  /** JSON map<string,string> the app attached (Provider.metadata). */
  metadata: string;
  created_at: number;
  updated_at: number;
}

/** One connection of an MCP config and its tool whitelist. */
export interface McpConfigConnectionsTable {
  config_id: string;
  connection_id: string;
  position: number;
  /** JSON array of tool names; empty = every tool of the connection. */
  tools: string;
}

/** A config instantiated for one identifier, with its own URL (stored as a hash only). */
export interface McpInstancesTable {
  id: string;
  environment_id: string;
  config_id: string;
  name: string;
  identifier: string;
  /** SHA-256 of the URL token; null once revoked. */
  url_hash: string | null;
  /** Random nonce the token is derived from (HMAC under the key-ring key `url_key_id`). */
  url_nonce: string | null;
  url_key_id: string | null;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The OAuth client registered (RFC 7591) at an upstream MCP server's authorization server. */
export interface McpClientsTable {
  connection_id: string;
  environment_id: string;
  issuer: string;
  redirect_uri: string;
  client_id: string;
  token_endpoint_auth_method: string;
  /** Encrypted JSON {client_secret?, registration_access_token?}; null for public clients. */
  client_secret_enc: string | null;
  secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  custom_connectors: CustomConnectorsTable;
  mcp_clients: McpClientsTable;
  executions: ExecutionsTable;
  environments: EnvironmentsTable;
  api_clients: ApiClientsTable;
  signing_keys: SigningKeysTable;
  meta: MetaTable;
  connections: ConnectionsTable;
  connected_accounts: ConnectedAccountsTable;
  auth_requests: AuthRequestsTable;
  account_events: AccountEventsTable;
  mcp_configs: McpConfigsTable;
  mcp_config_connections: McpConfigConnectionsTable;
  mcp_instances: McpInstancesTable;
}

export type { Generated };
