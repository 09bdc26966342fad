/**
 * Listening and graceful shutdown. One port serves HTTP/1.1 and HTTP/2 (h2c by preface sniffing,
 * or TLS with ALPN): REST, hosted pages, proxy and MCP over HTTP, gRPC over HTTP/2.
 * Shutdown: stop accepting, let in-flight requests finish up to a bound, then close connections.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Http2ServerRequest, type Http2ServerResponse, constants as h2 } from 'node:http2';
import { ConfigError } from '../config/config.ts';
import { createDualProtocolServer, type DualProtocolServer } from '../transports/compat/listener.ts';

export type Http1Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type Http2Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

export interface Listening {
  port: number;
  host: string;
  server: DualProtocolServer;
  /** Stops accepting, waits for in-flight requests up to `timeoutMs`, then closes connections. */
  close(timeoutMs: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`port ${port} is already in use on ${host}`);
    this.name = 'PortInUseError';
  }
}

export interface ListenOptions {
  host: string;
  port: number;
  http1: Http1Handler;
  http2: Http2Handler;
  tls?: { certFile: string; keyFile: string } | undefined;
}

function readTls(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, setting: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(
        setting,
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
  };
  return { cert: read(tls.certFile, 'LATCHKEY_TLS_CERT'), key: read(tls.keyFile, 'LATCHKEY_TLS_KEY') };
}

export async function listen(opts: ListenOptions): Promise<Listening> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  // A request is done when its response is sent ('finish') or its stream closes: an HTTP/2
  // response sent before the request body was read (e.g. an oversized gRPC message) may leave the
  // stream half-open until the client gives up.
  const track = (res: {
    once(e: 'close' | 'finish', f: () => void): unknown;
    stream?: { once(e: 'finish', f: () => void): unknown };
  }) => {
    inFlight++;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      inFlight--;
      if (inFlight === 0) drained?.();
    };
    res.once('finish', end);
    res.once('close', end);
    res.stream?.once('finish', end);
  };
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (opts.tls) {
    tls = readTls(opts.tls);
  }
  let server: DualProtocolServer;
  try {
    server = createDualProtocolServer({
      http1Handler: (req, res) => {
        track(res);
        opts.http1(req, res);
      },
      http2Handler: (req, res) => {
        track(res);
        // A response sent before the request body was read (an oversized gRPC message) leaves the
        // stream half-open: once the response is out, ask the client to stop sending without error
        // (RFC 9113 §8.1), after a moment so it reads the response first.
        res.stream.once('finish', () => {
          if (req.complete) return;
          setTimeout(() => {
            if (!res.stream.closed) res.stream.close(h2.NGHTTP2_NO_ERROR);
          }, 200).unref();
        });
        opts.http2(req, res);
      },
      ...(tls ? { tls } : {}),
      http1Options: { keepAliveTimeout: 65_000 },
    });
  } catch (e) {
    throw new ConfigError(
      'LATCHKEY_TLS_CERT',
      `cannot use the TLS certificate and key: ${(e as Error).message}`,
    );
  }
  let address: { port: number };
  try {
    address = await server.listen(opts.port, opts.host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(opts.host, opts.port);
    throw e;
  }
  return {
    port: address.port,
    host: opts.host,
    server,
    async close(timeoutMs) {
      const closed = server.close();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
