// Provider token endpoints that do not speak plain RFC 6749: Slack's oauth.v2.access, GitHub's
// /login/oauth/access_token and Notion's /v1/oauth/token; plus Google's authorize parameters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { authorize, basic, tokensFor } from './helpers/oauth.ts';

describe('token endpoint quirks', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  const oauthOf = (slug: string) => {
    const o = sandbox.providers[slug]?.oauth;
    assert.ok(o);
    return o;
  };

  describe('Slack oauth.v2.access', () => {
    const access = (form: Record<string, string>) =>
      fetch(oauthOf('slack').tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });

    test('bot + user scopes: bot token on top, user token under authed_user, team, HTTP 200', async () => {
      const { clientId, clientSecret } = oauthOf('slack');
      const { code, verifier, redirectUri } = await authorize(sandbox, 'slack', {
        scopes: ['chat:write', 'channels:read'],
        userScopes: ['channels:history', 'users:read'],
        user: 'bob',
      });
      const response = await access({
        client_id: clientId,
        client_secret: clientSecret,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier ?? '',
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body['ok'], true);
      assert.equal(body['token_type'], 'bot');
      assert.equal(body['scope'], 'chat:write,channels:read');
      assert.equal(typeof body['access_token'], 'string');
      assert.match(String(body['bot_user_id']), /^U[A-Z0-9]+$/);
      assert.match(String(body['app_id']), /^A[A-Z0-9]+$/);
      const workspace = sandbox.state.slack.workspace('bob');
      assert.deepEqual(body['team'], { id: workspace.team.id, name: workspace.team.name });
      const user = body['authed_user'] as Record<string, unknown>;
      assert.equal(user['id'], workspace.self.id);
      assert.equal(user['scope'], 'channels:history,users:read');
      assert.equal(user['token_type'], 'user');
      assert.equal(typeof user['refresh_token'], 'string');
      assert.equal(typeof user['expires_in'], 'number');

      // The bot token acts as the bot, the user token as the user.
      const who = async (token: unknown) =>
        (await (
          await fetch(`${sandbox.urls.slack}/auth.test`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as Record<string, unknown>;
      assert.equal((await who(body['access_token']))['user_id'], workspace.bot.id);
      assert.equal((await who(user['access_token']))['user_id'], workspace.self.id);

      // Token rotation: grant_type=refresh_token answers a new pair at the top level.
      const refreshed = (await (
        await access({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: String(user['refresh_token']),
        })
      ).json()) as Record<string, unknown>;
      assert.equal(refreshed['ok'], true);
      assert.equal(refreshed['token_type'], 'user');
      assert.notEqual(refreshed['refresh_token'], user['refresh_token']);
      const reused = (await (
        await access({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: String(user['refresh_token']),
        })
      ).json()) as Record<string, unknown>;
      assert.deepEqual(reused, { ok: false, error: 'invalid_refresh_token' });
    });

    test('failures are {ok:false,error} on HTTP 200: invalid_code, bad_client_secret, invalid_client_id', async () => {
      const { clientId, clientSecret } = oauthOf('slack');
      const badCode = await access({ client_id: clientId, client_secret: clientSecret, code: 'nope' });
      assert.equal(badCode.status, 200);
      assert.deepEqual(await badCode.json(), { ok: false, error: 'invalid_code' });
      const { code, redirectUri, verifier } = await authorize(sandbox, 'slack', { scopes: ['chat:write'] });
      const badSecret = await access({
        client_id: clientId,
        client_secret: 'wrong',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier ?? '',
      });
      assert.deepEqual(await badSecret.json(), { ok: false, error: 'bad_client_secret' });
      const badClient = await access({ client_id: 'sandbox-github', client_secret: 'x', code });
      assert.deepEqual(await badClient.json(), { ok: false, error: 'invalid_client_id' });
    });

    test('HTTP Basic client authentication is accepted', async () => {
      const { clientId, clientSecret } = oauthOf('slack');
      const { code, redirectUri, verifier } = await authorize(sandbox, 'slack', {
        scopes: ['chat:write'],
        pkce: false,
      });
      assert.equal(verifier, undefined);
      const response = await fetch(oauthOf('slack').tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: basic(clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ code, redirect_uri: redirectUri }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body['ok'], true);
      assert.deepEqual(body['authed_user'], { id: sandbox.state.slack.workspace('alice').self.id });
    });
  });

  describe('GitHub /login/oauth/access_token', () => {
    const exchange = (form: Record<string, string>, accept?: string) =>
      fetch(oauthOf('github').tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
        body: new URLSearchParams(form),
      });

    test('answers application/x-www-form-urlencoded unless Accept: application/json', async () => {
      const { clientId, clientSecret } = oauthOf('github');
      const first = await authorize(sandbox, 'github', { scopes: ['repo', 'read:user'] });
      const form = await exchange({
        client_id: clientId,
        client_secret: clientSecret,
        code: first.code,
        redirect_uri: first.redirectUri,
        code_verifier: first.verifier ?? '',
      });
      assert.equal(form.status, 200);
      assert.match(form.headers.get('content-type') ?? '', /^application\/x-www-form-urlencoded/);
      const params = new URLSearchParams(await form.text());
      assert.equal(params.get('token_type'), 'bearer');
      assert.equal(params.get('scope'), 'repo,read:user');
      assert.ok(
        params.get('access_token') &&
          params.get('refresh_token') &&
          params.get('expires_in') &&
          params.get('refresh_token_expires_in'),
      );

      const second = await authorize(sandbox, 'github', { scopes: ['read:user'] });
      const json = await exchange(
        {
          client_id: clientId,
          client_secret: clientSecret,
          code: second.code,
          redirect_uri: second.redirectUri,
          code_verifier: second.verifier ?? '',
        },
        'application/json',
      );
      assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await json.json()) as Record<string, unknown>;
      assert.equal(body['token_type'], 'bearer');
      assert.equal(body['scope'], 'read:user');

      const refreshed = await exchange(
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: String(body['refresh_token']),
        },
        'application/json',
      );
      assert.notEqual(
        ((await refreshed.json()) as Record<string, unknown>)['access_token'],
        body['access_token'],
      );
    });

    test('errors come as error=bad_verification_code etc. on HTTP 200', async () => {
      const { clientId, clientSecret } = oauthOf('github');
      const bad = await exchange({ client_id: clientId, client_secret: clientSecret, code: 'expired-code' });
      assert.equal(bad.status, 200);
      const params = new URLSearchParams(await bad.text());
      assert.equal(params.get('error'), 'bad_verification_code');
      assert.equal(params.get('error_description'), 'The code passed is incorrect or expired.');
      assert.match(params.get('error_uri') ?? '', /^https:\/\/docs\.github\.com\//);
      const creds = await exchange(
        { client_id: clientId, client_secret: 'wrong', code: 'x' },
        'application/json',
      );
      assert.equal(creds.status, 200);
      assert.equal(
        ((await creds.json()) as Record<string, unknown>)['error'],
        'incorrect_client_credentials',
      );
      const refresh = await exchange(
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: 'nope',
        },
        'application/json',
      );
      assert.equal(((await refresh.json()) as Record<string, unknown>)['error'], 'bad_refresh_token');
    });

    test('DELETE /applications/{client_id}/grant revokes the grant', async () => {
      const { clientId, clientSecret } = oauthOf('github');
      const a = await authorize(sandbox, 'github', { scopes: ['repo'] });
      const body = (await (
        await exchange(
          {
            client_id: clientId,
            client_secret: clientSecret,
            code: a.code,
            redirect_uri: a.redirectUri,
            code_verifier: a.verifier ?? '',
          },
          'application/json',
        )
      ).json()) as Record<string, string>;
      const user = () =>
        fetch(`${sandbox.urls.github}/user`, {
          headers: { authorization: `token ${body['access_token']}`, 'user-agent': 't' },
        });
      assert.equal((await user()).status, 200);
      const revoked = await fetch(`${sandbox.urls.github}/applications/${clientId}/grant`, {
        method: 'DELETE',
        headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: body['access_token'] }),
      });
      assert.equal(revoked.status, 204);
      assert.equal((await user()).status, 401);
    });
  });

  describe('Notion /v1/oauth/token', () => {
    test('requires HTTP Basic and answers bot_id, workspace and owner', async () => {
      const { clientId, clientSecret, tokenEndpoint } = oauthOf('notion');
      const { code, redirectUri } = await authorize(sandbox, 'notion', {
        pkce: false,
        extra: { owner: 'user' },
        user: 'john-doe',
      });
      const inBody = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
      assert.equal(inBody.status, 401);
      assert.equal(((await inBody.json()) as Record<string, unknown>)['error'], 'invalid_client');

      const response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, unknown>;
      const workspace = sandbox.state.notion.workspace('john-doe');
      assert.equal(body['token_type'], 'bearer');
      assert.equal(body['bot_id'], workspace.botId);
      assert.equal(body['workspace_id'], workspace.id);
      assert.equal(body['workspace_name'], workspace.name);
      assert.equal(
        ((body['owner'] as Record<string, unknown>)['user'] as Record<string, unknown>)['id'],
        workspace.personId,
      );
      assert.equal(body['duplicated_template_id'], null);
      assert.equal(body['scope'], undefined, 'Notion has no scopes');

      const refreshed = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: body['refresh_token'] }),
      });
      assert.equal(refreshed.status, 200);
      const next = (await refreshed.json()) as Record<string, unknown>;
      assert.equal(next['workspace_id'], workspace.id);
      assert.notEqual(next['refresh_token'], body['refresh_token']);
      assert.notEqual(next['access_token'], body['access_token']);

      const reused = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      });
      assert.equal(reused.status, 400);
      assert.equal(((await reused.json()) as Record<string, unknown>)['error'], 'invalid_grant');
      // A replayed code revokes what it produced (RFC 6749 §4.1.2), including the refreshed pair.
      const me = await fetch(`${sandbox.urls.notion}/v1/users/me`, {
        headers: { authorization: `Bearer ${next['access_token']}`, 'notion-version': '2025-09-03' },
      });
      assert.equal(me.status, 401);
    });
  });

  test('Google authorize accepts access_type=offline&prompt=consent and then issues a refresh token', async () => {
    const { clientId, clientSecret, tokenEndpoint } = oauthOf('gmail');
    const { code, verifier, redirectUri } = await authorize(sandbox, 'gmail', {
      extra: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    });
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier ?? '',
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    assert.equal(response.status, 200, 'client_secret_post is accepted like Google does');
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof body['refresh_token'], 'string');
    assert.equal(typeof body['id_token'], 'string');
  });

  test('Google revocation: the token alone (no client authentication) ends the grant', async () => {
    const tokens = await tokensFor(sandbox, 'gmail');
    const endpoint = oauthOf('gmail').revocationEndpoint ?? '';
    const labels = () =>
      fetch(`${sandbox.urls.gmail}/gmail/v1/users/me/labels`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
    assert.equal((await labels()).status, 200);
    const revoked = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken ?? '' }),
    });
    assert.equal(revoked.status, 200);
    assert.equal((await labels()).status, 401);
    const again = await fetch(`${endpoint}?token=${tokens.refreshToken}`, { method: 'POST' });
    assert.equal(again.status, 400);
    assert.deepEqual(await again.json(), {
      error: 'invalid_token',
      error_description: 'Token expired or revoked',
    });
  });
});
