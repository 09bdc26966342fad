import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildRevocationRequest,
  builtinConnectors,
  type ConnectorDefinition,
  findTool,
  type OAuth2Scheme,
  resolveBaseUrl,
  runTool,
  sandboxConnector,
} from '../src/index.ts';
import { recordingRuntime } from './helpers.ts';

const SANDBOX = 'http://127.0.0.1:4567';
const target = (path: string) => ({
  apiBaseUrl: `${SANDBOX}${path}`,
  oauth: { authorizationEndpoint: `${SANDBOX}/oauth/auth`, tokenEndpoint: `${SANDBOX}/oauth/token` },
});
const REAL_BASES: Record<string, string> = {
  gmail: '/gmail',
  googlecalendar: '/calendar/v3',
  slack: '/slack/api',
  github: '/github',
  notion: '/notion',
};

describe('sandboxConnector', () => {
  it('points each real connector at the sandbox and keeps its quirks', () => {
    for (const real of builtinConnectors().filter((c) => c.kind === 'rest')) {
      const before = JSON.stringify(real);
      const sandbox = sandboxConnector(real, target(REAL_BASES[real.slug]!));
      assert.equal(JSON.stringify(real), before, `${real.slug}: the real definition is untouched`);
      assert.equal(sandbox.variant, 'sandbox');
      assert.equal(resolveBaseUrl(sandbox), `${SANDBOX}${REAL_BASES[real.slug]}`);
      const a = sandbox.auth as OAuth2Scheme;
      const r = real.auth as OAuth2Scheme;
      assert.equal(a.authorization_url, `${SANDBOX}/oauth/auth`);
      assert.equal(a.token_url, `${SANDBOX}/oauth/token`);
      assert.deepEqual(
        { ...a, authorization_url: '', token_url: '', revocation: null },
        { ...r, authorization_url: '', token_url: '', revocation: null },
        `${real.slug}: quirks unchanged`,
      );
      assert.deepEqual(sandbox.tools, real.tools);
      assert.deepEqual(sandbox.errors, real.errors);
      assert.deepEqual(sandbox.api?.default_headers, real.api?.default_headers);
    }
  });

  it('keeps Slack authed_user paths, GitHub Accept, Notion basic auth', () => {
    const all = builtinConnectors();
    const slack = sandboxConnector(all.find((c) => c.slug === 'slack')!, target('/slack/api'))
      .auth as OAuth2Scheme;
    assert.deepEqual(slack.token_response?.access_token, ['authed_user.access_token', 'access_token']);
    assert.equal(slack.scopes.param, 'user_scope');
    const github = sandboxConnector(all.find((c) => c.slug === 'github')!, target('/github'))
      .auth as OAuth2Scheme;
    assert.equal(github.token_request.accept_json, true);
    const notion = sandboxConnector(all.find((c) => c.slug === 'notion')!, target('/notion'))
      .auth as OAuth2Scheme;
    assert.equal(notion.client_auth, 'client_secret_basic');
    assert.equal(notion.token_request.body_encoding, 'json');
  });

  it('revocation: the sandbox RFC 7009 endpoint when given, else the provider revoker moved along', () => {
    const github = builtinConnectors().find((c) => c.slug === 'github')!;
    const creds = { client_id: 'cid', client_secret: 'sec', access_token: 'at' };
    const moved = sandboxConnector(github, target('/github'));
    assert.equal(buildRevocationRequest(moved, creds)?.url, `${SANDBOX}/github/applications/cid/grant`);
    const rfc = sandboxConnector(github, {
      ...target('/github'),
      oauth: { ...target('/github').oauth, revocationEndpoint: `${SANDBOX}/oauth/revoke` },
    });
    const req = buildRevocationRequest(rfc, creds);
    assert.equal(req?.url, `${SANDBOX}/oauth/revoke`);
    assert.deepEqual(req?.body, {
      form: { token: 'at', token_type_hint: 'access_token', client_id: 'cid', client_secret: 'sec' },
    });
    const notion = sandboxConnector(builtinConnectors().find((c) => c.slug === 'notion')!, target('/notion'));
    assert.equal(buildRevocationRequest(notion, creds)?.url, `${SANDBOX}/notion/v1/oauth/revoke`);
    const gmail = sandboxConnector(builtinConnectors().find((c) => c.slug === 'gmail')!, target('/gmail'));
    assert.ok(gmail.auth.type === 'oauth2');
    assert.equal(
      gmail.auth.revocation.type,
      'none',
      'Google revokes on oauth2.googleapis.com, outside the API base',
    );
  });

  it('sandbox scopes replace the scope lists and trim tool scope hints', () => {
    const gmail = builtinConnectors().find((c) => c.slug === 'gmail')!;
    const scopes = ['https://www.googleapis.com/auth/gmail.readonly'];
    const s = sandboxConnector(gmail, { ...target('/gmail'), oauth: { ...target('/gmail').oauth, scopes } });
    assert.ok(s.auth.type === 'oauth2');
    assert.deepEqual(s.auth.scopes.default, scopes);
    assert.deepEqual(findTool([s], 'gmail_list_labels')?.tool.scopes, scopes);
    assert.equal(findTool([s], 'gmail_send_message')?.tool.scopes, undefined);
  });

  it('tools send the same relative requests to the sandbox', async () => {
    const real = builtinConnectors().find((c) => c.slug === 'github')!;
    const sandbox = sandboxConnector(real, target('/github'));
    const input = { owner: 'o', repo: 'r', title: 't' };
    const a = recordingRuntime();
    const b = recordingRuntime();
    await runTool(real, findTool([real], 'github_issue_create')!.tool, input, a);
    await runTool(sandbox, findTool([sandbox], 'github_issue_create')!.tool, input, b);
    assert.deepEqual(a.requests, b.requests);
  });

  it('OAuth connectors need sandbox OAuth endpoints; other kinds do not', () => {
    const all: ConnectorDefinition[] = builtinConnectors({ includeSandboxOnly: true });
    assert.throws(
      () => sandboxConnector(all.find((c) => c.slug === 'gmail')!, { apiBaseUrl: SANDBOX }),
      /needs oauth endpoints/,
    );
    const apikey = sandboxConnector(all.find((c) => c.slug === 'acmecrm')!, {
      apiBaseUrl: `${SANDBOX}/apikey`,
    });
    assert.equal(resolveBaseUrl(apikey), `${SANDBOX}/apikey`);
    const sanity = sandboxConnector(all.find((c) => c.slug === 'sanitymcp')!, {
      apiBaseUrl: `${SANDBOX}/mcp`,
    });
    assert.equal(resolveBaseUrl(sanity), `${SANDBOX}/mcp`);
    assert.throws(
      () => sandboxConnector(all.find((c) => c.slug === 'ticketdesk')!, { apiBaseUrl: 'ftp://x' }),
      /http or https/,
    );
  });
});
