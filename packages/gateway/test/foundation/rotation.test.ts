import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rotateSecrets } from '../../src/crypto/rotate.ts';
import { openRuntime } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { signingKeysRepo } from '../../src/store/repos/signing-keys.ts';
import { DIALECTS, newKey, setupConfig } from '../helpers/env.ts';

for (const dialect of DIALECTS) {
  describe(`keys rotate (${dialect})`, () => {
    it('secrets written under key A are readable after rotating to key B with A removed', async (t) => {
      const keyA = newKey();
      const keyB = newKey();
      const setup = await setupConfig(t, dialect, { encryptionKeys: [keyA] });
      if (!setup) return;
      const logger = createLogger('silent');
      try {
        const a = await openRuntime({ config: setup.config, logger });
        const token = await a.signer.sign(
          { sub: 'x' },
          { audience: 'aud', issuer: 'iss', expiresInSeconds: 60 },
        );
        const [before] = await signingKeysRepo(a.store.db).list();
        assert.equal(a.keyring.keyIdOf(before!.private_key_enc), a.keyring.primaryKeyId);
        await a.close();

        // B first (encrypts), A still present (decrypts) while gateways keep serving.
        const both = await openRuntime({ config: { ...setup.config, encryptionKeys: [keyB, keyA] }, logger });
        const lines: string[] = [];
        const reports = await rotateSecrets(both.store, both.keyring, (l) => lines.push(l));
        assert.equal(
          reports.reduce((n, r) => n + r.reEncrypted, 0),
          1,
        );
        assert.match(lines.join('\n'), /signing_keys.private_key_enc: 1 re-encrypted/);
        const again = await rotateSecrets(both.store, both.keyring);
        assert.equal(
          again.reduce((n, r) => n + r.reEncrypted, 0),
          0,
          'idempotent',
        );
        await both.close();

        // A removed: everything still decrypts, and old tokens still verify.
        const b = await openRuntime({ config: { ...setup.config, encryptionKeys: [keyB] }, logger });
        const [after] = await signingKeysRepo(b.store.db).list();
        assert.equal(b.keyring.keyIdOf(after!.private_key_enc), b.keyring.primaryKeyId);
        assert.notEqual(after!.private_key_enc, before!.private_key_enc);
        assert.equal((await b.signer.verify(token, { audience: 'aud', issuer: 'iss' }))['sub'], 'x');
        await b.close();

        // And with only A, the store can no longer be opened: the rotation really happened.
        await assert.rejects(
          () => openRuntime({ config: { ...setup.config, encryptionKeys: [keyA] }, logger }),
          /not in the key ring/,
        );
      } finally {
        await setup.cleanup();
      }
    });
  });
}
