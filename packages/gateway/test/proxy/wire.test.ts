/**
 * What crosses the proxy on the wire: hop-by-hop headers stop at the gateway both ways, a message
 * never has both content-length and transfer-encoding, the caller's token never reaches the
 * provider, redirects come back unfollowed, request bodies stream up, limits answer 413/502/504.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectH2 } from 'node:http2';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw-http.ts';
import { startUpstream } from '../helpers/upstream.ts';
import { ECHO_KEY, proxyFixture } from './fixture.ts';

const HOP = ['connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'x-hop'];

describe('proxy on the wire', () => {
  it('strips hop-by-hop headers both ways, injects the key, never forwards the caller token', async (t) => {
    const fx = await proxyFixture(t);
    if (!fx) return;
    const { stack, up } = fx;
    const token = await stack.token();
    up.handle = (_req, res, got) => {
      const body = JSON.stringify(got);
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('x-up-hop', 'secret');
      res.setHeader('connection', 'keep-alive, x-up-hop');
      res.setHeader('proxy-authenticate', 'Basic');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-provider', 'kept');
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const res = await rawRequest(stack.gw.port, {
      target: '/proxy/v1/things?x=1',
      headers: await fx.headers([
        ['Connection_name', 'echoapi'],
        ['connection', 'close, x-hop'],
        ['x-hop', '1'],
        ['keep-alive', 'timeout=1'],
        ['te', 'trailers'],
        ['trailer', 'x-t'],
        ['proxy-authorization', 'Basic eA=='],
        ['x-custom', 'kept'],
        ['x-sdk-version', 'Scalekit-Node/2.11.0'],
        ['x-echo-key', 'caller-chosen'],
      ]),
    });
    assert.equal(res.status, 201, res.text);
    const got = JSON.parse(res.text) as {
      headers: Record<string, string>;
      url: string;
      rawHeaders: string[];
    };
    assert.equal(got.url, '/base/v1/things?x=1');
    for (const h of [...HOP, 'authorization', 'connection_name', 'identifier', 'x-sdk-version']) {
      assert.equal(got.headers[h] === undefined || h === 'connection', true, `${h} reached the upstream`);
    }
    assert.notEqual(got.headers['connection'], 'close, x-hop', "the caller's connection header");
    assert.ok(!got.rawHeaders.some((v) => v.includes(token)), 'the caller token reached the upstream');
    assert.equal(got.headers['x-echo-key'], ECHO_KEY, 'the account key wins over a caller header');
    assert.equal(got.headers['x-custom'], 'kept');
    assert.equal(got.headers['x-echo-version'], '2026-01-01', 'connector default header');
    // Back to the caller: no upstream hop-by-hop headers; cookies and others kept; one framing.
    assert.equal(res.header('keep-alive'), undefined);
    assert.equal(res.header('x-up-hop'), undefined);
    assert.equal(res.header('proxy-authenticate'), undefined);
    assert.equal(res.header('x-provider'), 'kept');
    assert.deepEqual(
      res.headerLines.filter(([n]) => n === 'set-cookie').map(([, v]) => v),
      ['a=1', 'b=2'],
    );
    assert.equal(res.header('transfer-encoding'), undefined);
    assert.equal(res.header('content-length'), String(res.body.length));
  });

  it('never sends both content-length and transfer-encoding; refuses an upstream that does', async (t) => {
    const fx = await proxyFixture(t);
    if (!fx) return;
    const { stack, up } = fx;
    // Chunked upstream answer: the caller gets chunked (or a length), never both.
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello ');
      res.end('world');
    };
    const chunked = await rawRequest(stack.gw.port, {
      target: '/proxy/chunked',
      headers: await fx.headers(),
    });
    assert.equal(chunked.text, 'hello world');
    assert.ok(!(chunked.header('content-length') && chunked.header('transfer-encoding')));
    // A caller sending both: Node refuses it before the proxy (request smuggling).
    const both = await rawRequest(stack.gw.port, {
      method: 'POST',
      target: '/proxy/both',
      headers: await fx.headers([
        ['transfer-encoding', 'chunked'],
        ['content-length', '5'],
      ]),
      body: '5\r\nhello\r\n0\r\n\r\n',
    });
    assert.equal(both.status, 400);
    // An upstream sending both is refused by the gateway's HTTP client: 502, nothing passed on.
    up.handle = (_req, res) => {
      res.socket!.end(
        'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      );
    };
    const bad = await rawRequest(stack.gw.port, { target: '/proxy/smuggle', headers: await fx.headers() });
    assert.equal(bad.status, 502, bad.text);
    assert.equal(bad.header('x-latchkey-error'), 'unavailable');
    // Chunked request bodies go up with one framing too.
    up.handle = (_req, res, got) => res.end(JSON.stringify(got));
    const sent = await rawRequest(stack.gw.port, {
      method: 'POST',
      target: '/proxy/upload',
      headers: await fx.headers([['transfer-encoding', 'chunked']]),
      body: '5\r\nhello\r\n0\r\n\r\n',
    });
    assert.equal(sent.status, 200, sent.text);
    const got = JSON.parse(sent.text) as { bytes: number; headers: Record<string, string> };
    assert.equal(got.bytes, 5);
    assert.ok(!(got.headers['content-length'] && got.headers['transfer-encoding']));
  });

  it('serves HTTP/2 (h2c) callers too, with a streamed POST body', async (t) => {
    const fx = await proxyFixture(t);
    if (!fx) return;
    const session = connectH2(fx.stack.gw.url);
    t.after(() => session.close());
    const headers = Object.fromEntries(await fx.headers());
    const answer = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/proxy/h2/upload', ...headers });
        let status = 0;
        let got: Record<string, unknown> = {};
        let body = '';
        req.on('response', (h) => {
          status = Number(h[':status']);
          got = h;
        });
        req.on('data', (d) => (body += d));
        req.on('end', () => resolve({ status, body, headers: got }));
        req.on('error', reject);
        req.write('part one, ');
        req.end('part two');
      },
    );
    assert.equal(answer.status, 200, answer.body);
    const got = JSON.parse(answer.body) as { url: string; bytes: number; headers: Record<string, string> };
    assert.equal(got.url, '/base/h2/upload');
    assert.equal(got.bytes, 'part one, part two'.length);
    assert.equal(got.headers['x-echo-key'], ECHO_KEY);
    assert.equal(got.headers['authorization'], undefined);
    assert.ok(!Object.keys(got.headers).some((k) => k.startsWith(':')), 'no pseudo-headers upstream');
  });

  it('returns redirects unfollowed: nothing reaches the other origin', async (t) => {
    const other = await startUpstream(t);
    const fx = await proxyFixture(t);
    if (!fx) return;
    fx.up.handle = (_req, res) => {
      res.writeHead(302, { location: `${other.url}/steal` });
      res.end();
    };
    const res = await rawRequest(fx.stack.gw.port, { target: '/proxy/go', headers: await fx.headers() });
    assert.equal(res.status, 302);
    assert.equal(res.header('location'), `${other.url}/steal`);
    assert.equal(other.received.length, 0);
  });

  it('streams a request body upstream before the caller has finished sending it', async (t) => {
    const fx = await proxyFixture(t);
    if (!fx) return;
    const { stack, up } = fx;
    let firstChunk: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      firstChunk = r;
    });
    up.early = (req, res) => {
      if (!req.url?.endsWith('/stream')) return false;
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        firstChunk();
      });
      req.on('end', () => res.end(JSON.stringify({ bytes })));
      return true;
    };
    const socket = connect(stack.gw.port, '127.0.0.1');
    await once(socket, 'connect');
    const head = [
      'POST /proxy/stream HTTP/1.1',
      'host: x',
      'connection: close',
      'transfer-encoding: chunked',
      ...(await fx.headers()).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    const chunk = Buffer.alloc(256 * 1024, 'a');
    socket.write(head);
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
    // Only once the upstream has bytes does the caller send the rest: a buffering proxy stalls here.
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      arrived.then(() => 'arrived'),
      new Promise((r) => {
        timer = setTimeout(() => r('stalled'), 10_000);
      }),
    ]);
    clearTimeout(timer);
    assert.equal(waited, 'arrived', 'the upstream got nothing while the caller was still sending');
    for (let i = 0; i < 3; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
    socket.write('0\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    await once(socket, 'close');
    const text = Buffer.concat(chunks).toString();
    assert.match(text, /^HTTP\/1.1 200/);
    assert.match(text, new RegExp(`"bytes":${4 * chunk.length}`));
  });

  it('answers 413 over the body limit, 502 over the response limit, 504 when the provider is silent', async (t) => {
    const fx = await proxyFixture(t, 'sqlite', {
      config: { proxyMaxRequestBytes: 100_000, proxyMaxResponseBytes: 50_000, proxyTimeoutSeconds: 1 },
    });
    if (!fx) return;
    const { stack, up } = fx;
    const big = await rawRequest(stack.gw.port, {
      method: 'POST',
      target: '/proxy/upload',
      headers: await fx.headers(),
      body: Buffer.alloc(100_001),
    });
    assert.equal(big.status, 413, big.text);
    assert.equal(up.received.length, 0, 'a declared oversized body is refused before any upstream call');
    const chunked = await rawRequest(stack.gw.port, {
      method: 'POST',
      target: '/proxy/upload',
      headers: await fx.headers([['transfer-encoding', 'chunked']]),
      body: `${(150_000).toString(16)}\r\n${'a'.repeat(150_000)}\r\n0\r\n\r\n`,
    });
    assert.equal(chunked.status, 413, chunked.text);
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': 60_000 });
      res.end(Buffer.alloc(60_000));
    };
    const large = await rawRequest(stack.gw.port, { target: '/proxy/large', headers: await fx.headers() });
    assert.equal(large.status, 502, large.text);
    assert.match(large.text, /larger than 50000 bytes/);
    up.handle = () => {}; // never answers
    const silent = await rawRequest(stack.gw.port, { target: '/proxy/slow', headers: await fx.headers() });
    assert.equal(silent.status, 504, silent.text);
    assert.match(JSON.parse(silent.text).message, /did not answer in time/);
  });
});
