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
    destination,
  );
}

/** Path prefixes whose next segment is a secret (never logged). */
const SECRET_SEGMENT_PREFIXES = ['/connect/', '/mcp/v1/', '/mcp/i/'];

export function safePath(path: string): string {
  for (const prefix of SECRET_SEGMENT_PREFIXES) {
    if (path.startsWith(prefix)) {
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      return `${prefix}[redacted]${slash === -1 ? '' : rest.slice(slash)}`;
    }
  }
  return path;
}
