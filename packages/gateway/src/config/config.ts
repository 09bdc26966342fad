/**
 * Configuration: LATCHKEY_* environment variables over an optional JSON config file over defaults.
 * Every setting is declared once in SETTINGS (name, env var, parser, default, doc); the README's
 * configuration table is checked against this list by a test.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { EgressPolicyError, parseEgressPolicy } from '../egress/ssrf-guard.ts';

export interface Config {
  /** Directory for embedded storage, generated keys and dev files. */
  dataDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Public base URL of this gateway (links, redirect URIs, MCP URLs). Derived from host:port unless set. */
  publicUrl: string | undefined;
  /** `sqlite` (embedded, in dataDir), `sqlite:/path/file.db`, or `postgres://…`. */
  databaseUrl: string;
  dbPoolSize: number;
  /** Base64 AES-256 keys; the first encrypts, all decrypt. Empty: embedded mode generates a key file. */
  encryptionKeys: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
  accessTokenTtlSeconds: number;
  /** Authorization links: time to live. */
  authLinkTtlSeconds: number;
  /** Refresh OAuth tokens this long before they expire. */
  refreshMarginSeconds: number;
  /** How often the background refresher looks for accounts to refresh; 0 disables it. */
  refreshIntervalSeconds: number;
  /** Days to keep tool execution records. */
  executionRetentionDays: number;
  /** Largest request body `/proxy` forwards (bytes). */
  proxyMaxRequestBytes: number;
  /** Largest response body `/proxy` passes back (bytes). */
  proxyMaxResponseBytes: number;
  /** `/proxy`: time for the provider's response headers, and longest silence in a body (seconds). */
  proxyTimeoutSeconds: number;
  /** Special-purpose networks egress may reach from URLs built from input (see egress/ssrf-guard.ts). */
  egressAllow: string[];
  /** Browser origins allowed to call the MCP servers (besides the public URL's own). */
  mcpAllowedOrigins: string[];
  /** Where the config came from, for messages. */
  configFile: string | undefined;
}

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`invalid setting ${setting}: ${problem}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

type Parser<T> = (raw: string | number | boolean | string[], setting: string) => T;

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  parse: Parser<Config[K]>;
  default: Config[K] | ((c: Partial<Config>) => Config[K]);
  doc: string;
}

const int =
  (min: number, max: number): Parser<number> =>
  (raw, setting) => {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(setting, `must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    }
    return n;
  };

const str: Parser<string> = (raw, setting) => {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new ConfigError(setting, 'must be a non-empty string');
  return raw.trim();
};

const optStr: Parser<string | undefined> = (raw, setting) => (raw === '' ? undefined : str(raw, setting));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const logLevel: Parser<Config['logLevel']> = (raw, setting) => {
  const v = String(raw).trim().toLowerCase();
  const found = LOG_LEVELS.find((l) => l === v);
  if (!found)
    throw new ConfigError(setting, `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`);
  return found;
};

const url: Parser<string | undefined> = (raw, setting) => {
  if (raw === '') return undefined;
  const s = str(raw, setting).replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(setting, `must be an absolute http(s) URL (got ${JSON.stringify(raw)})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(setting, `must use http or https (got ${u.protocol})`);
  }
  if (u.search || u.hash || u.username || u.password) {
    throw new ConfigError(setting, 'must not contain a query, fragment or credentials');
  }
  return s;
};

const databaseUrl: Parser<string> = (raw, setting) => {
  const s = str(raw, setting);
  if (s === 'sqlite' || s.startsWith('sqlite:')) return s;
  if (s.startsWith('postgres://') || s.startsWith('postgresql://')) {
    try {
      new URL(s);
    } catch {
      throw new ConfigError(setting, 'is not a valid postgres:// URL');
    }
    return s;
  }
  const scheme = s.includes(':') ? s.slice(0, s.indexOf(':') + 1) : s;
  throw new ConfigError(
    setting,
    `unsupported scheme ${JSON.stringify(scheme)}; use sqlite, sqlite:/path/to/file.db or postgres://…`,
  );
};

const keys: Parser<string[]> = (raw, setting) => {
  const list = (Array.isArray(raw) ? raw : String(raw).split(','))
    .map((k) => String(k).trim())
    .filter((k) => k !== '');
  list.forEach((k, i) => {
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(k) ? Buffer.from(k, 'base64') : undefined;
    if (bytes?.length !== 32) {
      throw new ConfigError(
        setting,
        `key #${i + 1} must be 32 bytes encoded in base64 (generate one with: openssl rand -base64 32)`,
      );
    }
  });
  return list;
};

const path: Parser<string | undefined> = (raw, setting) => optStr(raw, setting);

const egressAllow: Parser<string[]> = (raw, setting) => {
  const list = (Array.isArray(raw) ? raw : String(raw).split(',')).map((x) => String(x).trim());
  try {
    parseEgressPolicy(list);
  } catch (e) {
    if (e instanceof EgressPolicyError) throw new ConfigError(setting, e.message);
    throw e;
  }
  return list.filter((x) => x !== '');
};

