/**
 * The hot-path account cache never serves a stale account: every change to the account, its
 * connection or its credentials — written by this gateway or straight into the store as another
 * process would — is seen by the very next tool call and proxy request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScalekitBadRequestException, ScalekitToolUnauthorizedException } from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { startStack } from '../helpers/stack.ts';

const staticAuth = (details: Record<string, string>) =>
  ({ details: { case: 'staticAuth', value: { details } } }) as never;

for (const dialect of DIALECTS) {
  describe(`account access cache (${dialect})`, () => {
    it('sees credential, status and connection changes at the next call', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, sandbox, gw } = stack;
      const alice = sandbox.providers.acmecrm!.apiKey!.perUser['alice']!;
      const bob = sandbox.providers.acmecrm!.apiKey!.perUser['bob']!;
      const { connectedAccount } = await sdk.actions.createConnectedAccount({
        connectionName: 'acmecrm',
        identifier: 'u1',
        authorizationDetails: staticAuth({ api_key: alice }),
      });
      const id = connectedAccount!.id;
      const whoami = async () => {
        const r = await sdk.actions.executeTool({
          toolName: 'acmecrm_get_account',
          connector: 'acmecrm',
          identifier: 'u1',
          toolInput: {},
        });
        return (r.data as { email: string }).email;
      };
      const proxied = async () => {
        const r = await stack.rest('/proxy/v1/me', {
          headers: { connection_name: 'acmecrm', identifier: 'u1' },
        });
        return { status: r.status, body: await r.text() };
      };
      assert.equal(await whoami(), 'alice@example.com');
      assert.equal(await whoami(), 'alice@example.com', 'a cached call');
      assert.match((await proxied()).body, /alice@example.com/);

      // New credentials through the API: the next call uses them.
      await sdk.actions.updateConnectedAccount({
        connectionName: 'acmecrm',
        identifier: 'u1',
        authorizationDetails: staticAuth({ api_key: bob }),
      });
      assert.equal(await whoami(), 'bob@example.com');
      assert.match((await proxied()).body, /bob@example.com/);

      // A key written straight into the store (as another gateway would): seen at once.
      const fresh = gw.services.accounts.encrypt(id, { kind: 'static', fields: { api_key: alice } });
      await gw.store.db
        .updateTable('connected_accounts')
        .set({ credentials_enc: fresh, updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
      assert.equal(await whoami(), 'alice@example.com');

      // A revoked key (another process wrote it): the provider's refusal, not a cached success.
      const revoked = gw.services.accounts.encrypt(id, {
        kind: 'static',
        fields: { api_key: 'acme_sk_revoked000000000000' },
      });
      await gw.store.db
        .updateTable('connected_accounts')
        .set({ credentials_enc: revoked })
        .where('id', '=', id)
        .execute();
      await assert.rejects(whoami, ScalekitToolUnauthorizedException);
      assert.equal((await proxied()).status, 401, 'the provider answers the proxy 401');

      // The connection disabled elsewhere, then the account disconnected elsewhere.
      await gw.store.db.updateTable('connections').set({ enabled: 0, updated_at: Date.now() }).execute();
      await assert.rejects(
        whoami,
        (e: unknown) => e instanceof ScalekitBadRequestException && /disabled/.test(String(e)),
      );
      assert.equal((await proxied()).status >= 400, true);
      await gw.store.db
        .updateTable('connections')
        .set({ enabled: 1, updated_at: Date.now() + 1 })
        .execute();
      await gw.store.db
        .updateTable('connected_accounts')
        .set({ status: 'DISCONNECTED', credentials_enc: null })
        .where('id', '=', id)
        .execute();
      await assert.rejects(whoami, /DISCONNECTED/);
      const p = await proxied();
      assert.ok(p.status >= 400 && /DISCONNECTED/.test(p.body), p.body);
    });
  });
}
