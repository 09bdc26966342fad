/**
 * Embedded storage on `node:sqlite` (no native addon): a Kysely SqliteDialect over DatabaseSync,
 * WAL mode, foreign keys on, a prepared-statement cache, and the gateway lock that keeps a second
 * gateway process off the same file.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

const STATEMENT_CACHE_SIZE = 500;

export function sqliteFile(databaseUrl: string, dataDir: string): string {
  if (databaseUrl === 'sqlite') return `${dataDir}/latchkey.db`;
  const rest = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (rest === '' || rest === ':memory:') throw new Error('LATCHKEY_DATABASE_URL: sqlite needs a file path');
  return rest;
}

/** Adapts node:sqlite's DatabaseSync to the better-sqlite3-shaped interface Kysely expects. */
function adapt(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, { stmt: StatementSync; reader: boolean }>();
  const prepare = (sql: string) => {
    let entry = cache.get(sql);
    if (!entry) {
      const stmt = db.prepare(sql);
      entry = { stmt, reader: stmt.columns().length > 0 };
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, entry);
    }
    return entry;
  };
  type Param = null | number | bigint | string | NodeJS.ArrayBufferView;
  const bind = (params: ReadonlyArray<unknown>): Param[] =>
    params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : (p as Param)));
  return {
    close: () => db.close(),
    prepare(sql): SqliteStatement {
      const { stmt, reader } = prepare(sql);
      return {
        reader,
        all: (params) => stmt.all(...bind(params)),
        run: (params) => stmt.run(...bind(params)),
        iterate: (params) => stmt.iterate(...bind(params)) as IterableIterator<unknown>,
      };
    },
  };
}

export function openSqlite(file: string): { dialect: SqliteDialect; raw: DatabaseSync } {
  mkdirSync(dirname(file), { recursive: true });
  const raw = new DatabaseSync(file, { timeout: 5000 });
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  return { dialect: new SqliteDialect({ database: adapt(raw) }), raw };
}

export class GatewayLockedError extends Error {
  constructor(file: string, holder: string | undefined) {
    super(
      `the database ${file} is in use by another Latchkey gateway${holder ? ` (pid ${holder})` : ''}; ` +
        'the embedded store serves one process: stop the other gateway, use another LATCHKEY_DATA_DIR, or use PostgreSQL for many processes',
    );
    this.name = 'GatewayLockedError';
  }
}

/**
 * Takes an exclusive lock that only gateway processes take (CLI commands such as `env create`
 * still open the database, which WAL allows). The OS drops it when the process dies.
 */
export function acquireGatewayLock(file: string): { release(): void } {
  const lockFile = `${file}.gateway-lock`;
  const pidFile = `${file}.gateway-pid`;
  const lock = new DatabaseSync(lockFile, { timeout: 0 });
  try {
    lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch {
    lock.close();
    let holder: string | undefined;
    try {
      holder = readFileSync(pidFile, 'utf8').trim() || undefined;
    } catch {
      holder = undefined;
    }
    throw new GatewayLockedError(file, holder);
  }
  writeFileSync(pidFile, String(process.pid));
  return {
    release() {
      lock.close();
      rmSync(pidFile, { force: true });
    },
  };
}

export function isSqliteUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errcode?: number };
  // SQLITE_CONSTRAINT_UNIQUE = 2067, SQLITE_CONSTRAINT_PRIMARYKEY = 1555
  return err?.code === 'ERR_SQLITE_ERROR' && (err.errcode === 2067 || err.errcode === 1555);
}
