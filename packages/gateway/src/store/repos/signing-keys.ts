import type { Kysely } from 'kysely';
import type { Database, SigningKeysTable } from '../schema.ts';

export type SigningKeyRow = SigningKeysTable;

export function signingKeysRepo(db: Kysely<Database>) {
  return {
    async list(): Promise<SigningKeyRow[]> {
      return db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    },
    async insert(row: SigningKeyRow): Promise<void> {
      await db.insertInto('signing_keys').values(row).execute();
    },
  };
}
