/**
 * HTTP/2 (gRPC) load. With nghttp2's `h2load` installed (`apt-get install -y nghttp2-client`), a
 * native client drives it (`runH2Load` picks it unless `native: false`): like wrk, it costs far less
 * CPU than the server it measures; latencies come from its per-request log. It cannot read gRPC
 * trailers, so `checkGrpc` (the Node client below, a short run) is how a bench makes sure the calls
 * succeed. Without h2load, the Node client in its own process drives the load: `connections`
 * sessions, `concurrency` streams in flight, each sent again once its answer (and `grpc-status`
 * trailer) is in; a non-200 status or a non-zero grpc-status counts as an error. Run directly, this
 * file is that client and reads its options from BENCH_H2_LOAD.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { have } from './proc.ts';
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

export function runH2Load(o: H2LoadOptions & { native?: boolean }): Promise<LoadResult> {
  if (o.native !== false && have('h2load')) return runNative(o);
  return runNodeClient(o);
}

/** A short run of the Node client, which checks grpc-status: throws unless every call succeeded. */
export async function checkGrpc(o: Omit<H2LoadOptions, 'durationSeconds' | 'grpc'>): Promise<void> {
  const r = await runNodeClient({ ...o, durationSeconds: 1, grpc: true });
  if (r.errors > 0 || r.requests === 0)
    throw new Error(`gRPC check failed: ${r.errors} errors in ${r.requests + r.errors} calls`);
}

async function runNative(o: H2LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-h2load-'));
  try {
    const args = [
      `-c${o.connections}`,
      `-m${Math.ceil(o.concurrency / o.connections)}`,
      '-t1',
      `-D${o.durationSeconds}`,
      `--log-file=${join(dir, 'log.tsv')}`,
      ...Object.entries(o.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ];
    if (o.body) {
      writeFileSync(join(dir, 'body'), Buffer.from(o.body, 'base64'));
      args.push('-d', join(dir, 'body'));
    }
    args.push(new URL(o.path, o.url).toString());
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('h2load', args);
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`h2load exited ${code}: ${text}`)),
      );
    });
    const lines = readFileSync(join(dir, 'log.tsv'), 'utf8').trim().split('\n').filter(Boolean);
    const ok: number[] = [];
    let errors = 0;
    for (const line of lines) {
      const [, status, micros] = line.split('\t');
      if (status === '200') ok.push(Number(micros) / 1000);
      else errors++;
    }
    const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0);
    return {
      rps: ok.length / o.durationSeconds,
      p50: percentile(ok, 0.5),
      p99: percentile(ok, 0.99),
      requests: ok.length,
      errors: errors + failed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runNodeClient(o: H2LoadOptions): Promise<LoadResult> {
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
