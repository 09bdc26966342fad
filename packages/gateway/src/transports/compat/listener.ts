/**
 * One listening port for HTTP/1.1 and HTTP/2, as the official SDK needs: its token request
 * (axios) is HTTP/1.1 while its gRPC calls are HTTP/2 on the same URL.
 *
 * - Cleartext: each connection's first bytes are compared with the HTTP/2 client preface
 *   (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, h2c with prior knowledge); the socket is then handed
 *   to an `http2` or an `http` server. Usually 1-3 bytes decide (`GET`, `POST` differ early).
 * - TLS (cert + key given): `http2.createSecureServer({allowHTTP1: true})` with ALPN h2 and
 *   http/1.1; requests are dispatched on `req.httpVersion`.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type * as tls from 'node:tls';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type Http1Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type Http2Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

export interface DualProtocolServerOptions {
  http1Handler: Http1Handler;
  http2Handler: Http2Handler;
  /** Serve TLS (ALPN h2 + http/1.1) instead of cleartext. */
  tls?: Pick<tls.SecureContextOptions, 'cert' | 'key' | 'ca' | 'passphrase' | 'pfx'>;
  http1Options?: http.ServerOptions;
  http2Options?: http2.ServerOptions;
  /** Cleartext only: drop a connection that sends nothing decisive within this time. Default 10 s. */
  prefaceTimeoutMs?: number;
}

export interface DualProtocolServer {
  /** The listening server. */
  readonly server: net.Server;
  listen(port?: number, host?: string): Promise<net.AddressInfo>;
  address(): net.AddressInfo | null;
  /** Stops accepting, lets in-flight requests finish, closes idle connections. */
  close(): Promise<void>;
  /** Destroys every open connection (after close() when shutdown must not wait). */
  closeAllConnections(): void;
}

export function createDualProtocolServer(opts: DualProtocolServerOptions): DualProtocolServer {
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  let server: net.Server;
  let h1: http.Server | undefined;

  const h2Options = { ...opts.http2Options };
  if (opts.tls) {
    const secure = http2.createSecureServer({ ...h2Options, ...opts.tls, allowHTTP1: true });
    secure.on('request', (req: http2.Http2ServerRequest | http.IncomingMessage, res: unknown) => {
      if (req.httpVersionMajor === 2)
        opts.http2Handler(req as http2.Http2ServerRequest, res as http2.Http2ServerResponse);
      else opts.http1Handler(req as http.IncomingMessage, res as http.ServerResponse);
    });
    secure.on('secureConnection', track);
    secure.on('session', (s) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
    });
    server = secure;
  } else {
    h1 = http.createServer(opts.http1Options ?? {}, opts.http1Handler);
    const h2 = http2.createServer(h2Options, opts.http2Handler);
    h2.on('session', (s) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
    });
    const http1 = h1;
    const timeoutMs = opts.prefaceTimeoutMs ?? 10_000;
    // noDelay: a response written in pieces (headers, then an SSE event) must not wait for the
    // client's delayed ACK (Nagle), a 40 ms stall per streamed answer.
    server = net.createServer({ noDelay: true }, (socket) => {
      track(socket);
      sniff(socket, timeoutMs, (isHttp2) => (isHttp2 ? h2 : http1).emit('connection', socket));
    });
    // The http server never listens itself; its connection tracking (idle-connection closing,
    // headersTimeout/requestTimeout enforcement) starts on 'listening', so forward that event.
    server.on('listening', () => http1.emit('listening'));
  }

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as net.AddressInfo);
        });
      });
    },
    address: () => server.address() as net.AddressInfo | null,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close(); // GOAWAY: open streams finish, then the session ends
      h1?.closeIdleConnections();
      if (h1) h1.close(); // stops keep-alive reuse for connections that finish their request
      return closed;
    },
    closeAllConnections() {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
    },
  };
}

/** Reads until the bytes are the full preface or diverge from it, puts them back, decides. */
function sniff(socket: net.Socket, timeoutMs: number, handOff: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
  };
  const onError = () => {
    done();
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const kind = classifyPreface(seen);
    if (kind === 'undecided') return;
    done();
    socket.pause();
    socket.unshift(seen);
    handOff(kind === 'http2');
    // http2 sessions read the buffered bytes themselves (on the next tick) and then consume the
    // native handle; resuming would drain those bytes into the void. http's parser needs the flow.
    if (kind === 'http1') socket.resume();
  };
  socket.on('data', onData);
  socket.on('error', onError);
}

/** The protocol of a cleartext connection from its first bytes. */
export function classifyPreface(bytes: Uint8Array): 'http1' | 'http2' | 'undecided' {
  const n = Math.min(bytes.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PREFACE[i]) return 'http1';
  return n === PREFACE.length ? 'http2' : 'undecided';
}
