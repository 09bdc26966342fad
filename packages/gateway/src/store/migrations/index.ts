/**
 * The one migration set, in order. Each migration is a module with `up(db)`; names sort in order.
 * Add a migration by adding a file and a line here; never edit one that has shipped.
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m001 from './001_foundation.ts';
import * as m002 from './002_accounts.ts';
import * as m003 from './003_executions.ts';
import * as m004 from './004_mcp.ts';
import * as m005 from './005_custom_connectors.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001_foundation': m001,
  '002_accounts': m002,
  '003_executions': m003,
  '004_mcp': m004,
  '005_custom_connectors': m005,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const migrationNames = (): string[] => Object.keys(MIGRATIONS).sort();
