/**
 * The REST adapter on Node's own request and response objects: the same routing, authentication,
 * transcoding and errors as the Web `Request` adapter (`answerRest`), without building a Web
 * Request, a ReadableStream and a Response per call (a third of the CPU of a fast RPC went there).
 * Requests no binding matches by path and verb go to `next` (the Hono app: hosted pages, token
 * endpoint, ops, API extensions, and the Web REST adapter, which answers 405s).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { RestBinding } from './http-rules.ts';
import { answerRest, type RestAnswer } from './rest.ts';
import type { Runtime } from './runtime.ts';
import { tooLarge } from './transcode.ts';

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/** What the adapter reports once a call is answered (access log, metrics). */
export interface RestDone {
  method: string;
  path: string;
  route: string | undefined;
  status: number;
  requestId: string;
  seconds: number;
}

export type NodeRestHandler = (req: Req, res: Res, next: () => void) => void;

function readNodeBody(req: Req, max: number): Promise<Uint8Array> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer) => {
      total += c.length;
      if (total > max) {
        req.off('data', onData);
        req.resume(); // drain, so the error answer can go out on this connection
        return reject(tooLarge(max));
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const header = (req: Req, name: string): string | null => {
  const v = req.headers[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
};

export function createNodeRestHandler(
  rt: Runtime,
  bindings: RestBinding[],
  onDone: (info: RestDone) => void = () => {},
): NodeRestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const method = req.method ?? 'GET';
    answerRest(
      rt,
      bindings,
      {
        method,
        path,
        searchParams: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        header: (name) => header(req, name),
        readBody: (max) => readNodeBody(req, max),
        signal: abort.signal,
        // Only exact matches: other routes of the HTTP app may serve the same path with another verb.
      },
      true,
    ).then(
      (answer: RestAnswer | undefined) => {
        if (answer === undefined) return next();
        const text = JSON.stringify(answer.body);
        (res as ServerResponse).writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-request-id': answer.requestId,
          ...answer.headers,
        });
        res.end(text);
        onDone({
          method,
          path,
          route: answer.route,
          status: answer.status,
          requestId: answer.requestId,
          seconds: (performance.now() - started) / 1000,
        });
      },
      (e) => {
        // answerRest answers every failure itself; this is a bug, never a client's doing.
        rt.report(e, { rpc: path, requestId: '' });
        if (!res.headersSent) (res as ServerResponse).writeHead(500, { 'content-type': 'application/json' });
        res.end('{"code":13,"message":"internal error"}');
      },
    );
  };
}
