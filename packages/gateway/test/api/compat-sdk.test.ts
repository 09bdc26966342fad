/** The official @scalekit-sdk/node against a real gateway: lazy auth, gRPC over h2c, REST parity. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScalekitClient } from '@scalekit-sdk/node';
import { devClient, startGateway } from '../helpers/env.ts';

async function metric(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = text.split('\n').find((l) => line.test(l));
  return m ? Number(m.split(' ').at(-1)) : 0;
}

describe('official SDK against the gateway', () => {
  it('first call goes out without a token, gets UNAUTHENTICATED, fetches /oauth/token, retry succeeds', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, clientSecret } = await devClient(gw);
    const sdk = new ScalekitClient(gw.url, clientId, clientSecret);
    const list = await sdk.actions.listConnections();
    assert.deepEqual(list, { connections: [], nextPageToken: '', prevPageToken: '', totalSize: 0 });
    assert.equal(
      await metric(gw.url, /^latchkey_api_authentications_total\{result="missing"\}/),
      1,
      'one call without a token',
    );
    assert.equal(
      await metric(gw.url, /^latchkey_api_authentications_total\{result="success"\}/),
      1,
      'one authenticated retry',
    );
    assert.equal(
      await metric(
        gw.url,
        /^latchkey_http_requests_total\{method="POST",route="\/oauth\/token",status="200"\}/,
      ),
      1,
      'one token request',
    );
    // The same RPC over REST returns the same data.
    const tok = await fetch(`${gw.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    const { access_token } = (await tok.json()) as { access_token: string };
    const rest = await fetch(`${gw.url}/api/v1/connections/app`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(rest.status, 200);
    assert.deepEqual(await rest.json(), {
      connections: [],
      next_page_token: '',
      prev_page_token: '',
      total_size: 0,
    });
  });

  it('an RPC Latchkey does not implement: 501 over REST, UNIMPLEMENTED over gRPC', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, clientSecret } = await devClient(gw);
    const sdk = new ScalekitClient(gw.url, clientId, clientSecret);
    await sdk.actions.listConnections(); // authenticate once
    const tok = await fetch(`${gw.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    const { access_token } = (await tok.json()) as { access_token: string };
    const rest = await fetch(`${gw.url}/api/v1/connected_accounts/portal/redirect_url`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(rest.status, 501);
    assert.equal(((await rest.json()) as { code: number }).code, 12);
    const { createClient } = await import('@connectrpc/connect');
    const { createGrpcTransport } = await import('@connectrpc/connect-node');
    const { ConnectedAccountService } = await import(
      '../../src/gen/scalekit/v1/connected_accounts/connected_accounts_pb.js'
    );
    const client = createClient(ConnectedAccountService, createGrpcTransport({ baseUrl: gw.url }));
    await assert.rejects(
      () => client.getRedirectUrl({}, { headers: { authorization: `Bearer ${access_token}` } }),
      (e: { code?: number }) => e.code === 12,
    );
  });

  it('serves an OpenAPI 3.1 document generated from the descriptors', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const doc = (await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.match(doc.openapi, /^3\.1/);
    assert.ok(doc.paths['/api/v1/execute_tool']?.['post']);
    assert.ok(doc.paths['/api/v1/connections/app']?.['get']);
    assert.ok(doc.paths['/api/v1/mcp/configs/{config_id}']?.['put']);
  });
});
