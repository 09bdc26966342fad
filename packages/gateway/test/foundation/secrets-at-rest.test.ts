/** A raw read of the database finds no secret and no private key in plaintext. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { aadFor } from '../../src/crypto/encrypted-columns.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { signingKeysRepo } from '../../src/store/repos/signing-keys.ts';
import { DIALECTS, setupConfig } from '../helpers/env.ts';

function rawDump(dialect: string, dataDir: string, databaseUrl: string): string {
  if (dialect === 'sqlite') {
    // the database file and its WAL, byte for byte
    return readdirSync(dataDir)
      .filter((f) => f.startsWith('latchkey.db'))
      .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
      .join('\n');
  }
  return execFileSync('pg_dump', ['--data-only', databaseUrl], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

for (const dialect of DIALECTS) {
  describe(`secrets at rest (${dialect})`, () => {
    it('stores client secrets as hashes and private keys encrypted', async (t) => {
      const setup = await setupConfig(t, dialect);
      if (!setup) return;
      const gw = await createGateway({ config: setup.config, logger: createLogger('silent') });
      try {
        await gw.apiAccess.createEnvironment('prod');
        const { clientSecret } = await gw.apiAccess.createClient('prod');
        const [key] = await signingKeysRepo(gw.store.db).list();
        const pem = gw.keyring.decrypt(
          key!.private_key_enc,
          aadFor('signing_keys', key!.kid, 'private_key_enc'),
        );
        const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
        assert.ok(pemBody.length > 10);
        const dump = rawDump(dialect, setup.config.dataDir, setup.config.databaseUrl);
        assert.ok(dump.includes(key!.kid), 'the dump is readable (sanity check of the check)');
        assert.ok(!dump.includes(clientSecret), 'client secret not in plaintext');
        assert.ok(!dump.includes(clientSecret.slice(4, 30)), 'no fragment of the client secret');
        assert.ok(!dump.includes('PRIVATE KEY'), 'no PEM private key');
        for (const line of pemBody.slice(1, 4)) assert.ok(!dump.includes(line), 'no line of the private key');
        const jwk = JSON.parse(key!.public_jwk) as Record<string, unknown>;
        assert.equal(jwk['d'], undefined, 'the stored JWK is public only');
      } finally {
        await gw.close();
        await setup.cleanup();
      }
    });
  });
}
