import { type Kysely, sql } from 'kysely';
import { found, orConflict } from '../errors.ts';
import { escapeLike, listPage, type Page } from '../pagination.ts';
import type { ConnectionsTable, Database, McpConfigConnectionsTable, McpConfigsTable } from '../schema.ts';

export type McpConfigRow = McpConfigsTable;
export type McpMappingRow = McpConfigConnectionsTable;

/** A config's mapping with its connection row, in mapping order. */
export interface MappedConnection {
  tools: string[];
  connection: ConnectionsTable;
}

export interface McpConfigFilter {
  id?: string | undefined;
  /** Case-insensitive exact name. */
  name?: string | undefined;
  /** Connector slug one of the config's connections uses. */
  connector?: string | undefined;
  serverId?: string | undefined;
  /** Name prefix, case-insensitive. */
  search?: string | undefined;
}

export const CONNECTION_COLUMNS = [
  'id',
  'environment_id',
  'name',
  'connector',
  'enabled',
  'scopes',
  'oauth_client_id',
  'oauth_client_secret_enc',
  'use_platform_credentials',
  'settings',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ConnectionsTable)[];

export function mcpConfigsRepo(db: Kysely<Database>) {
  /** Mappings of several configs at once, each list in mapping order. */
  async function mappingsOf(configIds: string[]): Promise<Map<string, MappedConnection[]>> {
    const out = new Map<string, MappedConnection[]>(configIds.map((id) => [id, []]));
    if (configIds.length === 0) return out;
    const rows = await db
      .selectFrom('mcp_config_connections as m')
      .innerJoin('connections as c', 'c.id', 'm.connection_id')
      .select(['m.config_id', 'm.tools', 'm.position', ...CONNECTION_COLUMNS.map((k) => `c.${k}` as const)])
      .where('m.config_id', 'in', configIds)
      .orderBy('m.config_id')
      .orderBy('m.position')
      .execute();
    for (const r of rows) {
      const { config_id, tools, position: _, ...connection } = r;
      out.get(config_id)?.push({ tools: JSON.parse(tools) as string[], connection });
    }
    return out;
  }

  return {
    mappingsOf,

    /** Inserts a config and its mappings in one transaction. */
    async insert(row: McpConfigRow, mappings: { connectionId: string; tools: string[] }[]): Promise<void> {
      await orConflict(`an MCP config named "${row.name}" already exists in this environment`, () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('mcp_configs').values(row).execute();
          if (mappings.length > 0) {
            await trx
              .insertInto('mcp_config_connections')
              .values(
                mappings.map((m, i) => ({
                  config_id: row.id,
                  connection_id: m.connectionId,
                  position: i,
                  tools: JSON.stringify(m.tools),
                })),
              )
              .execute();
          }
        }),
      );
    },

    async find(environmentId: string, id: string): Promise<McpConfigRow | undefined> {
      return db
        .selectFrom('mcp_configs')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async get(environmentId: string, id: string): Promise<McpConfigRow> {
      return found(await this.find(environmentId, id), `MCP config ${id} not found`);
    },
    async findByName(environmentId: string, name: string): Promise<McpConfigRow | undefined> {
      return db
        .selectFrom('mcp_configs')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('name', '=', name)
        .executeTakeFirst();
    },
    /** By the static server URL's id (any environment: the caller checks the token's). */
    async findByServerId(serverId: string): Promise<McpConfigRow | undefined> {
      return db.selectFrom('mcp_configs').selectAll().where('server_id', '=', serverId).executeTakeFirst();
    },

    async list(
      environmentId: string,
      f: McpConfigFilter,
      page: Page,
    ): Promise<{ rows: McpConfigRow[]; total: number }> {
      let q = db.selectFrom('mcp_configs').where('environment_id', '=', environmentId);
      if (f.id) q = q.where('id', '=', f.id);
      if (f.name) q = q.where(sql<boolean>`lower(name) = ${f.name.toLowerCase()}`);
      if (f.serverId) q = q.where('server_id', '=', f.serverId);
      if (f.search) q = q.where(sql<boolean>`lower(name) like ${`${escapeLike(f.search)}%`} escape '\\'`);
      if (f.connector) {
        const connector = f.connector;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('mcp_config_connections as m')
              .innerJoin('connections as c', 'c.id', 'm.connection_id')
              .select('m.config_id')
              .whereRef('m.config_id', '=', 'mcp_configs.id')
              .where('c.connector', '=', connector),
          ),
        );
      }
      return listPage(q, page);
    },

    /** Updates the description and/or replaces the mappings, in one transaction. */
    async update(
      environmentId: string,
      id: string,
      patch: { description?: string; updatedAt: number },
      mappings: { connectionId: string; tools: string[] }[] | undefined,
    ): Promise<McpConfigRow> {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('mcp_configs')
          .set({
            updated_at: patch.updatedAt,
            ...(patch.description === undefined ? {} : { description: patch.description }),
          })
          .where('environment_id', '=', environmentId)
          .where('id', '=', id)
          .execute();
        if (mappings) {
          await trx.deleteFrom('mcp_config_connections').where('config_id', '=', id).execute();
          if (mappings.length > 0) {
            await trx
              .insertInto('mcp_config_connections')
              .values(
                mappings.map((m, i) => ({
                  config_id: id,
                  connection_id: m.connectionId,
                  position: i,
                  tools: JSON.stringify(m.tools),
                })),
              )
              .execute();
          }
        }
      });
      return this.get(environmentId, id);
    },

    async delete(environmentId: string, id: string): Promise<boolean> {
      const r = await db
        .deleteFrom('mcp_configs')
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type McpConfigsRepo = ReturnType<typeof mcpConfigsRepo>;
