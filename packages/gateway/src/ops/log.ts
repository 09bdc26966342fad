/**
 * pino JSON logs with a redaction list: credentials never reach a log line, whatever object is
 * logged. Request paths are logged through `safePath`, which hides path segments that are
 * secrets themselves (authorization-link tokens, MCP instance URLs).
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'client_secret',
  'clientSecret',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'password',
  'secret',
  'token',
  'api_key',
  'apiKey',
  'x-api-key',
  'credentials',
  'private_key',
  'code_verifier',
  'code',
];

const SECRET = new Set(SECRET_KEYS);
const CENSOR = '[redacted]';
/** How deep secret keys are looked for: `key`, `*.key`, `*.*.key`, `*.*.*.key`. */
const REDACT_DEPTH = 4;

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Array.isArray(v);
};

/**
 * Returns `value` with every SECRET_KEYS key in plain objects and arrays, down to REDACT_DEPTH
 * levels, replaced by `[redacted]`; unchanged objects are returned as they are (no copy), changed
 * ones are copied (the caller's object is never modified). One walk per log line: pino's own
 * `redact` option costs about 50 µs a line with this many wildcard paths.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth >= REDACT_DEPTH || value === null || typeof value !== 'object' || !isPlain(value)) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const src = value as Record<string, unknown>;
  for (const key in src) {
    const v = src[key];
    const next = SECRET.has(key) && v !== undefined ? CENSOR : redactSecrets(v, depth + 1);
    if (next !== v) {
      copy ??= Array.isArray(value) ? [...value] : { ...src };
      (copy as Record<string, unknown>)[key] = next;
    }
  }
  return (copy ?? value) as T;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object),
      },
    },
    // Asynchronous stdout by default: a request never waits for its log line's write (at info, a
    // synchronous write per access-log line cost a quarter of the gateway's throughput). pino
    // flushes it on exit, including on an uncaught exception; a SIGKILL can lose the last lines.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Path prefixes whose next segment is a secret (never logged): authorization links, MCP instance URLs. */
const SECRET_SEGMENT_PREFIXES = ['/connect/', '/mcp/v1/', '/mcp/v2/', '/mcp/i/'];
/** Secrets with a recognizable prefix, wherever they appear (link and MCP URL tokens). */
const SECRET_TOKENS = /\b(lkl|lkm|lkf)_[A-Za-z0-9_-]{8,}/g;

/**
 * The path as it may be logged. Percent-encoding, repeated slashes and letter case are
 * normalized first, so `//MCP/%69/<token>` is recognized as the instance URL it routes to.
 */
export function safePath(path: string): string {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    // malformed escapes: match on the raw path
  }
  p = p.replace(/\/{2,}/g, '/');
  const lower = p.toLowerCase();
  for (const prefix of SECRET_SEGMENT_PREFIXES) {
    if (lower.startsWith(prefix)) {
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      p = `${p.slice(0, prefix.length)}[redacted]${slash === -1 ? '' : rest.slice(slash)}`;
      break;
    }
  }
  return p.replace(SECRET_TOKENS, '$1_[redacted]');
}
