import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, derivePublicUrl, loadConfig, SETTINGS } from '../../src/config/config.ts';
import { newKey, tempDir } from '../helpers/env.ts';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/srv/app' });

describe('configuration', () => {
  it('defaults give a working embedded set-up', () => {
    const c = load({});
    assert.equal(c.dataDir, '/srv/app/.latchkey');
    assert.equal(c.port, 8787);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.databaseUrl, 'sqlite');
    assert.deepEqual(c.encryptionKeys, []);
    assert.equal(c.maxBodyBytes, 1024 * 1024);
    assert.equal(derivePublicUrl(c, 8787), 'http://127.0.0.1:8787');
    assert.equal(derivePublicUrl({ ...c, host: '0.0.0.0' }, 9000), 'http://localhost:9000');
    assert.equal(
      derivePublicUrl({ ...c, publicUrl: 'https://lk.example.com' }, 9000),
      'https://lk.example.com',
    );
  });

  it('reads LATCHKEY_* variables', () => {
    const key = newKey();
    const c = load({
      LATCHKEY_PORT: '0',
      LATCHKEY_DATABASE_URL: 'postgres://u@db:5432/lk',
      LATCHKEY_ENCRYPTION_KEYS: `${key}, ${newKey()}`,
      LATCHKEY_PUBLIC_URL: 'https://lk.example.com/',
      LATCHKEY_DATA_DIR: '/var/lib/lk',
    });
    assert.equal(c.port, 0);
    assert.equal(c.encryptionKeys.length, 2);
    assert.equal(c.encryptionKeys[0], key);
    assert.equal(c.publicUrl, 'https://lk.example.com');
    assert.equal(c.dataDir, '/var/lib/lk');
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ LATCHKEY_PORT: 'eighty' }, 'LATCHKEY_PORT', /integer from 0 to 65535/],
    [{ LATCHKEY_PORT: '70000' }, 'LATCHKEY_PORT', /integer/],
    [{ LATCHKEY_DATABASE_URL: 'mysql://x@y/z' }, 'LATCHKEY_DATABASE_URL', /unsupported scheme "mysql:"/],
    [{ LATCHKEY_ENCRYPTION_KEYS: 'not-a-key' }, 'LATCHKEY_ENCRYPTION_KEYS', /32 bytes/],
    [{ LATCHKEY_DATABASE_URL: 'postgres://x@y/z' }, 'LATCHKEY_ENCRYPTION_KEYS', /required with PostgreSQL/],
    [{ LATCHKEY_PUBLIC_URL: 'ftp://x' }, 'LATCHKEY_PUBLIC_URL', /http or https/],
    [{ LATCHKEY_LOG_LEVEL: 'loud' }, 'LATCHKEY_LOG_LEVEL', /one of/],
    [{ LATCHKEY_TLS_CERT: '/x.pem' }, 'LATCHKEY_TLS_KEY', /both/],
  ];
  for (const [env, setting, problem] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${setting}`, () => {
      assert.throws(
        () => load(env),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.equal(e.setting, setting);
          assert.match(e.message, problem);
          assert.ok(!e.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('reads a JSON config file; variables override it; unknown keys are refused', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'latchkey.json');
      writeFileSync(file, JSON.stringify({ port: 9100, logLevel: 'debug' }));
      const c = loadConfig({ env: { LATCHKEY_CONFIG: file, LATCHKEY_LOG_LEVEL: 'warn' } });
      assert.equal(c.port, 9100);
      assert.equal(c.logLevel, 'warn');
      writeFileSync(file, JSON.stringify({ prot: 1 }));
      assert.throws(() => loadConfig({ env: { LATCHKEY_CONFIG: file } }), /prot: unknown setting/);
      writeFileSync(file, '{nope');
      assert.throws(() => loadConfig({ env: { LATCHKEY_CONFIG: file } }), /not valid JSON/);
      assert.throws(
        () => loadConfig({ env: { LATCHKEY_CONFIG: join(dir.path, 'missing.json') } }),
        /cannot read/,
      );
    } finally {
      dir.remove();
    }
  });

  it('every setting is documented in the README configuration table', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../../README.md'), 'utf8');
    for (const s of SETTINGS) assert.ok(readme.includes(`\`${s.env}\``), `README documents ${s.env}`);
  });
});
