/** Test fixtures: temp dirs, configs for each dialect, gateways. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { createTestDatabase, requirePostgres } from './pg.ts';

export type DialectName = 'sqlite' | 'postgres';
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export function tempDir(prefix = 'latchkey-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const newKey = (): string => randomBytes(32).toString('base64');

export interface TestSetup {
  config: Config;
  cleanup(): Promise<void>;
}

/**
 * A configuration for one dialect with its own data dir (and database on PostgreSQL).
 * Returns undefined after skipping the test when PostgreSQL is missing on a laptop.
 */
export async function setupConfig(
  t: TestContext,
  dialect: DialectName,
  overrides: Partial<Config> = {},
): Promise<TestSetup | undefined> {
  const dir = tempDir();
  let dropDb = async () => {};
  let databaseUrl = 'sqlite';
  if (dialect === 'postgres') {
    const skip = await requirePostgres();
    if (skip) {
      dir.remove();
      t.skip(skip);
      return undefined;
    }
    const db = await createTestDatabase();
    databaseUrl = db.url;
    dropDb = () => db.drop();
  }
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      port: 0,
      logLevel: 'silent',
      databaseUrl,
      encryptionKeys: dialect === 'postgres' ? [newKey()] : [],
      ...overrides,
    },
  });
  return {
    config,
    async cleanup() {
      await dropDb();
      dir.remove();
    },
  };
}

/** Starts a listening gateway; registers cleanup on the test. */
export async function startGateway(t: TestContext, dialect: DialectName, overrides: Partial<Config> = {}) {
  const setup = await setupConfig(t, dialect, overrides);
  if (!setup) return undefined;
  const gateway: Gateway = await createGateway({ config: setup.config, logger: createLogger('silent') });
  await gateway.listen();
  t.after(async () => {
    await gateway.close();
    await setup.cleanup();
  });
  return gateway;
}

/** Creates an environment and a client; returns credentials. */
export async function devClient(gateway: Gateway, envName = 'dev') {
  if (!(await gateway.apiAccess.findEnvironmentByName(envName)))
    await gateway.apiAccess.createEnvironment(envName);
  const { client, clientSecret, environment } = await gateway.apiAccess.createClient(envName);
  return { clientId: client.id, clientSecret, environmentId: environment.id };
}
