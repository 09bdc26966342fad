// Deterministic identifiers: the same seed always yields the same ids, so examples and tests can rely on them.
import { createHash, randomBytes } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

function digest(parts: readonly (string | number)[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

function encode(bytes: Buffer, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    const byte = bytes[i % bytes.length] ?? 0;
    out += alphabet[(byte + Math.floor(i / bytes.length)) % alphabet.length];
  }
  return out;
}

/** Upper-case alphanumeric id, e.g. Slack's `C0123ABCD`. */
export function upperId(prefix: string, length: number, ...parts: (string | number)[]): string {
  return prefix + encode(digest([prefix, ...parts]), UPPER, length);
}

/** Lower-case hex id, e.g. Gmail's `18c1f2a3b4c5d6e7`. */
export function hexId(length: number, ...parts: (string | number)[]): string {
  return encode(digest(parts), HEX, length);
}

/** Positive integer id below 2^31, e.g. GitHub's numeric ids. */
export function numericId(...parts: (string | number)[]): number {
  return (digest(parts).readUInt32BE(0) % 2_000_000_000) + 1000;
}

/** RFC 4122-shaped (version 4 layout) UUID derived from the parts, e.g. Notion page ids. */
export function uuidFrom(...parts: (string | number)[]): string {
  const h = digest(parts).toString('hex');
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Random url-safe secret (client secrets). */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A counter-based id source for objects created at runtime (writes), unique per sandbox. */
export function createSequence(start = 1): () => number {
  let next = start;
  return () => next++;
}
