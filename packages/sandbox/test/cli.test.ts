// `node packages/sandbox/src/main.ts` starts everything, prints URLs, and closes cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test('the CLI prints its URLs, serves, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  const child = spawn(process.execPath, [main, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        // wait for the rest of the document
      }
    });
    child.on('exit', (code) => reject(new Error(`exited early (${code}): ${err}`)));
  });
  assert.equal(typeof info['startedInMs'], 'number');
  const urls = info['urls'] as Record<string, string>;
  const discovery = await fetch(`${urls['authServer']}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200);
  const providers = info['providers'] as Record<string, { apiBaseUrl: string }>;
  assert.equal(providers['slack']?.apiBaseUrl, urls['slack']);
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.match(out, /sandbox stopped \(SIGTERM\)/);
  await assert.rejects(fetch(`${urls['authServer']}/.well-known/openid-configuration`));
});