const LOOPBACK_HOSTS = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const origins: Parser<string[]> = (raw, setting) =>
  (Array.isArray(raw) ? raw : String(raw).split(','))
    .map((o) => String(o).trim())
    .filter((o) => o !== '')
    .map((o) => {
      if (o === '*') return o;
      let u: URL;
      try {
        u = new URL(o);
      } catch {
        throw new ConfigError(
          setting,
          `${JSON.stringify(o)} is not an origin such as https://app.example.com`,
        );
      }
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== o.replace(/\/$/, ''))
        throw new ConfigError(
          setting,
          `${JSON.stringify(o)} is not an origin such as https://app.example.com`,
        );
      return u.origin;
    });

/** Declared in the order the README lists them. */
export const SETTINGS: Setting<keyof Config>[] = [
  s({
    key: 'dataDir',
    env: 'LATCHKEY_DATA_DIR',
    parse: str,
    default: './.latchkey',
    doc: 'Directory for the embedded database, generated keys and `dev.env`.',
  }),
  s({
    key: 'host',
    env: 'LATCHKEY_HOST',
    parse: str,
    default: '127.0.0.1',
    doc: 'Interface to listen on (`0.0.0.0` for all).',
  }),
  s({
    key: 'port',
    env: 'LATCHKEY_PORT',
    parse: int(0, 65535),
    default: 8787,
    doc: 'Port for HTTP/1.1, gRPC (h2c or TLS) and MCP; `0` picks a free port and logs it.',
  }),
  s({
    key: 'publicUrl',
    env: 'LATCHKEY_PUBLIC_URL',
    parse: url,
    default: undefined,
    doc: 'Public base URL used in links, redirect URIs and MCP URLs. Default: `http(s)://<host>:<port>`.',
  }),
  s({
    key: 'databaseUrl',
    env: 'LATCHKEY_DATABASE_URL',
    parse: databaseUrl,
    default: 'sqlite',
    doc: '`sqlite` (file in the data directory), `sqlite:/path/file.db`, or `postgres://user@host:5432/db`.',
  }),
  s({
    key: 'dbPoolSize',
    env: 'LATCHKEY_DB_POOL_SIZE',
    parse: int(1, 1000),
    default: 10,
    doc: 'PostgreSQL connection pool size per process.',
  }),
  s({
    key: 'encryptionKeys',
    env: 'LATCHKEY_ENCRYPTION_KEYS',
    parse: keys,
    default: [],
    doc: 'Comma-separated base64 AES-256 keys; the first encrypts, all decrypt. Required on PostgreSQL; embedded mode generates `<dataDir>/encryption.key` when unset.',
  }),
  s({
    key: 'logLevel',
    env: 'LATCHKEY_LOG_LEVEL',
    parse: logLevel,
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent.',
  }),
  s({
    key: 'tlsCert',
    env: 'LATCHKEY_TLS_CERT',
    parse: path,
    default: undefined,
    doc: 'PEM certificate file; with `LATCHKEY_TLS_KEY`, the port serves HTTPS and gRPC over TLS (ALPN).',
  }),
  s({
    key: 'tlsKey',
    env: 'LATCHKEY_TLS_KEY',
    parse: path,
    default: undefined,
    doc: 'PEM private key file for `LATCHKEY_TLS_CERT`.',
  }),
  s({
    key: 'maxBodyBytes',
    env: 'LATCHKEY_MAX_BODY_BYTES',
    parse: int(1024, 1024 ** 3),
    default: 1024 * 1024,
    doc: 'Largest API request body accepted (bytes).',
  }),
  s({
    key: 'shutdownTimeoutMs',
    env: 'LATCHKEY_SHUTDOWN_TIMEOUT_MS',
    parse: int(0, 600_000),
    default: 10_000,
    doc: 'On SIGTERM/SIGINT, how long in-flight requests may finish before connections are closed.',
  }),
  s({
    key: 'accessTokenTtlSeconds',
    env: 'LATCHKEY_ACCESS_TOKEN_TTL',
    parse: int(10, 86_400),
    default: 3600,
    doc: 'Lifetime of API access tokens issued at `/oauth/token` (seconds).',
  }),
  s({
    key: 'authLinkTtlSeconds',
    env: 'LATCHKEY_AUTH_LINK_TTL',
    parse: int(10, 7 * 86_400),
    default: 600,
    doc: 'Lifetime of authorization links (seconds).',
  }),
  s({
    key: 'refreshMarginSeconds',
    env: 'LATCHKEY_REFRESH_MARGIN',
    parse: int(0, 86_400),
    default: 300,
    doc: 'Refresh OAuth tokens this many seconds before they expire.',
  }),
  s({
    key: 'refreshIntervalSeconds',
    env: 'LATCHKEY_REFRESH_INTERVAL',
    parse: int(0, 86_400),
    default: 60,
    doc: 'How often the background refresher runs (seconds); `0` disables it.',
  }),
  s({
    key: 'executionRetentionDays',
    env: 'LATCHKEY_EXECUTION_RETENTION_DAYS',
    parse: int(0, 3650),
    default: 30,
    doc: 'Days to keep tool execution records; `0` keeps none.',
  }),
  s({
    key: 'proxyMaxRequestBytes',
    env: 'LATCHKEY_PROXY_MAX_REQUEST_BYTES',
    parse: int(0, 1024 ** 4),
    default: 32 * 1024 * 1024,
    doc: 'Largest request body `/proxy` forwards to a provider (bytes); larger ones get 413.',
  }),
  s({
    key: 'proxyMaxResponseBytes',
    env: 'LATCHKEY_PROXY_MAX_RESPONSE_BYTES',
    parse: int(0, 1024 ** 4),
    default: 1024 * 1024 * 1024,
    doc: 'Largest response body `/proxy` passes back (bytes): a larger declared length gets 502, a longer stream is cut.',
  }),
  s({
    key: 'proxyTimeoutSeconds',
    env: 'LATCHKEY_PROXY_TIMEOUT',
    parse: int(1, 3600),
    default: 60,
    doc: '`/proxy`: how long a provider may take to answer, and the longest silence while a body streams (seconds); then 504.',
  }),
  s({
    key: 'egressAllow',
    env: 'LATCHKEY_EGRESS_ALLOW',
    parse: egressAllow,
    default: (c) => (LOOPBACK_HOSTS.test(c.host ?? '') ? ['loopback'] : []),
    doc: 'Special networks provider calls built from input may reach besides public addresses: `loopback`, `private`, `link-local`, CIDRs, `none` or `any`. Default: `loopback` when `LATCHKEY_HOST` is a loopback address, else `none`.',
  }),
  s({
    key: 'mcpAllowedOrigins',
    env: 'LATCHKEY_MCP_ALLOWED_ORIGINS',
    parse: origins,
    default: [],
    doc: 'Comma-separated browser origins (`https://app.example.com`) allowed to call the MCP servers, besides the public URL and, on a loopback host, localhost; `*` allows any.',
  }),
];

