/**
 * The official @scalekit-sdk/node against the compat transport: gRPC over h2c and the token
 * endpoint over HTTP/1.1 on one port, the lazy-token retry, and the error classes the SDK builds
 * from our status details.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import {
  isToolException,
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitInternalServerException,
  ScalekitNotFoundException,
  ScalekitNotImplementedException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { CreateConnectedAccountSchema } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { authed, CLIENT_ID, CLIENT_SECRET, CREATED_AT, type Fixture, startFixture } from './fixture.ts';

describe('official Node SDK over gRPC', () => {
  let fx: Fixture;
  let sdk: ScalekitClient;
  before(async () => {
    fx = await startFixture();
    sdk = new ScalekitClient(fx.url, CLIENT_ID, CLIENT_SECRET);
  });
  after(() => fx.close());

  it('answers the token-less first call UNAUTHENTICATED, then the retry with the token succeeds', async () => {
    const res = await sdk.actions.listConnections({ pageSize: 10, provider: 'gmail' });
    assert.deepEqual(fx.authHeaders, [undefined, 'Bearer tok_valid']);
    assert.equal(fx.tokenRequests, 1);
    assert.equal(res.totalSize, 1);
    assert.equal(res.connections.length, 1);
    const [c] = res.connections;
    assert.equal(c?.id, 'conn_1');
    assert.equal(c?.type, 'OAUTH');
    assert.equal(c?.status, 'COMPLETED');
    assert.equal(c?.enabled, true);
    assert.equal(c?.provider, 'gmail');
    assert.equal(c?.connectionName, 'MY_GMAIL');
    const call = fx.calls.at(-1);
    assert.equal(call?.rpc, 'scalekit.v1.connections.ConnectionService/ListAppConnections');
    assert.equal(call?.protocol, 'grpc');
    assert.equal(call?.request['page_size'], 10);
    assert.equal(call?.request['provider'], 'gmail');
  });

  it('serves the same data over REST to plain fetch', async () => {
    const res = await fetch(`${fx.url}/api/v1/connections/app?page_size=10&provider=gmail`, authed());
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(res.headers.get('x-request-id'));
    assert.deepEqual(await res.json(), {
      connections: [
        {
          id: 'conn_1',
          provider: 'CONNECTION_PROVIDER_UNSPECIFIED',
          type: 'OAUTH',
          status: 'COMPLETED',
          enabled: true,
          organization_id: '',
          ui_button_title: '',
          domains: [],
          organization_name: '',
          provider_key: 'gmail',
          key_id: 'MY_GMAIL',
          created_at: CREATED_AT.toISOString().replace('.000Z', 'Z'),
          mcp_server_url: '',
        },
      ],
      next_page_token: '',
      prev_page_token: '',
      total_size: 1,
    });
    const call = fx.calls.at(-1);
    assert.equal(call?.protocol, 'rest');
    assert.equal(call?.request['page_size'], 10);
    assert.equal(call?.request['provider'], 'gmail');
  });

  it('returns secrets-bearing GetConnectedAccountAuth with the oneof intact', async () => {
    const res = await sdk.connectedAccounts.getConnectedAccountByIdentifier({
      connector: 'MY_GMAIL',
      identifier: 'user_1',
    });
    const details = res.connectedAccount?.authorizationDetails?.details;
    assert.equal(details?.case, 'oauthToken');
    assert.deepEqual(details?.case === 'oauthToken' ? details.value.scopes : [], ['a', 'b']);
    assert.equal(res.connectedAccount?.status, 1); // ACTIVE
  });

  it('maps a not-found error to ScalekitNotFoundException', async () => {
    await assert.rejects(
      sdk.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'MY_GMAIL', identifier: 'missing' }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitNotFoundException, String(e));
        assert.equal(e.httpStatus, 404);
        assert.equal(e.errorCode, 'NOT_FOUND');
        assert.match(e.message, /connected account not found/);
        return true;
      },
    );
  });

  it('maps a validation error to ScalekitBadRequestException with the field violations', async () => {
    await assert.rejects(
      sdk.connectedAccounts.createConnectedAccount({
        connector: 'MY_GMAIL',
        identifier: 'user_1',
        connectedAccount: create(CreateConnectedAccountSchema, {}),
      }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitBadRequestException, String(e));
        assert.equal(e.errorCode, 'INVALID_ARGUMENT');
        const [info] = e.unpackedDetails as {
          validationErrorInfo?: {
            fieldViolations: { field: string; description: string; constraint: string }[];
          };
        }[];
        assert.deepEqual(
          info?.validationErrorInfo?.fieldViolations.map((v) => [v.field, v.description, v.constraint]),
          [
            ['connected_account.authorization_details', 'value is required', ''],
            ['identifier', 'must not be empty', 'min_len'],
          ],
        );
        return true;
      },
    );
  });

  it('maps provider failures (TOOL_ERROR) to the tool exceptions, never retried or re-authenticated', async () => {
    const callsBefore = fx.calls.length;
    const tokensBefore = fx.tokenRequests;
    await assert.rejects(
      sdk.tools.executeTool({ toolName: 'provider_fails', identifier: 'user_1', params: { a: 1 } }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitToolException, String(e));
        assert.ok(isToolException(e));
        assert.equal(e.toolErrorCode, '502');
        assert.equal(e.executionId, 'exec_43');
        assert.equal(e.toolErrorMessage, 'upstream 502');
        assert.equal(e.errorCode, 'TOOL_ERROR');
        return true;
      },
    );
    // A provider 401 must not look like our own UNAUTHENTICATED (the SDK would re-authenticate and loop).
    await assert.rejects(
      sdk.tools.executeTool({ toolName: 'provider_rejects', identifier: 'user_1', params: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitToolUnauthorizedException, String(e));
        assert.equal(e.toolErrorCode, '401');
        assert.equal(e.executionId, 'exec_42');
        return true;
      },
    );
    assert.equal(fx.calls.length, callsBefore + 2, 'TOOL_ERROR calls must not be retried');
    assert.equal(fx.tokenRequests, tokensBefore, 'TOOL_ERROR must not trigger re-authentication');
  });

  it('executes a tool and returns the Struct data', async () => {
    const res = await sdk.tools.executeTool({
      toolName: 'echo',
      identifier: 'user_1',
      params: { n: 1, s: 'x' },
    });
    assert.equal(res.executionId, 'exec_1');
    assert.deepEqual(res.data, { echo: { n: 1, s: 'x' } });
  });

  it('hides unexpected errors behind a generic INTERNAL and reports them', async () => {
    const before = fx.errors.length;
    await assert.rejects(
      sdk.tools.executeTool({ toolName: 'crashes', identifier: 'u', params: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitInternalServerException, String(e));
        assert.doesNotMatch(e.message, /hunter2|stack/);
        assert.match(e.message, /internal error/);
        return true;
      },
    );
    assert.equal(fx.errors.length, before + 1);
    assert.match(String(fx.errors.at(-1)), /hunter2/);
  });

  it('answers an RPC without a handler UNIMPLEMENTED (gRPC) and 501 (REST)', async () => {
    await assert.rejects(sdk.connectedAccounts.listConnectedAccounts({ connector: 'x' }), (e: unknown) => {
      assert.ok(e instanceof ScalekitNotImplementedException, String(e));
      return true;
    });
    const res = await fetch(`${fx.url}/api/v1/connected_accounts?connector=x`, authed());
    assert.equal(res.status, 501);
    const body = (await res.json()) as { code: number; message: string };
    assert.equal(body.code, 12);
    assert.match(body.message, /ListConnectedAccounts is not implemented/);
  });
});
