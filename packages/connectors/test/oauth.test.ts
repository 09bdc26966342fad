import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorizationParams,
  buildRevocationRequest,
  builtinConnectors,
  type ConnectorDefinition,
  extractTokenSet,
  type OAuth2Scheme,
  TokenResponseError,
} from '../src/index.ts';

const connector = (slug: string): ConnectorDefinition => builtinConnectors().find((c) => c.slug === slug)!;
const oauth = (slug: string): OAuth2Scheme => {
  const auth = connector(slug).auth;
  assert.equal(auth.type, 'oauth2');
  return auth as OAuth2Scheme;
};
const creds = { client_id: 'cid', client_secret: 's3cr:et', access_token: 'at-1', refresh_token: 'rt-1' };

describe('authorization parameters', () => {
  it('Google asks for offline access and consent, space-separated scopes', () => {
    assert.deepEqual(authorizationParams(oauth('gmail')), {
      access_type: 'offline',
      prompt: 'consent',
      scope: 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send',
    });
  });

  it('Slack requests user scopes, comma-separated, as user_scope', () => {
    const params = authorizationParams(oauth('slack'), ['chat:write', 'users:read']);
    assert.deepEqual(params, { user_scope: 'chat:write,users:read' });
  });

  it('Notion has no scopes and asks for owner=user', () => {
    assert.deepEqual(authorizationParams(oauth('notion')), { owner: 'user' });
  });

  it('declared token request quirks', () => {
    assert.equal(oauth('github').token_request.accept_json, true);
    assert.equal(oauth('notion').token_request.body_encoding, 'json');
    assert.equal(oauth('notion').client_auth, 'client_secret_basic');
    assert.equal(oauth('slack').pkce, false);
  });
});

describe('token responses', () => {
  it('Slack: the user token under authed_user, with team metadata', () => {
    const set = extractTokenSet(oauth('slack'), {
      ok: true,
      app_id: 'A1',
      authed_user: {
        id: 'U1',
        scope: 'chat:write,users:read',
        access_token: 'xoxp-1',
        token_type: 'user',
        refresh_token: 'xoxe-1',
        expires_in: 43200,
      },
      team: { id: 'T1', name: 'Acme' },
      enterprise: null,
    });
    assert.deepEqual(set, {
      access_token: 'xoxp-1',
      refresh_token: 'xoxe-1',
      expires_in: 43200,
      scopes: ['chat:write', 'users:read'],
      token_type: 'user',
      account_id: 'U1',
      metadata: { team_id: 'T1', team_name: 'Acme' },
    });
  });

  it('Slack: a rotated user token at the top level (refresh response)', () => {
    const set = extractTokenSet(oauth('slack'), {
      ok: true,
      access_token: 'xoxe.xoxp-2',
      refresh_token: 'xoxe-2',
      expires_in: 43200,
      token_type: 'user',
      user_id: 'U1',
      team: { id: 'T1' },
    });
    assert.equal(set.access_token, 'xoxe.xoxp-2');
    assert.equal(set.refresh_token, 'xoxe-2');
    assert.equal(set.account_id, 'U1');
  });

  it('Slack: ok:false in a 200 token response is an error', () => {
    assert.throws(
      () => extractTokenSet(oauth('slack'), { ok: false, error: 'invalid_code' }),
      (e: unknown) => e instanceof TokenResponseError && e.code === 'invalid_code',
    );
  });

  it('GitHub: RFC 6749 error in a 200 response; standard success', () => {
    assert.throws(
      () =>
        extractTokenSet(oauth('github'), {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        }),
      /bad_verification_code: The code passed is incorrect or expired/,
    );
    assert.deepEqual(
      extractTokenSet(oauth('github'), {
        access_token: 'gho_1',
        token_type: 'bearer',
        scope: 'repo,read:user',
      }),
      {
        access_token: 'gho_1',
        token_type: 'bearer',
        scopes: ['repo', 'read:user'],
        metadata: {},
      },
    );
  });

  it('Notion: workspace metadata and the owner user as account id', () => {
    const set = extractTokenSet(oauth('notion'), {
      access_token: 'ntn_1',
      refresh_token: 'nrt_1',
      token_type: 'bearer',
      bot_id: 'b1',
      workspace_id: 'w1',
      workspace_name: 'Acme',
      owner: { type: 'user', user: { object: 'user', id: 'u1' } },
    });
    assert.equal(set.account_id, 'u1');
    assert.deepEqual(set.metadata, { workspace_id: 'w1', workspace_name: 'Acme', bot_id: 'b1' });
    assert.throws(() => extractTokenSet(oauth('notion'), { token_type: 'bearer' }), /no_access_token/);
  });
});

describe('revocation requests', () => {
  it('GitHub: DELETE /applications/{client_id}/grant, client basic auth, token in a JSON body', () => {
    assert.deepEqual(buildRevocationRequest(connector('github'), creds), {
      method: 'DELETE',
      url: 'https://api.github.com/applications/cid/grant',
      headers: {
        accept: 'application/json',
        authorization: `Basic ${Buffer.from('cid:s3cr%3Aet').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: { json: { access_token: 'at-1' } },
      expect_status: [204],
    });
  });

  it('Google: RFC 7009 with the refresh token, no client authentication', () => {
    assert.deepEqual(buildRevocationRequest(connector('gmail'), creds), {
      method: 'POST',
      url: 'https://oauth2.googleapis.com/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { form: { token: 'rt-1', token_type_hint: 'refresh_token' } },
      expect_status: [200],
    });
    const { refresh_token: _, ...noRefresh } = creds;
    const req = buildRevocationRequest(connector('googlecalendar'), noRefresh);
    assert.deepEqual(req?.body, { form: { token: 'at-1', token_type_hint: 'access_token' } });
  });

  it('Slack: auth.revoke with the user token, success needs ok:true', () => {
    const req = buildRevocationRequest(connector('slack'), creds);
    assert.equal(req?.url, 'https://slack.com/api/auth.revoke');
    assert.equal(req?.headers['authorization'], 'Bearer at-1');
    assert.deepEqual(req?.expect_body, { path: 'ok', equals: true });
  });

  it('Notion: POST /v1/oauth/revoke with basic auth and Notion-Version', () => {
    const req = buildRevocationRequest(connector('notion'), creds);
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, 'https://api.notion.com/v1/oauth/revoke');
    assert.equal(req?.headers['notion-version'], '2025-09-03');
    assert.deepEqual(req?.body, { json: { token: 'at-1' } });
  });

  it('non-OAuth connectors have none', () => {
    const apikey = builtinConnectors({ includeSandboxOnly: true }).find((c) => c.slug === 'acmecrm')!;
    assert.equal(buildRevocationRequest(apikey, creds), undefined);
  });
});