function s<K extends keyof Config>(setting: Setting<K>): Setting<keyof Config> {
  return setting as unknown as Setting<keyof Config>;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; also taken from LATCHKEY_CONFIG. */
  configFile?: string | undefined;
  /** Values that win over everything (used by `latchkey dev` and tests). */
  overrides?: Partial<Config>;
  cwd?: string;
}

/** Loads and validates the configuration; throws ConfigError naming the setting. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = options.configFile ?? (env['LATCHKEY_CONFIG'] || undefined);
  const fileValues = configFile ? readConfigFile(resolve(cwd, configFile)) : {};
  const out: Partial<Config> = {};
  const known = new Set(SETTINGS.map((x) => x.key as string));
  for (const k of Object.keys(fileValues)) {
    if (!known.has(k))
      throw new ConfigError(`${configFile}: ${k}`, `unknown setting; known: ${[...known].join(', ')}`);
  }
  for (const setting of SETTINGS) {
    const override = options.overrides?.[setting.key];
    if (override !== undefined) {
      (out as Record<string, unknown>)[setting.key] = override;
      continue;
    }
    const fromEnv = env[setting.env];
    const fromFile = fileValues[setting.key];
    if (fromEnv !== undefined && fromEnv !== '') {
      (out as Record<string, unknown>)[setting.key] = setting.parse(fromEnv, setting.env);
    } else if (fromFile !== undefined) {
      (out as Record<string, unknown>)[setting.key] = setting.parse(
        fromFile as string | number | string[],
        `${setting.key} (in ${configFile})`,
      );
    } else {
      const d = setting.default;
      (out as Record<string, unknown>)[setting.key] = typeof d === 'function' ? d(out) : d;
    }
  }
  const config = { ...(out as Config), configFile };
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError(
      config.tlsCert ? 'LATCHKEY_TLS_KEY' : 'LATCHKEY_TLS_CERT',
      'TLS needs both LATCHKEY_TLS_CERT and LATCHKEY_TLS_KEY',
    );
  }
  if (config.databaseUrl.startsWith('postgres') && config.encryptionKeys.length === 0) {
    throw new ConfigError(
      'LATCHKEY_ENCRYPTION_KEYS',
      'is required with PostgreSQL (generate one with: openssl rand -base64 32); only the embedded set-up generates a key file',
    );
  }
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      'LATCHKEY_CONFIG',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('LATCHKEY_CONFIG', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('LATCHKEY_CONFIG', `${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** The public URL: configured, or derived from the actual listening host and port. */
export function derivePublicUrl(config: Config, actualPort: number): string {
  if (config.publicUrl) return config.publicUrl;
  const scheme = config.tlsCert ? 'https' : 'http';
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${h}:${actualPort}`;
}
