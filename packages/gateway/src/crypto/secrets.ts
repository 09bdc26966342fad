/**
 * High-entropy random secrets (client secrets, authorization-link tokens, MCP URL tokens) are
 * shown once and stored only as SHA-256 hashes: a database dump reveals no usable secret.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** A random secret with a readable prefix, e.g. `lks_…`; 32 bytes (256 bits) of randomness by default. */
export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Ids are UUIDs with a type prefix, e.g. `env_…`, `ca_…`: unique, not secret. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

let sequence = 0;
// Random bytes for ids come from a pool refilled 4 KiB at a time (one system call per ~680 ids).
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/**
 * Ids that sort in creation order (time, then a per-process counter, then randomness), for
 * append-only records listed newest first (account events, executions).
 */
export function newSortableId(prefix: string): string {
  sequence = (sequence + 1) % 36 ** 4;
  const time = Date.now().toString(36).padStart(9, '0');
  const seq = sequence.toString(36).padStart(4, '0');
  return `${prefix}_${time}${seq}${randomHex(6)}`;
}
