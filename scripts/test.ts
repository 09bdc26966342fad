// Runs every test file of every package with node's own test runner.
// Usage: npm test [-- <path filters>]   e.g. npm test -- packages/gateway
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function collect(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
}

const files: string[] = [];
for (const top of ['packages', 'test']) {
  try {
    collect(join(root, top), files);
  } catch {
    // a top folder may not exist yet
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env['LATCHKEY_TEST_CONCURRENCY'] ?? '4';
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...selected],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
