/**
 * A stack for proxy tests: the sandbox, a gateway, and the test's own upstream whose API lives
 * under `/base` (connection `echoapi`, account of `user_1` with key `echo-key-1`).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Config } from '../../src/config/config.ts';
import type { DialectName } from '../helpers/env.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { echoConnector, startUpstream, staticAuth, type Upstream } from '../helpers/upstream.ts';

export const ECHO_KEY = 'echo-key-1';

export interface ProxyFixture {
  stack: Stack;
  up: Upstream;
  /** Headers of a proxied call by `user_1` on `echoapi`, with a valid bearer token. */
  headers(extra?: [string, string][]): Promise<[string, string][]>;
}

export async function proxyFixture(
  t: TestContext,
  dialect: DialectName = 'sqlite',
  opts: { config?: Partial<Config>; connections?: Record<string, string> } = {},
): Promise<ProxyFixture | undefined> {
  const up = await startUpstream(t);
  const stack = await startStack(t, dialect, {
    extraConnectors: [echoConnector(`${up.url}/base`)],
    connections: opts.connections ?? { echoapi: 'echoapi' },
    ...(opts.config ? { config: opts.config } : {}),
  });
  if (!stack) return undefined;
  const created = await stack.sdk.actions.createConnectedAccount({
    connectionName: 'echoapi',
    identifier: 'user_1',
    authorizationDetails: staticAuth({ api_key: ECHO_KEY }),
  });
  assert.equal(created.connectedAccount?.status?.toString(), '1');
  return {
    stack,
    up,
    async headers(extra = []) {
      return [
        ['authorization', `Bearer ${await stack.token()}`],
        ['connection_name', 'echoapi'],
        ['identifier', 'user_1'],
        ...extra,
      ];
    },
  };
}
