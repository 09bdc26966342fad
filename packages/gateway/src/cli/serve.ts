/** `latchkey start` and `latchkey dev`: run a gateway until a signal, then shut down gracefully. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError } from '../config/config.ts';
import { KeyringError } from '../crypto/keyring.ts';
import { createGateway, type Gateway } from '../gateway.ts';
import { PortInUseError } from '../server/listen.ts';
import { GatewayLockedError } from '../store/sqlite.ts';
import { StoreUnavailableError } from '../store/store.ts';

/** Names the setting behind a start-up failure, in one line. */
export function explainStartupError(e: unknown): Error {
  if (e instanceof ConfigError) return e;
  if (e instanceof StoreUnavailableError) return new ConfigError('LATCHKEY_DATABASE_URL', e.message);
  if (e instanceof PortInUseError) return new ConfigError('LATCHKEY_PORT', e.message);
  if (e instanceof GatewayLockedError) return new ConfigError('LATCHKEY_DATA_DIR', e.message);
  if (e instanceof KeyringError) return new ConfigError('LATCHKEY_ENCRYPTION_KEYS', e.message);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
    return new ConfigError('LATCHKEY_HOST', `cannot listen: ${(e as Error).message}`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

async function startGateway(config: Config): Promise<Gateway> {
  let gateway: Gateway | undefined;
  try {
    gateway = await createGateway({ config });
    await gateway.listen();
    return gateway;
  } catch (e) {
    await gateway?.close().catch(() => {});
    throw explainStartupError(e);
  }
}

function untilSignal(gateway: Gateway): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        gateway.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      gateway.logger.info({ signal }, 'shutting down');
      gateway.close().then(
        () => resolve(0),
        (e) => {
          gateway.logger.error({ err: e }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export async function runGateway(config: Config): Promise<number> {
  const gateway = await startGateway(config);
  return untilSignal(gateway);
}

const DEV_ENV = 'dev';

/** Creates the dev environment and client on first run; later runs reuse `<dataDir>/dev.env`. */
async function ensureDevCredentials(gateway: Gateway): Promise<{ clientId: string; clientSecret: string }> {
  const file = join(gateway.config.dataDir, 'dev.env');
  if (existsSync(file)) {
    const vars = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    const clientId = vars['SCALEKIT_CLIENT_ID'];
    const clientSecret = vars['SCALEKIT_CLIENT_SECRET'];
    if (clientId && clientSecret) {
      try {
        await gateway.apiAccess.issueToken(clientId, clientSecret);
        return { clientId, clientSecret };
      } catch {
        // stale file (revoked client or another database): make new credentials below
      }
    }
  }
  if (!(await gateway.apiAccess.findEnvironmentByName(DEV_ENV)))
    await gateway.apiAccess.createEnvironment(DEV_ENV);
  const { client, clientSecret } = await gateway.apiAccess.createClient(DEV_ENV, 'dev');
  return { clientId: client.id, clientSecret };
}

export async function runDev(config: Config): Promise<number> {
  const gateway = await startGateway(config);
  const { clientId, clientSecret } = await ensureDevCredentials(gateway);
  const envFile = join(config.dataDir, 'dev.env');
  const lines = [
    `SCALEKIT_ENV_URL=${gateway.url}`,
    `SCALEKIT_CLIENT_ID=${clientId}`,
    `SCALEKIT_CLIENT_SECRET=${clientSecret}`,
  ];
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      '',
      `Latchkey dev gateway on ${gateway.url}  (environment "${DEV_ENV}", ${gateway.store.dialect} store)`,
      '',
      ...lines.map((l) => `  ${l}`),
      '',
      `These are saved in ${envFile}; load them in a shell with:  set -a; . ${envFile}; set +a`,
      `Health: ${gateway.url}/healthz   JWKS: ${gateway.url}/keys   Stop: Ctrl-C`,
      '',
    ].join('\n'),
  );
  return untilSignal(gateway);
}
