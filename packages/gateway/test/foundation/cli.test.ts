/** The CLI and gateway processes, as an operator meets them. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { newKey, tempDir } from '../helpers/env.ts';
import { createTestDatabase, requirePostgres } from '../helpers/pg.ts';
import { runCli, startCli } from '../helpers/process.ts';

const base = (dir: string): Record<string, string> => ({
  LATCHKEY_DATA_DIR: dir,
  LATCHKEY_PORT: '0',
  LATCHKEY_LOG_LEVEL: 'silent',
  LATCHKEY_DATABASE_URL: '',
  LATCHKEY_ENCRYPTION_KEYS: '',
});

function assertOneLineNaming(
  run: { code: number | null; stderr: string; ms: number },
  setting: string,
  problem: RegExp,
) {
  assert.notEqual(run.code, 0, 'non-zero exit');
  assert.ok(run.ms < 5000, `exits within 5 s (took ${run.ms} ms)`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0]!, new RegExp(`^latchkey: invalid setting ${setting}: `));
  assert.match(lines[0]!, problem);
}

describe('latchkey CLI', () => {
  it('--help on the program and on every command', async () => {
    const top = await runCli(['--help'], {});
    assert.equal(top.code, 0);
    for (const cmd of ['start', 'dev', 'migrate', 'keys rotate', 'env create', 'client create']) {
      assert.match(top.stdout, new RegExp(cmd));
      const r = await runCli([...cmd.split(' '), '--help'], {});
      assert.equal(r.code, 0, cmd);
      assert.match(r.stdout, new RegExp(`Usage: latchkey ${cmd}`));
    }
    const unknown = await runCli(['launch'], {});
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "launch"/);
    const badFlag = await runCli(['start', '--prot', '1'], {});
    assert.equal(badFlag.code, 2);
    assert.equal(badFlag.stderr.trim().split('\n').length, 1);
  });

  describe('bad configuration exits non-zero within 5 s with one line naming the setting', () => {
    it('unknown database URL scheme', async () => {
      const d = tempDir();
      const r = await runCli(['start'], {
        ...base(d.path),
        LATCHKEY_DATABASE_URL: 'mysql://root@127.0.0.1/x',
      });
      d.remove();
      assertOneLineNaming(r, 'LATCHKEY_DATABASE_URL', /unsupported scheme "mysql:"/);
    });
    it('malformed key', async () => {
      const d = tempDir();
      const r = await runCli(['start'], { ...base(d.path), LATCHKEY_ENCRYPTION_KEYS: 'c2hvcnQ=' });
      d.remove();
      assertOneLineNaming(r, 'LATCHKEY_ENCRYPTION_KEYS', /32 bytes/);
    });
    it('unreachable database (password not echoed)', async () => {
      const d = tempDir();
      const r = await runCli(['start'], {
        ...base(d.path),
        LATCHKEY_DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/x',
        LATCHKEY_ENCRYPTION_KEYS: newKey(),
      });
      d.remove();
      assertOneLineNaming(r, 'LATCHKEY_DATABASE_URL', /cannot reach the database/);
      assert.ok(!r.stderr.includes('hunter2'));
    });
    it('port in use', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      const d = tempDir();
      const r = await runCli(['start'], { ...base(d.path), LATCHKEY_PORT: String(port) });
      blocker.close();
      d.remove();
      assertOneLineNaming(r, 'LATCHKEY_PORT', new RegExp(`port ${port} is already in use`));
    });
    it('a PostgreSQL set-up without keys', async () => {
      const d = tempDir();
      const r = await runCli(['start'], {
        ...base(d.path),
        LATCHKEY_DATABASE_URL: 'postgres://postgres@127.0.0.1/postgres',
      });
      d.remove();
      assertOneLineNaming(r, 'LATCHKEY_ENCRYPTION_KEYS', /required with PostgreSQL/);
    });
  });

  it('a second gateway on the same SQLite file exits with a clear message and code', async () => {
    const d = tempDir();
    const first = await startCli(
      [process.execPath, 'packages/gateway/src/cli/main.ts', 'start'],
      base(d.path),
    );
    try {
      const second = await runCli(['start'], base(d.path));
      assertOneLineNaming(second, 'LATCHKEY_DATA_DIR', /in use by another Latchkey gateway \(pid \d+\)/);
      // CLI commands still work beside the running gateway
      const env = await runCli(['env', 'create', 'beside'], base(d.path));
      assert.equal(env.code, 0, env.stderr);
      const health = await fetch(`${first.url}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      assert.equal(await first.stop(), 0, 'graceful exit code 0');
      d.remove();
    }
  });

  it('two gateways started at the same moment on one PostgreSQL database both become ready', async (t) => {
    const skip = await requirePostgres();
    if (skip) return t.skip(skip);
    const db = await createTestDatabase();
    const key = newKey();
    const dirs = [tempDir(), tempDir()];
    const env = (i: number) => ({
      ...base(dirs[i]!.path),
      LATCHKEY_DATABASE_URL: db.url,
      LATCHKEY_ENCRYPTION_KEYS: key,
    });
    const cmd = [process.execPath, 'packages/gateway/src/cli/main.ts', 'start'];
    const gateways = await Promise.all([startCli(cmd, env(0)), startCli(cmd, env(1))]);
    try {
      for (const g of gateways) {
        const r = await fetch(`${g.url}/readyz`);
        assert.equal(r.status, 200);
        assert.deepEqual(((await r.json()) as { checks: unknown }).checks, { store: 'ok', migrations: 'ok' });
      }
      const [a, b] = await Promise.all(gateways.map(async (g) => (await fetch(`${g.url}/keys`)).json()));
      assert.deepEqual(a, b, 'one signing key, shared');
      assert.equal((a as { keys: unknown[] }).keys.length, 1);
    } finally {
      await Promise.all(gateways.map((g) => g.stop()));
      await db.drop();
      for (const d of dirs) d.remove();
    }
  });

  it('`npm start` answers /healthz and prints the dev credentials', async () => {
    const d = tempDir();
    const started = Date.now();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const g = await startCli([npm, 'start', '--silent'], { ...base(d.path), LATCHKEY_LOG_LEVEL: 'info' });
    try {
      const health = await fetch(`${g.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const out = g.output();
      assert.match(out, /SCALEKIT_ENV_URL=http/);
      assert.match(out, /SCALEKIT_CLIENT_ID=lkc_/);
      assert.match(out, /SCALEKIT_CLIENT_SECRET=lks_/);
      t_log(`npm start ready in ${Date.now() - started} ms`);
    } finally {
      await g.stop('SIGINT');
      d.remove();
    }
  });
});

function t_log(msg: string) {
  process.stderr.write(`# ${msg}\n`);
}
