/**
 * `actions.request({connectionName, identifier, path, method})` of the official SDK through
 * `/proxy` against the sandbox imitations (OAuth and API-key accounts), on both stores; refresh
 * and retry on a provider 401; accounts of another environment or user refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitNotFoundException,
  ScalekitServerException,
} from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';
import { staticAuth } from '../helpers/upstream.ts';

async function connect(stack: Stack, connectionName: string, identifier: string) {
  const { link } = await stack.sdk.actions.getAuthorizationLink({ connectionName, identifier });
  const done = await followLink(link);
  assert.equal(done.status, 200, done.body);
}

/**
 * The SDK's error for a non-2xx proxied answer: its class follows the status (its `httpStatus`
 * reads the reason phrase and says 500 for most), the JSON body is `errDetails`.
 */
function httpError(e: unknown): { body: { error?: string; message?: string } } {
  assert.ok(e instanceof ScalekitServerException, String(e));
  return { body: (e as unknown as { errDetails: { error?: string; message?: string } }).errDetails };
}

for (const dialect of DIALECTS) {
  describe(`proxy through the official SDK (${dialect})`, () => {
    it('GET and POST on OAuth and API-key accounts, upstream status and headers passed back', async (t) => {
      const stack = await startStack(t, dialect, {
        connections: { gmail: 'MY_GMAIL', slack: 'slack', acmecrm: 'acmecrm' },
      });
      if (!stack) return;
      const { sdk, sandbox } = stack;
      await connect(stack, 'MY_GMAIL', 'user_1');
      await connect(stack, 'slack', 'user_1');
      await sdk.actions.createConnectedAccount({
        connectionName: 'acmecrm',
        identifier: 'user_1',
        authorizationDetails: staticAuth({ api_key: sandbox.providers.acmecrm!.apiKey!.value }),
      });

      const labels = await sdk.actions.request({
        connectionName: 'MY_GMAIL',
        identifier: 'user_1',
        path: '/gmail/v1/users/me/labels',
        method: 'GET',
      });
      assert.equal(labels.status, 200);
      assert.match(String(labels.headers['content-type']), /application\/json/);
      assert.ok(Array.isArray((labels.data as { labels?: unknown[] }).labels));

      // Slack's base URL has a path (/api); the SDK adds the leading slash.
      const channels = await sdk.actions.request({
        connectionName: 'slack',
        identifier: 'user_1',
        path: 'conversations.list',
        queryParams: { limit: 5 },
      });
      assert.equal((channels.data as { ok?: boolean }).ok, true);

      // API key in a header; a POST body reaches the imitation.
      const before = sandbox.state.acmecrm.contacts('alice').length;
      const created = await sdk.actions.request({
        connectionName: 'acmecrm',
        identifier: 'user_1',
        path: '/v1/contacts',
        method: 'POST',
        body: { email: 'proxy@example.com', name: 'Via Proxy' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.data));
      assert.equal(sandbox.state.acmecrm.contacts('alice').length, before + 1);
      assert.ok(sandbox.state.acmecrm.contacts('alice').some((c) => c.email === 'proxy@example.com'));

      // The provider's own error status and body come back as they are (not a gateway error).
      await assert.rejects(
        () =>
          sdk.actions.request({
            connectionName: 'MY_GMAIL',
            identifier: 'user_1',
            path: '/gmail/v1/users/me/messages/nope',
          }),
        (e: unknown) => {
          // Gmail answers 400 "Invalid id value" for a malformed id: the gateway passes it on.
          assert.ok(e instanceof ScalekitBadRequestException, String(e));
          const { body } = httpError(e);
          assert.equal((body as { error?: { code?: number } }).error?.code, 400, JSON.stringify(body));
          return true;
        },
      );
      // Proxied calls count as use of the account.
      await stack.gw.services.credentials.flush();
      const used = await stack.gw.store.db
        .selectFrom('connected_accounts')
        .select(['identifier', 'last_used_at'])
        .execute();
      assert.equal(used.length, 3);
      assert.ok(used.every((r) => r.last_used_at !== null));
    });

    it("refuses another environment's and another user's account, and inactive ones, with clear errors", async (t) => {
      const stack = await startStack(t, dialect, { connections: { gmail: 'gmail' } });
      if (!stack) return;
      const { gw, sdk } = stack;
      await connect(stack, 'gmail', 'user_1');
      // A second environment with a connection of the same name, and no account for user_1.
      await gw.apiAccess.createEnvironment('other');
      const other = await gw.apiAccess.createClient('other');
      await gw.services.connections.create(other.environment.id, { connector: 'gmail', name: 'gmail' });
      const otherSdk = new ScalekitClient(gw.url, other.client.id, other.clientSecret);
      await otherSdk.connectedAccounts.listConnectedAccounts({}); // the SDK's proxy call needs a token first
      const path = '/gmail/v1/users/me/labels';
      for (const [client, identifier, connectionName, message] of [
        [otherSdk, 'user_1', 'gmail', /no connected account for "user_1"/],
        [sdk, 'user_2', 'gmail', /no connected account for "user_2".*authorization link/],
        [sdk, 'user_1', 'nope', /connection/],
      ] as const) {
        await assert.rejects(
          () => client.actions.request({ connectionName, identifier, path }),
          (e: unknown) => {
            assert.ok(e instanceof ScalekitNotFoundException, String(e));
            const { body } = httpError(e);
            assert.equal(body.error, 'not_found');
            assert.match(body.message ?? '', message);
            return true;
          },
        );
      }
      // A pending account names its status and how to fix it.
      await sdk.actions.createConnectedAccount({
        connectionName: 'gmail',
        identifier: 'user_3',
        authorizationDetails: { details: { case: 'oauthToken', value: { accessToken: '' } } } as never,
      });
      await assert.rejects(
        () => sdk.actions.request({ connectionName: 'gmail', identifier: 'user_3', path }),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitBadRequestException, String(e));
          const { body } = httpError(e);
          assert.match(body.message ?? '', /PENDING_AUTH.*authorization link/);
          return true;
        },
      );
      // Without a bearer token, and without routing headers.
      const bare = await fetch(`${gw.url}/proxy${path}`, {
        headers: { connection_name: 'gmail', identifier: 'user_1' },
      });
      assert.equal(bare.status, 401);
      assert.equal(bare.headers.get('x-latchkey-error'), 'unauthenticated');
      const noHeaders = await stack.rest(`/proxy${path}`);
      assert.equal(noHeaders.status, 400);
      assert.match(((await noHeaders.json()) as { message: string }).message, /connection_name header/);
    });
  });
}

describe('proxy refresh', () => {
  it('a provider 401 refreshes once and retries; the next call uses the new token', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: { gmail: 'gmail' } });
    if (!stack) return;
    const { sdk, sandbox, gw } = stack;
    // The provider forgets the access token while the gateway still holds it.
    sandbox.setAccessTokenTtl(1);
    await connect(stack, 'gmail', 'user_1');
    sandbox.setAccessTokenTtl(3600);
    await gw.store.db.updateTable('connected_accounts').set({ token_expires_at: null }).execute();
    await new Promise((r) => setTimeout(r, 1500));
    sandbox.resetTokenRequests();
    const refreshes = () =>
      sandbox.tokenRequests('gmail').filter((r) => r.grantType === 'refresh_token').length;

    const res = await sdk.actions.request({
      connectionName: 'gmail',
      identifier: 'user_1',
      path: '/gmail/v1/users/me/labels',
    });
    assert.equal(res.status, 200);
    assert.equal(refreshes(), 1);
    // The next call uses the new token: no further refresh.
    await sdk.actions.request({
      connectionName: 'gmail',
      identifier: 'user_1',
      path: '/gmail/v1/users/me/labels',
    });
    assert.equal(refreshes(), 1);
  });
});
