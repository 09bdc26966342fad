/** `latchkey start` and `latchkey dev`: run a gateway until a signal, then shut down gracefully. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError } from '../config/config.ts';
import { KeyringError } from '../crypto/keyring.ts';
import { sandboxCatalog } from '../dev/sandbox-catalog.ts';
import { createGateway, type Gateway, type RuntimeOptions } from '../gateway.ts';
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

async function startGateway(
  config: Config,
  extra: Partial<Omit<RuntimeOptions, 'config'>> = {},
): Promise<Gateway> {
  let gateway: Gateway | undefined;
  try {
    gateway = await createGateway({ config, ...extra });
    await gateway.listen();
    return gateway;
  } catch (e) {
    await gateway?.close().catch(() => {});
    throw explainStartupError(e);
  }
}

function untilSignal(gateway: Gateway, alsoClose: () => Promise<void> = async () => {}): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        gateway.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      gateway.logger.info({ signal }, 'shutting down');
      gateway
        .close()
        .then(alsoClose)
        .then(
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

type SandboxProviderInfo = {
  apiKey?: { header: string; perUser: Record<string, string> };
  basic?: { perUser: Record<string, { username: string; password: string }> };
};

/** One line per sandbox service that takes typed-in credentials: each user's key or login. */
function demoCredentials(providers: Record<string, SandboxProviderInfo>): string[] {
  const out: string[] = [];
  for (const [slug, p] of Object.entries(providers)) {
    if (p.apiKey) {
      const keys = Object.entries(p.apiKey.perUser).map(([u, k]) => `${u}=${k}`);
      out.push(`${slug} (${p.apiKey.header}): ${keys.join('  ')}`);
    }
    if (p.basic) {
      const logins = Object.entries(p.basic.perUser).map(([u, c]) => `${u}=${c.username}:${c.password}`);
      out.push(`${slug} (Basic): ${logins.join('  ')}`);
    }
  }
  return out;
}

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

/** Creates a connection named after each sandbox connector the dev environment lacks. */
async function ensureDevConnections(gateway: Gateway): Promise<string[]> {
  const env = await gateway.apiAccess.getEnvironmentByName(DEV_ENV);
  const created: string[] = [];
  for (const connector of gateway.services.catalog.list()) {
    if (await gateway.services.connections.findByName(env.id, connector.slug)) continue;
    await gateway.services.connections.create(env.id, { connector: connector.slug, name: connector.slug });
    created.push(connector.slug);
  }
  return created;
}

export async function runDev(
  config: Config,
  opts: { sandbox: boolean; modelScript?: string | undefined } = { sandbox: true },
): Promise<number> {
  const started = performance.now();
  // The sandbox is loaded only here: production gateways never import it.
  const sandbox = opts.sandbox
    ? await (await import('@latchkey/sandbox')).startSandbox(
        opts.modelScript ? { model: { script: opts.modelScript } } : {},
      )
    : undefined;
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, sandbox ? sandboxCatalog(sandbox) : {});
  } catch (e) {
    await sandbox?.close();
    throw e;
  }
  const { clientId, clientSecret } = await ensureDevCredentials(gateway);
  const connections = sandbox ? await ensureDevConnections(gateway) : [];
  const envFile = join(config.dataDir, 'dev.env');
  const lines = [
    `SCALEKIT_ENV_URL=${gateway.url}`,
    `SCALEKIT_CLIENT_ID=${clientId}`,
    `SCALEKIT_CLIENT_SECRET=${clientSecret}`,
  ];
  if (sandbox)
    lines.push(
      `ANTHROPIC_BASE_URL=${sandbox.model.anthropicBaseUrl}`,
      `OPENAI_BASE_URL=${sandbox.model.openaiBaseUrl}`,
    );
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const demo = sandbox ? demoCredentials(sandbox.providers) : [];
  if (sandbox) {
    // For scripts: the sandbox's URLs and its users' demo credentials (fake services, loopback only).
    writeFileSync(
      join(config.dataDir, 'sandbox.json'),
      `${JSON.stringify({ urls: sandbox.urls, users: sandbox.users, providers: sandbox.providers }, null, 2)}\n`,
      { mode: 0o600 },
    );
  }
  const names = gateway.services.catalog.list().map((c) => c.slug);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    [
      '',
      `Latchkey dev gateway on ${gateway.url}  (environment "${DEV_ENV}", ${gateway.store.dialect} store, ready in ${ms} ms)`,
      '',
      ...lines.map((l) => `  ${l}`),
      '',
      `Saved in ${envFile}; load them in a shell with:  set -a; . ${envFile}; set +a`,
      ...(sandbox
        ? [
            '',
            `Sandbox (fake providers on loopback): OAuth server ${sandbox.urls.authServer}, users ${sandbox.users.join(', ')}`,
            `Connections in "${DEV_ENV}": ${names.join(', ')}${connections.length ? ` (created now: ${connections.join(', ')})` : ''}`,
            '',
            'Try it:',
            '  1. Get an authorization link for a user (Node, with @scalekit-sdk/node):',
            "       const { ScalekitClient } = await import('@scalekit-sdk/node');",
            '       const sk = new ScalekitClient(process.env.SCALEKIT_ENV_URL, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET);',
            "       const { link } = await sk.actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'user_123' });",
            '  2. Open the link: the sandbox signs you in as alice and grants consent (no real Google account).',
            "  3. Call a tool: await sk.actions.executeTool({ toolName: 'gmail_fetch_mails', identifier: 'user_123', connector: 'gmail', toolInput: {} })",
            "     or the API through the proxy: await sk.actions.request({ connectionName: 'gmail', identifier: 'user_123', path: '/gmail/v1/users/me/labels' })",
            "  4. An upstream MCP server: authorize connection 'sanitymcp' the same way; its tools (sanitymcp_list_projects, …) are discovered from the sandbox's MCP server",
            '',
            `Sandbox credentials for the API-key and Basic-auth forms (fake services; all in ${join(config.dataDir, 'sandbox.json')}):`,
            ...demo.map((l) => `  ${l}`),
          ]
        : []),
      '',
      `Health: ${gateway.url}/healthz   API reference: ${gateway.url}/api/v1/openapi.json   Stop: Ctrl-C`,
      '',
    ].join('\n'),
  );
  return untilSignal(gateway, async () => sandbox?.close());
}
