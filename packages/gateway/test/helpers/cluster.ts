/**
 * Two real gateway processes (`gateway-process.ts`) on one fresh PostgreSQL database and the
 * sandbox catalog, plus an in-process admin runtime on the same database for set-up and
 * inspection. Skips on a laptop without PostgreSQL (fails under CI); everything is stopped, the
 * database dropped and the directories removed after the test.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Sandbox, startSandbox } from '@latchkey/sandbox';
import { loadConfig } from '../../src/config/config.ts';
import { sandboxCatalog } from '../../src/dev/sandbox-catalog.ts';
import { openRuntime, type Runtime } from '../../src/gateway.ts';
import { createLogger } from '../../src/ops/log.ts';
import { newKey, tempDir } from './env.ts';
import { createTestDatabase, requirePostgres } from './pg.ts';
import { type Running, startCli } from './process.ts';

const GATEWAY = join(import.meta.dirname, 'gateway-process.ts');

export interface Cluster {
  sandbox: Sandbox;
  gateways: Running[];
  /** Each gateway's own base URL. */
  bases: string[];
  admin: Runtime;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function startCluster(
  t: TestContext,
  opts: {
    /** Both gateways (and the admin) advertise the first one's URL, as behind one load balancer. */
    sharedPublicUrl?: boolean;
    /** Extra LATCHKEY_* settings for both gateways. */
    env?: Record<string, string>;
  } = {},
): Promise<Cluster | undefined> {
  const skip = await requirePostgres();
  if (skip) {
    t.skip(skip);
    return undefined;
  }
  const db = await createTestDatabase();
  const sandbox = await startSandbox();
  const key = newKey();
  const dirs = [tempDir(), tempDir(), tempDir()];
  const ports = opts.sharedPublicUrl ? [await freePort(), await freePort()] : [0, 0];
  const publicUrl = opts.sharedPublicUrl ? `http://127.0.0.1:${ports[0]}` : undefined;
  const env = (i: number) => ({
    LATCHKEY_DATA_DIR: dirs[i]!.path,
    LATCHKEY_DATABASE_URL: db.url,
    LATCHKEY_ENCRYPTION_KEYS: key,
    LATCHKEY_PORT: String(ports[i]),
    LATCHKEY_REFRESH_INTERVAL: '0',
    LATCHKEY_TEST_SANDBOX: JSON.stringify(sandbox.providers),
    ...(publicUrl ? { LATCHKEY_PUBLIC_URL: publicUrl } : {}),
    ...opts.env,
  });
  const gateways = await Promise.all([0, 1].map((i) => startCli([process.execPath, GATEWAY], env(i))));
  const admin = await openRuntime({
    config: loadConfig({
      env: {},
      overrides: {
        dataDir: dirs[2]!.path,
        databaseUrl: db.url,
        encryptionKeys: [key],
        ...(publicUrl ? { publicUrl } : {}),
      },
    }),
    logger: createLogger('silent'),
    ...sandboxCatalog(sandbox),
  });
  t.after(async () => {
    await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
    await admin.close();
    await sandbox.close();
    await db.drop();
    for (const d of dirs) d.remove();
  });
  const bases = opts.sharedPublicUrl ? ports.map((p) => `http://127.0.0.1:${p}`) : gateways.map((g) => g.url);
  return { sandbox, gateways, bases, admin };
}
