import { CompiledQuery, type Kysely, sql } from 'kysely';
import { found, orConflict } from '../errors.ts';
import { escapeLike, listPage, type Page } from '../pagination.ts';
import type { ConnectionsTable, Database, McpConfigsTable, McpInstancesTable } from '../schema.ts';
import { CONNECTION_COLUMNS, type MappedConnection } from './mcp-configs.ts';

export type McpInstanceRow = McpInstancesTable;

export interface McpInstanceFilter {
  id?: string | undefined;
  name?: string | undefined;
  configId?: string | undefined;
  identifier?: string | undefined;
  /** Substring of the name or identifier, case-insensitive. */
  search?: string | undefined;
}

const INSTANCE_COLUMNS = [
  'id',
  'environment_id',
  'config_id',
  'name',
  'identifier',
  'url_hash',
  'url_nonce',
  'url_key_id',
  'last_used_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof McpInstanceRow)[];

export function mcpInstancesRepo(db: Kysely<Database>) {
  let scopeQuery: CompiledQuery | undefined;
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
    /**
     * The instance a URL token hash belongs to, its config and the config's mapped connections, in
     * one query (the MCP hot path: every request reads it, so revocation is immediate).
     */
    async findScopeByUrlHash(
      urlHash: string,
    ): Promise<
      { instance: McpInstanceRow; config: McpConfigsTable; mappings: MappedConnection[] } | undefined
    > {
      // built and compiled once, executed with each request's hash (no query building per request)
      scopeQuery ??= db
        .selectFrom('mcp_instances as i')
        .innerJoin('mcp_configs as c', 'c.id', 'i.config_id')
        .leftJoin('mcp_config_connections as m', 'm.config_id', 'c.id')
        .leftJoin('connections as k', 'k.id', 'm.connection_id')
        .selectAll('i')
        .select([
          'c.name as c_name',
          'c.description as c_description',
          'c.server_id as c_server_id',
          'c.created_at as c_created_at',
          'c.updated_at as c_updated_at',
          'm.tools as m_tools',
          'm.position as m_position',
          ...CONNECTION_COLUMNS.map((col) => `k.${col} as k_${col}` as const),
        ])
        .where('i.url_hash', '=', '?')
        .compile();
      const rows = (await db.executeQuery(CompiledQuery.raw(scopeQuery.sql, [urlHash]))).rows as Record<
        string,
        unknown
      >[];
      const first = rows[0];
      if (!first) return undefined;
      const instance = Object.fromEntries(
        INSTANCE_COLUMNS.map((col) => [col, first[col]]),
      ) as unknown as McpInstanceRow;
      const config: McpConfigsTable = {
        id: instance.config_id,
        environment_id: instance.environment_id,
        name: first['c_name'] as string,
        description: first['c_description'] as string,
        server_id: first['c_server_id'] as string,
        created_at: first['c_created_at'] as number,
        updated_at: first['c_updated_at'] as number,
      };
      const mappings = rows
        .filter((r) => r['k_id'] !== null && r['k_id'] !== undefined)
        .sort((a, b) => (a['m_position'] as number) - (b['m_position'] as number))
        .map((r) => ({
          tools: JSON.parse(r['m_tools'] as string) as string[],
          connection: Object.fromEntries(
            CONNECTION_COLUMNS.map((col) => [col, r[`k_${col}`]]),
          ) as unknown as ConnectionsTable,
        }));
      return { instance, config, mappings };
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
      return listPage(q, page);
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
