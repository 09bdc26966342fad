/** Every way to misuse an authorization is refused with a clear page or error, and no account changes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScalekitClient, ScalekitNotFoundException } from '@scalekit-sdk/node';
import { manualClock } from '../../src/clock.ts';
import type { Gateway } from '../../src/gateway.ts';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, startStack } from '../helpers/stack.ts';

async function snapshot(gw: Gateway) {
  return gw.store.db
    .selectFrom('connected_accounts')
    .select(['id', 'status', 'version', 'credentials_enc', 'updated_at'])
    .orderBy('id')
    .execute();
}

for (const dialect of DIALECTS) {
  describe(`authorization bad input (${dialect})`, () => {
    it('refuses reuse, expiry, tampered state, PKCE mismatch, other environments, unknown names; nothing changes', async (t) => {
      const clock = manualClock();
      const stack = await startStack(t, dialect, { gateway: { clock } });
      if (!stack) return;
      const { sdk, gw } = stack;
      await sdk.actions.getOrCreateConnectedAccount({ connectionName: 'gmail', identifier: 'victim' });
      const before = await snapshot(gw);

      // 1. Link reuse: the landing consumes the link.
      const { link: used } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'victim',
      });
      const first = await fetch(used, { redirect: 'manual' });
      assert.equal(first.status, 302);
      const reuse = await fetch(used, { redirect: 'manual' });
      assert.equal(reuse.status, 410);
      assert.match(await reuse.text(), /already used/);

      // 2. Expired link.
      const { link: late } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'victim',
      });
      clock.advance(11 * 60 * 1000);
      const expired = await fetch(late, { redirect: 'manual' });
      assert.equal(expired.status, 410);
      assert.match(await expired.text(), /expired/);

      // 3. Unknown and malformed links.
      for (const bad of ['lkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x', '..%2f..%2fetc']) {
        const r = await fetch(`${gw.url}/connect/${bad}`, { redirect: 'manual' });
        assert.equal(r.status, 404, bad);
        const text = await r.text();
        assert.match(text, /does not exist/);
        assert.ok(!/at .*\.ts:\d+/.test(text), 'no stack trace');
      }

      // 4. Tampered state and a callback without state.
      const { link: l4 } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'victim',
      });
      const hop = await followLink(l4, { stopAt: (u) => u.pathname === '/oauth/callback' });
      const callback = new URL(hop.final);
      callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
      const tampered = await fetch(callback);
      assert.equal(tampered.status, 400);
      assert.match(await tampered.text(), /unknown or tampered state/);
      const noState = await fetch(`${gw.url}/oauth/callback?code=abc`);
      assert.equal(noState.status, 400);

      // 5. PKCE mismatch: the challenge sent to the provider is swapped for another one.
      const { link: l5 } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'victim',
      });
      const landing = await fetch(l5, { redirect: 'manual' });
      const authorize = new URL(landing.headers.get('location')!);
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      authorize.searchParams.set('code_challenge', 'A'.repeat(43));
      const pkce = await followLink(authorize.toString());
      assert.equal(pkce.status, 502);
      assert.match(pkce.body, /refused the authorization code \(invalid_grant\)/);

      // 6. Consent denied at the provider.
      stack.sandbox.setDenyConsent(true);
      const { link: l6 } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'victim',
      });
      const denied = await followLink(l6);
      stack.sandbox.setDenyConsent(false);
      assert.equal(denied.status, 400);
      assert.match(denied.body, /Consent denied/);

      assert.deepEqual(await snapshot(gw), before, 'no account changed');

      // 7. Unknown connection name and identifier problems.
      await assert.rejects(
        () => sdk.actions.getAuthorizationLink({ connectionName: 'gmial', identifier: 'victim' }),
        (e: unknown) =>
          e instanceof ScalekitNotFoundException && /no connection named "gmial"/.test(e.message),
      );
      const longId = await stack.rest('/api/v1/connected_accounts/magic_link', {
        method: 'POST',
        body: JSON.stringify({ connector: 'gmail', identifier: 'x'.repeat(300) }),
      });
      assert.equal(longId.status, 400);
      assert.match(((await longId.json()) as { message: string }).message, /identifier/);
      const badVerifyUrl = await stack.rest('/api/v1/connected_accounts/magic_link', {
        method: 'POST',
        body: JSON.stringify({
          connector: 'gmail',
          identifier: 'victim',
          user_verify_url: 'javascript:alert(1)',
        }),
      });
      assert.equal(badVerifyUrl.status, 400);

      // 8. Another environment sees none of it.
      await gw.apiAccess.createEnvironment('other');
      const other = await gw.apiAccess.createClient('other');
      const sdkB = new ScalekitClient(gw.url, other.client.id, other.clientSecret);
      const accountId = before[0]!.id;
      await assert.rejects(
        () => sdkB.actions.getConnectedAccount({ connectedAccountId: accountId }),
        ScalekitNotFoundException,
      );
      await assert.rejects(
        () => sdkB.actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'victim' }),
        ScalekitNotFoundException,
      );
      await assert.rejects(
        () => sdkB.actions.deleteConnectedAccount({ connectedAccountId: accountId }),
        ScalekitNotFoundException,
      );
      assert.deepEqual(await snapshot(gw), before, 'still no account changed');
    });

    it('verification from another environment or with a made-up id is refused', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, gw } = stack;
      const { link } = await sdk.actions.getAuthorizationLink({
        connectionName: 'github',
        identifier: 'alice@app',
        userVerifyUrl: 'https://app.example/verify',
      });
      const hop = await followLink(link, { stopAt: (u) => u.origin === 'https://app.example' });
      const authRequestId = new URL(hop.final).searchParams.get('auth_request_id')!;
      await gw.apiAccess.createEnvironment('other');
      const other = await gw.apiAccess.createClient('other');
      const sdkB = new ScalekitClient(gw.url, other.client.id, other.clientSecret);
      await assert.rejects(
        () => sdkB.actions.verifyConnectedAccountUser({ authRequestId, identifier: 'alice@app' }),
        ScalekitNotFoundException,
      );
      await assert.rejects(
        () =>
          sdk.actions.verifyConnectedAccountUser({ authRequestId: 'ar_made_up', identifier: 'alice@app' }),
        ScalekitNotFoundException,
      );
      const acc = await sdk.actions.getConnectedAccount({
        connectionName: 'github',
        identifier: 'alice@app',
      });
      assert.equal(acc.connectedAccount?.status?.toString(), '4', 'still pending');
    });
  });
}
