// The sandbox authorization server against a standards client (oauth4webapi): authorization code + PKCE by
// following redirects, refresh with rotation and reuse detection, revocation, introspection, registration.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { type Sandbox, startSandbox } from '../src/index.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** A loopback callback server, like a CLI or a gateway would run: it records the redirect it receives. */
async function callbackServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`received ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, server };
}

describe('authorization server (oauth4webapi)', () => {
  let sandbox: Sandbox;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let clientAuth: oauth.ClientAuth;
  let cb: { url: string; server: Server };

  before(async () => {
    sandbox = await startSandbox();
    cb = await callbackServer();
    const issuer = new URL(sandbox.urls.authServer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const gmail = sandbox.providers.gmail.oauth;
    assert.ok(gmail);
    client = { client_id: gmail.clientId };
    clientAuth = oauth.ClientSecretBasic(gmail.clientSecret);
  });
  after(async () => {
    cb.server.close();
    await sandbox.close();
  });

  /** Authorization request with PKCE, completed by fetch following redirects to the callback server. */
  async function authorizeCode(extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(String(as.authorization_endpoint));
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: cb.url,
      response_type: 'code',
      scope: 'openid email https://www.googleapis.com/auth/gmail.readonly',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      access_type: 'offline',
      prompt: 'consent',
      ...extra,
    }).toString();
    const landed = await fetch(url, { redirect: 'follow' });
    assert.equal(landed.status, 200);
    assert.match(await landed.text(), /^received \/callback\?/);
    return { callback: new URL(landed.url), state, verifier };
  }

  async function tokens() {
    const { callback, state, verifier } = await authorizeCode();
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      cb.url,
      verifier,
      insecure,
    );
    return oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
  }

  const introspect = async (token: string) =>
    oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, clientAuth, token, insecure),
    );

  test('discovery advertises PKCE S256, revocation, introspection and registration', () => {
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.ok(as.revocation_endpoint && as.introspection_endpoint && as.registration_endpoint);
  });

  test('RFC 8414 metadata is served too', async () => {
    const response = await fetch(`${sandbox.urls.authServer}/.well-known/oauth-authorization-server`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata['issuer'], sandbox.urls.authServer);
    assert.equal(metadata['token_endpoint'], as.token_endpoint);
  });

  test('authorization code + PKCE, id_token for the login_hint user, audience of the provider', async () => {
    const { callback, state, verifier } = await authorizeCode({ login_hint: 'bob' });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      cb.url,
      verifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      requireIdToken: true,
    });
    assert.equal(oauth.getValidatedIdTokenClaims(result)?.sub, 'bob');
    assert.ok(result.refresh_token);
    const info = await introspect(result.access_token);
    assert.equal(info.active, true);
    assert.equal(info.sub, 'bob');
    assert.equal(info.aud, sandbox.providers.gmail.apiBaseUrl);
  });

  test('the code is bound to the PKCE verifier', async () => {
    const { callback, state } = await authorizeCode();
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const wrong = oauth.generateRandomCodeVerifier();
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      cb.url,
      wrong,
      insecure,
    );
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, client, response),
      (err: oauth.ResponseBodyError) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
  });

  test('Google-style: no refresh token without access_type=offline', async () => {
    const { callback, state, verifier } = await authorizeCode({ access_type: 'online' });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      cb.url,
      verifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      requireIdToken: true,
    });
    assert.equal(result.refresh_token, undefined);
  });

  test('refresh rotates; reusing a rotated refresh token is refused and revokes the grant', async () => {
    const first = await tokens();
    const r1 = first.refresh_token;
    assert.ok(r1);
    const second = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, r1, insecure),
    );
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, r1);
    assert.equal((await introspect(second.access_token)).active, true);

    const reuse = await oauth.refreshTokenGrantRequest(as, client, clientAuth, r1, insecure);
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, reuse),
      (err: oauth.ResponseBodyError) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
    // Reuse detection revoked the whole grant: the newest tokens are dead too.
    assert.equal((await introspect(second.access_token)).active, false);
    const again = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth,
      second.refresh_token,
      insecure,
    );
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, again),
      (err: oauth.ResponseBodyError) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
  });

  test('revocation (RFC 7009) flips introspection (RFC 7662) to inactive', async () => {
    const result = await tokens();
    assert.equal((await introspect(result.access_token)).active, true);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, result.access_token, insecure),
    );
    assert.equal((await introspect(result.access_token)).active, false);
    // Revoking the refresh token ends the grant.
    assert.ok(result.refresh_token);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, result.refresh_token, insecure),
    );
    assert.equal((await introspect(result.refresh_token)).active, false);
  });

  test('login_hint=deny makes consent answer error=access_denied', async () => {
    const { callback, state } = await authorizeCode({ login_hint: 'deny' });
    assert.throws(
      () => oauth.validateAuthResponse(as, client, callback, state),
      (err: oauth.AuthorizationResponseError) => {
        assert.equal(err.error, 'access_denied');
        return true;
      },
    );
  });

  test('setDenyConsent(true) denies every consent until switched off', async () => {
    sandbox.setDenyConsent(true);
    try {
      const { callback } = await authorizeCode();
      assert.equal(callback.searchParams.get('error'), 'access_denied');
    } finally {
      sandbox.setDenyConsent(false);
    }
    const { callback } = await authorizeCode();
    assert.ok(callback.searchParams.get('code'));
  });

  test('dynamic client registration gives a public client that must use PKCE', async () => {
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          redirect_uris: [cb.url],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
        insecure,
      ),
    );
    assert.ok(registered.client_id);
    const url = new URL(String(as.authorization_endpoint));
    url.search = new URLSearchParams({
      client_id: registered.client_id,
      redirect_uri: cb.url,
      response_type: 'code',
      scope: 'projects:read',
    }).toString();
    const landed = await fetch(url, { redirect: 'follow' });
    const params = new URL(landed.url).searchParams;
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description') ?? '', /PKCE/);
  });

  test('unknown redirect URIs are refused; runtime-allowed and loopback ones are accepted', async () => {
    const url = (redirect: string) =>
      `${as.authorization_endpoint}?${new URLSearchParams({ client_id: client.client_id, redirect_uri: redirect, response_type: 'code', scope: 'openid' })}`;
    const refused = await fetch(url('https://evil.example/cb'), { redirect: 'manual' });
    assert.equal(refused.status, 400);
    const page = await refused.text();
    assert.match(page, /redirect_uri/);
    assert.doesNotMatch(page, /at .*\.js:\d+/, 'no stack traces on error pages');
    sandbox.allowRedirectUri('https://gateway.example/oauth/callback');
    const allowed = await fetch(url('https://gateway.example/oauth/callback'), { redirect: 'manual' });
    assert.match(
      allowed.headers.get('location') ?? '',
      /^https:\/\/gateway\.example\/oauth\/callback\?code=/,
    );
  });

  test('a token for one provider is refused by another (audience)', async () => {
    const result = await tokens();
    const response = await fetch(`${sandbox.urls.googlecalendar}/calendars/primary/events`, {
      headers: { authorization: `Bearer ${result.access_token}` },
    });
    assert.equal(response.status, 401);
    const ok = await fetch(`${sandbox.urls.gmail}/gmail/v1/users/me/labels`, {
      headers: { authorization: `Bearer ${result.access_token}` },
    });
    assert.equal(ok.status, 200);
  });
});
