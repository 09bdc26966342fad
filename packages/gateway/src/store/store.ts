/**
 * The store port: Kysely over node:sqlite (embedded, one process) or PostgreSQL (many processes).
 * One migration set, one repository layer (./repos), the same typed errors on both.
 */
import { Kysely, sql, type Transaction } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationNames, migrationProvider } from './migrations/index.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './schema.ts';
import { acquireGatewayLock, openSqlite, sqliteFile } from './sqlite.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  databaseUrl: string;
  dataDir: string;
  poolSize?: number;
  /** Gateways take the embedded lock; CLI commands do not. */
  gatewayLock?: boolean;
}

export interface Store {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Where the data lives, with any password removed (for messages). */
  readonly location: string;
  migrate(): Promise<string[]>;
  pendingMigrations(): Promise<string[]>;
  ping(): Promise<void>;
  /**
   * Runs `fn` in a transaction that holds the named lock: a PostgreSQL advisory transaction lock
   * (so gateways starting together serialize), or SQLite's own write lock.
   */
  withLock<T>(name: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const MIGRATION_TABLE = 'latchkey_migrations';
const MIGRATION_LOCK_TABLE = 'latchkey_migrations_lock';

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:\/\/[^@/]*@/, '://***@');
  }
}

export class StoreUnavailableError extends Error {
  constructor(location: string, cause: unknown) {
    const c = cause as { code?: string; message?: string };
    super(`cannot reach the database at ${location}: ${c?.code ?? c?.message ?? String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl.startsWith('postgres')) {
    const { dialect } = openPostgres(options.databaseUrl, options.poolSize ?? 10);
    const db = new Kysely<Database>({ dialect });
    const store = makeStore('postgres', db, redactUrl(options.databaseUrl), async () => {});
    try {
      await store.ping();
    } catch (e) {
      await db.destroy();
      throw new StoreUnavailableError(store.location, e);
    }
    return store;
  }
  const file = sqliteFile(options.databaseUrl, options.dataDir);
  const lock = options.gatewayLock ? acquireGatewayLock(file) : undefined;
  try {
    const { dialect } = openSqlite(file);
    const db = new Kysely<Database>({ dialect });
    return makeStore('sqlite', db, file, async () => lock?.release());
  } catch (e) {
    lock?.release();
    throw e;
  }
}

function makeStore(
  dialect: Dialect,
  db: Kysely<Database>,
  location: string,
  onClose: () => Promise<void>,
): Store {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  let closed = false;
  return {
    dialect,
    db,
    location,
    async migrate() {
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async pendingMigrations() {
      const applied = new Set<string>();
      try {
        const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
        for (const r of rows.rows) applied.add(r.name);
      } catch {
        // no migration table yet: everything is pending
      }
      return migrationNames().filter((n) => !applied.has(n));
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    withLock(name, fn) {
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
        return fn(trx);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await onClose();
    },
  };
}
