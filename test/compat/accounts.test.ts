/**
 * Compatibility: the connected-account and error-handling programs run unchanged against
 * latchkey dev; each prints one line per step, checked here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProgram, sharedDev } from './harness.ts';

/** `name: value` lines of a program's output. */
function lines(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 2));
  }
  return out;
}

describe('compat: connected accounts and errors', () => {
  const shared = sharedDev();
  const acmeKey = () => shared.dev().sandbox.providers['acmecrm']!.apiKey!.perUser['alice']!;

  it('creates accounts with the user’s own credentials, reads, lists, updates, deletes; verifies the user', async () => {
    const run = await runProgram('connected-accounts.ts', shared.dev(), { ACME_API_KEY: acmeKey() });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const out = lines(run.stdout);
    assert.equal(out.get('acme.status'), '1', 'ACTIVE with the API key');
    assert.match(out.get('acme.account')!, /"email":"alice@example.com"/, 'the key reached the provider');
    assert.match(out.get('acme.execution_id')!, /^"exec_/);
    assert.equal(out.get('github.status'), '1');
    assert.equal(out.get('list.total'), '2');
    assert.equal(out.get('list.connectors'), '["acmecrm","github"]');
    assert.equal(out.get('github.access_token'), '"gho_from_my_app"');
    assert.equal(out.get('github.scopes'), '["repo","read:user"]');
    assert.equal(out.get('github.updated.api_config'), '{"team":"platform"}');
    assert.equal(out.get('github.updated.access_token'), '"gho_rotated_by_my_app"');
    assert.equal(out.get('after_delete.connectors'), '["acmecrm"]');
    const connections = JSON.parse(out.get('connections')!) as string[];
    assert.ok(
      connections.includes('gmail:OAUTH') && connections.includes('acmecrm:API_KEY'),
      connections.join(),
    );
    assert.ok(Number(out.get('available.count')) >= 18, out.get('available.count'));
    assert.equal(out.get('available.has_gmail_fetch_mails'), 'true');
    assert.equal(out.get('verify.state'), '"session-42"', 'the app route got the state back');
    assert.equal(out.get('verify.error'), undefined);
    assert.equal(out.get('slack.status'), '"ACTIVE"');
  });

  it('raises the Scalekit exception classes, with tool error codes and execution ids', async () => {
    const run = await runProgram('error-handling.ts', shared.dev(), { ACME_API_KEY: acmeKey() });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const out = lines(run.stdout);
    assert.match(out.get('unknown account')!, /^ScalekitNotFoundException error_code=/);
    assert.match(out.get('unknown connection')!, /^ScalekitNotFoundException/);
    assert.match(out.get('bad tool input')!, /^ScalekitBadRequestException fields=params\.email/);
    assert.match(out.get('SaaSKit user reference')!, /^ScalekitBadRequestException fields=organization_id$/);
    assert.match(out.get('unknown tool')!, /^ScalekitNotFoundException error_code=TOOL_NOT_FOUND/);
    assert.equal(out.get('first create'), 'no error');
    assert.match(
      out.get('provider conflict')!,
      /^ScalekitToolException tool_error_code=resource_already_exists execution_id=exec_\S+ tool=true$/,
    );
    assert.match(
      out.get('provider refuses the key')!,
      /^ScalekitToolUnauthorizedException tool_error_code=\S+ execution_id=exec_/,
    );
    assert.match(out.get('not found is also a NotFoundException')!, /^ScalekitNotFoundException/);
  });
});
