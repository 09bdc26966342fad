// The authorization server's HTTP front: oidc-provider behind a small router that adds what only a sandbox
// has (auto-approval without cookies, control endpoints, token-endpoint counters and delays).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody, sendJson } from '../http/node.ts';
import { randomSecret } from '../ids.ts';
import type { DelayPhase, TokenRequestRecord } from '../types.ts';
import type { UserDirectory } from '../users.ts';
import { createOidcStore, type OidcStore } from './adapter.ts';
import { createControls } from './controls.ts';
import { createConsentFlow } from './interactions.ts';
import { type AuthSettings, createOidcProvider, type OidcParts } from './oidc.ts';
import type { ResourceDefinition } from './resources.ts';

export interface AuthServer {
  issuer: string;
  parts: OidcParts;
  store: OidcStore;
  settings: AuthSettings;
  /** Header value that marks the sandbox's own calls to the authorization server. */
  internalHeader: { name: string; value: string };
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  tokenRequests(clientId?: string): TokenRequestRecord[];
  resetTokenRequests(): void;
  revokeGrants(user: string, client?: string): Promise<number>;
  /** Ends one grant: its access and refresh tokens and codes stop working at once. */
  revokeGrant(grantId: string): Promise<void>;
  setDelay(ms: number, phase: DelayPhase): void;
}

const CLIENT_AUTH_PATHS = new Set(['/token', '/token/revocation', '/token/introspection']);
const RELAYED_HEADERS = [
  'content-type',
  'cache-control',
  'pragma',
  'www-authenticate',
  'location',
  'dpop-nonce',
];

