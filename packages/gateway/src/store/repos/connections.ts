import { type Kysely, sql } from 'kysely';
import { found, orConflict } from '../errors.ts';
import { escapeLike, listPage, type Page } from '../pagination.ts';
import type { ConnectionsTable, Database } from '../schema.ts';

export type ConnectionRow = ConnectionsTable;

export function connectionsRepo(db: Kysely<Database>) {
  const scoped = (environmentId: string) =>
    db.selectFrom('connections').selectAll().where('environment_id', '=', environmentId);
  return {
    async insert(row: ConnectionRow): Promise<void> {
      await orConflict(`a connection named "${row.name}" already exists in this environment`, () =>
        db.insertInto('connections').values(row).execute(),
      );
    },
    async find(environmentId: string, id: string): Promise<ConnectionRow | undefined> {
      return scoped(environmentId).where('id', '=', id).executeTakeFirst();
    },
    async get(environmentId: string, id: string): Promise<ConnectionRow> {
      return found(await this.find(environmentId, id), `connection ${id} not found`);
    },
    async findByName(environmentId: string, name: string): Promise<ConnectionRow | undefined> {
      return scoped(environmentId).where('name', '=', name).executeTakeFirst();
    },
    async listByConnector(environmentId: string, connector: string): Promise<ConnectionRow[]> {
      return scoped(environmentId)
        .where('connector', '=', connector)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async list(
      environmentId: string,
      filter: { connector?: string | undefined; query?: string | undefined },
      page: Page,
    ): Promise<{ rows: ConnectionRow[]; total: number }> {
      let q = db.selectFrom('connections').where('environment_id', '=', environmentId);
      if (filter.connector) q = q.where('connector', '=', filter.connector);
      if (filter.query) {
        const like = `%${escapeLike(filter.query)}%`;
        q = q.where(
          sql<boolean>`(lower(name) like ${like} escape '\\' or connector like ${like} escape '\\')`,
        );
      }
      return listPage(q, page);
    },
    async update(environmentId: string, id: string, patch: Partial<ConnectionRow>): Promise<ConnectionRow> {
      await db
        .updateTable('connections')
        .set(patch)
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .execute();
      return this.get(environmentId, id);
    },
    async delete(environmentId: string, id: string): Promise<boolean> {
      const r = await db
        .deleteFrom('connections')
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
