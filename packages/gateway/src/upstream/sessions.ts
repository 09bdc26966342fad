/**
 * MCP client sessions with upstream servers, pooled per (connection, account, server URL): the
 * official v2 client over Streamable HTTP, negotiating the 2026-07-28 revision or falling back to
 * the 2025 `initialize` handshake. Credentials are injected by our own fetch on every HTTP request
 * (bearer, API-key header or query, from AccountAccess); a 401 refreshes once through
 * AccountAccess and replays the request. Requests use the raw `request()` path with a schema
 * that accepts any result, so results reach the caller exactly as the server sent them (no
 * output-schema validation, no cache). Idle sessions are closed.
 */
import { Client, type FetchLike, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Logger } from '../ops/log.ts';
import type { AccountAccess, UpstreamAuth } from '../services/account-access.ts';
import { type HttpFetch, USER_AGENT } from '../services/oauth.ts';
import { isSessionLost, UpstreamUnauthorized, upstreamError } from './errors.ts';
import type { Caller } from './target.ts';

export interface SessionOptions {
  fetch: HttpFetch;
  /** Late-bound: the credentials service exists after the upstream client. */
  access: () => AccountAccess;
  logger: Logger;
  /** Called when a server says its tool list changed (`notifications/tools/list_changed`). */
  onToolsChanged: (key: string) => void;
  idleMs?: number;
  requestTimeoutMs?: number;
  maxSessions?: number;
}

interface Session {
  key: string;
  client: Client;
  transport: StreamableHTTPClientTransport;
  ready: Promise<void>;
  /** The credentials the next HTTP request carries (updated before each request and after a 401). */
  auth: UpstreamAuth;
  caller: Caller;
  lastUsed: number;
  closed: boolean;
}

const NO_AUTH: UpstreamAuth = { headers: {}, query: {} };
const CLIENT_INFO = { name: 'latchkey', version: '0.1.0' };

/** A result schema that accepts whatever the server returned, unchanged. */
const ANY_RESULT = {
  '~standard': {
    version: 1 as const,
    vendor: 'latchkey',
    validate: (value: unknown) => ({ value: value as Record<string, unknown> }),
  },
};

export function createSessions(opts: SessionOptions) {
  const idleMs = opts.idleMs ?? 60_000;
  const timeout = opts.requestTimeoutMs ?? 60_000;
  const maxSessions = opts.maxSessions ?? 500;
  const sessions = new Map<string, Session>();

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const s of sessions.values()) if (now - s.lastUsed > idleMs) void close(s);
    },
    Math.max(1000, Math.min(idleMs, 30_000)),
  );
  sweeper.unref();

  async function close(s: Session): Promise<void> {
    if (s.closed) return;
    s.closed = true;
    if (sessions.get(s.key) === s) sessions.delete(s.key);
    try {
      if (s.transport.sessionId) await s.transport.terminateSession();
    } catch {
      // the server may not support DELETE or be gone; the session dies with it
    }
    await s.client.close().catch(() => {});
  }

  /** Our fetch: adds the session's credentials, refreshes once on 401 and replays. */
  function fetchFor(s: Session): FetchLike {
    return async (input, init) => {
      const send = (auth: UpstreamAuth) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
        const headers = new Headers(init?.headers);
        headers.set('user-agent', USER_AGENT);
        for (const [k, v] of Object.entries(auth.headers)) headers.set(k, v);
        return opts.fetch(url.toString(), { ...init, headers });
      };
      const res = await send(s.auth);
      if (res.status !== 401) return res;
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.body?.cancel().catch(() => {});
      const target = s.caller.target;
      if (!target) {
        throw new UpstreamUnauthorized(
          `the MCP server requires authorization, but connection "${s.caller.connectionName}" has none configured`,
        );
      }
      const next = await opts.access().afterUnauthorized(target, s.auth);
      if (!next) throw new UpstreamUnauthorized(await refusal(target, challenge));
      s.auth = next;
      const again = await send(next);
      if (again.status === 401) {
        await again.body?.cancel().catch(() => {});
        throw new UpstreamUnauthorized(await refusal(target, again.headers.get('www-authenticate') ?? ''));
      }
      return again;
    };
  }

  /** Why the server refused us: the account's state after the failed refresh, if it changed. */
  async function refusal(target: NonNullable<Caller['target']>, challenge: string): Promise<string> {
    const described = /error_description="([^"]*)"/.exec(challenge)?.[1];
    const base = `the MCP server refused the credentials${described ? ` (${described})` : ''}`;
    try {
      await opts.access().credentials(target);
      return `${base}; reconnect the account with a new authorization link`;
    } catch (e) {
      return `${base}; ${(e as Error).message}`;
    }
  }

  function open(caller: Caller, auth: UpstreamAuth): Session {
    if (sessions.size >= maxSessions) {
      const oldest = [...sessions.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (oldest) void close(oldest);
    }
    const client = new Client(CLIENT_INFO, { capabilities: {}, versionNegotiation: { mode: 'auto' } });
    const s = { key: caller.key, client, auth, caller, lastUsed: Date.now(), closed: false } as Session;
    s.transport = new StreamableHTTPClientTransport(new URL(caller.serverUrl), { fetch: fetchFor(s) });
    client.setNotificationHandler('notifications/tools/list_changed', () => opts.onToolsChanged(caller.key));
    client.onclose = () => {
      s.closed = true;
      if (sessions.get(s.key) === s) sessions.delete(s.key);
    };
    client.onerror = (err) =>
      opts.logger.debug({ err: err.message, server: caller.serverUrl }, 'MCP session error');
    s.ready = client.connect(s.transport, { timeout });
    sessions.set(caller.key, s);
    s.ready.catch(() => void close(s));
    return s;
  }

  async function once(
    caller: Caller,
    auth: UpstreamAuth,
    method: string,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    let s = sessions.get(caller.key);
    if (!s || s.closed) s = open(caller, auth);
    s.auth = auth;
    s.lastUsed = Date.now();
    await s.ready;
    try {
      const result = await s.client.request({ method, params }, ANY_RESULT, { timeout });
      return result as Record<string, unknown>;
    } catch (e) {
      if (isSessionLost(e)) void close(s);
      throw e;
    }
  }

  return {
    /**
     * Sends one request as `caller` and returns the raw result. A lost session (expired id, closed
     * stream) is reopened once; the request was not processed then, so a replay is safe.
     */
    async request(
      caller: Caller,
      method: string,
      params: Record<string, unknown>,
    ): Promise<Record<string, unknown>> {
      const auth = caller.target ? await opts.access().credentials(caller.target) : NO_AUTH;
      try {
        try {
          return await once(caller, auth, method, params);
        } catch (e) {
          if (!isSessionLost(e)) throw e;
          return await once(caller, auth, method, params);
        }
      } catch (e) {
        throw upstreamError(e, caller, method);
      }
    },

    /** Closes the sessions of a connection (all accounts), e.g. after its settings changed. */
    async forget(connectionId: string): Promise<void> {
      await Promise.all(
        [...sessions.values()].filter((s) => s.caller.connectionId === connectionId).map(close),
      );
    },

    size: () => sessions.size,

    async closeAll(): Promise<void> {
      clearInterval(sweeper);
      await Promise.all([...sessions.values()].map(close));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
