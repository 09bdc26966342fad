/**
 * Listening and graceful shutdown. One port serves HTTP/1.1 and (once the compat transport is
 * mounted) gRPC. Shutdown: stop accepting, let in-flight requests finish up to a bound, then
 * close the remaining connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Http1Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Listening {
  port: number;
  host: string;
  /** Stops accepting, waits for in-flight requests up to `timeoutMs`, then closes connections. */
  close(timeoutMs: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`port ${port} is already in use on ${host}`);
    this.name = 'PortInUseError';
  }
}

export async function listen(opts: {
  host: string;
  port: number;
  handler: Http1Handler;
}): Promise<Listening> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    opts.handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(opts.host, opts.port) : e),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    host: opts.host,
    async close(timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
