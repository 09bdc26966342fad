/** Refresh, rotation, revocation and the background refresher against the sandbox's OAuth server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxCatalog } from '../../src/dev/sandbox-catalog.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { fromTokenSet } from '../../src/services/credentials-codec.ts';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

async function authorize(stack: Stack, connectionName: string, identifier: string) {
  const { link } = await stack.sdk.actions.getAuthorizationLink({ connectionName, identifier });
  const done = await followLink(link);
  assert.equal(done.status, 200, done.body);
  const principal = { environmentId: stack.environmentId, clientId: stack.clientId };
  return stack.gw.services.credentials.access.resolve(principal, { connectionName, identifier });
}

const expireLocally = (stack: Stack, accountId: string) =>
  stack.gw.store.db
    .updateTable('connected_accounts')
    .set({ token_expires_at: Date.now() - 1000 })
    .where('id', '=', accountId)
    .execute();

const refreshCount = (stack: Stack, slug: string) =>
  stack.sandbox.tokenRequests(slug).filter((r) => r.grantType === 'refresh_token').length;

describe('credentials codec', () => {
  it('keeps the previous refresh token when the provider returns none', () => {
    const prev = fromTokenSet({ access_token: 'a1', refresh_token: 'r1', metadata: {} });
    const next = fromTokenSet({ access_token: 'a2', metadata: {} }, prev);
    assert.deepEqual(next, {
      kind: 'oauth2',
      access_token: 'a2',
      refresh_token: 'r1',
      token_type: undefined,
      scopes: undefined,
    });
    const rotated = fromTokenSet({ access_token: 'a3', refresh_token: 'r2', metadata: {} }, next);
    assert.equal(rotated.kind === 'oauth2' && rotated.refresh_token, 'r2');
  });
});

for (const dialect of DIALECTS) {
  describe(`refresh (${dialect})`, () => {
    it('refreshes an expiring token with rotation; the new token works, the old refresh token is dead', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const target = await authorize(stack, 'gmail', 'u1');
      const access = stack.gw.services.credentials.access;
      const before = await access.credentials(target);
      const oldRefresh = await stack.gw.services.accounts.getWithCredentials(stack.environmentId, {
        id: target.accountId,
      });
      await expireLocally(stack, target.accountId);
      const after = await access.credentials(target);
      assert.notDeepEqual(after, before, 'a new access token');
      assert.equal(refreshCount(stack, 'gmail'), 1);
      const labels = await fetch(`${target.baseUrl}/gmail/v1/users/me/labels`, { headers: after.headers });
      assert.equal(labels.status, 200);
      // Reusing the rotated refresh token is refused by the provider (and revokes the grant there).
      const creds = oldRefresh.credentials;
      assert.ok(creds?.kind === 'oauth2' && creds.refresh_token);
      const oauth = stack.sandbox.providers.gmail!.oauth!;
      const reuse = await fetch(oauth.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.refresh_token,
          client_id: oauth.clientId,
          client_secret: oauth.clientSecret,
        }),
      });
      assert.equal(reuse.status, 400);
      assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
      const events = await stack.gw.services.accounts.events(stack.environmentId, { id: target.accountId });
      assert.equal(events[0]?.type, 'refreshed');
    });

    it('a grant revoked at the provider marks the account EXPIRED on next use; a new link brings the same account back', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const target = await authorize(stack, 'gmail', 'u2');
      const access = stack.gw.services.credentials.access;
      const auth = await access.credentials(target);
      assert.ok((await stack.sandbox.revokeGrants('alice', 'gmail')) >= 1);
      const rejected = await fetch(`${target.baseUrl}/gmail/v1/users/me/labels`, { headers: auth.headers });
      assert.equal(rejected.status, 401);
      assert.equal(await access.afterUnauthorized(target, auth), undefined, 'nothing better to offer');
      const expired = await stack.sdk.actions.getConnectedAccount({ connectedAccountId: target.accountId });
      assert.equal(expired.connectedAccount?.status?.toString(), '2', 'EXPIRED');
      const row = await stack.gw.store.db
        .selectFrom('connected_accounts')
        .selectAll()
        .where('id', '=', target.accountId)
        .executeTakeFirstOrThrow();
      assert.match(row.status_reason ?? '', /refused the refresh token \(invalid_grant\)/);
      await assert.rejects(
        () =>
          access.resolve(
            { environmentId: stack.environmentId, clientId: '' },
            { accountId: target.accountId },
          ),
        /is EXPIRED/,
      );

      const again = await authorize(stack, 'gmail', 'u2');
      assert.equal(again.accountId, target.accountId, 'same account id');
      const fresh = await access.credentials(again);
      assert.equal(
        (await fetch(`${again.baseUrl}/gmail/v1/users/me/labels`, { headers: fresh.headers })).status,
        200,
      );
      const types = (
        await stack.gw.services.accounts.events(stack.environmentId, { id: target.accountId })
      ).map((e) => e.type);
      assert.deepEqual(types.slice(0, 4), ['authorized', 'link_created', 'expired', 'refresh_failed']);
    });

    it('the background refresher refreshes due accounts, each once, even with two gateways on one database', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const targets = [];
      for (const id of ['b1', 'b2', 'b3']) targets.push(await authorize(stack, 'googlecalendar', id));
      for (const target of targets) await expireLocally(stack, target.accountId);
      const rounds = [stack.gw.services.refresher.round()];
      if (dialect === 'postgres') {
        // A second gateway process on the same database (own pool, own single-flight map).
        const { connectors, platformCredentials } = sandboxCatalog(stack.sandbox);
        const second = await createGateway({
          config: { ...stack.gw.config, port: 0 },
          logger: createLogger('silent'),
          connectors,
          platformCredentials,
        });
        t.after(() => second.close());
        rounds.push(second.services.refresher.round());
      }
      const refreshed = (await Promise.all(rounds)).reduce((a, b) => a + b, 0);
      assert.equal(refreshed, 3);
      assert.equal(refreshCount(stack, 'googlecalendar'), 3, 'one refresh per account');
      assert.equal(await stack.gw.services.refresher.round(), 0, 'nothing due any more');
      const leases = await stack.gw.store.db
        .selectFrom('connected_accounts')
        .select(['lease_owner'])
        .execute();
      assert.ok(
        leases.every((l) => l.lease_owner === null),
        'leases released',
      );
    });
  });
}
