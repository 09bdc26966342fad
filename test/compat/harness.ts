/**
 * The compatibility harness: runs the real `latchkey dev` (gateway + sandbox) in a child process,
 * and each program in its own child process whose only Latchkey-specific input is environment
 * variables (SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET, and the model base
 * URLs pointing at the sandbox's scripted model). A program that prints an authorization link
 * gets it completed the way a user would: by following the link through consent.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

export const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/gateway/src/cli/main.ts');

/** What `latchkey dev` writes to `<dataDir>/sandbox.json`: the sandbox's URLs and demo credentials. */
export interface SandboxInfo {
  urls: Record<string, string>;
  users: string[];
  providers: Record<
    string,
    {
      apiBaseUrl: string;
      apiKey?: { header: string; perUser: Record<string, string> };
      basic?: { perUser: Record<string, { username: string; password: string }> };
    }
  >;
}

export interface Dev {
  env: Record<string, string>;
  url: string;
  dataDir: string;
  sandbox: SandboxInfo;
  output(): string;
}

/** Starts `latchkey dev` on a free port with its own data directory; stops it after the test. */
export async function startDev(
  t: { after(fn: () => Promise<void>): void },
  opts: { modelScript?: string } = {},
): Promise<Dev> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-compat-'));
  const args = [CLI, 'dev', ...(opts.modelScript ? ['--model-script', opts.modelScript] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: '0', LATCHKEY_LOG_LEVEL: 'warn' },
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  t.after(async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 30_000;
  while (!/Health: http/.test(out)) {
    if (child.exitCode !== null) throw new Error(`latchkey dev exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`latchkey dev did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = Object.fromEntries(
    readFileSync(join(dataDir, 'dev.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const sandbox = JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as SandboxInfo;
  return { env, url: env['SCALEKIT_ENV_URL']!, dataDir, sandbox, output: () => out };
}

/**
 * One `latchkey dev` for a whole describe block: started before its tests, stopped after them.
 * `dev()` is the running instance; `token()` an API access token from its client credentials,
 * fetched as the API reference's quickstart does (form-encoded client credentials).
 */
export function sharedDev(opts: { modelScript?: string } = {}): { dev(): Dev; token(): string } {
  let dev: Dev | undefined;
  let token = '';
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    dev = await startDev({ after: (fn) => cleanups.push(fn) }, opts);
    const res = await fetch(`${dev.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: dev.env['SCALEKIT_CLIENT_ID']!,
        client_secret: dev.env['SCALEKIT_CLIENT_SECRET']!,
        grant_type: 'client_credentials',
      }),
    });
    if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${await res.text()}`);
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  return {
    dev: () => dev ?? assert.fail('latchkey dev is not running'),
    token: () => token,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once('close', r));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

/** Follows an authorization link through consent by HTTP redirects, as a user's browser would. */
export async function completeLink(link: string): Promise<string> {
  let url = link;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    const body = await res.text();
    if (res.status !== 200)
      throw new Error(`authorization ended with HTTP ${res.status}: ${body.slice(0, 300)}`);
    return body;
  }
  throw new Error('too many redirects');
}

export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program (a .ts file under programs/) with the dev environment. Lines matching
 * `https?://…/connect/lkl_…` are authorization links: the harness completes them.
 */
export async function runProgram(
  file: string,
  dev: Dev,
  extraEnv: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<ProgramRun> {
  const env = {
    ...process.env,
    ...dev.env,
    OPENAI_API_KEY: 'sk-sandbox',
    ANTHROPIC_API_KEY: 'sk-ant-sandbox',
    ...extraEnv,
  };
  const child = spawn(process.execPath, [join(import.meta.dirname, 'programs', file)], {
    cwd: join(import.meta.dirname),
    env,
  });
  let stdout = '';
  let stderr = '';
  const links = new Set<string>();
  const consents: Promise<unknown>[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    for (const m of stdout.matchAll(/https?:\/\/[^\s"']+\/connect\/lkl_[A-Za-z0-9_-]+/g)) {
      if (links.has(m[0])) continue;
      links.add(m[0]);
      consents.push(
        completeLink(m[0]).catch((e) => (stderr += `\n[harness] consent failed: ${(e as Error).message}`)),
      );
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(timer);
  await Promise.all(consents);
  return { code, stdout, stderr };
}
