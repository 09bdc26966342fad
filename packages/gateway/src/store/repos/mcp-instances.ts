import { type Kysely, sql } from 'kysely';
import { found, orConflict } from '../errors.ts';
import type { Page } from '../pagination.ts';
import type { Database, McpConfigsTable, McpInstancesTable } from '../schema.ts';

export type McpInstanceRow = McpInstancesTable;

export interface McpInstanceFilter {
  id?: string | undefined;
  name?: string | undefined;
  configId?: string | undefined;
  identifier?: string | undefined;
  /** Substring of the name or identifier, case-insensitive. */
  search?: string | undefined;
}

const escapeLike = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

export function mcpInstancesRepo(db: Kysely<Database>) {
  const scoped = (environmentId: string) =>
    db.selectFrom('mcp_instances').selectAll().where('environment_id', '=', environmentId);
  return {
    async insert(row: McpInstanceRow): Promise<void> {
      await orConflict(`an MCP instance of this config already exists for "${row.identifier}"`, () =>
        db.insertInto('mcp_instances').values(row).execute(),
      );
    },
    async find(environmentId: string, id: string): Promise<McpInstanceRow | undefined> {
      return scoped(environmentId).where('id', '=', id).executeTakeFirst();
    },
    async get(environmentId: string, id: string): Promise<McpInstanceRow> {
      return found(await this.find(environmentId, id), `MCP instance ${id} not found`);
    },
    async findByUser(environmentId: string, configId: string, identifier: string) {
      return scoped(environmentId)
        .where('config_id', '=', configId)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
    },
    /** The instance a URL token hash belongs to, with its config (one query: the MCP hot path). */
    async findByUrlHash(
      urlHash: string,
    ): Promise<{ instance: McpInstanceRow; config: McpConfigsTable } | undefined> {
      const r = await db
        .selectFrom('mcp_instances as i')
        .innerJoin('mcp_configs as c', 'c.id', 'i.config_id')
        .selectAll('i')
        .select([
          'c.name as c_name',
          'c.description as c_description',
          'c.server_id as c_server_id',
          'c.created_at as c_created_at',
          'c.updated_at as c_updated_at',
        ])
        .where('i.url_hash', '=', urlHash)
        .executeTakeFirst();
      if (!r) return undefined;
      const { c_name, c_description, c_server_id, c_created_at, c_updated_at, ...instance } = r;
      return {
        instance,
        config: {
          id: instance.config_id,
          environment_id: instance.environment_id,
          name: c_name,
          description: c_description,
          server_id: c_server_id,
          created_at: c_created_at,
          updated_at: c_updated_at,
        },
      };
    },
    async list(
      environmentId: string,
      f: McpInstanceFilter,
      page: Page,
    ): Promise<{ rows: McpInstanceRow[]; total: number }> {
      let q = db.selectFrom('mcp_instances').where('environment_id', '=', environmentId);
      if (f.id) q = q.where('id', '=', f.id);
      if (f.name) q = q.where('name', '=', f.name);
      if (f.configId) q = q.where('config_id', '=', f.configId);
      if (f.identifier) q = q.where('identifier', '=', f.identifier);
      if (f.search) {
        const like = `%${escapeLike(f.search)}%`;
        q = q.where(
          sql<boolean>`(lower(name) like ${like} escape '\\' or lower(identifier) like ${like} escape '\\')`,
        );
      }
      const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await q
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { rows, total };
    },
    async update(environmentId: string, id: string, patch: Partial<McpInstanceRow>): Promise<McpInstanceRow> {
      await orConflict('an MCP instance of that config already exists for this identifier', () =>
        db
          .updateTable('mcp_instances')
          .set(patch)
          .where('environment_id', '=', environmentId)
          .where('id', '=', id)
          .execute(),
      );
      return this.get(environmentId, id);
    },
    async touch(ids: string[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('mcp_instances').set({ last_used_at: at }).where('id', 'in', ids).execute();
    },
    async delete(environmentId: string, id: string): Promise<boolean> {
      const r = await db
        .deleteFrom('mcp_instances')
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