export async function createAuthServer(input: {
  issuer: string;
  definitions: ResourceDefinition[];
  users: UserDirectory;
  settings: AuthSettings;
}): Promise<AuthServer> {
  const { issuer, definitions, users, settings } = input;
  const store = createOidcStore();
  const parts = await createOidcProvider({ issuer, definitions, users, store, settings });
  const { provider } = parts;
  const consent = createConsentFlow(parts, users, settings);
  const internalHeader = { name: 'x-latchkey-sandbox-internal', value: randomSecret() };
  const records: TokenRequestRecord[] = [];

  provider.use(async (ctx, next) => {
    const isToken = ctx.method === 'POST' && ctx.path === '/token';
    if (!isToken) return next();
    const at = Date.now();
    if (settings.delayMs > 0 && settings.delayPhase === 'before') {
      let clientGone = false;
      ctx.res.once('close', () => {
        clientGone = !ctx.res.writableFinished;
      });
      await sleep(settings.delayMs);
      // A client that went away while the request waited never reaches the token endpoint (as when a
      // connection drops before a provider's application handles it): nothing is issued or rotated.
      if (clientGone || ctx.req.socket.destroyed) {
        records.push({ clientId: 'unknown', grantType: 'aborted', at, status: 499 });
        ctx.status = 499;
        return;
      }
    }
    await next();
    const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    records.push({
      clientId: ctx.oidc?.client?.clientId ?? String(params['client_id'] ?? 'unknown'),
      grantType: String(params['grant_type'] ?? 'unknown'),
      at,
      status: ctx.status,
    });
    if (settings.delayMs > 0 && settings.delayPhase === 'after') await sleep(settings.delayMs);
  });
  const oidcHandler = provider.callback();

  /** Re-sends a request to the authorization server itself (marked internal) and returns the answer. */
  const self = (path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> =>
    fetch(new URL(path, issuer), {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, [internalHeader.name]: internalHeader.value },
    });

  /** Aborts when the client of `res` goes away before its answer is sent, so a relayed request ends too. */
  const whileClientWaits = (res: ServerResponse): AbortSignal => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    return controller.signal;
  };

  async function relay(res: ServerResponse, response: Response): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of RELAYED_HEADERS) {
      const value = response.headers.get(name);
      if (value) headers[name] = value;
    }
    const body = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
  }

  /** Auto-approval: walks the authorization request through sign-in and consent on the server side, so a
   * script following redirects (no cookie jar) gets the final redirect to its redirect_uri at once. */
  async function drive(pathAndQuery: string, res: ServerResponse): Promise<void> {
    const jar = new Map<string, string>();
    const keep = (response: Response) => {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const eq = pair?.indexOf('=') ?? -1;
        if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    };
    let response = await self(pathAndQuery, { method: 'GET' });
    for (let step = 0; step < 4; step++) {
      keep(response);
      const location = response.headers.get('location') ?? '';
      const uid = /^(?:[^?#]*?)\/interaction\/([^/?#]+)/.exec(location.startsWith('/') ? location : '')?.[1];
      if (!uid) break;
      const interaction = await provider.Interaction.find(uid);
      if (!interaction) break;
      interaction.result = await consent.autoResult(interaction);
      await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      response = await self(new URL(interaction.returnTo).pathname, { method: 'GET', headers: { cookie } });
    }
    await relay(res, response);
  }

  /** Adds scopes for requests that name none, and the hidden scope of scope-less providers. */
  function withScopeDefaults(url: URL): URL {
    const clientId = url.searchParams.get('client_id') ?? '';
    const resource = url.searchParams.get('resource');
    const def =
      (resource ? parts.resourceByIndicator(resource) : undefined) ?? parts.resourceByClient(clientId);
    const mcp = definitions.find((d) => d.slug === 'sanitymcp');
    const target = def ?? (clientId && !parts.clients.has(clientId) ? mcp : undefined);
    if (!target) return url;
    const scopes = (url.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
    const next = new URL(url);
    if (scopes.length === 0 && target.scopeWhenMissing) scopes.push(...target.scopeWhenMissing);
    if (target.implicitScope && !scopes.includes(target.implicitScope)) scopes.push(target.implicitScope);
    if (scopes.length) next.searchParams.set('scope', scopes.join(' '));
    return next;
  }

  /** Token, revocation and introspection requests that carry client credentials in the body: sandbox
   * clients accept them there as well as in HTTP Basic (like Google, Slack and GitHub do). */
  async function forwardClientAuth(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = new URLSearchParams((await readBody(req, 1024 * 1024)).toString('utf8'));
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    for (const name of ['dpop', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const clientId = body.get('client_id');
    const secret = body.get('client_secret');
    if (clientId && secret !== null && parts.clients.has(clientId) && !headers['authorization']) {
      body.delete('client_id');
      body.delete('client_secret');
      const enc = (s: string) => encodeURIComponent(s);
      headers['authorization'] = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
    }
    const signal = whileClientWaits(res);
    const answer = await self(url.pathname, { method: 'POST', headers, body: body.toString(), signal }).catch(
      (e: unknown) => {
        if (signal.aborted) return undefined; // the client is gone: nobody to answer
        throw e;
      },
    );
    if (answer) await relay(res, answer);
  }

  const controls = createControls({
    settings,
    tokenRequests: (clientId) => tokenRequests(clientId),
    resetTokenRequests: () => {
      records.length = 0;
    },
    revokeGrants: (user, client) => revokeGrants(user, client),
    findUser: (name) => users.find(name)?.name,
  });

  function tokenRequests(clientId?: string): TokenRequestRecord[] {
    const id = clientId ? (definitions.find((d) => d.slug === clientId)?.clientId ?? clientId) : undefined;
    return records.filter((r) => !id || r.clientId === id).map((r) => ({ ...r }));
  }

  async function revokeGrants(user: string, client?: string): Promise<number> {
    const clientId = client ? (definitions.find((d) => d.slug === client)?.clientId ?? client) : undefined;
    const account = users.find(user)?.name ?? user;
    let count = 0;
    for (const grant of store.grants()) {
      if (grant.accountId !== account || (clientId && grant.clientId !== clientId)) continue;
      await revokeGrant(grant.grantId);
      count++;
    }
    return count;
  }

  async function revokeGrant(grantId: string): Promise<void> {
    for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) {
      await store.adapterFor(model).revokeByGrantId(grantId);
    }
    await store.adapterFor('Grant').destroy(grantId);
    parts.grantMeta.delete(grantId);
  }

  /** Google's revocation endpoint (oauth2.googleapis.com/revoke): `token` in the query or form, no client
   * authentication, and the whole grant ends. Only the Google clients' tokens are known there. */
  async function googleRevoke(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const form =
      req.method === 'POST'
        ? new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'))
        : undefined;
    const token = url.searchParams.get('token') ?? form?.get('token') ?? '';
    const payload = store.peek('AccessToken', token) ?? store.peek('RefreshToken', token);
    const google = definitions.filter((d) => d.refreshTokenNeedsOfflineAccess).map((d) => d.clientId);
    const live = payload && (typeof payload.exp !== 'number' || payload.exp * 1000 > Date.now());
    if (
      !payload?.grantId ||
      !live ||
      !google.includes(String(payload['clientId'])) ||
      !store.peek('Grant', payload.grantId)
    ) {
      return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    }
    await revokeGrant(payload.grantId);
    return sendJson(res, 200, {});
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    const internal = req.headers[internalHeader.name] === internalHeader.value;
    if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) return controls(req, res, url);
    if (url.pathname.startsWith('/interaction/')) return consent.handlePage(req, res, url);
    if (url.pathname === '/revoke' && (req.method === 'POST' || req.method === 'GET'))
      return googleRevoke(req, res, url);
    // RFC 8414 metadata: the same document as OpenID discovery (oidc-provider serves only the latter).
    if (req.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') {
      return relay(res, await self('/.well-known/openid-configuration', { method: 'GET' }));
    }
    if (!internal && req.method === 'GET' && url.pathname === '/auth') {
      const next = withScopeDefaults(url);
      if (settings.autoApprove) return drive(next.pathname + next.search, res);
      req.url = next.pathname + next.search;
    }
    if (
      !internal &&
      req.method === 'POST' &&
      CLIENT_AUTH_PATHS.has(url.pathname) &&
      !req.headers.authorization
    ) {
      return forwardClientAuth(req, res, url);
    }
    oidcHandler(req, res);
  }

  return {
    issuer,
    parts,
    store,
    settings,
    internalHeader,
    handle,
    tokenRequests,
    resetTokenRequests: () => {
      records.length = 0;
    },
    revokeGrants,
    revokeGrant,
    setDelay(ms, phase) {
      settings.delayMs = Math.max(0, ms);
      settings.delayPhase = phase;
    },
  };
}
