/**
 * The SSRF guard: its policy (LATCHKEY_EGRESS_ALLOW), and a gateway that may not reach loopback
 * refusing proxy calls and tool executions whose provider lives there, by literal IP and by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createSsrfGuard, parseEgressPolicy } from '../../src/egress/ssrf-guard.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startStack } from '../helpers/stack.ts';
import { echoConnector, startUpstream, staticAuth } from '../helpers/upstream.ts';

describe('SSRF guard policy', () => {
  it('allows public addresses and only the special networks named', () => {
    const none = createSsrfGuard(parseEgressPolicy([]));
    for (const ok of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) assert.ok(none.allows(ok), ok);
    for (const refused of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      'fe80::1',
      'fd00::1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      '255.255.255.255',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      assert.ok(!none.allows(refused), refused);
    }
    const loopback = createSsrfGuard(parseEgressPolicy(['loopback']));
    assert.ok(loopback.allows('127.0.0.1') && loopback.allows('::1') && loopback.allows('::ffff:127.0.0.1'));
    assert.ok(!loopback.allows('10.0.0.1') && !loopback.allows('169.254.169.254'));
    const cidr = createSsrfGuard(parseEgressPolicy(['10.1.0.0/16']));
    assert.ok(cidr.allows('10.1.200.3') && !cidr.allows('10.2.0.1'));
    assert.ok(createSsrfGuard(parseEgressPolicy(['any'])).allows('169.254.169.254'));
    assert.throws(() => parseEgressPolicy(['intranet']), /not one of any, none, loopback/);
    assert.throws(() => parseEgressPolicy(['10.0.0.0/33']), /CIDR/);
  });

  it('defaults to loopback on a loopback host and to none elsewhere; bad values name the setting', () => {
    assert.deepEqual(loadConfig({ env: {} }).egressAllow, ['loopback']);
    assert.deepEqual(loadConfig({ env: { LATCHKEY_HOST: '0.0.0.0' } }).egressAllow, []);
    assert.deepEqual(loadConfig({ env: { LATCHKEY_EGRESS_ALLOW: 'private, 10.9.0.0/16' } }).egressAllow, [
      'private',
      '10.9.0.0/16',
    ]);
    assert.throws(
      () => loadConfig({ env: { LATCHKEY_EGRESS_ALLOW: 'everything' } }),
      (e: unknown) => e instanceof ConfigError && /LATCHKEY_EGRESS_ALLOW/.test(e.message),
    );
  });
});

describe('SSRF guard in the gateway', () => {
  it('refuses proxy calls and tool executions to loopback when loopback is not allowed', async (t) => {
    const up = await startUpstream(t);
    const stack = await startStack(t, 'sqlite', {
      config: { egressAllow: [] },
      extraConnectors: [
        echoConnector(`${up.url}/base`),
        echoConnector(`http://localhost:${up.port}/base`, 'echoname'),
      ],
      connections: { echoapi: 'echoapi', echoname: 'echoname', acmecrm: 'acmecrm' },
    });
    if (!stack) return;
    const { sdk, sandbox } = stack;
    for (const connectionName of ['echoapi', 'echoname']) {
      await sdk.actions.createConnectedAccount({
        connectionName,
        identifier: 'user_1',
        authorizationDetails: staticAuth({ api_key: 'k' }),
      });
      const res = await rawRequest(stack.gw.port, {
        target: '/proxy/v1/x',
        headers: [
          ['authorization', `Bearer ${await stack.token()}`],
          ['connection_name', connectionName],
          ['identifier', 'user_1'],
        ],
      });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.header('x-latchkey-error'), 'permission_denied');
      assert.match(JSON.parse(res.text).message, /refused by the SSRF guard.*LATCHKEY_EGRESS_ALLOW/);
    }
    assert.equal(up.received.length, 0, 'nothing reached the loopback upstream');

    // A tool whose provider (the sandbox) is on loopback is refused the same way.
    await sdk.actions.createConnectedAccount({
      connectionName: 'acmecrm',
      identifier: 'user_1',
      authorizationDetails: staticAuth({ api_key: sandbox.providers.acmecrm!.apiKey!.value }),
    });
    await assert.rejects(
      () => sdk.actions.executeTool({ toolName: 'acmecrm_get_account', identifier: 'user_1', toolInput: {} }),
      (e: unknown) => /refused by the SSRF guard/.test(String((e as Error).message)),
    );
  });
});
