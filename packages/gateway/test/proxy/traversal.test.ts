/**
 * The proxy path can never leave the connection's API base URL (`<upstream>/base`): crafted
 * paths sent byte for byte over a socket are refused with 400 by the gateway, the upstream sees
 * nothing outside `/base`, and a second loopback server receives nothing at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinProxyPath } from '../../src/services/proxy-path.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startUpstream } from '../helpers/upstream.ts';
import { proxyFixture } from './fixture.ts';

/** Crafted paths (after `/proxy`); OTHER is replaced by the second server's host:port. */
const CRAFTED = [
  '/../secret',
  '/a/../../secret',
  '/..',
  '/./secret',
  '/%2e%2e/secret',
  '/%2E%2E/secret',
  '/.%2e/secret',
  '/%2e./secret',
  '/a/%2e%2e%2f%2e%2e%2fsecret',
  '/%252e%252e/secret',
  '/a/%25252e%25252e/secret',
  '/..%2fsecret',
  '/..%2Fsecret',
  '/..;/secret',
  '/a/..;x=1/..;/secret',
  '/%c0%ae%c0%ae/secret',
  '/..\\secret',
  '/a\\..\\..\\secret',
  '/a/..%5c..%5csecret',
  '/a/%5c/secret',
  '//OTHER/x',
  '///OTHER/x',
  '/%2F%2FOTHER/x',
  '/http://OTHER/x',
  '/http:%2f%2fOTHER/x',
  '/https:OTHER/x',
  '/@OTHER/x',
  '/user:pass@OTHER/x',
  '/user%40OTHER/x',
  '/a/%00/secret',
  '/a%0d%0aHost:%20OTHER/x',
  '/a b/secret',
  '/x#../../secret',
  '/x?q=1#frag',
];

describe('proxy path traversal', () => {
  it(`refuses ${CRAFTED.length} crafted paths; nothing reaches a second server or leaves /base`, async (t) => {
    const other = await startUpstream(t);
    const fx = await proxyFixture(t);
    if (!fx) return;
    const { stack, up } = fx;
    const otherHost = `127.0.0.1:${other.port}`;
    for (const crafted of CRAFTED) {
      const target = `/proxy${crafted.replaceAll('OTHER', otherHost)}`;
      const res = await rawRequest(stack.gw.port, { target, headers: await fx.headers() });
      assert.equal(res.status, 400, `${target} → ${res.status} ${res.text}`);
      // Node's HTTP parser itself refuses a request line with a space in the target.
      if (crafted.includes(' ')) continue;
      assert.equal(res.header('x-latchkey-error'), 'invalid_argument', target);
      const body = JSON.parse(res.text) as { error: string; message: string };
      assert.match(body.message, /proxy path/, target);
    }
    // An absolute-form request target never reaches the proxy either.
    const absolute = await rawRequest(stack.gw.port, {
      target: `http://${otherHost}/x`,
      headers: await fx.headers(),
    });
    assert.ok(absolute.status >= 400 && absolute.status < 500, `absolute form → ${absolute.status}`);
    assert.equal(other.received.length, 0, JSON.stringify(other.received.map((r) => r.url)));
    assert.equal(up.received.length, 0, JSON.stringify(up.received.map((r) => r.url)));

    // Control: ordinary paths, encoded slashes inside a segment and `...` names do reach /base.
    for (const [path, expected] of [
      ['/v1/items?limit=2&q=a%20b', '/base/v1/items?limit=2&q=a%20b'],
      ['/v1/projects/group%2Fname', '/base/v1/projects/group%2Fname'],
      ['/v1/.../x', '/base/v1/.../x'],
      ['', '/base/'],
      ['/users/@me', '/base/users/@me'],
    ] as const) {
      const res = await rawRequest(stack.gw.port, { target: `/proxy${path}`, headers: await fx.headers() });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(up.received.at(-1)?.url, expected);
    }
    assert.ok(up.received.every((r) => r.url.startsWith('/base/')));
    assert.equal(other.received.length, 0);
  });

  it('joins base URLs with a path prefix or none, and the URL parser agrees', () => {
    assert.deepEqual(joinProxyPath('https://api.example.com', '/v1/x?y=1'), {
      origin: 'https://api.example.com',
      path: '/v1/x?y=1',
    });
    assert.deepEqual(joinProxyPath('https://slack.com/api', '/chat.postMessage'), {
      origin: 'https://slack.com',
      path: '/api/chat.postMessage',
    });
    assert.equal(joinProxyPath('http://127.0.0.1:9/calendar/v3/', '/').path, '/calendar/v3/');
    for (const crafted of CRAFTED) {
      assert.throws(
        () => joinProxyPath('https://api.example.com/base', crafted.replaceAll('OTHER', 'evil.example')),
        /proxy path/,
        crafted,
      );
    }
  });
});
