/**
 * OAuth for upstream MCP servers, per the MCP authorization spec: the server's 401 challenge (or
 * its well-known URL) leads to its RFC 9728 protected-resource metadata, that to the authorization
 * server's RFC 8414 metadata; the gateway then becomes a client by dynamic registration (RFC 7591,
 * the client stored per connection with its secret encrypted) or by a client ID metadata document
 * (a URL the gateway serves). The result is an ordinary OAuth scheme (PKCE S256, the `resource`
 * indicator of RFC 8707 on authorization and token requests) that the authorization, refresh and
 * revocation code of every other connector runs.
 */
import type { OAuth2Scheme } from '@latchkey/connectors';
import {
  type AuthorizationServerMetadata,
  checkResourceAllowed,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  type FetchLike,
  registerClient,
} from '@modelcontextprotocol/client';
import type { Clock } from '../clock.ts';
import { aadFor } from '../crypto/encrypted-columns.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import type { Connection, McpOAuthResolver, ResolvedOAuth } from '../services/connections.ts';
import { type HttpFetch, USER_AGENT } from '../services/oauth.ts';
import { type McpClientRow, mcpClientsRepo } from '../store/repos/mcp-clients.ts';
import type { Store } from '../store/store.ts';
import { serverUrlOf } from './target.ts';

/** What discovery found for one MCP server URL. */
export interface ServerAuthInfo {
  resource: string;
  issuer: string;
  metadata: AuthorizationServerMetadata;
  /** From the challenge's `scope`, else the metadata's `scopes_supported`. */
  scopes: string[];
}

type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

const SECRET_AAD = (connectionId: string) => aadFor('mcp_clients', connectionId, 'client_secret_enc');
const DISCOVERY_TIMEOUT_MS = 10_000;

