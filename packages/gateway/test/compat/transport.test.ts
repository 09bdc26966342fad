/** createCompatTransport's options: handler typing and validation, request ids, reporting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { LatchkeyError } from '../../src/errors.ts';
import { ConnectedAccountService } from '../../src/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import {
  ConnectionService,
  ListAppConnectionsResponseSchema,
} from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { ToolService } from '../../src/gen/scalekit/v1/tools/tools_pb.js';
import { createCompatTransport, defineService, type Principal } from '../../src/transports/compat/index.ts';

const authenticate = async (): Promise<Principal> => ({ environmentId: 'e', clientId: 'c' });
async function get(
  t: ReturnType<typeof createCompatTransport>,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const res = await t.restHandler(new Request(`http://x${path}`, { headers }));
  assert.ok(res, `no response for ${path}`);
  return res;
}

describe('createCompatTransport', () => {
  it('type-checks handlers against the service (compile-time)', () => {
    defineService(ToolService, {
      // @ts-expect-error -- not a method of ToolService
      listConnections: async () => ({}),
    });
    defineService(ToolService, {
      // @ts-expect-error -- wrong response shape
      executeTool: async () => ({ executionId: 42 }),
    });
    defineService(ToolService, { executeTool: async (req) => ({ executionId: req.toolName }) });
  });

  it('rejects unknown handler names, duplicate services and bad limits at construction', () => {
    assert.throws(
      () =>
        createCompatTransport({
          authenticate,
          services: [{ service: ToolService, handlers: { nope: async () => ({}) } }],
        }),
      /has no method "nope"/,
    );
    assert.throws(
      () =>
        createCompatTransport({
          authenticate,
          services: [defineService(ToolService, {}), defineService(ToolService, {})],
        }),
      /registered twice/,
    );
    assert.throws(
      () => createCompatTransport({ authenticate, services: [], maxBodyBytes: 0 }),
      /maxBodyBytes/,
    );
  });

  it('accepts handlers returning created messages, keeps sane incoming request ids, generates others', async () => {
    let n = 0;
    const t = createCompatTransport({
      authenticate,
      requestId: () => `gen-${++n}`,
      services: [
        defineService(ConnectionService, {
          listAppConnections: async (_req, ctx) =>
            create(ListAppConnectionsResponseSchema, { nextPageToken: ctx.requestId }),
        }),
      ],
    });
    const kept = await get(t, '/api/v1/connections/app', { 'x-request-id': 'abc-123' });
    assert.equal(kept.headers.get('x-request-id'), 'abc-123');
    assert.equal(((await kept.json()) as { next_page_token: string }).next_page_token, 'abc-123');
    const replaced = await get(t, '/api/v1/connections/app', { 'x-request-id': 'bad id\twith spaces' });
    assert.equal(replaced.headers.get('x-request-id'), 'gen-1');
    assert.equal(await t.restHandler(new Request('http://x/elsewhere')), undefined);
  });

  it("can ignore unknown JSON keys like grpc-gateway (unknownJsonFields: 'ignore')", async () => {
    const seen: unknown[] = [];
    const t = createCompatTransport({
      authenticate,
      unknownJsonFields: 'ignore',
      services: [
        defineService(ConnectedAccountService, {
          getMagicLinkForConnectedAccount: async (req) => {
            seen.push(req.identifier);
            return { link: 'https://x/l' };
          },
        }),
      ],
    });
    const res = await t.restHandler(
      new Request('http://x/api/v1/connected_accounts/magic_link', {
        method: 'POST',
        body: JSON.stringify({ connector: 'c', identifier: 'u1', redirect_url: 'https://app/cb' }),
      }),
    );
    assert.equal(res?.status, 200);
    assert.deepEqual(seen, ['u1']);
  });

  it('survives an onError that throws, and passes internal LatchkeyErrors through while reporting them', async () => {
    const reported: unknown[] = [];
    const t = createCompatTransport({
      authenticate,
      onError: (e) => {
        reported.push(e);
        throw new Error('logger down');
      },
      services: [
        defineService(ConnectionService, {
          listAppConnections: async () => {
            throw new LatchkeyError('internal', 'store unavailable, retry later');
          },
        }),
      ],
    });
    const res = await get(t, '/api/v1/connections/app');
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { message: string }).message, 'store unavailable, retry later');
    assert.equal(reported.length, 1);
  });

  it('treats an authenticate that throws something else as INTERNAL, reported', async () => {
    const reported: unknown[] = [];
    const t = createCompatTransport({
      authenticate: async () => {
        throw new Error('db connection refused');
      },
      onError: (e) => reported.push(e),
      services: [defineService(ConnectionService, {})],
    });
    const res = await get(t, '/api/v1/connections/app');
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /refused/);
    assert.equal(reported.length, 1);
  });
});
