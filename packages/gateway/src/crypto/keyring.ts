/**
 * Key ring: AES-256-GCM with the key id in every ciphertext.
 * Format: `lk1.<kid>.<base64url(iv[12] | ciphertext | tag[16])>`.
 * The first key encrypts; every key decrypts. The key id is derived from the key (first 8 bytes
 * of SHA-256 over a label and the key), so it is stable across processes and reveals nothing.
 * Callers pass associated data (e.g. `connected_accounts:<id>:credentials`) so a ciphertext
 * cannot be moved to another row or column.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'lk1';

export interface Keyring {
  /** Id of the key that encrypts. */
  readonly primaryKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
  /** Key id of a ciphertext, or undefined when it is not ours. */
  keyIdOf(ciphertext: string): string | undefined;
  /**
   * HMAC-SHA256 of `data` under a subkey of key `kid` (default: the primary key) for `purpose`:
   * secrets derived from it (MCP instance URLs) can be shown again while the database holds only
   * their hash. Undefined when `kid` is no longer in the ring.
   */
  mac(purpose: string, data: string, kid?: string): { kid: string; mac: Buffer } | undefined;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('latchkey-key-id:').update(key).digest('hex').slice(0, 16);
}

export function createKeyring(base64Keys: readonly string[]): Keyring {
  if (base64Keys.length === 0) throw new KeyringError('the key ring needs at least one key');
  const keys = new Map<string, Buffer>();
  const ids: string[] = [];
  for (const k of base64Keys) {
    const key = Buffer.from(k, 'base64');
    if (key.length !== 32) throw new KeyringError('every key must be 32 bytes (base64)');
    const id = keyId(key);
    if (!keys.has(id)) ids.push(id);
    keys.set(id, key);
  }
  const primaryKeyId = ids[0]!;
  const primary = keys.get(primaryKeyId)!;

  return {
    primaryKeyId,
    keyIds: ids,
    encrypt(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const blob = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${PREFIX}.${primaryKeyId}.${blob.toString('base64url')}`;
    },
    decrypt(ciphertext, aad) {
      const parts = ciphertext.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX) throw new KeyringError('not a Latchkey ciphertext');
      const key = keys.get(parts[1]!);
      if (!key)
        throw new KeyringError(`ciphertext was encrypted with key ${parts[1]}, which is not in the key ring`);
      const blob = Buffer.from(parts[2]!, 'base64url');
      if (blob.length < 28) throw new KeyringError('ciphertext is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      try {
        return Buffer.concat([
          decipher.update(blob.subarray(12, blob.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new KeyringError(
          'ciphertext failed authentication (wrong key, wrong context or tampered data)',
        );
      }
    },
    keyIdOf(ciphertext) {
      const parts = ciphertext.split('.');
      return parts.length === 3 && parts[0] === PREFIX ? parts[1] : undefined;
    },
    mac(purpose, data, kid = primaryKeyId) {
      const key = keys.get(kid);
      if (!key) return undefined;
      const subkey = createHmac('sha256', key).update(`latchkey-mac:${purpose}`).digest();
      return { kid, mac: createHmac('sha256', subkey).update(data, 'utf8').digest() };
    },
  };
}

/**
 * Embedded mode without configured keys: use (or create) `<dataDir>/encryption.key`.
 * Returns the keys and whether the file was generated now.
 */
export function loadOrCreateKeyFile(dataDir: string): { keys: string[]; file: string; created: boolean } {
  const file = join(dataDir, 'encryption.key');
  if (existsSync(file)) {
    const keys = readFileSync(file, 'utf8')
      .split(/[\s,]+/)
      .filter((k) => k !== '');
    return { keys, file, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { keys: [key], file, created: true };
}
