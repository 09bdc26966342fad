// Support for provider-shaped OAuth endpoints (Slack, GitHub, Notion) that sit in front of oidc-provider:
// they translate the provider's request into a standard one, call the real token endpoint, and hand back
// what they need to answer in the provider's own shape.
import type { GrantMeta } from './oidc.ts';
import type { ResourceDefinition } from './resources.ts';
import type { AuthServer } from './server.ts';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export type Exchange =
  | {
      ok: true;
      accessToken: string;
      refreshToken: string | undefined;
      expiresIn: number | undefined;
      /** Scopes granted for the provider (hidden implicit scope removed). */
      scopes: string[];
      user: string;
      grantId: string;
      meta: GrantMeta | undefined;
    }
  | { ok: false; error: string; description: string; status: number };

export interface Facade {
  def: ResourceDefinition;
  /** URL of the authorization server's authorization endpoint with these parameters. */
  authorizeUrl(params: URLSearchParams): string;
  /** Runs a token request at the authorization server. */
  exchange(params: Record<string, string>, credentials: ClientCredentials | undefined): Promise<Exchange>;
  /** Issues one more access token for an existing grant (e.g. Slack's bot token next to the user token). */
  mint(
    grantId: string,
    scopes: string[],
    extra: Record<string, unknown>,
    ttlSeconds: number,
  ): Promise<string>;
  /** Grant of a token still known to the authorization server (access or refresh). */
  grantOf(token: string): { grantId: string; user: string; clientId: string } | undefined;
  revokeGrant(grantId: string): Promise<void>;
}

/** Client credentials from HTTP Basic or from the parameters (client_id + client_secret). */
export function credentialsFrom(
  authorization: string | undefined,
  params: Record<string, string | undefined>,
): ClientCredentials | undefined {
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  const { client_id: clientId, client_secret: clientSecret } = params;
  return clientId && clientSecret !== undefined ? { clientId, clientSecret } : undefined;
}

export function createFacade(auth: AuthServer, def: ResourceDefinition): Facade {
  const { provider } = auth.parts;
  return {
    def,
    authorizeUrl(params) {
      const url = new URL('/auth', auth.issuer);
      for (const [k, v] of params) url.searchParams.append(k, v);
      return url.toString();
    },
    async exchange(params, credentials) {
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        [auth.internalHeader.name]: auth.internalHeader.value,
      };
      const body = new URLSearchParams(params);
      body.delete('client_secret');
      if (credentials) {
        const enc = encodeURIComponent;
        headers['authorization'] =
          `Basic ${Buffer.from(`${enc(credentials.clientId)}:${enc(credentials.clientSecret)}`).toString('base64')}`;
        body.delete('client_id');
      }
      const response = await fetch(new URL('/token', auth.issuer), { method: 'POST', headers, body });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok || typeof json['access_token'] !== 'string') {
        return {
          ok: false,
          status: response.status,
          error: String(json['error'] ?? 'server_error'),
          description: String(json['error_description'] ?? ''),
        };
      }
      const accessToken = json['access_token'];
      const stored = auth.store.peek('AccessToken', accessToken);
      const grantId = String(stored?.grantId ?? '');
      const scopes = String(json['scope'] ?? '')
        .split(' ')
        .filter((s) => s && s !== def.implicitScope);
      return {
        ok: true,
        accessToken,
        refreshToken: typeof json['refresh_token'] === 'string' ? json['refresh_token'] : undefined,
        expiresIn: typeof json['expires_in'] === 'number' ? json['expires_in'] : undefined,
        scopes,
        user: String(stored?.['accountId'] ?? ''),
        grantId,
        meta: auth.parts.grantMeta.get(grantId),
      };
    },
    async mint(grantId, scopes, extra, ttlSeconds) {
      const grant = auth.store.peek('Grant', grantId);
      if (!grant) throw new Error('grant not found');
      const client = await provider.Client.find(String(grant['clientId']));
      if (!client) throw new Error('client not found');
      const resourceServer = new provider.ResourceServer(def.resource, {
        audience: def.resource,
        scope: scopes.join(' '),
        accessTokenFormat: 'opaque',
      });
      const token = new provider.AccessToken({
        client,
        accountId: String(grant['accountId']),
        grantId,
        gty: 'authorization_code',
        scope: [...scopes, ...(def.implicitScope ? [def.implicitScope] : [])].join(' '),
        expiresIn: ttlSeconds,
        resourceServer,
        extra,
      });
      return token.save();
    },
    grantOf(token) {
      const payload = auth.store.peek('AccessToken', token) ?? auth.store.peek('RefreshToken', token);
      if (!payload?.grantId) return undefined;
      return {
        grantId: payload.grantId,
        user: String(payload['accountId']),
        clientId: String(payload['clientId']),
      };
    },
    revokeGrant: (grantId) => auth.revokeGrant(grantId),
  };
}
