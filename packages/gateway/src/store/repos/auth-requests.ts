import type { Kysely } from 'kysely';
import type { AuthRequestsTable, Database } from '../schema.ts';

export type AuthRequestRow = AuthRequestsTable;

export function authRequestsRepo(db: Kysely<Database>) {
  return {
    async insert(row: AuthRequestRow): Promise<void> {
      await db.insertInto('auth_requests').values(row).execute();
    },
    async findByLinkHash(hash: string): Promise<AuthRequestRow | undefined> {
      return db.selectFrom('auth_requests').selectAll().where('link_hash', '=', hash).executeTakeFirst();
    },
    async findByFlowState(hash: string): Promise<AuthRequestRow | undefined> {
      return db
        .selectFrom('auth_requests')
        .selectAll()
        .where('flow_state_hash', '=', hash)
        .executeTakeFirst();
    },
    async find(environmentId: string, id: string): Promise<AuthRequestRow | undefined> {
      return db
        .selectFrom('auth_requests')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** Marks the link used; false when it already was (single use, even under races). */
    async consumeLink(id: string, now: number, patch: Partial<AuthRequestRow>): Promise<boolean> {
      const r = await db
        .updateTable('auth_requests')
        .set({ ...patch, used_at: now, updated_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Moves the request from one status to another; false when it was not in `from` any more. */
    async transition(
      id: string,
      from: AuthRequestRow['status'],
      patch: Partial<AuthRequestRow>,
    ): Promise<boolean> {
      const r = await db
        .updateTable('auth_requests')
        .set(patch)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
