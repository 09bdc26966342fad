/**
 * Drift check: regenerating from proto/ into a temporary directory must reproduce the committed
 * files in src/gen exactly. On failure run `npm run generate -w @latchkey/gateway` and commit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { after, it } from 'node:test';

const gateway = join(import.meta.dirname, '..', '..');
const root = join(gateway, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'latchkey-codegen-'));
after(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else found.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  visit(dir);
  return found;
}

it('the committed generated code matches proto/', () => {
  const bin = join(root, 'node_modules', '.bin');
  const run = spawnSync(
    join(bin, 'buf'),
    ['generate', join(root, 'proto'), '--template', join(root, 'proto', 'buf.gen.yaml'), '-o', out],
    {
      cwd: gateway,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` },
      encoding: 'utf8',
    },
  );
  assert.equal(run.status, 0, `buf generate failed: ${run.stderr}`);
  const fresh = files(join(out, 'src', 'gen'));
  const committed = files(join(gateway, 'src', 'gen'));
  assert.ok(fresh.size > 0, 'nothing generated');
  assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), 'generated file set differs');
  for (const [name, text] of fresh) {
    assert.ok(committed.get(name) === text, `${name} is stale: run npm run generate -w @latchkey/gateway`);
  }
});
