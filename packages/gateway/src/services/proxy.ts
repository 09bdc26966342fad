/**
 * The proxy service (DESIGN §5 "Proxy"): a raw HTTP request on behalf of a connected account.
 * Resolve the account (connection name + identifier, within the caller's environment) → join the
 * connection's API base URL and the caller's path (never escaping the base) → drop hop-by-hop
 * and caller headers, inject the account's credentials → stream the body up and the answer back.
 * An upstream 401 triggers one refresh and one retry when the request body is replayable (none,
 * or small enough to have been buffered); otherwise the 401 is returned and the refresh still
 * happens for the next call. Redirects are returned to the caller, never followed.
 *
 * Bodies are Node streams: nothing here knows HTTP servers or how the caller connected.
 */
import type { Readable } from 'node:stream';
import { type Egress, EgressError, type EgressResponse } from '../egress/egress.ts';
import { LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import type { AccountAccess, UpstreamAuth, UpstreamTarget } from './account-access.ts';
import type { Principal } from './api-access.ts';
import { downstreamResponseHeaders, type HeaderMap, upstreamRequestHeaders } from './proxy-headers.ts';
import { joinProxyPath, withQueryCredentials } from './proxy-path.ts';

export interface ProxyLimits {
  /** Largest request body forwarded (bytes). */
  maxRequestBytes: number;
  /** Largest response body passed back (bytes). */
  maxResponseBytes: number;
  /** Time for the provider's response headers, and longest silence in either body (ms). */
  timeoutMs: number;
  /** Request bodies up to this size are buffered, so a 401 can be retried after a refresh. */
  replayBytes: number;
}

export interface ProxyRequest {
  connectionName: string | undefined;
  identifier: string | undefined;
  method: string;
  /** Path and query after `/proxy`, as received (`/v1/messages?limit=5`). */
  target: string;
  /** Lowercase names. */
  headers: HeaderMap;
  /** The request body, when there is one. */
  body: Readable | undefined;
  /** Declared body length (content-length), when known. */
  contentLength: number | undefined;
  /** Aborted when the caller goes away. */
  signal: AbortSignal;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Readable;
  /** For logs: which connection served it. */
  connectionName: string;
}

/** Error codes the transport maps to HTTP statuses other than the usual ones. */
export const PROXY_ERRORS = {
  tooLarge: 'PAYLOAD_TOO_LARGE',
  responseTooLarge: 'RESPONSE_TOO_LARGE',
  unreachable: 'UPSTREAM_UNREACHABLE',
  timeout: 'UPSTREAM_TIMEOUT',
  blocked: 'EGRESS_BLOCKED',
} as const;

const REFUSED_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

const requestTooLarge = (max: number) =>
  new LatchkeyError('resource_exhausted', `the request body is larger than ${max} bytes`, {
    errorCode: PROXY_ERRORS.tooLarge,
  });

async function readAll(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) throw requestTooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body's chunks, stopping (and calling `exceeded`) past `max` bytes. */
async function* counted(body: Readable, max: number, exceeded: () => void): AsyncGenerator<Buffer> {
  let seen = 0;
  // Not destroyed when we stop early: the caller's connection must still carry the 413.
  for await (const chunk of body.iterator({ destroyOnReturn: false })) {
    seen += (chunk as Buffer).length;
    if (seen > max) {
      exceeded();
      return;
    }
    yield chunk as Buffer;
  }
}

/** Drops a response body we will not pass on (drained, so the pooled connection is reused, or destroyed). */
function discard(body: Readable, destroy = false): void {
  body.on('error', () => {});
  if (destroy) body.destroy();
  else body.resume();
}

function routing(value: string | undefined, field: string, header: string): string {
  if (value !== undefined && !value.includes(',')) {
    const v = value.trim();
    if (v !== '') return v;
  }
  // Clients that send both `connection_name` and `Connection_name` arrive as "a, a".
  const values = [...new Set((value ?? '').split(',').map((v) => v.trim()))].filter(Boolean);
  if (values.length === 1) return values[0]!;
  throw new LatchkeyError(
    'invalid_argument',
    values.length === 0
      ? `the ${header} header is required`
      : `the ${header} header has several values (${values.length})`,
    { violations: [{ field, description: `send one ${header} header` }] },
  );
}

export function createProxy(deps: {
  access: AccountAccess;
  egress: Egress;
  logger: Logger;
  limits: ProxyLimits;
}) {
  const { access, egress, limits, logger } = deps;

  function failure(e: unknown, target: UpstreamTarget): LatchkeyError {
    if (!(e instanceof EgressError)) return e as LatchkeyError;
    const name = target.connector.display_name;
    switch (e.kind) {
      case 'blocked':
        return new LatchkeyError('permission_denied', `${name}: ${e.message}`, {
          errorCode: PROXY_ERRORS.blocked,
        });
      case 'timeout':
        return new LatchkeyError('deadline_exceeded', `${name} did not answer in time`, {
          errorCode: PROXY_ERRORS.timeout,
        });
      case 'aborted':
        return new LatchkeyError('cancelled', 'the caller cancelled the request');
      case 'too_large':
        return new LatchkeyError(
          'unavailable',
          `the ${name} response is larger than ${limits.maxResponseBytes} bytes`,
          { errorCode: PROXY_ERRORS.responseTooLarge },
        );
      case 'unreachable':
        return new LatchkeyError('unavailable', `${name} is unreachable: ${e.message}`, {
          errorCode: PROXY_ERRORS.unreachable,
        });
    }
  }

  return {
    async forward(principal: Principal, req: ProxyRequest): Promise<ProxyResponse> {
      const connectionName = routing(req.connectionName, 'connection_name', 'connection_name');
      const identifier = routing(req.identifier, 'identifier', 'identifier');
      const method = req.method.toUpperCase();
      if (REFUSED_METHODS.has(method))
        throw new LatchkeyError('invalid_argument', `${method} requests are not proxied`);
      if (req.contentLength !== undefined && req.contentLength > limits.maxRequestBytes)
        throw requestTooLarge(limits.maxRequestBytes);

      const target = await access.resolve(principal, { connectionName, identifier });
      const location = joinProxyPath(target.baseUrl, req.target);
      const headers = upstreamRequestHeaders(req.headers);
      for (const [k, v] of Object.entries(target.connector.api?.default_headers ?? {})) {
        const name = k.toLowerCase();
        if (headers[name] === undefined) headers[name] = v;
      }

      // Small bodies are buffered (replayable after a refresh); larger ones stream, counted on the way.
      let body: AsyncIterable<Buffer> | Buffer | undefined;
      let tooLarge = false;
      let signal = req.signal;
      if (req.body) {
        if (req.contentLength !== undefined && req.contentLength <= limits.replayBytes) {
          body = await readAll(req.body, limits.maxRequestBytes);
        } else {
          const upstreamAbort = new AbortController();
          signal = AbortSignal.any([req.signal, upstreamAbort.signal]);
          body = counted(req.body, limits.maxRequestBytes, () => {
            tooLarge = true;
            upstreamAbort.abort();
          });
        }
      }
      if (req.contentLength !== undefined && (body !== undefined || req.contentLength === 0))
        headers['content-length'] = String(req.contentLength);
      const replayable = body === undefined || Buffer.isBuffer(body);

      const send = async (auth: UpstreamAuth): Promise<EgressResponse> => {
        try {
          return await egress.request({
            origin: location.origin,
            path: withQueryCredentials(location.path, auth.query),
            method,
            // One auth scheme per connector: a retry sets the same header names again.
            headers: Object.assign(headers, auth.headers),
            body,
            signal,
            headersTimeoutMs: limits.timeoutMs,
            bodyTimeoutMs: limits.timeoutMs,
          });
        } catch (e) {
          if (tooLarge) throw requestTooLarge(limits.maxRequestBytes);
          throw failure(e, target);
        }
      };

      const auth = await access.credentials(target);
      let res = await send(auth);
      if (res.status === 401) {
        if (replayable) {
          const retry = await access.afterUnauthorized(target, auth);
          if (retry) {
            discard(res.body);
            res = await send(retry);
          }
        } else {
          // The body is gone: return the 401, but refresh now so the caller's next try succeeds.
          access
            .afterUnauthorized(target, auth)
            .catch((e) => logger.warn({ err: (e as Error).message }, 'refresh after a proxied 401 failed'));
        }
      }
      access.touch(target);

      const declared = Number(res.headers['content-length'] ?? Number.NaN);
      if (declared > limits.maxResponseBytes) {
        discard(res.body, true);
        throw new LatchkeyError(
          'unavailable',
          `the ${target.connector.display_name} response (${declared} bytes) is larger than ${limits.maxResponseBytes} bytes`,
          { errorCode: PROXY_ERRORS.responseTooLarge },
        );
      }
      return {
        status: res.status,
        headers: downstreamResponseHeaders(res.headers),
        body: res.body,
        connectionName: target.connectionName,
      };
    },
  };
}

export type ProxyService = ReturnType<typeof createProxy>;
