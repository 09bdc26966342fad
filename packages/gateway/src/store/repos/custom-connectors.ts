import type { Kysely } from 'kysely';
import { found, orConflict } from '../errors.ts';
import type { CustomConnectorsTable, Database } from '../schema.ts';

export type CustomConnectorRow = CustomConnectorsTable;

export function customConnectorsRepo(db: Kysely<Database>) {
  const scoped = (environmentId: string) =>
    db.selectFrom('custom_connectors').selectAll().where('environment_id', '=', environmentId);
  return {
    async insert(row: CustomConnectorRow): Promise<void> {
      await orConflict(`a connector "${row.slug}" already exists in this environment`, () =>
        db.insertInto('custom_connectors').values(row).execute(),
      );
    },
    async find(environmentId: string, slug: string): Promise<CustomConnectorRow | undefined> {
      return scoped(environmentId).where('slug', '=', slug).executeTakeFirst();
    },
    async get(environmentId: string, slug: string): Promise<CustomConnectorRow> {
      return found(await this.find(environmentId, slug), `no custom connector "${slug}" in this environment`);
    },
    async list(environmentId: string): Promise<CustomConnectorRow[]> {
      return scoped(environmentId).orderBy('created_at').orderBy('id').execute();
    },
    async update(environmentId: string, slug: string, patch: Partial<CustomConnectorRow>): Promise<void> {
      await db
        .updateTable('custom_connectors')
        .set(patch)
        .where('environment_id', '=', environmentId)
        .where('slug', '=', slug)
        .execute();
    },
    async delete(environmentId: string, slug: string): Promise<boolean> {
      const r = await db
        .deleteFrom('custom_connectors')
        .where('environment_id', '=', environmentId)
        .where('slug', '=', slug)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
