/**
 * The one-port listener: HTTP/1.1 and h2c side by side (preface sniffing), TLS with ALPN for both,
 * silent connections dropped, graceful close.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type * as tls from 'node:tls';
import {
  classifyPreface,
  createDualProtocolServer,
  type DualProtocolServerOptions,
} from '../../src/transports/compat/listener.ts';

const handlers: Pick<DualProtocolServerOptions, 'http1Handler' | 'http2Handler'> = {
  http1Handler: (req, res) => res.end(`h1 ${req.method} ${req.url}`),
  http2Handler: (req, res) => res.end(`h2 ${req.method} ${req.url}`),
};

function h2get(url: string, path: string, options: http2.SecureClientSessionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('error', reject);
    req.on('end', () => {
      session.close();
      resolve(body);
    });
  });
}

/** Sends raw bytes in separate writes and returns everything the server answers. */
function rawExchange(port: number, parts: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      out += d;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.on('connect', async () => {
      for (const p of parts) {
        await new Promise<void>((r) => socket.write(p, () => r()));
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}

describe('dual-protocol listener', () => {
  it('classifies connection prefaces', () => {
    const enc = (s: string) => Buffer.from(s, 'latin1');
    assert.equal(classifyPreface(enc('GET / HTTP/1.1')), 'http1');
    assert.equal(classifyPreface(enc('P')), 'undecided');
    assert.equal(classifyPreface(enc('POST')), 'http1');
    assert.equal(classifyPreface(enc('PRI * HTTP/2.0\r\n')), 'undecided');
    assert.equal(classifyPreface(enc('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), 'http2');
    assert.equal(classifyPreface(enc('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0')), 'http2');
    assert.equal(classifyPreface(enc('PRI * HTTP/1.1')), 'http1');
  });

  it('serves HTTP/1.1 and h2c on one cleartext port', async () => {
    const server = createDualProtocolServer(handlers);
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${port}`;
      assert.equal(await (await fetch(`${url}/one`)).text(), 'h1 GET /one');
      assert.equal(await h2get(url, '/two'), 'h2 GET /two');
      const [a, b] = await Promise.all([fetch(`${url}/three`).then((r) => r.text()), h2get(url, '/four')]);
      assert.deepEqual([a, b], ['h1 GET /three', 'h2 GET /four']);
      // An HTTP/1.1 request line that starts like the preface, delivered in pieces.
      const answer = await rawExchange(port, [
        'P',
        'U',
        'T /five HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      ]);
      assert.match(answer, /^HTTP\/1\.1 200/);
      assert.match(answer, /h1 PUT \/five$/);
    } finally {
      server.closeAllConnections();
      await server.close();
    }
  });

  it('drops a connection that never sends a decisive byte', async () => {
    const server = createDualProtocolServer({ ...handlers, prefaceTimeoutMs: 50 });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      assert.equal(await rawExchange(port, ['PRI * ']), '');
    } finally {
      await server.close();
    }
  });

  it('lets an in-flight request finish on close, then refuses connections', async () => {
    let release = () => {};
    const started = Promise.withResolvers<void>();
    const server = createDualProtocolServer({
      ...handlers,
      http2Handler: (_req, res) => {
        started.resolve();
        release = () => res.end('done');
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const pending = h2get(url, '/slow');
    await started.promise;
    const closed = server.close();
    release();
    assert.equal(await pending, 'done');
    await closed;
    await assert.rejects(fetch(`${url}/again`));
  });

  it('closes idle keep-alive HTTP/1.1 connections on close', { timeout: 20_000 }, async () => {
    const server = createDualProtocolServer({ ...handlers, http1Options: { keepAliveTimeout: 120_000 } });
    const { port } = await server.listen(0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true });
    try {
      let socketClosed: Promise<void> | undefined;
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/idle', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('socket', (s) => {
          socketClosed = new Promise((r) => s.once('close', () => r()));
        });
        req.on('error', reject);
      });
      await server.close(); // would wait for the 120 s keep-alive timeout without connection tracking
      await socketClosed;
    } finally {
      agent.destroy();
    }
  });

  const openssl = spawnSync('openssl', ['version']).status === 0;
  it('serves HTTP/1.1 and HTTP/2 over TLS with ALPN', {
    skip: openssl ? false : 'openssl not available',
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-tls-'));
    try {
      const gen = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      assert.equal(gen.status, 0, String(gen.stderr));
      const cert = readFileSync(join(dir, 'cert.pem'));
      const key = readFileSync(join(dir, 'key.pem'));
      const server = createDualProtocolServer({ ...handlers, tls: { cert, key } });
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        const url = `https://127.0.0.1:${port}`;
        assert.equal(await h2get(url, '/alpn-h2', { ca: cert }), 'h2 GET /alpn-h2');
        const h1Options: https.RequestOptions & Pick<tls.ConnectionOptions, 'ALPNProtocols'> = {
          ca: cert,
          agent: false,
          ALPNProtocols: ['http/1.1'],
        };
        const h1 = await new Promise<string>((resolve, reject) => {
          https
            .get(`${url}/alpn-h1`, h1Options, (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => {
                body += d;
              });
              res.on('end', () =>
                resolve(
                  `${res.socket && 'alpnProtocol' in res.socket ? String(res.socket.alpnProtocol) : '?'}|${body}`,
                ),
              );
            })
            .on('error', reject);
        });
        assert.equal(h1, 'http/1.1|h1 GET /alpn-h1');
      } finally {
        server.closeAllConnections();
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
