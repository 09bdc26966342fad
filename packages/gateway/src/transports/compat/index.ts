/**
 * The compat transport: one implementation per RPC, served as gRPC (connect-node on HTTP/2) and
 * as REST JSON at its google.api.http path, with an OpenAPI 3.1 document of the REST side.
 *
 *   const compat = createCompatTransport({ services: [defineService(ToolService, {...})], authenticate });
 *   http2 server:  (req, res) => compat.grpcHandler(req, res, () => restListener(req, res))
 *   Hono app:      app.route('/', compat.restApp)
 *   GET /api/v1/openapi.json → compat.openapi()
 */
import type { Hono } from 'hono';
import { createGrpcHandler, type GrpcHandler } from './grpc.ts';
import { collectBindings, type RestBinding } from './http-rules.ts';
import { buildOpenApi, type OpenApiDocument, type OpenApiInfo } from './openapi.ts';
import { createRestApp, createRestHandler, type RestHandler } from './rest.ts';
import { createNodeRestHandler, type NodeRestHandler, type RestDone } from './rest-node.ts';
import { createRuntime } from './runtime.ts';
import type { CompatTransportOptions } from './types.ts';

export type { GrpcHandler, NodeRequest, NodeResponse } from './grpc.ts';
export type { RestBinding } from './http-rules.ts';
export {
  createDualProtocolServer,
  type DualProtocolServer,
  type DualProtocolServerOptions,
} from './listener.ts';
export type { OpenApiDocument, OpenApiInfo } from './openapi.ts';
export type { RestHandler } from './rest.ts';
export type { NodeRestHandler, RestDone } from './rest-node.ts';
export { TOOL_ERROR } from './status.ts';
export {
  type CompatTransportOptions,
  defineService,
  type Handler,
  type Principal,
  type RestConventions,
  type RpcContext,
  type ServiceHandlers,
  type ServiceRegistration,
} from './types.ts';

export interface CompatTransport {
  /** Node listener for HTTP/2 (and HTTP/1.1 for connect/grpc-web); non-RPC paths go to `next` or 404. */
  grpcHandler: GrpcHandler;
  /** Web-standard REST handler: a Response, or undefined when no binding matches the path. */
  restHandler: RestHandler;
  /** The REST handler as a Hono app (unmatched requests fall through to later routes). */
  restApp: Hono;
  /** The REST handler on Node request/response objects (the hot path; unmatched → `next`). */
  nodeRestHandler(onDone?: (info: RestDone) => void): NodeRestHandler;
  /** Every REST binding, most specific first. */
  bindings: readonly RestBinding[];
  /** OpenAPI 3.1 document of the REST API (built once; treat as read-only). */
  openapi(info?: OpenApiInfo): OpenApiDocument;
}

export function createCompatTransport(opts: CompatTransportOptions): CompatTransport {
  const rt = createRuntime(opts);
  const bindings = collectBindings(rt.services);
  const restHandler = createRestHandler(rt, bindings);
  const documents = new Map<string, OpenApiDocument>();
  return {
    grpcHandler: createGrpcHandler(rt),
    restHandler,
    restApp: createRestApp(restHandler),
    nodeRestHandler: (onDone) => createNodeRestHandler(rt, bindings, onDone),
    bindings,
    openapi(info = {}) {
      const key = JSON.stringify(info);
      let doc = documents.get(key);
      if (doc === undefined) {
        doc = buildOpenApi(bindings, info, rt.successStatus);
        documents.set(key, doc);
      }
      return doc;
    },
  };
}
