import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../errors.ts';
import type { Database, McpClientsTable } from '../schema.ts';

export type McpClientRow = McpClientsTable;

/** OAuth clients registered at upstream MCP authorization servers, one per connection. */
export function mcpClientsRepo(db: Kysely<Database>) {
  return {
    async find(connectionId: string): Promise<McpClientRow | undefined> {
      return db
        .selectFrom('mcp_clients')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
    },
    /** Inserts; false when another process registered first (the caller re-reads). */
    async insert(row: McpClientRow): Promise<boolean> {
      try {
        await db.insertInto('mcp_clients').values(row).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
    /** Replaces the client `previousClientId` (compare-and-set); false when someone replaced it first. */
    async replace(previousClientId: string, row: McpClientRow): Promise<boolean> {
      const r = await db
        .updateTable('mcp_clients')
        .set(row)
        .where('connection_id', '=', row.connection_id)
        .where('client_id', '=', previousClientId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
