/**
 * Child processes for benchmarks: each service (stub upstream, proxies, gateway) runs in its own
 * process so its CPU and RSS are its own. A service script reports readiness over IPC with
 * `process.send({ready: true, ...info})` and exits when its IPC channel closes.
 *
 * Every Node service runs with the memory settings the README recommends for the gateway
 * (BENCH_NODE_ARGS, default `--max-semi-space-size=2 --max-old-space-size=384`, and
 * MALLOC_ARENA_MAX, default 1), so baselines and gateway are measured alike;
 * `BENCH_NODE_ARGS= MALLOC_ARENA_MAX=` measures V8's and glibc's defaults.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface Service<T> {
  pid: number;
  info: T;
  child: ChildProcess;
  stop(): Promise<void>;
}

export const NODE_ARGS = (
  process.env['BENCH_NODE_ARGS'] ?? '--max-semi-space-size=2 --max-old-space-size=384'
)
  .split(' ')
  .filter(Boolean);
const MALLOC_ARENA_MAX = process.env['MALLOC_ARENA_MAX'] ?? '1';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Runs a Node script (TypeScript is fine) and waits for its ready message. */
export function startService<T>(
  script: string,
  opts: { args?: string[]; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<Service<T>> {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, ...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])],
    {
      env: { ...process.env, ...(MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX } : {}), ...opts.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  running.add(child);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    child.on('message', (m: { ready?: boolean } & T) => {
      if (!m.ready) return;
      clearTimeout(timer);
      resolve({ pid: child.pid!, info: m, child, stop });
    });
  });
}

/** For a service script: report readiness, and exit when the parent goes away. */
export function ready(info: Record<string, unknown>, onStop: () => Promise<void> | void = () => {}): void {
  process.on('disconnect', () => {
    void Promise.resolve(onStop()).finally(() => process.exit(0));
  });
  process.send?.({ ready: true, ...info });
}

/** True when a command is on PATH. */
export function have(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
