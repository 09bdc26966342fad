import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyring, KeyringError, keyId } from '../../src/crypto/keyring.ts';
import { newKey } from '../helpers/env.ts';

describe('key ring', () => {
  it('round-trips and puts the key id in the ciphertext', () => {
    const k = newKey();
    const ring = createKeyring([k]);
    const ct = ring.encrypt('xoxp-secret-token', 'accounts:1:credentials');
    assert.ok(!ct.includes('xoxp-secret-token'));
    assert.equal(ring.keyIdOf(ct), keyId(Buffer.from(k, 'base64')));
    assert.equal(ring.decrypt(ct, 'accounts:1:credentials'), 'xoxp-secret-token');
    assert.notEqual(ring.encrypt('same', 'a'), ring.encrypt('same', 'a'), 'random IV');
  });

  it('refuses another context, tampering and unknown keys', () => {
    const ring = createKeyring([newKey()]);
    const ct = ring.encrypt('secret', 'accounts:1:credentials');
    assert.throws(() => ring.decrypt(ct, 'accounts:2:credentials'), KeyringError);
    const last = ct.at(-2) === 'A' ? 'B' : 'A';
    assert.throws(
      () => ring.decrypt(`${ct.slice(0, -2)}${last}${ct.at(-1)}`, 'accounts:1:credentials'),
      KeyringError,
    );
    assert.throws(
      () => createKeyring([newKey()]).decrypt(ct, 'accounts:1:credentials'),
      /not in the key ring/,
    );
    assert.throws(() => ring.decrypt('plaintext', 'x'), /not a Latchkey ciphertext/);
  });

  it('the first key encrypts, every key decrypts', () => {
    const a = newKey();
    const b = newKey();
    const old = createKeyring([a]).encrypt('v', 'x');
    const ring = createKeyring([b, a]);
    assert.equal(ring.decrypt(old, 'x'), 'v');
    assert.equal(ring.keyIdOf(ring.encrypt('v', 'x')), ring.primaryKeyId);
    assert.equal(ring.primaryKeyId, keyId(Buffer.from(b, 'base64')));
  });

  it('refuses malformed keys', () => {
    assert.throws(() => createKeyring([]), KeyringError);
    assert.throws(() => createKeyring([Buffer.alloc(16).toString('base64')]), /32 bytes/);
  });
});