export function createMcpOAuth(deps: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  fetch: HttpFetch;
  /** Public base URL of the gateway (for the client ID metadata document URL). */
  publicUrl: () => string;
  discoveryTtlMs?: number;
}) {
  const { keyring, clock, logger } = deps;
  const repo = mcpClientsRepo(deps.store.db);
  const ttl = deps.discoveryTtlMs ?? 10 * 60_000;
  const discovered = new Map<string, { at: number; info: Promise<ServerAuthInfo> }>();
  const registering = new Map<string, Promise<McpClientRow>>();
  const fetchFn: FetchLike = (url, init) =>
    deps.fetch(String(url), {
      ...init,
      headers: { 'user-agent': USER_AGENT, ...Object.fromEntries(new Headers(init?.headers)) },
      signal: init?.signal ?? AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });

  /** RFC 9728 + RFC 8414 discovery, starting from the server's unauthenticated 401. */
  async function discoverUncached(serverUrl: string): Promise<ServerAuthInfo> {
    let resourceMetadataUrl: URL | undefined;
    let challengeScope: string | undefined;
    try {
      const res = await fetchFn(serverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'ping' }),
      });
      if (res.status === 401)
        ({ resourceMetadataUrl, scope: challengeScope } = extractWWWAuthenticateParams(res));
      await res.body?.cancel().catch(() => {});
    } catch (e) {
      throw new LatchkeyError(
        'unavailable',
        `the MCP server ${serverUrl} is unreachable: ${(e as Error).message}`,
      );
    }
    const prm = await discoverOAuthProtectedResourceMetadata(
      serverUrl,
      resourceMetadataUrl ? { resourceMetadataUrl } : {},
      fetchFn,
    ).catch((e: Error) => {
      throw new LatchkeyError(
        'failed_precondition',
        `the MCP server ${serverUrl} publishes no usable OAuth protected-resource metadata (RFC 9728): ${e.message}`,
      );
    });
    if (!checkResourceAllowed({ requestedResource: serverUrl, configuredResource: prm.resource })) {
      throw new LatchkeyError(
        'failed_precondition',
        `the MCP server ${serverUrl} names a different resource (${prm.resource}) in its metadata`,
      );
    }
    const issuer = prm.authorization_servers?.[0];
    if (!issuer)
      throw new LatchkeyError(
        'failed_precondition',
        `the MCP server ${serverUrl} names no authorization server`,
      );
    const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn }).catch((e: Error) => {
      throw new LatchkeyError(
        'unavailable',
        `the authorization server ${issuer} did not answer its metadata: ${e.message}`,
      );
    });
    if (!metadata) {
      throw new LatchkeyError(
        'failed_precondition',
        `the authorization server ${issuer} publishes no metadata (RFC 8414)`,
      );
    }
    const methods = metadata.code_challenge_methods_supported;
    if (methods && !methods.includes('S256')) {
      throw new LatchkeyError(
        'failed_precondition',
        `the authorization server ${issuer} does not support PKCE S256`,
      );
    }
    const scopes = (challengeScope ?? '').split(' ').filter(Boolean);
    return {
      resource: prm.resource,
      issuer: metadata.issuer,
      metadata,
      scopes: scopes.length > 0 ? scopes : (prm.scopes_supported ?? []),
    };
  }

  function discover(serverUrl: string): Promise<ServerAuthInfo> {
    const hit = discovered.get(serverUrl);
    if (hit && clock.now() - hit.at < ttl) return hit.info;
    const info = discoverUncached(serverUrl);
    discovered.set(serverUrl, { at: clock.now(), info });
    info.catch(() => discovered.delete(serverUrl));
    return info;
  }

  function chooseMethod(metadata: AuthorizationServerMetadata): AuthMethod {
    const supported = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (supported.includes('client_secret_basic')) return 'client_secret_basic';
    if (supported.includes('client_secret_post')) return 'client_secret_post';
    return 'none';
  }

  async function registerUncached(connection: Connection, info: ServerAuthInfo): Promise<McpClientRow> {
    const existing = await repo.find(connection.id);
    const usable =
      existing &&
      existing.issuer === info.issuer &&
      existing.redirect_uri === connection.redirectUri &&
      (existing.secret_expires_at === null || existing.secret_expires_at > clock.now() + 60_000);
    if (usable) return existing;
    if (!info.metadata.registration_endpoint) {
      throw new LatchkeyError(
        'failed_precondition',
        `the authorization server ${info.issuer} offers no dynamic client registration; this connector cannot register itself`,
      );
    }
    const method = chooseMethod(info.metadata);
    const registered = await registerClient(info.issuer, {
      metadata: info.metadata,
      clientMetadata: {
        client_name: `Latchkey (${connection.connector.display_name})`,
        redirect_uris: [connection.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: method,
        ...(info.scopes.length ? { scope: info.scopes.join(' ') } : {}),
      },
      fetchFn,
    }).catch((e: Error) => {
      throw new LatchkeyError(
        'failed_precondition',
        `dynamic client registration at ${info.issuer} failed: ${e.message}`,
      );
    });
    const now = clock.now();
    const rat = (registered as Record<string, unknown>)['registration_access_token'];
    const secrets = {
      ...(registered.client_secret ? { client_secret: registered.client_secret } : {}),
      ...(typeof rat === 'string' ? { registration_access_token: rat } : {}),
    };
    const row: McpClientRow = {
      connection_id: connection.id,
      environment_id: connection.environmentId,
      issuer: info.issuer,
      redirect_uri: connection.redirectUri,
      client_id: registered.client_id,
      token_endpoint_auth_method: String(registered.token_endpoint_auth_method ?? method),
      client_secret_enc: Object.keys(secrets).length
        ? keyring.encrypt(JSON.stringify(secrets), SECRET_AAD(connection.id))
        : null,
      secret_expires_at: registered.client_secret_expires_at
        ? registered.client_secret_expires_at * 1000
        : null,
      created_at: now,
      updated_at: now,
    };
    const written = existing ? await repo.replace(existing.client_id, row) : await repo.insert(row);
    logger.info(
      { connection: connection.id, issuer: info.issuer, clientId: row.client_id, won: written },
      'registered an OAuth client at an MCP authorization server',
    );
    // Another process may have registered at the same time: everyone uses the stored client.
    return (await repo.find(connection.id)) ?? row;
  }

  function ensureClient(connection: Connection, info: ServerAuthInfo): Promise<McpClientRow> {
    const running = registering.get(connection.id);
    if (running) return running;
    const p = registerUncached(connection, info).finally(() => registering.delete(connection.id));
    registering.set(connection.id, p);
    return p;
  }

  function schemeFor(info: ServerAuthInfo, method: AuthMethod, scopes: string[]): OAuth2Scheme {
    const m = info.metadata;
    const revocation = (m as { revocation_endpoint?: string }).revocation_endpoint;
    return {
      type: 'oauth2',
      grant_type: 'authorization_code',
      authorization_url: m.authorization_endpoint,
      token_url: m.token_endpoint,
      pkce: true,
      client_auth: method,
      scopes: { default: scopes, available: [], separator: ' ', param: 'scope' },
      token_request: { body_encoding: 'form', accept_json: true },
      refresh: { supported: true, rotates_refresh_token: false },
      revocation: revocation
        ? { type: 'rfc7009', url: revocation, client_auth: method, prefer_refresh_token: true }
        : { type: 'none', note: 'the authorization server advertises no revocation endpoint' },
    };
  }

  const resolve: McpOAuthResolver = async (connection): Promise<ResolvedOAuth> => {
    const auth = connection.connector.auth;
    if (auth.type !== 'mcp_oauth2')
      throw new LatchkeyError('internal', `connection "${connection.name}" is not an MCP OAuth connection`);
    const info = await discover(serverUrlOf(connection));
    const scopes = auth.scopes ?? info.scopes;
    const params = { resource: info.resource };
    const useCimd =
      auth.registration === 'client_id_metadata_document' &&
      info.metadata.client_id_metadata_document_supported === true;
    if (useCimd) {
      return {
        auth: schemeFor(info, 'none', scopes),
        client: { clientId: clientMetadataUrl(connection), clientSecret: '' },
        authorizeParams: params,
        tokenParams: params,
      };
    }
    if (auth.registration === 'preregistered') {
      throw new LatchkeyError(
        'failed_precondition',
        `connection "${connection.name}": preregistered MCP clients are not supported yet; use dynamic registration`,
      );
    }
    const row = await ensureClient(connection, info);
    const secrets = row.client_secret_enc
      ? (JSON.parse(keyring.decrypt(row.client_secret_enc, SECRET_AAD(connection.id))) as {
          client_secret?: string;
        })
      : {};
    const method = (['client_secret_basic', 'client_secret_post', 'none'] as const).find(
      (m) => m === row.token_endpoint_auth_method,
    );
    return {
      auth: schemeFor(info, method ?? 'client_secret_basic', scopes),
      client: { clientId: row.client_id, clientSecret: secrets.client_secret ?? '' },
      authorizeParams: params,
      tokenParams: params,
    };
  };

  /** The client ID metadata document URL of a connection (served by the gateway). */
  function clientMetadataUrl(connection: Connection): string {
    return `${deps.publicUrl()}/mcp-clients/${connection.id}/client.json`;
  }

  return {
    resolve,
    discover,
    clientMetadataUrl,
    /** The client ID metadata document for a connection (SEP-991), served at clientMetadataUrl. */
    clientMetadataDocument(connection: Connection): Record<string, unknown> {
      return {
        client_id: clientMetadataUrl(connection),
        client_name: `Latchkey (${connection.connector.display_name})`,
        redirect_uris: [connection.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      };
    },
  };
}

export type McpOAuth = ReturnType<typeof createMcpOAuth>;
