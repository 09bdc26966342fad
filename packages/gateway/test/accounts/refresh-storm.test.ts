/**
 * Two gateway processes on one PostgreSQL database, one expired OAuth account, 200 concurrent tool
 * calls: exactly one refresh reaches the provider and every call succeeds, round after round with
 * rotating refresh tokens. And a gateway killed mid-refresh leaves an account that still refreshes.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Sandbox } from '@latchkey/sandbox';
import type { Runtime } from '../../src/gateway.ts';
import { startCluster } from '../helpers/cluster.ts';
import type { Running } from '../helpers/process.ts';
import { followLink } from '../helpers/stack.ts';

interface Cluster {
  sandbox: Sandbox;
  gateways: Running[];
  admin: Runtime;
  token: string;
  accountId: string;
  execute(gateway: Running): Promise<number>;
  expire(): Promise<void>;
  refreshes(): { ok: number; failed: number; aborted: number };
}

async function cluster(t: TestContext): Promise<Cluster | undefined> {
  const started = await startCluster(t, { env: { LATCHKEY_DB_POOL_SIZE: '20' } });
  if (!started) return undefined;
  const { sandbox, gateways, admin } = started;
  const environment = await admin.apiAccess.createEnvironment('prod');
  const { client, clientSecret } = await admin.apiAccess.createClient('prod');
  await admin.services.connections.create(environment.id, {
    connector: 'gmail',
    name: 'gmail',
    usePlatformCredentials: false,
    oauthClientId: sandbox.providers.gmail!.oauth!.clientId,
    oauthClientSecret: sandbox.providers.gmail!.oauth!.clientSecret,
  });
  const tokenRes = await fetch(`${gateways[0]!.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: clientSecret,
    }),
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const linkRes = await fetch(`${gateways[0]!.url}/api/v1/connected_accounts/magic_link`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connector: 'gmail', identifier: 'storm_user' }),
  });
  const { link } = (await linkRes.json()) as { link: string };
  const done = await followLink(link);
  assert.equal(done.status, 200, done.body);
  const account = await admin.store.db
    .selectFrom('connected_accounts')
    .select(['id', 'status'])
    .executeTakeFirstOrThrow();
  assert.equal(account.status, 'ACTIVE');
  return {
    sandbox,
    gateways,
    admin,
    token,
    accountId: account.id,
    async execute(gateway) {
      const r = await fetch(`${gateway.url}/api/v1/execute_tool`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tool_name: 'gmail_list_labels', identifier: 'storm_user', params: {} }),
      });
      await r.text();
      return r.status;
    },
    async expire() {
      await admin.store.db
        .updateTable('connected_accounts')
        .set({ token_expires_at: Date.now() - 1000 })
        .where('id', '=', account.id)
        .execute();
    },
    refreshes() {
      const recs = sandbox.tokenRequests();
      return {
        ok: recs.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length,
        failed: recs.filter((r) => r.grantType === 'refresh_token' && r.status !== 200).length,
        aborted: recs.filter((r) => r.grantType === 'aborted').length,
      };
    },
  };
}

describe('refresh across gateway processes (postgres)', () => {
  it('200 concurrent uses of an expired account over two processes: one refresh, 200 successes; 50 rounds with rotation', async (t) => {
    const c = await cluster(t);
    if (!c) return;
    for (let round = 1; round <= 50; round++) {
      await c.expire();
      c.sandbox.resetTokenRequests();
      const statuses: number[] = await Promise.all(
        Array.from({ length: 200 }, (_, i) => c.execute(c.gateways[i % 2]!)),
      );
      const failed = statuses.filter((s) => s !== 200);
      assert.deepEqual(failed, [], `round ${round}: every call succeeds`);
      assert.deepEqual(
        c.refreshes(),
        { ok: 1, failed: 0, aborted: 0 },
        `round ${round}: exactly one refresh, no invalid_grant`,
      );
    }
    const row = await c.admin.store.db
      .selectFrom('connected_accounts')
      .select(['status', 'version'])
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'ACTIVE');
    assert.ok(row.version >= 51, `one credential write per round (version ${row.version})`);
  });

  it('a gateway killed with SIGKILL while a refresh is in flight leaves an account that still refreshes', async (t) => {
    const c = await cluster(t);
    if (!c) return;
    await c.expire();
    c.sandbox.resetTokenRequests();
    c.sandbox.setTokenEndpointDelay(2000, 'before');
    const inFlight = c.execute(c.gateways[0]!).catch(() => 0);
    await new Promise((r) => setTimeout(r, 700));
    await c.gateways[0]!.stop('SIGKILL');
    assert.equal(await inFlight, 0, 'the killed gateway never answered');
    c.sandbox.setTokenEndpointDelay(0);
    // The delayed request finds its client gone when its delay ends.
    for (let i = 0; i < 50 && c.refreshes().aborted === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await c.execute(c.gateways[1]!), 200, 'the other gateway refreshes and serves');
    console.log('RECS', JSON.stringify(c.sandbox.tokenRequests()));
    assert.deepEqual(c.refreshes(), { ok: 1, failed: 0, aborted: 1 });
    const row = await c.admin.store.db
      .selectFrom('connected_accounts')
      .select(['status'])
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'ACTIVE');
  });
});
