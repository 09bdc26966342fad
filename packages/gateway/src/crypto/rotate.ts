/**
 * `latchkey keys rotate`: re-encrypts every stored secret with the key ring's primary key.
 * Safe while gateways serve: each row is updated only if its ciphertext is still the one read
 * (compare-and-set), so a concurrent write is never overwritten with stale data.
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import { aadFor, ENCRYPTED_COLUMNS } from './encrypted-columns.ts';
import type { Keyring } from './keyring.ts';

export interface RotationReport {
  table: string;
  column: string;
  reEncrypted: number;
  alreadyCurrent: number;
}

export async function rotateSecrets(
  store: Store,
  keyring: Keyring,
  progress: (line: string) => void = () => {},
): Promise<RotationReport[]> {
  const reports: RotationReport[] = [];
  for (const col of ENCRYPTED_COLUMNS) {
    const report: RotationReport = {
      table: col.table,
      column: col.column,
      reEncrypted: 0,
      alreadyCurrent: 0,
    };
    const rows = await sql<{ id: string; value: string | null }>`
      select ${sql.ref(col.idColumn)} as id, ${sql.ref(col.column)} as value from ${sql.table(col.table)}`.execute(
      store.db,
    );
    for (const row of rows.rows) {
      if (row.value === null) continue;
      if (keyring.keyIdOf(row.value) === keyring.primaryKeyId) {
        report.alreadyCurrent++;
        continue;
      }
      await reEncryptRow(store, keyring, col.table, col.idColumn, col.column, row.id, row.value);
      report.reEncrypted++;
    }
    progress(
      `${col.table}.${col.column}: ${report.reEncrypted} re-encrypted, ${report.alreadyCurrent} already current`,
    );
    reports.push(report);
  }
  return reports;
}

/** Compare-and-set re-encryption of one value; re-reads and retries when a writer got there first. */
async function reEncryptRow(
  store: Store,
  keyring: Keyring,
  table: string,
  idColumn: string,
  column: string,
  id: string,
  value: string,
): Promise<void> {
  const aad = aadFor(table, id, column);
  let current: string | null = value;
  for (let attempt = 0; attempt < 5 && current !== null; attempt++) {
    if (keyring.keyIdOf(current) === keyring.primaryKeyId) return;
    const next = keyring.encrypt(keyring.decrypt(current, aad), aad);
    const res = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${next}
      where ${sql.ref(idColumn)} = ${id} and ${sql.ref(column)} = ${current}`.execute(store.db);
    if (Number(res.numAffectedRows ?? 0) > 0) return;
    const again = await sql<{
      value: string | null;
    }>`select ${sql.ref(column)} as value from ${sql.table(table)}
      where ${sql.ref(idColumn)} = ${id}`.execute(store.db);
    current = again.rows[0]?.value ?? null;
  }
}
