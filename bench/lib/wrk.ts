/**
 * HTTP/1.1 load with wrk (`apt-get install -y wrk`): keep-alive connections from one native
 * thread, so the load generator takes far less CPU than the server it measures. A small Lua
 * script sets method, body and headers and prints the summary as JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { have } from './proc.ts';
import type { LoadResult } from './stats.ts';

export interface WrkOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  threads?: number;
}

/** Exits with a clear message when wrk is missing (the benchmarks need it). */
export function requireWrk(): void {
  if (have('wrk')) return;
  process.stderr.write('bench: wrk is required for the HTTP benchmarks: apt-get install -y wrk\n');
  process.exit(2);
}

const lua = (o: WrkOptions) => `
wrk.method = ${JSON.stringify(o.method ?? 'GET')}
${o.body === undefined ? '' : `wrk.body = ${JSON.stringify(o.body)}`}
${Object.entries(o.headers ?? {})
  .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
  .join('\n')}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;

export async function runWrk(o: WrkOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-wrk-'));
  const script = join(dir, 'script.lua');
  writeFileSync(script, lua(o));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', [
        `-t${o.threads ?? 1}`,
        `-c${o.connections}`,
        `-d${o.durationSeconds}s`,
        '--timeout',
        '10s',
        '-s',
        script,
        o.url,
      ]);
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
      );
    });
    const m = /WRK_JSON (\{.*\})/.exec(out);
    if (!m) throw new Error(`no summary from wrk:\n${out}`);
    const s = JSON.parse(m[1]!) as Record<string, number>;
    return {
      rps: s['requests']! / (s['duration_us']! / 1e6),
      p50: s['p50_us']! / 1000,
      p99: s['p99_us']! / 1000,
      requests: s['requests']!,
      errors: s['errors']! + s['status_errors']!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
