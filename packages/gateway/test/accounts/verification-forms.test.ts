/** User verification after consent, and hosted credential forms for API-key and basic-auth connectors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScalekitForbiddenException } from '@scalekit-sdk/node';
import { DIALECTS } from '../helpers/env.ts';
import { followLink, startStack } from '../helpers/stack.ts';

const form = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
  redirect: 'manual' as const,
});
const flowToken = (html: string) => /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? '';

for (const dialect of DIALECTS) {
  describe(`user verification (${dialect})`, () => {
    it('PENDING_VERIFICATION after consent; only the matching identifier activates the account', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk } = stack;
      const verifyUrl = 'https://app.example/verify';
      const { link } = await sdk.actions.getAuthorizationLink({
        connectionName: 'slack',
        identifier: 'user_42',
        state: 'app-state-1',
        userVerifyUrl: verifyUrl,
      });
      const hop = await followLink(link, { stopAt: (u) => u.origin === 'https://app.example' });
      const redirect = new URL(hop.final);
      assert.equal(`${redirect.origin}${redirect.pathname}`, verifyUrl);
      assert.equal(redirect.searchParams.get('state'), 'app-state-1');
      const authRequestId = redirect.searchParams.get('auth_request_id')!;
      assert.match(authRequestId, /^ar_/);

      const pending = await sdk.actions.getConnectedAccount({
        connectionName: 'slack',
        identifier: 'user_42',
      });
      assert.equal(pending.connectedAccount?.status?.toString(), '4', 'PENDING_VERIFICATION');
      assert.equal(pending.connectedAccount?.authorizationDetails, undefined, 'no usable credentials yet');

      await assert.rejects(
        () => sdk.actions.verifyConnectedAccountUser({ authRequestId, identifier: 'user_43' }),
        ScalekitForbiddenException,
      );
      const still = await sdk.actions.getConnectedAccount({ connectionName: 'slack', identifier: 'user_42' });
      assert.equal(still.connectedAccount?.status?.toString(), '4', 'still pending after a wrong identifier');

      const ok = await sdk.actions.verifyConnectedAccountUser({ authRequestId, identifier: 'user_42' });
      assert.match(
        ok.postUserVerifyRedirectUrl,
        new RegExp(`^${stack.gw.url}/connect/verified/${authRequestId}$`),
      );
      const page = await fetch(ok.postUserVerifyRedirectUrl);
      assert.match(await page.text(), /Slack connected/);
      const active = await sdk.actions.getConnectedAccount({
        connectionName: 'slack',
        identifier: 'user_42',
      });
      assert.equal(active.connectedAccount?.status?.toString(), '1');
      const details = active.connectedAccount?.authorizationDetails?.details;
      assert.ok(
        details?.case === 'oauthToken' && details.value.accessToken.length > 10,
        'Slack user token from authed_user',
      );
      await assert.rejects(
        () => sdk.actions.verifyConnectedAccountUser({ authRequestId, identifier: 'user_42' }),
        /not waiting for verification/,
      );
    });
  });

  describe(`hosted credential forms (${dialect})`, () => {
    it('API key: the form validates the format and checks the key with a test call before storing it', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, sandbox, gw } = stack;
      const { link } = await sdk.actions.getAuthorizationLink({
        connectionName: 'acmecrm',
        identifier: 'u1',
      });
      const landing = await fetch(link);
      assert.equal(landing.status, 200);
      assert.equal(landing.headers.get('referrer-policy'), 'no-referrer');
      const html = await landing.text();
      assert.match(html, /Connect AcmeCRM/);
      assert.match(html, /name="api_key" type="password"/);
      const flow = flowToken(html);

      const malformed = await fetch(`${gw.url}/connect/form`, form({ flow, api_key: 'not-a-key' }));
      assert.equal(malformed.status, 400);
      assert.match(await malformed.text(), /API key does not have the expected format/);
      const wrong = await fetch(`${gw.url}/connect/form`, form({ flow, api_key: 'acme_sk_wrongwrongwrong' }));
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), /did not accept these credentials \(HTTP 401\)/);
      const pending = await sdk.actions.getConnectedAccount({ connectionName: 'acmecrm', identifier: 'u1' });
      assert.equal(pending.connectedAccount?.status?.toString(), '3', 'nothing stored for refused keys');

      const good = await fetch(
        `${gw.url}/connect/form`,
        form({ flow, api_key: sandbox.providers.acmecrm!.apiKey!.value }),
      );
      assert.equal(good.status, 200);
      assert.match(await good.text(), /AcmeCRM \(sandbox\) connected/);
      const active = await sdk.actions.getConnectedAccount({ connectionName: 'acmecrm', identifier: 'u1' });
      assert.equal(active.connectedAccount?.status?.toString(), '1');
      const again = await fetch(
        `${gw.url}/connect/form`,
        form({ flow, api_key: sandbox.providers.acmecrm!.apiKey!.value }),
      );
      assert.equal(again.status, 410, 'the form cannot be replayed');
    });

    it('basic auth: username and password, checked against the service', async (t) => {
      const stack = await startStack(t, dialect);
      if (!stack) return;
      const { sdk, sandbox, gw } = stack;
      const { link } = await sdk.actions.getAuthorizationLink({
        connectionName: 'ticketdesk',
        identifier: 'u2',
      });
      const flow = flowToken(await (await fetch(link)).text());
      const creds = sandbox.providers.ticketdesk!.basic!;
      const missing = await fetch(`${gw.url}/connect/form`, form({ flow, email: creds.username }));
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /API token is required/);
      const ok = await fetch(
        `${gw.url}/connect/form`,
        form({ flow, email: creds.username, api_token: creds.password }),
      );
      assert.equal(ok.status, 200);
      const got = await sdk.actions.getConnectedAccount({ connectionName: 'ticketdesk', identifier: 'u2' });
      const d = got.connectedAccount?.authorizationDetails?.details;
      assert.ok(d?.case === 'staticAuth');
      assert.deepEqual(d.value.details, { email: creds.username, api_token: creds.password });
    });
  });
}
