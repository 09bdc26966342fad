/**
 * Real peers against a gateway's MCP servers: the MCP Inspector CLI (tools/list and tools/call, on
 * an instance URL and on a static URL with a session token), and the generic server scenarios of
 * the official conformance suite (@modelcontextprotocol/conformance) on an instance URL. The
 * checks that cannot apply to a gateway serving catalog tools are listed, with the reason, in
 * conformance-baseline.yaml; a check listed there that starts passing fails the run too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/process.ts';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

const BASELINE = join(import.meta.dirname, 'conformance-baseline.yaml');

/** The generic server scenarios: none needs the suite's fixture tools, resources or prompts. */
const SCENARIOS = [
  'server-initialize',
  'ping',
  'server-stateless',
  'tools-list',
  'caching',
  'dns-rebinding-protection',
  'http-header-validation',
];

function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const inspector = (url: string, ...args: string[]) =>
  run('npx', ['@modelcontextprotocol/inspector', '--cli', url, '--transport', 'http', ...args]);

async function setup(stack: Stack) {
  const { gw, environmentId: env } = stack;
  const { mcp } = gw.services;
  const config = await mcp.configs.create(env, {
    name: 'peers',
    description: '',
    mappings: [
      { connectionName: 'gmail', tools: [] },
      { connectionName: 'googlecalendar', tools: [] },
    ],
  });
  const instance = await mcp.instances.ensure(env, { configName: 'peers', identifier: 'john-doe' });
  stack.sandbox.setDefaultUser('john-doe');
  for (const s of await mcp.instances.authState(env, instance.id, true))
    assert.equal((await followLink(s.link)).status, 200);
  const { token } = await mcp.sessions.mint(env, { configId: config.id, identifier: 'john-doe' });
  return { url: instance.url, serverUrl: config.serverUrl, token };
}

describe('MCP with real peers', () => {
  it('MCP Inspector CLI: tools/list and tools/call on an instance URL and a static URL', {
    timeout: 120_000,
  }, async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { url, serverUrl, token } = await setup(stack);
    const listed = await inspector(url, '--method', 'tools/list');
    assert.equal(listed.code, 0, listed.stderr);
    const names = (
      JSON.parse(listed.stdout.slice(listed.stdout.indexOf('{'))) as { tools: { name: string }[] }
    ).tools
      .map((x) => x.name)
      .sort();
    assert.ok(
      names.includes('gmail_fetch_mails') && names.includes('googlecalendar_create_event'),
      String(names),
    );
    assert.ok(names.every((n) => n.startsWith('gmail_') || n.startsWith('googlecalendar_')));

    const called = await inspector(url, '--method', 'tools/call', '--tool-name', 'gmail_list_labels');
    assert.equal(called.code, 0, called.stderr);
    const result = JSON.parse(called.stdout.slice(called.stdout.indexOf('{'))) as {
      isError?: boolean;
      structuredContent: { labels: { id: string }[] };
    };
    assert.notEqual(result.isError, true);
    assert.ok(result.structuredContent.labels.some((l) => l.id === 'INBOX'));

    const viaToken = await inspector(
      serverUrl,
      '--method',
      'tools/list',
      '--header',
      `Authorization: Bearer ${token}`,
    );
    assert.equal(viaToken.code, 0, viaToken.stderr);
    assert.match(viaToken.stdout, /"gmail_fetch_mails"/);
    const refused = await inspector(serverUrl, '--method', 'tools/list');
    assert.notEqual(refused.code, 0, 'no session token: refused');
  });

  it('conformance suite: the generic server scenarios pass (baseline: what cannot apply)', {
    timeout: 300_000,
  }, async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { url } = await setup(stack);
    for (const scenario of SCENARIOS) {
      const r = await run('npx', [
        'conformance',
        'server',
        '--url',
        url,
        '--scenario',
        scenario,
        '--expected-failures',
        BASELINE,
      ]);
      const summary = r.stdout.split('\n').filter((l) => /Passed|FAILURE|Unexpected|Stale|~ /.test(l));
      assert.equal(r.code, 0, `${scenario}:\n${summary.join('\n')}\n${r.stderr.slice(-2000)}`);
      assert.match(r.stdout, /Passed: [1-9]\d*\/\d+/, `${scenario}: checks ran and passed`);
    }
  });
});
