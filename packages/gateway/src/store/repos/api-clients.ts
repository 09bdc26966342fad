import type { Kysely } from 'kysely';
import { found } from '../errors.ts';
import type { ApiClientsTable, Database } from '../schema.ts';

export type ApiClient = ApiClientsTable;

export function apiClientsRepo(db: Kysely<Database>) {
  return {
    async insert(row: ApiClient): Promise<void> {
      await db.insertInto('api_clients').values(row).execute();
    },
    async find(id: string): Promise<ApiClient | undefined> {
      return db.selectFrom('api_clients').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listByEnvironment(environmentId: string): Promise<ApiClient[]> {
      return db
        .selectFrom('api_clients')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .orderBy('created_at')
        .execute();
    },
    async revoke(id: string, now: number): Promise<ApiClient> {
      await db
        .updateTable('api_clients')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return found(await this.find(id), `API client ${id} not found`);
    },
    async touch(id: string, now: number): Promise<void> {
      await db.updateTable('api_clients').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
