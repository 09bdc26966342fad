import { CompiledQuery, type Kysely, sql } from 'kysely';
import { newSortableId } from '../../crypto/secrets.ts';
import { found, orConflict } from '../errors.ts';
import { escapeLike, listPage, type Page } from '../pagination.ts';
import type { AccountEventType, AccountStatus, ConnectedAccountsTable, Database } from '../schema.ts';

export type AccountRow = ConnectedAccountsTable;

export interface AccountListFilter {
  connectionIds?: string[] | undefined;
  identifier?: string | undefined;
  query?: string | undefined;
}

/**
 * What decides whether a resolved account and its credentials are still current: every column a
 * write to the account, its connection or its custom connector changes. Compared, never trusted.
 */
export interface AccessStamp {
  status: AccountStatus;
  version: number;
  updated_at: number;
  token_expires_at: number | null;
  credentials_enc: string | null;
  connection_name: string;
  connection_enabled: number;
  connection_updated_at: number;
  connector_updated_at: number | null;
}

/** The stamp query, compiled once per database handle (the hot path runs it on every call). */
const stampQueries = new WeakMap<Kysely<Database>, CompiledQuery>();

export function accountsRepo(db: Kysely<Database>) {
  const scoped = (environmentId: string) =>
    db.selectFrom('connected_accounts').selectAll().where('environment_id', '=', environmentId);
  return {
    async insert(row: AccountRow): Promise<void> {
      await orConflict(`a connected account for "${row.identifier}" already exists on this connection`, () =>
        db.insertInto('connected_accounts').values(row).execute(),
      );
    },
    async find(environmentId: string, id: string): Promise<AccountRow | undefined> {
      return scoped(environmentId).where('id', '=', id).executeTakeFirst();
    },
    async get(environmentId: string, id: string): Promise<AccountRow> {
      return found(await this.find(environmentId, id), `connected account ${id} not found`);
    },
    /** The account's AccessStamp, in one indexed query built once (see AccessStamp). */
    async stamp(id: string): Promise<AccessStamp | undefined> {
      let compiled = stampQueries.get(db);
      if (!compiled) {
        compiled = db
          .selectFrom('connected_accounts as a')
          .innerJoin('connections as k', 'k.id', 'a.connection_id')
          .leftJoin('custom_connectors as c', (j) =>
            j.onRef('c.environment_id', '=', 'k.environment_id').onRef('c.slug', '=', 'k.connector'),
          )
          .select([
            'a.status',
            'a.version',
            'a.updated_at',
            'a.token_expires_at',
            'a.credentials_enc',
            'k.name as connection_name',
            'k.enabled as connection_enabled',
            'k.updated_at as connection_updated_at',
            'c.updated_at as connector_updated_at',
          ])
          .where('a.id', '=', '?')
          .compile();
        stampQueries.set(db, compiled);
      }
      const { rows } = await db.executeQuery(CompiledQuery.raw(compiled.sql, [id]));
      return rows[0] as AccessStamp | undefined;
    },
    /** By id only: for background work that is not acting for a caller. */
    async findById(id: string): Promise<AccountRow | undefined> {
      return db.selectFrom('connected_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findByIdentifier(environmentId: string, connectionId: string, identifier: string) {
      return scoped(environmentId)
        .where('connection_id', '=', connectionId)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
    },
    async listByIdentifier(environmentId: string, identifier: string): Promise<AccountRow[]> {
      return scoped(environmentId).where('identifier', '=', identifier).orderBy('created_at').execute();
    },
    async list(
      environmentId: string,
      filter: AccountListFilter,
      page: Page,
    ): Promise<{ rows: AccountRow[]; total: number }> {
      let q = db.selectFrom('connected_accounts').where('environment_id', '=', environmentId);
      if (filter.connectionIds) {
        if (filter.connectionIds.length === 0) return { rows: [], total: 0 };
        q = q.where('connection_id', 'in', filter.connectionIds);
      }
      if (filter.identifier) q = q.where('identifier', '=', filter.identifier);
      if (filter.query) {
        const like = `%${escapeLike(filter.query)}%`;
        q = q.where(sql<boolean>`lower(identifier) like ${like} escape '\\'`);
      }
      return listPage(q, page);
    },
    async update(environmentId: string, id: string, patch: Partial<AccountRow>): Promise<AccountRow> {
      await db
        .updateTable('connected_accounts')
        .set(patch)
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .execute();
      return this.get(environmentId, id);
    },
    /** Writes credentials only if nobody else did since `version` was read; returns whether it did. */
    async compareAndSetCredentials(
      id: string,
      version: number,
      patch: Partial<AccountRow>,
    ): Promise<boolean> {
      const r = await db
        .updateTable('connected_accounts')
        .set({ ...patch, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Locks the row for the rest of the transaction (PostgreSQL); SQLite's writer lock covers it. */
    async lockForUpdate(id: string, dialect: 'sqlite' | 'postgres'): Promise<AccountRow | undefined> {
      // call on a repo bound to a transaction
      const q = db.selectFrom('connected_accounts').selectAll().where('id', '=', id);
      return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
    },
    async delete(environmentId: string, id: string): Promise<void> {
      await db
        .deleteFrom('connected_accounts')
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .execute();
    },
    async touch(ids: string[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('connected_accounts').set({ last_used_at: at }).where('id', 'in', ids).execute();
    },
    /** Accounts whose OAuth token expires before `before` and whose lease is free. */
    async dueForRefresh(before: number, now: number, limit: number): Promise<AccountRow[]> {
      return db
        .selectFrom('connected_accounts')
        .selectAll()
        .where('status', '=', 'ACTIVE')
        .where('token_expires_at', 'is not', null)
        .where('token_expires_at', '<', before)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('token_expires_at')
        .limit(limit)
        .execute();
    },
    /** Takes the refresh lease if it is free; true when this caller holds it now. */
    async takeLease(id: string, owner: string, now: number, until: number): Promise<boolean> {
      const r = await db
        .updateTable('connected_accounts')
        .set({ lease_owner: owner, lease_until: until })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async releaseLease(id: string, owner: string): Promise<void> {
      await db
        .updateTable('connected_accounts')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute();
    },
    async recordEvent(
      account: { id: string; environment_id: string },
      type: AccountEventType,
      reason: string | null,
      at: number,
    ) {
      await db
        .insertInto('account_events')
        .values({
          id: newSortableId('evt'),
          account_id: account.id,
          environment_id: account.environment_id,
          type,
          reason,
          at,
        })
        .execute();
    },
    async events(environmentId: string, accountId: string, limit = 200) {
      return db
        .selectFrom('account_events')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('account_id', '=', accountId)
        .orderBy('at', 'desc')
        .orderBy(sql`id`, 'desc')
        .limit(limit)
        .execute();
    },
    async countByStatus(environmentId: string): Promise<Record<AccountStatus, number>> {
      const rows = await db
        .selectFrom('connected_accounts')
        .select(['status', (eb) => eb.fn.countAll().as('n')])
        .where('environment_id', '=', environmentId)
        .groupBy('status')
        .execute();
      const out = { ACTIVE: 0, EXPIRED: 0, PENDING_AUTH: 0, PENDING_VERIFICATION: 0, DISCONNECTED: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },
  };
}
