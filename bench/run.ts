/**
 * `npm run bench [-- <name filter>…]`: runs every `bench/*.bench.ts` (or those whose name contains
 * a filter) one after the other, each in its own Node process, and exits non-zero if one failed.
 * Benchmarks report figures; they assert nothing about speed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`bench: no bench/*.bench.ts matched ${filters.join(' ')}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const r = spawnSync(process.execPath, [join(import.meta.dirname, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
