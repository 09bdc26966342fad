import type { Kysely } from 'kysely';
import type { Database, ExecutionsTable } from '../schema.ts';

export type ExecutionRow = ExecutionsTable;

export function executionsRepo(db: Kysely<Database>) {
  return {
    async insert(row: ExecutionRow): Promise<void> {
      await db.insertInto('executions').values(row).execute();
    },
    /** Several rows in one statement (the write-behind batch of the execution service). */
    async insertMany(rows: ExecutionRow[]): Promise<void> {
      if (rows.length > 0) await db.insertInto('executions').values(rows).execute();
    },
    async list(
      environmentId: string,
      filter: { tool?: string | undefined; accountId?: string | undefined; identifier?: string | undefined },
      limit: number,
      before?: string | undefined,
    ): Promise<ExecutionRow[]> {
      let q = db.selectFrom('executions').selectAll().where('environment_id', '=', environmentId);
      if (filter.tool) q = q.where('tool', '=', filter.tool);
      if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
      if (filter.identifier) q = q.where('identifier', '=', filter.identifier);
      if (before) q = q.where('id', '<', before);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    async get(environmentId: string, id: string): Promise<ExecutionRow | undefined> {
      return db
        .selectFrom('executions')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** Deletes records older than `before`; returns how many. */
    async prune(before: number): Promise<number> {
      const r = await db.deleteFrom('executions').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
