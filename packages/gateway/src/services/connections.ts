/**
 * Connections: an environment's configured use of a connector under a unique name, with its
 * OAuth app (own credentials, stored encrypted, or the deployment's platform app), scopes and
 * settings. The redirect URI to register with the provider is `<public URL>/oauth/callback`.
 */
import { randomBytes } from 'node:crypto';
import { type ConnectorDefinition, type OAuth2Scheme, resolveBaseUrl } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { aadFor } from '../crypto/encrypted-columns.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { newId } from '../crypto/secrets.ts';
import { invalidArgument, LatchkeyError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import { pageOf, pageTokens } from '../store/pagination.ts';
import { type ConnectionRow, connectionsRepo } from '../store/repos/connections.ts';
import type { Store } from '../store/store.ts';
import type { Catalog, PlatformCredentials } from './catalog.ts';

export interface ConnectionSettings {
  /** Override the connector's PKCE choice. */
  pkce?: boolean;
  /** Extra authorization request parameters (added to the connector's). */
  authorization_params?: Record<string, string>;
  /** Values of the connector's connection-level base URL variables (e.g. `domain`). */
  base_url_variables?: Record<string, string>;
  /** Upstream MCP server URL for MCP connectors that do not fix one. */
  mcp_server_url?: string;
  /** Where the browser goes after a successful authorization (default: Latchkey's success page). */
  success_redirect_url?: string;
}

export interface ConnectionInput {
  connector: string;
  name?: string | undefined;
  enabled?: boolean | undefined;
  scopes?: string[] | undefined;
  oauthClientId?: string | undefined;
  oauthClientSecret?: string | undefined;
  usePlatformCredentials?: boolean | undefined;
  settings?: ConnectionSettings | undefined;
}

export type ConnectionPatch = Omit<ConnectionInput, 'connector'>;

/** The OAuth client a connection authorizes and refreshes with: declared, or discovered (MCP). */
export interface ResolvedOAuth {
  auth: OAuth2Scheme;
  client: PlatformCredentials;
  /** Extra authorization-request parameters (e.g. the MCP resource indicator). */
  authorizeParams?: Record<string, string>;
  /** Extra token-request parameters (e.g. `resource`). */
  tokenParams?: Record<string, string>;
}

/** Resolves the OAuth scheme of an upstream MCP connection (discovery + client registration). */
export type McpOAuthResolver = (connection: Connection) => Promise<ResolvedOAuth>;

export interface Connection {
  id: string;
  environmentId: string;
  name: string;
  connector: ConnectorDefinition;
  enabled: boolean;
  /** Requested scopes (the connector's defaults unless set). */
  scopes: string[];
  scopesCustomized: boolean;
  oauthClientId: string | undefined;
  hasOwnClientSecret: boolean;
  usePlatformCredentials: boolean;
  settings: ConnectionSettings;
  /** Whether an authorization can start: OAuth credentials present, or not an OAuth connector. */
  configured: boolean;
  redirectUri: string;
  createdAt: number;
  updatedAt: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const SECRET_AAD = (id: string) => aadFor('connections', id, 'oauth_client_secret_enc');

export function createConnections(deps: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  catalog: Catalog;
  publicUrl: () => string;
  mcpOAuth?: McpOAuthResolver | undefined;
  /** The environments' own connectors (custom MCP connectors), looked up when the catalog lacks a slug. */
  custom?:
    | { find(environmentId: string, slug: string): Promise<ConnectorDefinition | undefined> }
    | undefined;
}) {
  const { store, keyring, clock, catalog } = deps;
  const repo = connectionsRepo(store.db);
  const redirectUri = () => `${deps.publicUrl()}/oauth/callback`;

  /** The connector a slug names in an environment: shipped, else the environment's own. */
  async function connectorOf(environmentId: string, slug: string): Promise<ConnectorDefinition | undefined> {
    return catalog.find(slug) ?? (await deps.custom?.find(environmentId, slug));
  }

  async function requireConnector(
    environmentId: string,
    slug: string,
    field: string,
  ): Promise<ConnectorDefinition> {
    const found = await connectorOf(environmentId, slug);
    return found ?? catalog.require(slug, field);
  }

  async function view(row: ConnectionRow): Promise<Connection> {
    const connector = await connectorOf(row.environment_id, row.connector);
    if (!connector) {
      throw new LatchkeyError(
        'failed_precondition',
        `connection "${row.name}" uses connector "${row.connector}", which this gateway does not offer`,
      );
    }
    const isOAuth = connector.auth.type === 'oauth2';
    const usePlatform = row.use_platform_credentials === 1;
    const hasOwn = row.oauth_client_id !== null && row.oauth_client_secret_enc !== null;
    const platformAvailable = catalog.platformCredentials(connector.slug) !== undefined;
    const scopes = row.scopes
      ? (JSON.parse(row.scopes) as string[])
      : isOAuth && connector.auth.type === 'oauth2'
        ? connector.auth.scopes.default
        : [];
    return {
      id: row.id,
      environmentId: row.environment_id,
      name: row.name,
      connector,
      enabled: row.enabled === 1,
      scopes,
      scopesCustomized: row.scopes !== null,
      oauthClientId: row.oauth_client_id ?? undefined,
      hasOwnClientSecret: row.oauth_client_secret_enc !== null,
      usePlatformCredentials: usePlatform,
      settings: JSON.parse(row.settings) as ConnectionSettings,
      configured: !isOAuth || (usePlatform ? platformAvailable : hasOwn),
      redirectUri: redirectUri(),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  function validate(connector: ConnectorDefinition, input: ConnectionPatch): void {
    if (input.name !== undefined && !NAME.test(input.name)) {
      throw invalidArgument(
        'key_id',
        'connection names are 1-100 characters of letters, digits, _, . and -, starting with a letter or digit',
      );
    }
    const isOAuth = connector.auth.type === 'oauth2';
    if (!isOAuth && (input.oauthClientId || input.oauthClientSecret || input.scopes?.length)) {
      throw invalidArgument(
        'oauth_config',
        `connector "${connector.slug}" does not use OAuth; it takes no client credentials or scopes`,
      );
    }
    if (connector.auth.type === 'oauth2' && input.scopes) {
      const available = connector.auth.scopes.available;
      const unknown = input.scopes.filter((s) => available.length > 0 && !available.includes(s));
      if (unknown.length > 0) {
        throw invalidArgument(
          'oauth_config.scopes',
          `unknown scope(s) for ${connector.slug}: ${unknown.join(', ')}`,
        );
      }
    }
    const vars = input.settings?.base_url_variables;
    if (vars && connector.api) {
      try {
        resolveBaseUrl(connector, vars);
      } catch (e) {
        throw invalidArgument('settings.base_url_variables', (e as Error).message);
      }
    }
    for (const field of ['mcp_server_url', 'success_redirect_url'] as const) {
      const value = input.settings?.[field];
      if (value === undefined) continue;
      let u: URL | undefined;
      try {
        u = new URL(value);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
        throw invalidArgument(`settings.${field}`, 'must be an absolute http(s) URL');
    }
  }

  function encryptSecret(id: string, secret: string | undefined): string | null {
    return secret ? keyring.encrypt(secret, SECRET_AAD(id)) : null;
  }

  return {
    redirectUri,
    view,
    /** The connector of a slug in this environment, or invalid_argument naming `field`. */
    connector: requireConnector,

    async create(environmentId: string, input: ConnectionInput): Promise<Connection> {
      const connector = await requireConnector(environmentId, input.connector, 'provider_key');
      validate(connector, input);
      const id = newId('conn');
      const now = clock.now();
      const hasOwn = Boolean(input.oauthClientId && input.oauthClientSecret);
      if (
        connector.auth.type === 'oauth2' &&
        Boolean(input.oauthClientId) !== Boolean(input.oauthClientSecret)
      ) {
        throw invalidArgument(
          input.oauthClientId ? 'oauth_config.client_secret' : 'oauth_config.client_id',
          'client_id and client_secret go together',
        );
      }
      const row: ConnectionRow = {
        id,
        environment_id: environmentId,
        name: input.name ?? `${connector.slug}-${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`,
        connector: connector.slug,
        enabled: input.enabled === false ? 0 : 1,
        scopes: input.scopes ? JSON.stringify(input.scopes) : null,
        oauth_client_id: input.oauthClientId ?? null,
        oauth_client_secret_enc: encryptSecret(id, input.oauthClientSecret),
        use_platform_credentials: (input.usePlatformCredentials ?? !hasOwn) ? 1 : 0,
        settings: JSON.stringify(input.settings ?? {}),
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row);
      return await view(row);
    },

    async get(environmentId: string, id: string): Promise<Connection> {
      return await view(await repo.get(environmentId, id));
    },

    async findByName(environmentId: string, name: string): Promise<Connection | undefined> {
      const row = await repo.findByName(environmentId, name);
      return row ? await view(row) : undefined;
    },

    /** By connection name, or by connector slug when exactly one connection uses it. */
    async resolve(environmentId: string, nameOrSlug: string, field = 'connector'): Promise<Connection> {
      const byName = await repo.findByName(environmentId, nameOrSlug);
      if (byName) return await view(byName);
      const bySlug = await repo.listByConnector(environmentId, nameOrSlug.toLowerCase());
      if (bySlug.length === 1) return await view(bySlug[0]!);
      if (bySlug.length > 1) {
        throw invalidArgument(
          field,
          `"${nameOrSlug}" matches several connections (${bySlug.map((c) => c.name).join(', ')}); name one of them`,
        );
      }
      throw new NotFoundError(
        `no connection named "${nameOrSlug}" in this environment; create one with CreateEnvironmentConnection or \`latchkey connection create\``,
      );
    },

    async list(
      environmentId: string,
      opts: { pageSize?: number; pageToken?: string; provider?: string; query?: string },
    ) {
      const page = pageOf(opts.pageSize, opts.pageToken, 100, 30);
      const { rows, total } = await repo.list(
        environmentId,
        { connector: opts.provider ? opts.provider.toLowerCase() : undefined, query: opts.query },
        page,
      );
      return { connections: await Promise.all(rows.map(view)), total, ...pageTokens(page, total) };
    },

    async update(environmentId: string, id: string, patch: ConnectionPatch): Promise<Connection> {
      const row = await repo.get(environmentId, id);
      const connector = await requireConnector(environmentId, row.connector, 'provider_key');
      validate(connector, patch);
      const set: Partial<ConnectionRow> = { updated_at: clock.now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.scopes !== undefined) set.scopes = patch.scopes.length ? JSON.stringify(patch.scopes) : null;
      if (patch.oauthClientId !== undefined) set.oauth_client_id = patch.oauthClientId || null;
      if (patch.oauthClientSecret !== undefined)
        set.oauth_client_secret_enc = encryptSecret(id, patch.oauthClientSecret);
      if (patch.usePlatformCredentials !== undefined)
        set.use_platform_credentials = patch.usePlatformCredentials ? 1 : 0;
      else if (patch.oauthClientId && patch.oauthClientSecret) set.use_platform_credentials = 0;
      if (patch.settings !== undefined)
        set.settings = JSON.stringify({ ...JSON.parse(row.settings), ...patch.settings });
      if (set.name !== undefined && set.name !== row.name) {
        const clash = await repo.findByName(environmentId, set.name);
        if (clash)
          throw new LatchkeyError(
            'already_exists',
            `a connection named "${set.name}" already exists in this environment`,
          );
      }
      return await view(await repo.update(environmentId, id, set));
    },

    async delete(environmentId: string, id: string): Promise<void> {
      if (!(await repo.delete(environmentId, id))) throw new NotFoundError(`connection ${id} not found`);
    },

    /**
     * The OAuth scheme and client for authorizing and refreshing this connection's accounts;
     * undefined for connectors that do not use OAuth. Throws failed_precondition when unconfigured.
     */
    async resolveOAuth(connection: Connection): Promise<ResolvedOAuth | undefined> {
      const auth = connection.connector.auth;
      if (auth.type === 'oauth2') return { auth, client: await this.oauthClient(connection) };
      if (auth.type === 'mcp_oauth2') {
        if (!deps.mcpOAuth) {
          throw new LatchkeyError(
            'failed_precondition',
            `connection "${connection.name}" is an MCP connector, which this gateway cannot authorize`,
          );
        }
        return deps.mcpOAuth(connection);
      }
      return undefined;
    },

    /** The OAuth app an authorization or refresh uses (decrypted; never log it). */
    async oauthClient(connection: Connection): Promise<PlatformCredentials> {
      if (connection.usePlatformCredentials) {
        const platform = catalog.platformCredentials(connection.connector.slug);
        if (platform) return platform;
        throw new LatchkeyError(
          'failed_precondition',
          `connection "${connection.name}" uses managed credentials, but this gateway has no platform OAuth app for ${connection.connector.slug}; set the connection's client_id and client_secret`,
        );
      }
      const row = await repo.get(connection.environmentId, connection.id);
      if (!row.oauth_client_id || !row.oauth_client_secret_enc) {
        throw new LatchkeyError(
          'failed_precondition',
          `connection "${connection.name}" has no OAuth client credentials; set its client_id and client_secret (redirect URI to register: ${redirectUri()})`,
        );
      }
      return {
        clientId: row.oauth_client_id,
        clientSecret: keyring.decrypt(row.oauth_client_secret_enc, SECRET_AAD(row.id)),
      };
    },
  };
}

export type Connections = ReturnType<typeof createConnections>;
