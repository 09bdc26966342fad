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
