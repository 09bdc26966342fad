/**
 * `@modelcontextprotocol/server-everything` (the MCP reference server, from npm) in streamableHttp
 * mode on a loopback port, as a real upstream MCP server for tests.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

const require = createRequire(import.meta.url);
const PRELOAD = join(import.meta.dirname, 'loopback-listen.mjs');

export interface Everything {
  /** The Streamable HTTP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  stop(): Promise<void>;
}

export async function startEverything(t: TestContext): Promise<Everything> {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const main = join(dirname(pkg), 'dist/index.js');
  const child = spawn(process.execPath, ['--import', PRELOAD, main, 'streamableHttp'], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${stderr}`)), 15_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /LATCHKEY_LISTENING (\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited (${code}): ${stderr}`));
    });
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    return stopped;
  };
  t.after(stop);
  return { url: `http://127.0.0.1:${port}/mcp`, stop };
}
