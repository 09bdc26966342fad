/** Connected-account CRUD through the official SDK and REST, on both stores. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScalekitBadRequestException, ScalekitNotFoundException } from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, startStack } from '../helpers/stack.ts';

// The SDK types want protobuf-es messages; plain objects are what it sends on the wire.
const oauthToken = (accessToken: string, refreshToken: string, scopes: string[]) =>
  ({ details: { case: 'oauthToken', value: { accessToken, refreshToken, scopes } } }) as never;
const staticAuth = (details: Record<string, string>) =>
  ({ details: { case: 'staticAuth', value: { details } } }) as never;

for (const dialect of DIALECTS) {
  describe(`connected accounts (${dialect})`, () => {
    it('create with and without credentials, list with filters, update, disconnect, delete with revocation', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, sandbox, gw } = stack;
      const acme = sandbox.providers.acmecrm!.apiKey!;

      const withKey = await sdk.actions.createConnectedAccount({
        connectionName: 'acmecrm',
        identifier: 'user_a',
        authorizationDetails: staticAuth({ api_key: acme.value }),
      });
      assert.equal(withKey.connectedAccount?.status?.toString(), '1', 'ACTIVE with credentials');
      const pending = await sdk.actions.createConnectedAccount({
        connectionName: 'slack',
        identifier: 'user_a',
        authorizationDetails: oauthToken('', '', []),
      });
      assert.equal(pending.connectedAccount?.status?.toString(), '3', 'PENDING_AUTH without credentials');
      const withToken = await sdk.actions.createConnectedAccount({
        connectionName: 'github',
        identifier: 'user_b',
        authorizationDetails: oauthToken('gho_given', 'ghr_given', ['repo']),
      });
      assert.equal(withToken.connectedAccount?.status?.toString(), '1');

      const all = await sdk.actions.listConnectedAccounts({});
      assert.equal(all.connectedAccounts.length, 3);
      assert.equal(all.totalSize, 3);
      const forA = await sdk.actions.listConnectedAccounts({ identifier: 'user_a' });
      assert.deepEqual(forA.connectedAccounts.map((a) => a.connector).sort(), ['acmecrm', 'slack']);
      const byNames = await sdk.actions.listConnectedAccounts({ connectionNames: ['github', 'slack'] });
      assert.equal(byNames.connectedAccounts.length, 2);
      const byQuery = await sdk.actions.listConnectedAccounts({ query: 'USER_B' });
      assert.deepEqual(
        byQuery.connectedAccounts.map((a) => a.identifier),
        ['user_b'],
      );
      const page1 = await sdk.actions.listConnectedAccounts({ pageSize: 2 });
      assert.equal(page1.connectedAccounts.length, 2);
      const page2 = await sdk.actions.listConnectedAccounts({ pageSize: 2, pageToken: page1.nextPageToken });
      assert.equal(page2.connectedAccounts.length, 1);
      assert.equal(page2.nextPageToken, '');

      // Update: credentials for the pending account make it ACTIVE (the SDK's upsert path).
      const upserted = await sdk.actions.getOrCreateConnectedAccount({
        connectionName: 'slack',
        identifier: 'user_a',
        authorizationDetails: oauthToken('xoxp-given', '', []),
      });
      assert.equal(upserted.connectedAccount?.id, pending.connectedAccount?.id);
      assert.equal(upserted.connectedAccount?.status?.toString(), '1');
      const updated = await sdk.actions.updateConnectedAccount({
        connectedAccountId: withKey.connectedAccount!.id,
        apiConfig: { region: 'eu' },
      });
      assert.deepEqual(updated.connectedAccount?.apiConfig, { region: 'eu' });

      // Disconnect over REST (DisconnectConnectedAccount is not in the Node SDK).
      const disc = await stack.rest(
        `/api/v1/connected_accounts/${withToken.connectedAccount!.id}:disconnect`,
        { method: 'POST', body: '{}' },
      );
      assert.equal(disc.status, 200);
      const discBody = (await disc.json()) as { connected_account: { status: string } };
      assert.equal(discBody.connected_account.status, 'DISCONNECTED');
      const auth = await sdk.actions.getConnectedAccount({
        connectedAccountId: withToken.connectedAccount!.id,
      });
      assert.equal(auth.connectedAccount?.authorizationDetails, undefined, 'credentials forgotten');

      // Delete an authorized account: the grant is revoked at the provider.
      const { link } = await sdk.actions.getAuthorizationLink({
        connectionName: 'gmail',
        identifier: 'user_c',
      });
      await followLink(link);
      const gmail = await sdk.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'user_c' });
      const token =
        gmail.connectedAccount?.authorizationDetails?.details.case === 'oauthToken'
          ? gmail.connectedAccount.authorizationDetails.details.value.accessToken
          : '';
      const labels = () =>
        fetch(`${sandbox.providers.gmail!.apiBaseUrl}/gmail/v1/users/me/labels`, {
          headers: { authorization: `Bearer ${token}` },
        });
      assert.equal((await labels()).status, 200);
      await sdk.actions.deleteConnectedAccount({ connectionName: 'gmail', identifier: 'user_c' });
      assert.equal((await labels()).status, 401, 'token revoked at the provider');
      await assert.rejects(
        () => sdk.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'user_c' }),
        ScalekitNotFoundException,
      );
      const events = await gw.store.db
        .selectFrom('account_events')
        .selectAll()
        .where('account_id', '=', gmail.connectedAccount!.id)
        .execute();
      assert.ok(events.some((e) => e.type === 'deleted' && e.reason === 'revoked at the provider'));
    });

    it('maps errors to the SDK exceptions with field violations', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk } = stack;
      await assert.rejects(
        () => sdk.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'nobody' }),
        (e: unknown) =>
          e instanceof ScalekitNotFoundException && /no connected account for "nobody"/.test(e.message),
      );
      await assert.rejects(
        () => sdk.actions.getAuthorizationLink({ connectionName: 'no_such_connection', identifier: 'u' }),
        (e: unknown) =>
          e instanceof ScalekitNotFoundException &&
          /no connection named "no_such_connection"/.test(e.message),
      );
      await assert.rejects(
        () =>
          sdk.actions.createConnectedAccount({
            connectionName: 'acmecrm',
            identifier: 'u',
            authorizationDetails: staticAuth({ api_key: 'nope', extra: 'x' }),
          }),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitBadRequestException);
          const fields = e.unpackedDetails.flatMap(
            (d) => d.validationErrorInfo?.fieldViolations.map((v) => v.field) ?? [],
          );
          assert.ok(
            fields.some((f) => f.endsWith('static_auth.details.api_key')),
            fields.join(),
          );
          assert.ok(
            fields.some((f) => f.endsWith('static_auth.details.extra')),
            fields.join(),
          );
          return true;
        },
      );
      assert.equal(
        (await sdk.actions.listConnectedAccounts({})).connectedAccounts.length,
        0,
        'nothing stored',
      );
    });
  });
}
