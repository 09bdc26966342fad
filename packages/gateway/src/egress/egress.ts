/**
 * The egress port: outgoing HTTP to provider APIs through one undici Agent, which keeps a
 * keep-alive connection pool per origin. Every connection goes through the SSRF guard (literal
 * IPs checked before the request, names at DNS lookup time). Redirects are never followed here:
 * callers get 3xx answers as they are.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { EgressBlockedError, type SsrfGuard } from './ssrf-guard.ts';

export interface EgressOptions {
  guard: SsrfGuard;
  /** Most connections per origin (default 256). */
  connectionsPerOrigin?: number;
  /** How long an idle pooled connection is kept (default 10 s; upstream keep-alive hints win when shorter). */
  keepAliveTimeoutMs?: number;
  /** TCP + TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Response bodies longer than this fail mid-stream (`EgressError` kind `too_large`); default none. */
  maxResponseBytes?: number;
}

export interface EgressRequest {
  /** Absolute http(s) URL origin, e.g. `https://gmail.googleapis.com`. */
  origin: string;
  /** Request target on that origin: path and query, starting with `/`, sent as is. */
  path: string;
  method: string;
  /** Lowercase names; a value list sends the header several times. */
  headers: Record<string, string | string[]>;
  body?: Readable | AsyncIterable<Buffer> | Buffer | string | undefined;
  signal?: AbortSignal | undefined;
  /** Time until the response headers arrive. */
  headersTimeoutMs: number;
  /** Longest silence while the response body streams. */
  bodyTimeoutMs: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Why an egress request failed before a response arrived. */
export class EgressError extends Error {
  readonly kind: 'blocked' | 'timeout' | 'unreachable' | 'aborted' | 'too_large';
  constructor(kind: EgressError['kind'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EgressError';
    this.kind = kind;
  }
}

export interface Egress {
  readonly guard: SsrfGuard;
  /** The undici dispatcher (pools per origin), e.g. for `fetch(url, {dispatcher})`. */
  readonly dispatcher: Dispatcher;
  request(req: EgressRequest): Promise<EgressResponse>;
  close(): Promise<void>;
}

function blockedCause(e: unknown): EgressBlockedError | undefined {
  for (let c = e, i = 0; c instanceof Error && i < 4; c = c.cause, i++) {
    if (c instanceof EgressBlockedError) return c;
  }
  return undefined;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/** Classifies an undici failure; the message names the origin, never the path or query (secrets). */
export function egressErrorOf(e: unknown, origin: string): EgressError {
  if (e instanceof EgressError) return e;
  const blocked = blockedCause(e);
  if (blocked) return new EgressError('blocked', blocked.message, e);
  const err = e as NodeJS.ErrnoException;
  if (err?.name === 'AbortError' || err?.code === 'UND_ERR_ABORTED')
    return new EgressError('aborted', 'the request was cancelled', e);
  if (err?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
    return new EgressError('too_large', `the response of ${origin} is too large`, e);
  if (TIMEOUT_CODES.has(err?.code ?? ''))
    return new EgressError('timeout', `${origin} did not answer in time`, e);
  const code = err?.code ? ` (${err.code})` : '';
  return new EgressError('unreachable', `${origin} is unreachable${code}`, e);
}

export function createEgress(opts: EgressOptions): Egress {
  const { guard } = opts;
  const agent = new Agent({
    connections: opts.connectionsPerOrigin ?? 256,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
    keepAliveMaxTimeout: 60_000,
    ...(opts.maxResponseBytes === undefined ? {} : { maxResponseSize: opts.maxResponseBytes }),
    connect: {
      timeout: opts.connectTimeoutMs ?? 10_000,
      lookup: guard.lookup,
    },
  });
  /** Origins whose literal-IP check passed (names are checked at every DNS lookup). */
  const checked = new Set<string>();
  return {
    guard,
    dispatcher: agent,
    async request(req) {
      try {
        if (!checked.has(req.origin)) {
          guard.checkUrl(new URL(req.origin));
          if (checked.size > 10_000) checked.clear();
          checked.add(req.origin);
        }
        const res = await agent.request({
          origin: req.origin,
          path: req.path,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          // undici streams async iterables too (its types do not say so)
          body: (req.body ?? null) as Readable | Buffer | string | null,
          signal: req.signal ?? null,
          headersTimeout: req.headersTimeoutMs,
          bodyTimeout: req.bodyTimeoutMs,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (e) {
        throw egressErrorOf(e, req.origin);
      }
    },
    close: () => agent.close(),
  };
}
