/** The commands of `latchkey`: each parses nothing itself, validates its inputs, calls services. */
import { randomBytes } from 'node:crypto';
import type { ParseArgsConfig } from 'node:util';
import { type Config, loadConfig } from '../config/config.ts';
import { createKeyring } from '../crypto/keyring.ts';
import type { Runtime } from '../gateway.ts';
import { createLogger } from '../ops/log.ts';

// The gateway and its dependencies load only once a command needs them, after the configuration
// has been read: a bad setting is reported at once, and --help stays fast.
const gateway = () => import('../gateway.ts');
const serve = () => import('./serve.ts');

export class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Values, positionals: string[]): Promise<number>;
}

export function configFrom(values: Values, overrides: Partial<Config> = {}): Config {
  const file = typeof values['config'] === 'string' ? values['config'] : undefined;
  return loadConfig({ configFile: file, overrides });
}

/** Opens the store (migrating it) for an administrative command, runs `fn`, closes. */
export async function withRuntime<T>(values: Values, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const config = configFrom(values);
  const rt = await (await gateway()).openRuntime({
    config,
    logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel),
  });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export function requireOne(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0]!;
}

export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

export const COMMANDS: Command[] = [
  {
    name: 'start',
    summary: 'Run a gateway with the configured storage',
    usage: '[--config FILE]',
    help: 'Runs the gateway until SIGTERM/SIGINT (graceful shutdown). Configuration: LATCHKEY_* variables.',
    options: {},
    async run(values, positionals) {
      noPositionals(positionals);
      const config = configFrom(values);
      return (await serve()).runGateway(config);
    },
  },
  {
    name: 'dev',
    summary: 'Run a gateway for development: embedded storage, the sandbox, a dev environment and API client',
    usage: '[--config FILE] [--no-sandbox] [--model-script FILE]',
    help:
      'Like start, with embedded defaults and the sandbox (a real OAuth server, provider imitations, an\n' +
      'upstream MCP server and a scripted model on loopback). On first run creates the environment "dev",\n' +
      'an API client and a connection per sandbox connector; prints SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID\n' +
      'and SCALEKIT_CLIENT_SECRET and writes them to <data dir>/dev.env (source it from scripts).\n' +
      '--model-script FILE: replies of the scripted model (see packages/sandbox/src/model/README.md).',
    options: { 'no-sandbox': { type: 'boolean' }, 'model-script': { type: 'string' } },
    async run(values, positionals) {
      noPositionals(positionals);
      const script = typeof values['model-script'] === 'string' ? values['model-script'] : undefined;
      const config = configFrom(values);
      return (await serve()).runDev(config, { sandbox: !values['no-sandbox'], modelScript: script });
    },
  },
  {
    name: 'migrate',
    summary: 'Apply database migrations and exit',
    usage: '[--config FILE]',
    help: 'Applies pending migrations (gateways also do this at start, under a lock).',
    options: {},
    async run(values, positionals) {
      noPositionals(positionals);
      const config = configFrom(values);
      const { openStore } = await import('../store/store.ts');
      const store = await openStore({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: 2,
      });
      try {
        const applied = await store.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await store.close();
      }
      return 0;
    },
  },
  {
    name: 'keys rotate',
    summary: 'Re-encrypt every stored secret with the first key of LATCHKEY_ENCRYPTION_KEYS',
    usage: '[--config FILE]',
    help:
      'Rotation: put the new key first in LATCHKEY_ENCRYPTION_KEYS and keep the old one after it\n' +
      '(on every gateway), run this command (gateways keep serving), then remove the old key.',
    options: {},
    async run(values, positionals) {
      noPositionals(positionals);
      return withRuntime(values, async (rt) => {
        console.log(`re-encrypting with key ${rt.keyring.primaryKeyId}`);
        const { rotateSecrets } = await import('../crypto/rotate.ts');
        const reports = await rotateSecrets(rt.store, rt.keyring, (line) => console.log(line));
        const total = reports.reduce((n, r) => n + r.reEncrypted, 0);
        console.log(`done: ${total} secret(s) re-encrypted`);
        return 0;
      });
    },
  },
  {
    name: 'keys generate',
    summary: 'Print a new random encryption key (base64, 32 bytes)',
    usage: '',
    help: 'Prints a key for LATCHKEY_ENCRYPTION_KEYS.',
    options: {},
    async run(_values, positionals) {
      noPositionals(positionals);
      const key = randomBytes(32).toString('base64');
      createKeyring([key]);
      console.log(key);
      return 0;
    },
  },
  {
    name: 'env create',
    summary: 'Create an environment',
    usage: 'NAME',
    help: 'NAME: 1-63 characters of a-z, 0-9, _ and -.',
    options: {},
    async run(values, positionals) {
      const name = requireOne(positionals, 'environment NAME');
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.createEnvironment(name);
        console.log(`created environment ${env.name} (${env.id})`);
        return 0;
      });
    },
  },
  {
    name: 'env list',
    summary: 'List environments',
    usage: '',
    help: 'Lists environments with their ids.',
    options: {},
    async run(values, positionals) {
      noPositionals(positionals);
      return withRuntime(values, async (rt) => {
        const envs = await rt.apiAccess.listEnvironments();
        if (envs.length === 0) console.log('no environments; create one with: latchkey env create NAME');
        for (const e of envs) console.log(`${e.name}\t${e.id}\t${new Date(e.created_at).toISOString()}`);
        return 0;
      });
    },
  },
  {
    name: 'client create',
    summary: 'Create an API client (prints its secret once)',
    usage: '--env NAME [--name LABEL]',
    help: 'Creates client credentials for an environment. The secret is shown once and stored only as a hash.',
    options: { env: { type: 'string' }, name: { type: 'string' } },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = values['env'];
      if (typeof envName !== 'string') throw new UsageError('--env NAME is required');
      return withRuntime(values, async (rt) => {
        const label = typeof values['name'] === 'string' ? values['name'] : undefined;
        const { client, clientSecret } = await rt.apiAccess.createClient(envName, label);
        console.log(`client_id=${client.id}\nclient_secret=${clientSecret}`);
        console.error('the secret is shown only now; store it safely');
        return 0;
      });
    },
  },
  {
    name: 'client list',
    summary: 'List the API clients of an environment',
    usage: '--env NAME',
    help: 'Lists client ids, labels and whether they are revoked.',
    options: { env: { type: 'string' } },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = values['env'];
      if (typeof envName !== 'string') throw new UsageError('--env NAME is required');
      return withRuntime(values, async (rt) => {
        for (const c of await rt.apiAccess.listClients(envName)) {
          console.log(`${c.id}\t${c.name}\t${c.revoked_at ? 'revoked' : 'active'}`);
        }
        return 0;
      });
    },
  },
  {
    name: 'client revoke',
    summary: 'Revoke an API client',
    usage: 'CLIENT_ID',
    help: 'Its token requests are refused at once; tokens already issued stop working within seconds.',
    options: {},
    async run(values, positionals) {
      const id = requireOne(positionals, 'CLIENT_ID');
      return withRuntime(values, async (rt) => {
        await rt.apiAccess.revokeClient(id);
        console.log(`revoked ${id}`);
        return 0;
      });
    },
  },
  {
    name: 'connection create',
    summary: 'Create a connection to a connector in an environment',
    usage: '--env NAME --connector SLUG [--name NAME] [--client-id ID --client-secret SECRET] [--scopes a,b]',
    help:
      "Creates a connection. OAuth connectors use the deployment's platform app unless --client-id and\n" +
      '--client-secret are given; register the printed redirect URI with the provider.',
    options: {
      env: { type: 'string' },
      connector: { type: 'string' },
      name: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      scopes: { type: 'string' },
    },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = values['env'];
      const connector = values['connector'];
      if (typeof envName !== 'string') throw new UsageError('--env NAME is required');
      if (typeof connector !== 'string') throw new UsageError('--connector SLUG is required');
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
        const c = await rt.services.connections.create(env.id, {
          connector,
          name: str('name'),
          oauthClientId: str('client-id'),
          oauthClientSecret: str('client-secret'),
          scopes: str('scopes')
            ?.split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        });
        console.log(`created connection ${c.name} (${c.id}) for ${c.connector.slug}`);
        if (c.connector.auth.type === 'oauth2') {
          console.log(`redirect URI to register with the provider: ${c.redirectUri}`);
          if (!c.configured)
            console.log(
              'no OAuth app yet: set --client-id/--client-secret (or configure platform credentials)',
            );
        }
        return 0;
      });
    },
  },
  {
    name: 'connection list',
    summary: 'List the connections of an environment',
    usage: '--env NAME',
    help: 'Lists connection names, connectors and whether they are ready to authorize users.',
    options: { env: { type: 'string' } },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = values['env'];
      if (typeof envName !== 'string') throw new UsageError('--env NAME is required');
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        const { connections } = await rt.services.connections.list(env.id, { pageSize: 100 });
        if (connections.length === 0)
          console.log('no connections; create one with: latchkey connection create');
        for (const c of connections) {
          console.log(
            `${c.name}\t${c.connector.slug}\t${c.enabled ? 'enabled' : 'disabled'}\t${c.configured ? 'ready' : 'needs OAuth credentials'}`,
          );
        }
        return 0;
      });
    },
  },
  {
    name: 'connection delete',
    summary: 'Delete a connection (and its connected accounts)',
    usage: '--env NAME CONNECTION_NAME',
    help: "Deletes the connection and forgets its accounts' credentials (delete accounts first to revoke them at the provider).",
    options: { env: { type: 'string' } },
    async run(values, positionals) {
      const name = requireOne(positionals, 'CONNECTION_NAME');
      const envName = values['env'];
      if (typeof envName !== 'string') throw new UsageError('--env NAME is required');
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        const c = await rt.services.connections.findByName(env.id, name);
        if (!c) throw new Error(`no connection named "${name}" in environment ${envName}`);
        await rt.services.connections.delete(env.id, c.id);
        console.log(`deleted connection ${name}`);
        return 0;
      });
    },
  },
];
