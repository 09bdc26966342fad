/**
 * gRPC adapter (connect-node): gRPC over HTTP/2 as the official SDK speaks it
 * (`application/grpc+proto`), plus gRPC-Web and the Connect protocol, which cost nothing extra.
 * Every RPC of every registered service is routed, so authentication runs first everywhere and
 * RPCs without a handler answer UNIMPLEMENTED to authenticated callers.
 */
import type * as http from 'node:http';
import type * as http2 from 'node:http2';
import {
  create,
  type DescMethodUnary,
  isMessage,
  type Message,
  type MessageInitShape,
} from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey, type HandlerContext } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { LatchkeyError } from '../../errors.ts';
import { createUnaryGrpcFastPath } from './grpc-unary.ts';
import { type Runtime, rpcName } from './runtime.ts';
import { toConnectError, toRpcStatus } from './status.ts';
import type { Principal } from './types.ts';

export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;
/** Node request listener; `next` is called for paths that are not RPCs of a registered service. */
export type GrpcHandler = (req: NodeRequest, res: NodeResponse, next?: () => void) => void;

interface CallState {
  principal: Principal;
  requestId: string;
}

export function createGrpcHandler(rt: Runtime): GrpcHandler {
  const kCall = createContextKey<CallState | undefined>(undefined, { description: 'latchkey call' });
  const nexts = new WeakMap<object, () => void>();

  const fail = (err: unknown, ctx: HandlerContext, requestId: string): ConnectError =>
    toConnectError(
      toRpcStatus(err, requestId, (e) => rt.report(e, { rpc: rpcName(ctx.method), requestId }), ctx.signal),
    );

  const adapter = connectNodeAdapter({
    grpc: true,
    grpcWeb: true,
    connect: true,
    readMaxBytes: rt.maxBodyBytes,
    // Runs after headers, before the request message is read: unauthenticated bodies are never parsed.
    async requestGate(ctx) {
      const requestId = rt.requestId(ctx.requestHeader.get('x-request-id'));
      ctx.responseHeader.set('x-request-id', requestId);
      try {
        const principal = await rt.authenticate(ctx.requestHeader.get('authorization') ?? undefined);
        ctx.values.set(kCall, { principal, requestId });
      } catch (err) {
        throw fail(err, ctx, requestId);
      }
    },
    routes(router) {
      for (const service of rt.services) {
        for (const method of service.methods) {
          if (method.methodKind !== 'unary') continue;
          router.rpc(method as DescMethodUnary, async (request: Message, ctx: HandlerContext) => {
            const call = ctx.values.get(kCall);
            if (call === undefined) throw new ConnectError('unauthenticated', Code.Unauthenticated);
            const rpc = rpcName(method);
            try {
              const handler = rt.handlerFor(method);
              if (handler === undefined)
                throw new LatchkeyError('unimplemented', `${rpc} is not implemented`);
              const output = await handler(request, {
                principal: call.principal,
                requestId: call.requestId,
                signal: ctx.signal,
                protocol: 'grpc',
                rpc,
              });
              // Normalize here so that a malformed handler result is reported, not leaked.
              return isMessage(output, method.output)
                ? output
                : create(method.output, output as MessageInitShape<typeof method.output>);
            } catch (err) {
              throw fail(err, ctx, call.requestId);
            }
          });
        }
      }
    },
    fallback(req, res) {
      // A gRPC client calling an unknown service or method gets a proper gRPC status.
      const type = req.headers['content-type'] ?? '';
      if (req.httpVersionMajor === 2 && /^application\/grpc(\+|;|$)/.test(type)) {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/grpc+proto' });
        (res as http2.Http2ServerResponse).addTrailers({
          'grpc-status': '12',
          'grpc-message': 'unknown%20method',
        });
        res.end();
        return;
      }
      const next = nexts.get(req);
      if (next !== undefined) return next();
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    },
  });

  // Unary gRPC over HTTP/2 without compression (the SDKs' calls) skips connect's machinery.
  const unary = createUnaryGrpcFastPath(rt);
  return (req, res, next) => {
    if (
      req.httpVersionMajor === 2 &&
      unary(req as http2.Http2ServerRequest, res as http2.Http2ServerResponse)
    )
      return;
    if (next !== undefined) nexts.set(req, next);
    adapter(req, res);
  };
}
