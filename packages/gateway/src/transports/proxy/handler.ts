/**
 * `/proxy/<path>` over HTTP/1.1 and HTTP/2: a raw Node handler (the hot path skips the Hono app).
 * Authenticates the Latchkey bearer token like every API call, hands the request to the proxy
 * service with its body as a stream, and streams the provider's answer back with backpressure.
 * Errors of the gateway itself are JSON `{error, message, request_id}` with the right status and
 * an `x-latchkey-error` header, so a caller can tell them from the provider's own answers.
 *
 * Logged per request: method, `/proxy` + path without the query (queries may carry secrets),
 * status, duration, connection name. Never headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { isLatchkeyError, LatchkeyError } from '../../errors.ts';
import type { Logger } from '../../ops/log.ts';
import type { AccessRecord } from '../../server/access-log.ts';
import { requestIdOf } from '../../server/app.ts';
import { httpStatusOf } from '../../server/http-errors.ts';
import type { Principal } from '../../services/api-access.ts';
import { PROXY_ERRORS, type ProxyService } from '../../services/proxy.ts';

export const PROXY_PREFIX = '/proxy';
const NO_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/** writeHead of either protocol's response (the signatures differ only in overloads). */
const writeHead = (res: Res, status: number, headers: Record<string, string | string[] | number>) =>
  (res as ServerResponse).writeHead(status, headers);

/** True for `/proxy`, `/proxy/…` and `/proxy?…` (not `/proxyfoo`). */
export function isProxyPath(url: string | undefined): boolean {
  if (!url?.startsWith(PROXY_PREFIX)) return false;
  const next = url.charCodeAt(PROXY_PREFIX.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

const STATUS_BY_ERROR: Record<string, number> = {
  [PROXY_ERRORS.tooLarge]: 413,
  [PROXY_ERRORS.responseTooLarge]: 502,
  [PROXY_ERRORS.unreachable]: 502,
  [PROXY_ERRORS.timeout]: 504,
};

function statusOf(e: LatchkeyError): number {
  return (e.errorCode && STATUS_BY_ERROR[e.errorCode]) || httpStatusOf(e.code);
}

export interface ProxyHandlerDeps {
  proxy: ProxyService;
  authenticate(authorization: string | undefined): Promise<Principal>;
  logger: Logger;
  access: (r: AccessRecord) => void;
}

const header = (req: Req, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

export function createProxyHandler(deps: ProxyHandlerDeps): (req: Req, res: Res) => void {
  const { proxy, logger } = deps;

  function done(req: Req, requestId: string, started: number, status: number, connection?: string) {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    deps.access({
      method: req.method ?? '',
      route: '/proxy/*',
      path: q === -1 ? url : url.slice(0, q),
      status,
      seconds: (performance.now() - started) / 1000,
      requestId,
      ...(connection ? { extra: { connection } } : {}),
    });
  }

  function fail(req: Req, res: Res, requestId: string, started: number, e: unknown) {
    let status = 500;
    let body: { error: string; message: string; request_id: string };
    if (isLatchkeyError(e)) {
      status = statusOf(e);
      body = { error: e.code, message: e.message, request_id: requestId };
      if (e.violations.length > 0) Object.assign(body, { violations: e.violations });
    } else {
      logger.error({ reqId: requestId, err: e }, 'proxy request failed');
      body = { error: 'internal', message: 'internal error', request_id: requestId };
    }
    if (!res.headersSent) {
      const text = JSON.stringify(body);
      writeHead(res, status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'x-latchkey-error': body.error,
        'x-request-id': requestId,
      });
      res.end(text);
      // Unread request body: let the response go out, then stop reading.
      if (!req.complete) res.once('finish', () => req.resume());
    } else {
      res.destroy();
    }
    done(req, requestId, started, status);
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(header(req, 'x-request-id'));
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const url = req.url ?? '';
    const target = url.slice(PROXY_PREFIX.length);
    const lengthHeader = header(req, 'content-length');
    const contentLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
    // HTTP/1.1 announces a body by its framing; HTTP/2 may send one without content-length.
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (contentLength !== undefined
        ? contentLength > 0
        : req.httpVersionMajor === 2 && !NO_BODY.has(req.method ?? ''));

    deps
      .authenticate(header(req, 'authorization'))
      .then((principal) =>
        proxy.forward(principal, {
          connectionName: header(req, 'connection_name'),
          identifier: header(req, 'identifier'),
          method: req.method ?? 'GET',
          target,
          headers: req.headers,
          body: hasBody ? req : undefined,
          contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
          signal: abort.signal,
        }),
      )
      .then(
        (upstream) => {
          if (res.destroyed) {
            // The caller went away while the provider answered: release the pooled connection.
            upstream.body.on('error', () => {}).destroy();
            done(req, requestId, started, 499, upstream.connectionName);
            return;
          }
          const headers: Record<string, string | string[]> = upstream.headers;
          headers['x-request-id'] = requestId;
          const body = upstream.body;
          try {
            writeHead(res, upstream.status, headers);
          } catch (e) {
            // A provider header this protocol cannot carry (Node refuses it): a gateway error.
            body.on('error', () => {}).destroy();
            const why = (e as Error).message;
            return fail(
              req,
              res,
              requestId,
              started,
              new LatchkeyError('unavailable', `the provider's answer cannot be passed on: ${why}`, {
                errorCode: PROXY_ERRORS.unreachable,
              }),
            );
          }
          // pipe(), not pipeline(): the same backpressure without an AbortController per request.
          body.on('error', () => res.destroy());
          res.once('close', () => {
            if (!body.readableEnded) body.destroy();
            done(req, requestId, started, upstream.status, upstream.connectionName);
          });
          body.pipe(res as NodeJS.WritableStream);
        },
        (e) => fail(req, res, requestId, started, e),
      );
  };
}
