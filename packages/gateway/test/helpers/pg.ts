/**
 * PostgreSQL for tests: each test gets its own database, dropped afterwards.
 * Without a reachable server the test is skipped on a laptop, and fails under CI=true.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env['LATCHKEY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let available: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return available;
}

/** Returns a skip reason, or undefined when PostgreSQL is usable. Throws under CI. */
export async function requirePostgres(): Promise<string | undefined> {
  if (await postgresAvailable()) return undefined;
  if (process.env['CI'] === 'true')
    throw new Error(`PostgreSQL is required under CI but ${PG_ADMIN_URL} is unreachable`);
  return `PostgreSQL not reachable at ${PG_ADMIN_URL}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
