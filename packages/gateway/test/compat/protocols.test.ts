/**
 * The same RPC through every protocol connect-node serves: gRPC (h2c), gRPC-Web and Connect over
 * HTTP/1.1 (the lead may route HTTP/1.1 RPC paths to grpcHandler too), with auth and error details.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import { getRequestListener } from '@hono/node-server';
import { ErrorInfoSchema } from '../../src/gen/scalekit/v1/errdetails/errdetails_pb.js';
import { ToolService } from '../../src/gen/scalekit/v1/tools/tools_pb.js';
import { type Fixture, startFixture, TOKEN } from './fixture.ts';

describe('gRPC, gRPC-Web and Connect', () => {
  let fx: Fixture;
  let h1: http.Server;
  let h1Url: string;
  before(async () => {
    fx = await startFixture();
    // An HTTP/1.1-only server that tries RPC paths first, REST second.
    const rest = getRequestListener(fx.transport.restApp.fetch);
    h1 = http.createServer((req, res) => fx.transport.grpcHandler(req, res, () => void rest(req, res)));
    await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
    h1Url = `http://127.0.0.1:${(h1.address() as { port: number }).port}`;
  });
  after(async () => {
    h1.closeAllConnections();
    await new Promise((r) => h1.close(r));
    await fx.close();
  });

  const withToken: Interceptor = (next) => async (req) => {
    req.header.set('authorization', `Bearer ${TOKEN}`);
    return next(req);
  };
  const interceptors = [withToken];
  const transports: [string, () => Transport][] = [
    ['gRPC over h2c', () => createGrpcTransport({ baseUrl: fx.url, interceptors })],
    [
      'gRPC-Web over HTTP/1.1',
      () => createGrpcWebTransport({ baseUrl: h1Url, httpVersion: '1.1', interceptors }),
    ],
    [
      'Connect over HTTP/1.1',
      () => createConnectTransport({ baseUrl: h1Url, httpVersion: '1.1', interceptors }),
    ],
  ];
  for (const [name, make] of transports) {
    it(`${name}: calls a handler and carries error details`, async () => {
      const client = createClient(ToolService, make());
      let header: Headers | undefined;
      const res = await client.executeTool(
        { toolName: 'echo', params: { a: 1 } },
        {
          onHeader: (h) => {
            header = h;
          },
        },
      );
      assert.equal(res.executionId, 'exec_1');
      assert.deepEqual(res.data, { echo: { a: 1 } });
      assert.ok(header?.get('x-request-id'));
      await assert.rejects(client.executeTool({ toolName: 'provider_fails' }), (e: unknown) => {
        assert.ok(e instanceof ConnectError);
        assert.equal(e.code, Code.Unavailable);
        const [info] = e.findDetails(ErrorInfoSchema);
        assert.equal(info?.errorCode, 'TOOL_ERROR');
        assert.equal(info?.toolErrorInfo?.executionId, 'exec_43');
        return true;
      });
      await assert.rejects(createClient(ToolService, make()).deleteTool({ id: 'x' }), (e: unknown) => {
        assert.ok(e instanceof ConnectError);
        assert.equal(e.code, Code.Unimplemented);
        return true;
      });
    });
  }

  it('aborts the handler signal on a gRPC deadline and on a REST client disconnect, reporting nothing', async () => {
    const client = createClient(ToolService, createGrpcTransport({ baseUrl: fx.url, interceptors }));
    await assert.rejects(
      client.listScopedTools({ identifier: 'wait_for_abort' }, { timeoutMs: 100 }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectError);
        assert.equal(e.code, Code.DeadlineExceeded);
        return true;
      },
    );
    const gone = new AbortController();
    const pending = fetch(`${h1Url}/api/v1/tools/scoped?identifier=wait_for_abort`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: gone.signal,
    });
    while (!fx.calls.some((c) => c.protocol === 'rest' && c.request['identifier'] === 'wait_for_abort')) {
      await new Promise((r) => setTimeout(r, 5));
    }
    gone.abort();
    await assert.rejects(pending);
    while (fx.aborted.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(fx.aborted.sort(), ['grpc', 'rest']);
    assert.deepEqual(fx.errors, []);
  });

  it('REST still answers on the HTTP/1.1 server behind grpcHandler', async () => {
    const res = await fetch(`${h1Url}/api/v1/connections/app`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { total_size: number }).total_size, 1);
  });
});
