/** PostgreSQL storage: a pooled `pg` client behind Kysely's PostgresDialect. */
import { PostgresDialect } from 'kysely';
import pg from 'pg';

export function openPostgres(url: string, poolSize: number): { dialect: PostgresDialect; pool: pg.Pool } {
  // Per-pool type parsers (no global mutation): bigint (int8) columns hold epoch milliseconds and
  // counts, all far below 2^53, so they are returned as numbers like SQLite's integers.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20
        ? (v: string) => Number.parseInt(v, 10)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}

export function isPostgresUniqueViolation(e: unknown): boolean {
  return (e as { code?: string })?.code === '23505';
}
