/**
 * Hostile and broken gRPC input: every case must end in a clean gRPC (or HTTP) error, and the
 * server must keep serving afterwards.
 */
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ListAppConnectionsRequestSchema } from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { type Fixture, startFixture, TOKEN } from './fixture.ts';

const PATH = '/scalekit.v1.connections.ConnectionService/ListAppConnections';

interface RawResult {
  status: number;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

function envelope(payload: Uint8Array, flags = 0, declaredLength = payload.byteLength): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([head, payload]);
}

/** One raw HTTP/2 request on its own session. */
function raw(url: string, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': PATH, ...headers });
    let status = 0;
    let resHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = h;
    });
    stream.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      resolve({ status, headers: resHeaders, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(body);
  });
}

const grpcHeaders = (extra: http2.OutgoingHttpHeaders = {}): http2.OutgoingHttpHeaders => ({
  'content-type': 'application/grpc+proto',
  te: 'trailers',
  authorization: `Bearer ${TOKEN}`,
  ...extra,
});

/** grpc-status from trailers, or from headers for a trailers-only response. */
const grpcStatus = (r: RawResult): string | undefined =>
  (r.trailers['grpc-status'] ?? r.headers['grpc-status']) as string | undefined;

describe('malformed gRPC input', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture({ maxBodyBytes: 1024 });
  });
  after(() => fx.close());

  const valid = () =>
    Buffer.from(toBinary(ListAppConnectionsRequestSchema, create(ListAppConnectionsRequestSchema)));

  it('a well-formed call succeeds (baseline)', async () => {
    const r = await raw(fx.url, grpcHeaders(), envelope(valid()));
    assert.equal(r.status, 200);
    assert.equal(grpcStatus(r), '0');
    assert.ok(r.body.byteLength > 5);
  });

  // Codes as connect-node assigns them (undecodable messages are INTERNAL, as in grpc-go).
  const cases: [string, http2.OutgoingHttpHeaders, Buffer | undefined, string][] = [
    ['a truncated frame (length 100, 10 bytes sent)', grpcHeaders(), envelope(Buffer.alloc(10), 0, 100), '3'],
    ['a truncated envelope header (3 bytes)', grpcHeaders(), Buffer.from([0, 0, 0]), '3'],
    [
      'a length prefix beyond the message limit',
      grpcHeaders(),
      envelope(Buffer.alloc(8), 0, 0xffffffff),
      '8',
    ],
    ['a message over the limit', grpcHeaders(), envelope(Buffer.alloc(2048, 1)), '8'],
    ['garbage protobuf', grpcHeaders(), envelope(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x08])), '13'],
    ['a length-delimited field cut short', grpcHeaders(), envelope(Buffer.from([0x0a, 0x05, 0x01])), '13'],
    ['the compressed flag without grpc-encoding', grpcHeaders(), envelope(valid(), 1), '13'],
    ['an unknown grpc-encoding', grpcHeaders({ 'grpc-encoding': 'snappy' }), envelope(valid()), '12'],
    [
      'two messages on a unary call',
      grpcHeaders(),
      Buffer.concat([envelope(valid()), envelope(valid())]),
      '12',
    ],
    ['no message at all', grpcHeaders(), undefined, '12'],
    [
      'garbage without a valid token',
      grpcHeaders({ authorization: 'Bearer nope' }),
      envelope(Buffer.from([0xff])),
      '16',
    ],
    [
      'an unknown method',
      grpcHeaders({ ':path': '/scalekit.v1.connections.ConnectionService/Nope' }),
      envelope(valid()),
      '12',
    ],
    ['an unknown service', grpcHeaders({ ':path': '/x.Y/Z' }), envelope(valid()), '12'],
    ['a bad grpc-timeout', grpcHeaders({ 'grpc-timeout': 'soon' }), envelope(valid()), '3'],
  ];
  for (const [name, headers, body, code] of cases) {
    it(`rejects ${name} with a gRPC status`, async () => {
      const r = await raw(fx.url, headers, body);
      assert.equal(r.status, 200, `HTTP status for ${name}`);
      assert.equal(grpcStatus(r), code, String(r.trailers['grpc-message'] ?? r.headers['grpc-message']));
    });
  }

  it('rejects a content type that no protocol accepts with HTTP 415', async () => {
    const r = await raw(fx.url, grpcHeaders({ 'content-type': 'text/html' }), envelope(valid()));
    assert.equal(r.status, 415);
  });

  it('reports nothing unexpected and keeps serving', async () => {
    assert.deepEqual(fx.errors, []);
    const r = await raw(fx.url, grpcHeaders(), envelope(valid()));
    assert.equal(grpcStatus(r), '0');
  });

  it('survives a client that sends the preface and then garbage frames', async () => {
    const net = await import('node:net');
    const { port } = new URL(fx.url);
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
        s.write(Buffer.alloc(64, 0xee));
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    const r = await raw(fx.url, grpcHeaders(), envelope(valid()));
    assert.equal(grpcStatus(r), '0');
  });
});
