// Every imitation refuses a missing, expired, revoked or wrong-audience token, each in its provider's own
// error shape (and the API-key and Basic services refuse missing or wrong credentials).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { tokensFor } from './helpers/oauth.ts';

type Refusal = 'missing' | 'expired' | 'revoked' | 'wrong_audience';
interface Target {
  slug: string;
  call(sandbox: Sandbox, token: string | undefined): Promise<Response>;
  check(response: Response, body: unknown, refusal: Refusal): void;
}

const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

function googleCheck(response: Response, body: unknown, refusal: Refusal) {
  assert.equal(response.status, 401);
  const www = response.headers.get('www-authenticate') ?? '';
  assert.match(www, /^Bearer realm="https:\/\/accounts\.google\.com\/"/);
  if (refusal !== 'missing') assert.match(www, /error="invalid_token"/);
  const error = (body as { error: Record<string, unknown> }).error;
  assert.equal(error['code'], 401);
  assert.equal(error['status'], 'UNAUTHENTICATED');
  const reason = (error['errors'] as Array<Record<string, string>>)[0]?.['reason'];
  assert.equal(reason, refusal === 'missing' ? 'required' : 'authError');
  if (refusal === 'expired') assert.match(JSON.stringify(error['details']), /ACCESS_TOKEN_EXPIRED/);
}

const TARGETS: Target[] = [
  {
    slug: 'gmail',
    call: (s, t) => fetch(`${s.urls.gmail}/gmail/v1/users/me/messages`, { headers: bearer(t) }),
    check: googleCheck,
  },
  {
    slug: 'googlecalendar',
    call: (s, t) => fetch(`${s.urls.googlecalendar}/calendars/primary/events`, { headers: bearer(t) }),
    check: googleCheck,
  },
  {
    slug: 'slack',
    call: (s, t) =>
      fetch(`${s.urls.slack}/conversations.list`, {
        method: 'POST',
        headers: { ...bearer(t), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'limit=5',
      }),
    check(response, body, refusal) {
      assert.equal(response.status, 200, 'Slack answers auth errors with HTTP 200');
      const expected = {
        missing: 'not_authed',
        expired: 'token_expired',
        revoked: 'token_revoked',
        wrong_audience: 'invalid_auth',
      };
      assert.deepEqual(body, { ok: false, error: expected[refusal] });
    },
  },
  {
    slug: 'github',
    call: (s, t) =>
      fetch(`${s.urls.github}/user`, { headers: { ...bearer(t), 'user-agent': 'latchkey-test' } }),
    check(response, body, refusal) {
      assert.equal(response.status, 401);
      const b = body as Record<string, unknown>;
      assert.equal(b['message'], refusal === 'missing' ? 'Requires authentication' : 'Bad credentials');
      assert.equal(b['status'], '401');
      assert.match(String(b['documentation_url']), /^https:\/\/docs\.github\.com\/rest/);
    },
  },
  {
    slug: 'notion',
    call: (s, t) =>
      fetch(`${s.urls.notion}/v1/users/me`, { headers: { ...bearer(t), 'notion-version': '2025-09-03' } }),
    check(response, body) {
      assert.equal(response.status, 401);
      const b = body as Record<string, unknown>;
      assert.equal(b['object'], 'error');
      assert.equal(b['status'], 401);
      assert.equal(b['code'], 'unauthorized');
      assert.equal(typeof b['message'], 'string');
    },
  },
  {
    slug: 'sanitymcp',
    call: (s, t) =>
      fetch(s.urls.mcpServer, {
        method: 'POST',
        headers: {
          ...bearer(t),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      }),
    check(response, _body, refusal) {
      assert.equal(response.status, 401);
      const www = response.headers.get('www-authenticate') ?? '';
      assert.match(www, /^Bearer /);
      assert.match(
        www,
        /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
      );
      if (refusal !== 'missing') assert.match(www, /error="invalid_token"/);
    },
  },
];

describe('token refusals', () => {
  let sandbox: Sandbox;
  const live = new Map<string, string>();
  const expired = new Map<string, string>();
  const revoked = new Map<string, string>();

  before(async () => {
    sandbox = await startSandbox();
    // Short-lived tokens first (they expire while the others are minted), then long-lived ones.
    sandbox.setAccessTokenTtl(1);
    for (const { slug } of TARGETS)
      expired.set(slug, (await tokensFor(sandbox, slug, { user: 'bob' })).accessToken);
    sandbox.setAccessTokenTtl(3600);
    for (const { slug } of TARGETS) {
      live.set(slug, (await tokensFor(sandbox, slug)).accessToken);
      revoked.set(slug, (await tokensFor(sandbox, slug, { user: 'john-doe' })).accessToken);
    }
    assert.ok((await sandbox.revokeGrants('john-doe')) >= TARGETS.length);
    await sleep(1100);
  });
  after(() => sandbox.close());

  for (const target of TARGETS) {
    describe(target.slug, () => {
      const run = async (token: string | undefined, refusal: Refusal) => {
        const response = await target.call(sandbox, token);
        const text = await response.text();
        target.check(response, text ? JSON.parse(text) : undefined, refusal);
      };
      test('accepts its own live token', async () => {
        const response = await target.call(sandbox, live.get(target.slug));
        const body = await response.text();
        assert.equal(response.status, 200, body);
        if (target.slug === 'slack') assert.equal(JSON.parse(body).ok, true);
      });
      test('refuses a missing token', () => run(undefined, 'missing'));
      test('refuses an expired token', () => run(expired.get(target.slug), 'expired'));
      test('refuses a token whose grant the user revoked', () => run(revoked.get(target.slug), 'revoked'));
      test('refuses a token minted for another provider', () => {
        const other = TARGETS[(TARGETS.indexOf(target) + 1) % TARGETS.length]?.slug ?? '';
        return run(live.get(other), 'wrong_audience');
      });
    });
  }

  test('API-key service: missing and wrong keys', async () => {
    const { apiKey } = sandbox.providers.acmecrm;
    assert.ok(apiKey);
    const missing = await fetch(`${sandbox.urls.acmecrm}/v1/contacts`);
    assert.equal(missing.status, 401);
    assert.deepEqual(
      ((await missing.json()) as { error: Record<string, unknown> }).error['code'],
      'missing_api_key',
    );
    const wrong = await fetch(`${sandbox.urls.acmecrm}/v1/contacts`, {
      headers: { [apiKey.header]: 'acme_sk_nope' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(
      ((await wrong.json()) as { error: Record<string, unknown> }).error['type'],
      'authentication_error',
    );
    const ok = await fetch(`${sandbox.urls.acmecrm}/v1/contacts`, {
      headers: { [apiKey.header]: apiKey.value },
    });
    assert.equal(ok.status, 200);
  });

  test('Basic-auth service: missing and wrong passwords', async () => {
    const { basic } = sandbox.providers.ticketdesk;
    assert.ok(basic);
    const url = `${sandbox.urls.ticketdesk}/api/v2/tickets.json`;
    const missing = await fetch(url);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Basic realm="Web Password"');
    assert.deepEqual(await missing.json(), { error: "Couldn't authenticate you" });
    const wrong = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${basic.username}:nope`).toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    const ok = await fetch(url, {
      headers: {
        authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`,
      },
    });
    assert.equal(ok.status, 200);
  });
});
