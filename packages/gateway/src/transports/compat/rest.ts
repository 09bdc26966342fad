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
import { buildRequestFrom, readBody, renderResponse } from './transcode.ts';

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

/** Routing results by verb and path: bindings never change, and matching them all is not free. */
const routes = new WeakMap<RestBinding[], Map<string, Found>>();
const ROUTE_CACHE_MAX = 2000;

function route(bindings: RestBinding[], verb: string, rawPath: string): Found {
  let cache = routes.get(bindings);
  if (cache === undefined) {
    cache = new Map();
    routes.set(bindings, cache);
  }
  const key = `${verb} ${rawPath}`;
  if (cache.has(key)) return cache.get(key);
  const found = matchRoute(bindings, verb, rawPath);
  if (cache.size >= ROUTE_CACHE_MAX) cache.clear();
  cache.set(key, found);
  return found;
}

function matchRoute(bindings: RestBinding[], verb: string, rawPath: string): Found {
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

/** One REST call as either HTTP adapter sees it (Web Request, or Node's IncomingMessage). */
export interface RestCall {
  method: string;
  /** Raw path (percent-encoded), without the query. */
  path: string;
  searchParams: URLSearchParams;
  header(name: string): string | null;
  /** The body, at most `max` bytes (TransportError 413 beyond). */
  readBody(max: number): Promise<Uint8Array>;
  signal: AbortSignal;
}

export interface RestAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  requestId: string;
  /** The binding's path template (a metrics label), or undefined when none matched the method. */
  route: string | undefined;
}

/**
 * Routes, authenticates, transcodes and runs one call; undefined when no binding matches the path
 * (with `onlyExact`, also when none matches path and verb: a 405 or a malformed path is then left
 * to whoever comes next, e.g. routes mounted before the REST app).
 */
export async function answerRest(
  rt: Runtime,
  bindings: RestBinding[],
  call: RestCall,
  onlyExact = false,
): Promise<RestAnswer | undefined> {
  const found = route(bindings, call.method, call.path);
  if (found === undefined || (onlyExact && found.kind !== 'match')) return undefined;
  const requestId = rt.requestId(call.header('x-request-id'));
  const rpc = found.kind === 'match' ? rpcName(found.binding.method) : call.path;
  const routeLabel = found.kind === 'match' ? found.binding.template.source : undefined;
  try {
    if (found.kind === 'bad_path') {
      throw new TransportError(400, 'invalid_argument', 'malformed percent-encoding in the URL path');
    }
    if (found.kind === 'method_not_allowed') {
      throw new TransportError(405, 'unimplemented', `method ${call.method} not allowed`);
    }
    const { binding, match } = found;
    const principal = await rt.authenticate(call.header('authorization') ?? undefined);
    const handler = rt.handlerFor(binding.method);
    if (handler === undefined) throw new LatchkeyError('unimplemented', `${rpc} is not implemented`);
    const bytes = binding.body === '' ? new Uint8Array() : await call.readBody(rt.maxBodyBytes);
    const input = buildRequestFrom(binding, bytes, call.header('content-type'), call.searchParams, match, rt);
    const output = await handler(input, {
      principal,
      requestId,
      signal: call.signal,
      protocol: 'rest',
      rpc,
    });
    return {
      status: rt.successStatus(binding.method),
      body: renderResponse(binding, output),
      headers: {},
      requestId,
      route: routeLabel,
    };
  } catch (err) {
    const status = toRpcStatus(err, requestId, (e) => rt.report(e, { rpc, requestId }), call.signal);
    const { httpStatus, body } = toRestError(status);
    const headers: Record<string, string> = {};
    if (httpStatus === 401) headers['www-authenticate'] = 'Bearer';
    if (found.kind === 'method_not_allowed') headers['allow'] = found.allow.join(', ');
    return {
      status: err instanceof TransportError ? err.httpStatus : httpStatus,
      body,
      headers,
      requestId,
      route: routeLabel,
    };
  }
}

export function createRestHandler(rt: Runtime, bindings: RestBinding[]): RestHandler {
  return async (req) => {
    const url = new URL(req.url);
    const answer = await answerRest(rt, bindings, {
      method: req.method,
      path: url.pathname,
      searchParams: url.searchParams,
      header: (name) => req.headers.get(name),
      readBody: (max) => readBody(req, max),
      signal: req.signal,
    });
    if (answer === undefined) return undefined;
    return json(answer.status, answer.body, answer.requestId, answer.headers);
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
