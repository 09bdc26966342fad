/**
 * The common case of gRPC, served without the general machinery: a unary call over HTTP/2 with
 * `application/grpc` or `application/grpc+proto` and no request compression — what the official
 * SDKs send. connect-node runs every call through a chain of async iterables, Web Headers and an
 * AbortController; for a fast RPC that was most of the CPU (about 60% of an ExecuteTool).
 *
 * Same contract as the connect adapter (grpc.ts), which still serves everything else (gRPC-Web,
 * Connect, compressed messages, unknown methods): authentication before the message is read,
 * `readMaxBytes` with connect's message, `grpc-timeout` deadlines, errors as grpc-status,
 * grpc-message and grpc-status-details-bin (encoded by connect's own `setTrailerStatus`), and
 * `x-request-id` on every answer.
 */
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import {
  create,
  type DescMethodUnary,
  fromBinary,
  isMessage,
  type MessageInitShape,
  toBinary,
} from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { parseTimeout, setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { LatchkeyError } from '../../errors.ts';
import { type Runtime, rpcName } from './runtime.ts';
import { toConnectError, toRpcStatus } from './status.ts';

const CONTENT_TYPE = 'application/grpc+proto';
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Reads one length-prefixed message; rejects past `max` message bytes as connect does. */
function readMessage(req: Http2ServerRequest, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let expected = -1;
    const fail = (e: Error) => {
      req.off('data', onData);
      req.resume();
      reject(e);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      total += c.length;
      if (expected === -1 && total >= 5) {
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (head[0] !== 0) {
          return fail(new ConnectError('compressed messages need grpc-encoding', Code.Internal));
        }
        expected = head.readUInt32BE(1);
        if (expected > max) {
          return fail(
            new ConnectError(
              `message size ${expected} is larger than configured readMaxBytes ${max}`,
              Code.ResourceExhausted,
            ),
          );
        }
      }
      if (expected !== -1 && total > expected + 5) {
        fail(new ConnectError('protocol error: unary request has more than one message', Code.Unimplemented));
      }
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      // The codes connect answers for the same mistakes.
      if (total === 0) {
        return reject(new ConnectError('protocol error: missing request message', Code.Unimplemented));
      }
      if (expected === -1 || total < expected + 5) {
        return reject(new ConnectError('protocol error: premature end of stream', Code.InvalidArgument));
      }
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve(all.subarray(5));
    });
  });
}

/** Returns a handler that serves a request and says true, or says false and leaves it alone. */
export function createUnaryGrpcFastPath(
  rt: Runtime,
): (req: Http2ServerRequest, res: Http2ServerResponse) => boolean {
  const methods = new Map<string, DescMethodUnary>();
  for (const service of rt.services) {
    for (const m of service.methods) {
      if (m.methodKind === 'unary') methods.set(`/${service.typeName}/${m.name}`, m as DescMethodUnary);
    }
  }

  async function serve(method: DescMethodUnary, req: Http2ServerRequest, res: Http2ServerResponse) {
    const header = (name: string) => {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    };
    const requestId = rt.requestId(header('x-request-id'));
    const rpc = rpcName(method);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    res.once('close', () => {
      if (timer) clearTimeout(timer);
      if (!res.writableFinished) abort.abort();
    });
    const answer = (message: Uint8Array | undefined, error: ConnectError | undefined) => {
      if (res.headersSent || res.destroyed) return;
      if (timer) clearTimeout(timer);
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'x-request-id': requestId });
      if (message) {
        const frame = Buffer.allocUnsafe(5 + message.length);
        frame[0] = 0;
        frame.writeUInt32BE(message.length, 1);
        frame.set(message, 5);
        res.write(frame);
      }
      const trailers = setTrailerStatus(new Headers(), error);
      res.addTrailers(Object.fromEntries(trailers));
      res.end();
    };
    try {
      const timeout = parseTimeout(header('grpc-timeout'), MAX_TIMEOUT_MS);
      if (timeout.error) throw timeout.error;
      if (timeout.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          abort.abort();
          answer(undefined, new ConnectError('the operation timed out', Code.DeadlineExceeded));
        }, timeout.timeoutMs);
      }
      const principal = await rt.authenticate(header('authorization') ?? undefined);
      const bytes = await readMessage(req, rt.maxBodyBytes);
      let input: ReturnType<typeof fromBinary<typeof method.input>>;
      try {
        input = fromBinary(method.input, bytes);
      } catch (e) {
        throw new ConnectError(`failed to parse the request: ${(e as Error).message}`, Code.Internal);
      }
      const handler = rt.handlerFor(method);
      if (handler === undefined) throw new LatchkeyError('unimplemented', `${rpc} is not implemented`);
      const output = await handler(input, {
        principal,
        requestId,
        signal: abort.signal,
        protocol: 'grpc',
        rpc,
      });
      const message = isMessage(output, method.output)
        ? output
        : create(method.output, output as MessageInitShape<typeof method.output>);
      answer(toBinary(method.output, message), undefined);
    } catch (err) {
      const error =
        err instanceof ConnectError
          ? err
          : toConnectError(
              toRpcStatus(err, requestId, (e) => rt.report(e, { rpc, requestId }), abort.signal),
            );
      answer(undefined, error);
    }
  }

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const type = req.headers['content-type'];
    if (type !== 'application/grpc' && type !== CONTENT_TYPE) return false;
    const encoding = req.headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return false;
    const method = methods.get(req.url);
    if (method === undefined) return false;
    void serve(method, req, res);
    return true;
  };
}
