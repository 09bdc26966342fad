/**
 * HTTP/2 (gRPC) load from a Node client in its own process: `connections` sessions, `concurrency`
 * streams in flight in total, each request sent again as soon as its answer (and, for gRPC, its
 * `grpc-status` trailer) is in. A non-200 status or a non-zero grpc-status counts as an error.
 * `runH2Load(opts)` spawns this file; run directly, it reads the options from BENCH_H2_LOAD.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:http2';
import { type LoadResult, percentile } from './stats.ts';

export interface H2LoadOptions {
  url: string;
  path: string;
  method?: string;
  headers: Record<string, string>;
  /** Request body, base64. */
  body?: string;
  connections: number;
  concurrency: number;
  durationSeconds: number;
  /** Check the `grpc-status` trailer. */
  grpc?: boolean;
}

export function runH2Load(o: H2LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename], {
      env: { ...process.env, BENCH_H2_LOAD: JSON.stringify(o) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`h2 load client exited ${code}`));
      resolve(JSON.parse(out) as LoadResult);
    });
  });
}

async function main(o: H2LoadOptions) {
  const body = o.body ? Buffer.from(o.body, 'base64') : undefined;
  const sessions = Array.from({ length: o.connections }, () => connect(o.url));
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const started = performance.now();
  const one = (i: number): Promise<void> =>
    new Promise((done) => {
      const t0 = performance.now();
      const req = sessions[i % sessions.length]!.request({
        ':method': o.method ?? 'POST',
        ':path': o.path,
        ...o.headers,
      });
      let ok = true;
      req.on('response', (h) => {
        if (h[':status'] !== 200) ok = false;
        if (o.grpc && h['grpc-status'] !== undefined && h['grpc-status'] !== '0') ok = false;
      });
      req.on('trailers', (t) => {
        if (o.grpc && t['grpc-status'] !== '0') ok = false;
      });
      req.on('data', () => {});
      req.on('error', () => {
        ok = false;
      });
      req.on('close', () => {
        if (ok) latencies.push(performance.now() - t0);
        else errors++;
        done();
      });
      req.end(body);
    });
  const worker = async (i: number) => {
    while (running) await one(i);
  };
  const timer = setTimeout(() => {
    running = false;
  }, o.durationSeconds * 1000);
  await Promise.all(Array.from({ length: o.concurrency }, (_, i) => worker(i)));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  for (const s of sessions) s.close();
  const result: LoadResult = {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    requests: latencies.length,
    errors,
  };
  process.stdout.write(JSON.stringify(result));
}

if (import.meta.main) await main(JSON.parse(process.env['BENCH_H2_LOAD']!) as H2LoadOptions);
