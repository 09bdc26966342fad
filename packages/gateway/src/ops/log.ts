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

export const REDACT_PATHS = [
  ...SECRET_KEYS.map((k) => (k.includes('-') ? `["${k}"]` : k)),
  ...SECRET_KEYS.map((k) => (k.includes('-') ? `*["${k}"]` : `*.${k}`)),
  ...SECRET_KEYS.map((k) => (k.includes('-') ? `*.*["${k}"]` : `*.*.${k}`)),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
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
