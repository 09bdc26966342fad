// Sandbox-only controls: the human sign-in/consent pages, runtime switches, grant revocation "from the
// provider's account settings", token-endpoint counters and injected delays.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { authorize, basic, REDIRECT_URI, tokensFor } from './helpers/oauth.ts';

/** A browser-like client: keeps cookies, follows redirects by hand, stops at the redirect URI. */
function browser() {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  async function go(url: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
    let current = url;
    let request = init;
    for (let hop = 0; hop < 10; hop++) {
      if (current.startsWith(REDIRECT_URI)) return { url: current, response: new Response(null) };
      const response = await fetch(current, {
        ...request,
        redirect: 'manual',
        headers: { ...(request.headers as object), cookie: cookie() },
      });
      for (const c of response.headers.getSetCookie()) {
        const [pair = ''] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = response.headers.get('location');
      if (!location) return { url: current, response };
      current = new URL(location, current).toString();
      request = {};
    }
    throw new Error('too many redirects');
  }
  const post = (url: string, form: Record<string, string>) =>
    go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  return { go, post };
}

describe('sandbox controls', () => {
  let sandbox: Sandbox;
  const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
    fetch(`${sandbox.urls.control}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  test('with auto-approval off, a human signs in and consents on server-rendered pages', async () => {
    assert.equal((await control('/auto-approve', { on: false })).body['autoApprove'], false);
    try {
      const b = browser();
      const url = new URL(sandbox.providers.gmail.oauth?.authorizationEndpoint ?? '');
      url.search = new URLSearchParams({
        client_id: 'sandbox-gmail',
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid https://www.googleapis.com/auth/gmail.readonly',
        login_hint: 'bob',
      }).toString();
      const login = await b.go(url.toString());
      assert.match(login.url, /\/interaction\/[^/]+$/);
      const loginPage = await login.response.text();
      assert.match(loginPage, /<form method="post" action="\/interaction\/[^"]+\/login"/);
      assert.match(loginPage, /value="bob"/);
      const action = new URL(/action="([^"]+)"/.exec(loginPage)?.[1] ?? '', login.url).toString();

      const wrong = await b.post(action, { login: 'bob', password: 'nope' });
      assert.match(await wrong.response.text(), /Unknown user or wrong password/);

      const consent = await b.post(action, { login: 'bob', password: 'sandbox' });
      const consentPage = await consent.response.text();
      assert.match(consentPage, /Allow access\?/);
      assert.match(consentPage, /gmail\.readonly/);
      const allow = new URL(/action="([^"]+\/confirm)"/.exec(consentPage)?.[1] ?? '', consent.url).toString();
      const done = await b.post(allow, {});
      assert.ok(new URL(done.url).searchParams.get('code'), done.url);

      // The deny button answers access_denied.
      const b2 = browser();
      const login2 = await b2.go(url.toString());
      const page2 = await login2.response.text();
      const consent2 = await b2.post(
        new URL(/action="([^"]+)"/.exec(page2)?.[1] ?? '', login2.url).toString(),
        { login: 'bob@example.com', password: 'sandbox' },
      );
      const abort = new URL(
        /action="([^"]+\/abort)"/.exec(await consent2.response.text())?.[1] ?? '',
        consent2.url,
      ).toString();
      const denied = await b2.post(abort, {});
      assert.equal(new URL(denied.url).searchParams.get('error'), 'access_denied');
    } finally {
      await control('/auto-approve', { on: true });
    }
  });

  test('an interaction page without its cookie explains itself without a stack trace', async () => {
    const response = await fetch(`${sandbox.urls.authServer}/interaction/abc123`);
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.match(html, /expired or cookies are disabled/);
    assert.doesNotMatch(html, /Error:|at \w+ \(/);
  });

  test('deny-consent and redirect-uris control endpoints', async () => {
    await control('/deny-consent', { on: true });
    const denied = await authorize(sandbox, 'slack', { scopes: ['chat:write'] });
    assert.equal(denied.params.get('error'), 'access_denied');
    await control('/deny-consent', { on: false });
    const { body } = await control('/redirect-uris', { uri: 'https://gateway.example.com/oauth/callback' });
    assert.deepEqual(body['extraRedirectUris'], ['https://gateway.example.com/oauth/callback']);
    const ok = await authorize(sandbox, 'slack', {
      scopes: ['chat:write'],
      redirectUri: 'https://gateway.example.com/oauth/callback',
    });
    assert.ok(ok.code);
  });

  test("revoke-grants stops a user's access and refresh tokens (other users unaffected)", async () => {
    const alice = await tokensFor(sandbox, 'slack', { scopes: ['channels:read'] });
    const bob = await tokensFor(sandbox, 'slack', { scopes: ['channels:read'], user: 'bob' });
    const list = async (token: string) =>
      (await (
        await fetch(`${sandbox.urls.slack}/conversations.list`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as Record<string, unknown>;
    assert.equal((await list(alice.accessToken))['ok'], true);
    const { body } = await control('/revoke-grants', { user: 'alice', client: 'slack' });
    assert.ok(Number(body['revoked']) >= 1);
    assert.deepEqual(await list(alice.accessToken), { ok: false, error: 'token_revoked' });
    assert.equal((await list(bob.accessToken))['ok'], true);
    const { clientId, clientSecret, tokenEndpoint } = sandbox.providers.slack.oauth ?? {
      clientId: '',
      clientSecret: '',
      tokenEndpoint: '',
    };
    const refresh = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: basic(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: alice.refreshToken ?? '' }),
    });
    assert.deepEqual(await refresh.json(), { ok: false, error: 'invalid_refresh_token' });
  });

  test('token-endpoint counters: exactly one refresh, by client and grant type (method and GET endpoint)', async () => {
    const tokens = await tokensFor(sandbox, 'googlecalendar');
    sandbox.resetTokenRequests();
    const { clientId, clientSecret, tokenEndpoint } = sandbox.providers.googlecalendar.oauth ?? {
      clientId: '',
      clientSecret: '',
      tokenEndpoint: '',
    };
    const refreshed = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: basic(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' }),
    });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(sandbox.tokenRequestCounts(), { 'sandbox-googlecalendar': { refresh_token: 1 } });
    assert.deepEqual(sandbox.tokenRequestCounts('googlecalendar'), {
      'sandbox-googlecalendar': { refresh_token: 1 },
    });
    const { body } = await control('/token-requests?client_id=sandbox-googlecalendar');
    assert.deepEqual(body['counts'], { 'sandbox-googlecalendar': { refresh_token: 1 } });
    const [record] = body['requests'] as Array<Record<string, unknown>>;
    assert.equal(record?.['status'], 200);
    assert.equal(record?.['grantType'], 'refresh_token');
    await control('/token-requests', undefined, 'DELETE');
    assert.deepEqual(sandbox.tokenRequests(), []);
  });

  test('a delay after rotation: the client gives up, the old refresh token is already spent', async () => {
    const tokens = await tokensFor(sandbox, 'github');
    sandbox.resetTokenRequests();
    await control('/token-endpoint-delay', { ms: 2000, phase: 'after' });
    const { clientId, clientSecret, tokenEndpoint } = sandbox.providers.github.oauth ?? {
      clientId: '',
      clientSecret: '',
      tokenEndpoint: '',
    };
    const refresh = (signal?: AbortSignal) =>
      fetch(tokenEndpoint, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: tokens.refreshToken ?? '',
        }),
        ...(signal ? { signal } : {}),
      });
    await assert.rejects(refresh(AbortSignal.timeout(200)), { name: 'TimeoutError' });
    sandbox.setTokenEndpointDelay(0);
    // Wait for the delayed answer to be recorded: the rotation happened although nobody received it.
    for (let i = 0; i < 50 && sandbox.tokenRequests('github').length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sandbox.tokenRequestCounts('github'), { 'sandbox-github': { refresh_token: 1 } });
    const retry = (await (await refresh()).json()) as Record<string, unknown>;
    assert.equal(retry['error'], 'bad_refresh_token');
  });

  test('default-user control: who auto-approval signs in without a login_hint', async () => {
    assert.equal(sandbox.defaultUser, 'alice');
    const { body } = await control('/default-user', { user: 'john.doe@example.com' });
    assert.equal(body['defaultUser'], 'john-doe');
    assert.equal(sandbox.defaultUser, 'john-doe');
    try {
      const tokens = await tokensFor(sandbox, 'slack', { scopes: ['users:read'] });
      const who = (await (
        await fetch(`${sandbox.urls.slack}/auth.test`, {
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        })
      ).json()) as Record<string, unknown>;
      assert.equal(who['user_id'], sandbox.state.slack.workspace('john-doe').self.id);
      assert.equal((await control('/default-user', { user: 'nobody' })).status, 400);
    } finally {
      sandbox.setDefaultUser('alice');
    }
  });

  test('access-token-ttl control changes expires_in of new tokens', async () => {
    await control('/access-token-ttl', { seconds: 42 });
    const tokens = await tokensFor(sandbox, 'sanitymcp');
    assert.equal(tokens.raw['expires_in'], 42);
    await control('/access-token-ttl', { seconds: 3600 });
    const { body } = await control('');
    assert.equal(body['accessTokenTtlSeconds'], 3600);
    assert.equal(body['autoApprove'], true);
  });
});
