/** Runs the real `latchkey` CLI in child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '../../../..');
export const CLI = join(REPO_ROOT, 'packages/gateway/src/cli/main.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs to completion (killed after timeoutMs). */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
  cwd = REPO_ROOT,
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface Running {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running command and waits until it logs its listening URL. */
export function startCli(
  command: string[],
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      // the listening line is an info log: startCli needs it whatever the caller's level
      env: { ...process.env, ...env, LATCHKEY_LOG_LEVEL: 'info' },
      cwd: opts.cwd ?? REPO_ROOT,
      // its own process group, so a signal reaches npm's children too
      detached: true,
    });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const onData = (d: Buffer) => {
      out += d;
      const m = /"msg":"latchkey gateway listening"/.test(out) && /"url":"(http[^"]+)"/.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          output: () => out,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null && child.pid) {
              try {
                process.kill(-child.pid, signal);
              } catch {
                // already gone
              }
            }
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not start within ${opts.timeoutMs ?? 20_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${out}`));
      }
    });
  });
}
