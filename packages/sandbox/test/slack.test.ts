// Slack Web API imitation, checked against slack/slack_web_openapi_v2_without_examples.json (Swagger 2.0).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { tokensFor } from './helpers/oauth.ts';
import { assertConforms, loadSpec, operationResponse } from './helpers/schema.ts';

const spec = loadSpec('slack/slack_web_openapi_v2_without_examples.json');
const S = { spec };
const ok = (path: string, method = 'get') => operationResponse(spec, path, method, '200');
const err = (path: string, method = 'get') => operationResponse(spec, path, method, 'default');

describe('Slack imitation', () => {
  let sandbox: Sandbox;
  let token: string;
  const call = async (method: string, args: Record<string, unknown>, t = token) => {
    const response = await fetch(`${sandbox.urls.slack}/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(args),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  };

  before(async () => {
    sandbox = await startSandbox();
    token = (
      await tokensFor(sandbox, 'slack', {
        userScopes: [
          'chat:write',
          'channels:read',
          'channels:history',
          'groups:read',
          'users:read',
          'users:read.email',
        ],
        scopes: [],
      })
    ).accessToken;
  });
  after(() => sandbox.close());

  test('chat.postMessage conforms and the message shows up in conversations.history', async () => {
    const body = await call('chat.postMessage', { channel: '#general', text: 'Deploy finished :rocket:' });
    assertConforms(body, ok('/chat.postMessage', 'post'), S);
    const general = sandbox.state.slack.channel('alice', 'general');
    assert.equal(body['channel'], general?.id);
    const history = await call('conversations.history', { channel: body['channel'], limit: 2 });
    const messages = history['messages'] as Array<Record<string, unknown>>;
    assert.equal(messages[0]?.['ts'], body['ts'], 'newest first');
    assert.equal(messages[0]?.['text'], 'Deploy finished :rocket:');
    assert.equal(messages[0]?.['user'], sandbox.state.slack.workspace('alice').self.id);
    assert.equal(sandbox.state.slack.messages('alice', 'general').at(-1)?.text, 'Deploy finished :rocket:');
  });

  test('chat.postMessage failure: channel_not_found and no_text, on HTTP 200', async () => {
    const missing = await call('chat.postMessage', { channel: 'C0NOTREAL1', text: 'hi' });
    assertConforms(missing, err('/chat.postMessage', 'post'), S);
    assert.deepEqual(missing, { ok: false, error: 'channel_not_found' });
    const empty = await call('chat.postMessage', { channel: 'general' });
    assert.deepEqual(empty, { ok: false, error: 'no_text' });
  });

  test('form-encoded bodies with the token in the body work too', async () => {
    const response = await fetch(`${sandbox.urls.slack}/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, channel: 'random', text: 'form post' }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    assertConforms(body, ok('/chat.postMessage', 'post'), S);
  });

  test("JSON without charset gets Slack's missing_charset warning", async () => {
    const response = await fetch(`${sandbox.urls.slack}/auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['ok'], true);
    assert.equal(body['warning'], 'missing_charset');
    assert.deepEqual(body['response_metadata'], { warnings: ['missing_charset'] });
  });

  test('conversations.list conforms; private channels need groups:read and membership', async () => {
    const body = await call('conversations.list', { types: 'public_channel,private_channel' });
    assertConforms(body, ok('/conversations.list'), S);
    const names = (body['channels'] as Array<Record<string, unknown>>).map((c) => c['name']);
    assert.deepEqual(names, ['general', 'random', 'engineering', 'leadership']);
    const narrow = (await tokensFor(sandbox, 'slack', { userScopes: ['channels:read'], scopes: [] }))
      .accessToken;
    const publicOnly = await call('conversations.list', { types: 'public_channel,private_channel' }, narrow);
    assert.equal((publicOnly['channels'] as unknown[]).length, 3);
  });

  test('conversations.history conforms and pages with a cursor', async () => {
    const first = await call('conversations.history', {
      channel: sandbox.state.slack.channel('alice', 'engineering')?.id,
      limit: 2,
    });
    assert.equal(first['has_more'], true);
    const cursor = (first['response_metadata'] as Record<string, string>)['next_cursor'];
    const second = await call('conversations.history', {
      channel: sandbox.state.slack.channel('alice', 'engineering')?.id,
      cursor,
    });
    assertConforms(second, ok('/conversations.history'), S);
    assert.equal(second['has_more'], false);
    assert.equal((second['messages'] as unknown[]).length, 1);
  });

  test('missing_scope names what is needed', async () => {
    const narrow = (await tokensFor(sandbox, 'slack', { userScopes: ['chat:write'], scopes: [] }))
      .accessToken;
    const body = await call('conversations.list', {}, narrow);
    assertConforms(body, err('/conversations.list'), S);
    assert.equal(body['error'], 'missing_scope');
    assert.equal(body['needed'], 'channels:read,groups:read,im:read,mpim:read');
    assert.equal(body['provided'], 'chat:write');
  });

  test('users.info conforms; the e-mail needs users:read.email', async () => {
    const peer = sandbox.state.slack.workspace('alice').members[1];
    assert.ok(peer);
    const body = await call('users.info', { user: peer.id });
    assertConforms(body, ok('/users.info'), S);
    assert.equal(
      ((body['user'] as Record<string, unknown>)['profile'] as Record<string, unknown>)['email'],
      'bob@example.com',
    );
    const noEmail = (await tokensFor(sandbox, 'slack', { userScopes: ['users:read'], scopes: [] }))
      .accessToken;
    const limited = await call('users.info', { user: peer.id }, noEmail);
    assert.equal(
      ((limited['user'] as Record<string, unknown>)['profile'] as Record<string, unknown>)['email'],
      undefined,
    );
    const unknown = await call('users.info', { user: 'U0NOBODY00' });
    assertConforms(unknown, err('/users.info'), S);
    assert.equal(unknown['error'], 'user_not_found');
  });

  test('auth.test conforms', async () => {
    const body = await call('auth.test', {});
    assertConforms(body, ok('/auth.test'), S);
    assert.equal(body['user_id'], sandbox.state.slack.workspace('alice').self.id);
  });
});
