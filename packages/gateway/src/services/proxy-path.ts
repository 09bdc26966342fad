/**
 * Where a proxied request goes: the connection's API base URL + the caller's path, which can never
 * leave the base. Pure functions; every refusal is an `invalid_argument` naming the rule.
 *
 * The caller's path (after `/proxy`) is refused when it
 *  - has characters outside RFC 3986 `pchar` and `/` (backslashes, spaces, quotes, braces,
 *    non-ASCII: send them percent-encoded), a fragment, or control characters in the query;
 *  - has an empty segment (`//host`, `a//b`), so nothing reads as an authority;
 *  - has a dot segment `.` or `..` in any spelling once percent-decoding is applied repeatedly
 *    (`%2e%2e`, `%252e%252E`, `..%2f`, `..;x` path parameters), or a decoded backslash or
 *    control character (`%5c`, `%00`, `%0d%0a`);
 *  - starts like an absolute URL or userinfo (`http:`, `x@host`) in its first segment.
 * The joined URL is then parsed again: its origin must be the base's and its path must be exactly
 * base path + caller path (nothing normalised away), or it is refused too.
 */
import { invalidArgument, type LatchkeyError } from '../errors.ts';

export interface UpstreamLocation {
  /** `https://api.example.com` */
  origin: string;
  /** Base path + caller path + query, as sent upstream (`/api/v1/x?y=1`). */
  path: string;
}

const MAX_TARGET = 8192;
const PATH_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const QUERY_CHARS = /^[\x21-\x22\x24-\x7e]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x1f\x7f]/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

const refuse = (why: string): LatchkeyError =>
  invalidArgument('path', `the proxy path ${why}; it must stay under the connection's API base URL`);

const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const ESCAPED = /%[0-9A-Fa-f]{2}/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes percent-escapes byte by byte until none is left (at most 4 rounds), so double encoding
 * cannot hide a dot segment. Bytes above 0x7f must form valid UTF-8 (overlong forms such as
 * `%c0%ae`, read as `.` by lax decoders, are refused).
 */
function decodeFully(segment: string): string {
  let current = segment;
  for (let i = 0; i < 4 && ESCAPED.test(current); i++) {
    current = current.replace(ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
  if (ESCAPED.test(current)) throw refuse('is percent-encoded too many times');
  if (/[\x80-\xff]/.test(current)) {
    try {
      utf8.decode(Buffer.from(current, 'latin1'));
    } catch {
      throw refuse('has percent-encoded bytes that are not UTF-8');
    }
  }
  return current;
}

function checkSegment(segment: string, first: boolean): void {
  const decoded = decodeFully(segment);
  if (CONTROL.test(decoded)) throw refuse('has control characters');
  if (decoded.includes('\\')) throw refuse('has a backslash');
  if (decoded.includes('//')) throw refuse('has an encoded empty segment (//)');
  for (const piece of decoded.split('/')) {
    const bare = piece.split(';')[0];
    if (bare === '.' || bare === '..') throw refuse('has a dot segment (. or ..)');
  }
  if (first && (decoded.includes('@') || SCHEME.test(decoded) || decoded.startsWith('/'))) {
    throw refuse('starts like an absolute URL or userinfo');
  }
}

const bases = new Map<string, { origin: string; path: string }>();

function parseBase(baseUrl: string): { origin: string; path: string } {
  let base = bases.get(baseUrl);
  if (base === undefined) {
    const u = new URL(baseUrl);
    base = { origin: u.origin, path: u.pathname.replace(/\/+$/, '') };
    if (bases.size > 10_000) bases.clear();
    bases.set(baseUrl, base);
  }
  return base;
}

/** Accepted joins (base + target → location), bounded; refusals are not kept. */
const joined = new Map<string, UpstreamLocation>();
const JOINED_MAX = 10_000;

/**
 * Joins the base URL and the caller's request target (path and optional query, after `/proxy`).
 * Throws LatchkeyError `invalid_argument` (field `path`) when the target could leave the base.
 */
export function joinProxyPath(baseUrl: string, target: string): UpstreamLocation {
  const key = `${baseUrl} ${target}`;
  const known = joined.get(key);
  if (known) return known;
  const location = join(baseUrl, target);
  if (joined.size >= JOINED_MAX) joined.clear();
  joined.set(key, location);
  return location;
}

function join(baseUrl: string, target: string): UpstreamLocation {
  if (target.length > MAX_TARGET) throw refuse(`is longer than ${MAX_TARGET} characters`);
  const t = target === '' ? '/' : target;
  if (!t.startsWith('/')) throw refuse('must start with /');
  if (t.includes('#')) throw refuse('has a fragment (#)');
  const q = t.indexOf('?');
  const path = q === -1 ? t : t.slice(0, q);
  const query = q === -1 ? undefined : t.slice(q + 1);
  if (!PATH_CHARS.test(path)) {
    throw refuse(
      path.includes('\\')
        ? 'has a backslash'
        : 'has characters that must be percent-encoded (space, quotes, braces, non-ASCII)',
    );
  }
  if (path.includes('//')) throw refuse('has an empty segment (//)');
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) checkSegment(segments[i]!, i === 1);
  if (query !== undefined && !QUERY_CHARS.test(query))
    throw refuse('has a query with spaces or control characters');

  const base = parseBase(baseUrl);
  const full = base.path + path;
  // Defence in depth: the URL parser must see the same origin and path (nothing normalised away).
  const check = new URL(base.origin + full);
  if (check.origin !== base.origin || check.pathname !== full || check.username || check.password) {
    throw refuse('does not resolve under the base URL');
  }
  return { origin: base.origin, path: query === undefined ? full : `${full}?${query}` };
}

/**
 * Adds credential query parameters (API keys in the query) to a joined path; a caller's
 * parameter of the same name is dropped so the upstream sees exactly one, ours.
 */
export function withQueryCredentials(path: string, params: Record<string, string>): string {
  const names = Object.keys(params);
  if (names.length === 0) return path;
  const q = path.indexOf('?');
  const base = q === -1 ? path : path.slice(0, q);
  const kept =
    q === -1
      ? []
      : path
          .slice(q + 1)
          .split('&')
          .filter((pair) => {
            if (pair === '') return false;
            const eq = pair.indexOf('=');
            const raw = eq === -1 ? pair : pair.slice(0, eq);
            let name: string;
            try {
              name = decodeURIComponent(raw.replace(/\+/g, ' '));
            } catch {
              return true;
            }
            return !names.includes(name);
          });
  for (const name of names)
    kept.push(`${encodeURIComponent(name)}=${encodeURIComponent(params[name] ?? '')}`);
  return `${base}?${kept.join('&')}`;
}
