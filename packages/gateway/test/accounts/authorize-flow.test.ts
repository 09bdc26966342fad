/** The official SDK drives an authorization through the sandbox's real OAuth server. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, startStack } from '../helpers/stack.ts';

for (const dialect of DIALECTS) {
  describe(`authorize with the official SDK (${dialect})`, () => {
    it('getOrCreateConnectedAccount → getAuthorizationLink → consent by redirects → ACTIVE; no token in plaintext', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, gw, sandbox } = stack;
      const created = await sdk.actions.getOrCreateConnectedAccount({
        connectionName: 'gmail',
        identifier: 'user_123',
      });
      assert.equal(created.connectedAccount?.status?.toString(), '3', 'PENDING_AUTH');
      const again = await sdk.actions.getOrCreateConnectedAccount({
        connectionName: 'gmail',
        identifier: 'user_123',
      });
      assert.equal(again.connectedAccount?.id, created.connectedAccount?.id, 'idempotent');

      const { link, expiry } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'user_123',
      });
      assert.match(link, new RegExp(`^${gw.url}/connect/lkl_`));
      assert.ok(expiry && Number(expiry.seconds) * 1000 > Date.now());
      const done = await followLink(link);
      assert.equal(done.status, 200, done.body);
      assert.match(done.body, /Gmail connected/);

      const got = await sdk.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'user_123' });
      const account = got.connectedAccount!;
      assert.equal(account.status?.toString(), '1', 'ACTIVE');
      assert.equal(account.id, created.connectedAccount?.id, 'same account');
      assert.equal(account.provider, 'GMAIL');
      const details = account.authorizationDetails?.details;
      assert.equal(details?.case, 'oauthToken');
      const tokens = details?.case === 'oauthToken' ? details.value : undefined;
      assert.ok(tokens?.accessToken && tokens.refreshToken, 'API client gets the credentials');
      assert.ok(account.tokenExpiresAt, 'expiry known');

      // The token works at the imitation.
      const me = await fetch(`${sandbox.providers.gmail!.apiBaseUrl}/gmail/v1/users/me/labels`, {
        headers: { authorization: `Bearer ${tokens!.accessToken}` },
      });
      assert.equal(me.status, 200);

      // A raw read of the database finds no token in plaintext.
      await gw.services.credentials.flush();
      const dump =
        dialect === 'sqlite'
          ? readdirSync(gw.config.dataDir)
              .filter((f) => f.startsWith('latchkey.db'))
              .map((f) => readFileSync(join(gw.config.dataDir, f)).toString('latin1'))
              .join('')
          : execFileSync('pg_dump', ['--data-only', gw.config.databaseUrl], { encoding: 'utf8' });
      assert.ok(dump.includes(account.id), 'the dump holds the account');
      assert.ok(!dump.includes(tokens!.accessToken), 'no access token in plaintext');
      assert.ok(!dump.includes(tokens!.refreshToken), 'no refresh token in plaintext');
      assert.ok(
        !dump.includes(sandbox.providers.gmail!.oauth!.clientSecret),
        'no client secret in plaintext',
      );

      const events = await gw.services.accounts.events(stack.environmentId, { id: account.id });
      assert.deepEqual(events.map((e) => e.type).reverse(), ['created', 'link_created', 'authorized']);
    });
  });
}
