/**
 * REST JSON adapter: routes a Web `Request` to the RPC whose google.api.http binding matches,
 * authenticates, transcodes, calls the handler, and renders the result or a grpc-gateway style
 * error. Requests matching no binding fall through (undefined / Hono `next()`).
 */
import { Hono } from 'hono';
import { LatchkeyError } from '../../errors.ts';
import type { RestBinding } from './http-rules.ts';
import { matchTemplate, type TemplateMatch } from './path-template.ts';
import { type Runtime, rpcName, TransportError } from './runtime.ts';
import { toRestError, toRpcStatus } from './status.ts';
import { buildRequest, renderResponse } from './transcode.ts';

export type RestHandler = (req: Request) => Promise<Response | undefined>;

function json(status: number, body: unknown, requestId: string, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extra },
  });
}

type Found =
  | { kind: 'match'; binding: RestBinding; match: TemplateMatch }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'bad_path' }
  | undefined;

function route(bindings: RestBinding[], verb: string, rawPath: string): Found {
  const allow = new Set<string>();
  try {
    for (const binding of bindings) {
      const match = matchTemplate(binding.template, rawPath);
      if (match === undefined) continue;
      if (binding.verb === verb) return { kind: 'match', binding, match };
      allow.add(binding.verb);
    }
  } catch {
    return { kind: 'bad_path' }; // malformed percent-encoding
  }
  return allow.size > 0 ? { kind: 'method_not_allowed', allow: [...allow] } : undefined;
}

export function createRestHandler(rt: Runtime, bindings: RestBinding[]): RestHandler {
  return async (req) => {
    const url = new URL(req.url);
    const found = route(bindings, req.method, url.pathname);
    if (found === undefined) return undefined;
    const requestId = rt.requestId(req.headers.get('x-request-id'));
    const rpc = found.kind === 'match' ? rpcName(found.binding.method) : url.pathname;
    try {
      if (found.kind === 'bad_path') {
        throw new TransportError(400, 'invalid_argument', 'malformed percent-encoding in the URL path');
      }
      if (found.kind === 'method_not_allowed') {
        throw new TransportError(405, 'unimplemented', `method ${req.method} not allowed`);
      }
      const { binding, match } = found;
      const principal = await rt.authenticate(req.headers.get('authorization') ?? undefined);
      const handler = rt.handlerFor(binding.method);
      if (handler === undefined) throw new LatchkeyError('unimplemented', `${rpc} is not implemented`);
      const input = await buildRequest(binding, req, url, match, rt);
      const output = await handler(input, {
        principal,
        requestId,
        signal: req.signal,
        protocol: 'rest',
        rpc,
      });
      return json(rt.successStatus(binding.method), renderResponse(binding, output), requestId);
    } catch (err) {
      const status = toRpcStatus(err, requestId, (e) => rt.report(e, { rpc, requestId }), req.signal);
      const { httpStatus, body } = toRestError(status);
      const headers: Record<string, string> = {};
      if (httpStatus === 401) headers['www-authenticate'] = 'Bearer';
      if (found.kind === 'method_not_allowed') headers['allow'] = found.allow.join(', ');
      return json(err instanceof TransportError ? err.httpStatus : httpStatus, body, requestId, headers);
    }
  };
}

/** The same handler as a Hono app; mount with `app.route('/', restApp)`. Unmatched paths fall through. */
export function createRestApp(handler: RestHandler): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    const res = await handler(c.req.raw);
    if (res !== undefined) return res;
    await next();
  });
  return app;
}
