import type { Kysely } from 'kysely';
import { newId } from '../../crypto/secrets.ts';
import { found, orConflict } from '../errors.ts';
import type { Database, EnvironmentsTable } from '../schema.ts';

export type Environment = EnvironmentsTable;

export function environmentsRepo(db: Kysely<Database>) {
  return {
    async create(name: string, now: number): Promise<Environment> {
      const row: Environment = { id: newId('env'), name, created_at: now };
      await orConflict(`environment "${name}" already exists`, () =>
        db.insertInto('environments').values(row).execute(),
      );
      return row;
    },
    async list(): Promise<Environment[]> {
      return db.selectFrom('environments').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    async findByName(name: string): Promise<Environment | undefined> {
      return db.selectFrom('environments').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async getByName(name: string): Promise<Environment> {
      return found(await this.findByName(name), `environment "${name}" not found`);
    },
    async get(id: string): Promise<Environment> {
      return found(
        await db.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirst(),
        `environment ${id} not found`,
      );
    },
  };
}
