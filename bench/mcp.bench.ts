/**
 * MCP serving benchmark (issue 7): `node bench/mcp.bench.ts [--store sqlite|postgres://…] [--concurrency 64]`
 *
 * Three processes on this machine, loopback only, bounded in count:
 *   - this one: a loopback stub provider (node:http, keep-alive) and the report;
 *   - the gateway (`--role gateway`): a real gateway on the embedded store (or PostgreSQL), with
 *     a stub connector (an API-key service whose tools POST to the stub), one ACTIVE account,
 *     an MCP config of 1 tool and one of 100 tools, an instance of each;
 *   - the load generator (`--role load`): undici pools replaying the exact requests the official
 *     MCP client sends (recorded once), and ExecuteTool over REST as the baseline.
 *
 * Targets: tools/call through a per-user URL ≥ 2,500 calls/s with an added p50 ≤ 3 ms over a
 * direct ExecuteTool; tools/list of a 100-tool config p99 ≤ 5 ms; gateway RSS after 100,000 calls
 * within 30 MB of RSS after 1,000. Self-contained for now; it moves onto bench/run.ts + bench/lib/
 * (the proxy benchmark's harness) when both branches are merged.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    store: { type: 'string', default: 'sqlite' },
    concurrency: { type: 'string', default: '64' },
    calls: { type: 'string', default: '100000' },
    'log-level': { type: 'string', default: 'info' },
  },
});

export interface Targets {
  origin: string;
  stubUrl: string;
  callUrl: string;
  legacyCallUrl: string;
  listUrl: string;
  apiToken: string;
}

export type Phase =
  | { kind: 'latency'; name: string; n: number }
  | { kind: 'throughput'; name: string; n: number; concurrency: number };

export interface PhaseResult {
  name: string;
  n: number;
  errors: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
}

if (args.role === 'gateway') await import('./mcp/gateway-role.ts');
else if (args.role === 'load') await import('./mcp/load-role.ts');
else await main();

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

/** CPU time (user + system) a process has used, in microseconds. */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in clock ticks (100 Hz)
}

function child(role: string, env: Record<string, string> = {}): ChildProcess {
  return fork(
    import.meta.filename,
    ['--role', role, '--store', args.store, '--log-level', args['log-level']],
    {
      env: { ...process.env, ...env },
      execArgv:
        role === 'gateway' ? (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean) : [],
      // BENCH_GATEWAY_STDOUT=inherit shows the gateway's stdout (e.g. --trace-gc with --log-level warn)
      stdio: [
        'ignore',
        role === 'gateway' && process.env['BENCH_GATEWAY_STDOUT'] === 'inherit' ? 'inherit' : 'ignore',
        'inherit',
        'ipc',
      ],
    },
  );
}

function ask<T>(proc: ChildProcess, message?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited with ${code}`));
    proc.once('exit', onExit);
    proc.once('message', (m) => {
      proc.off('exit', onExit);
      resolve(m as T);
    });
    if (message !== undefined) proc.send(message as object);
  });
}

async function main(): Promise<void> {
  const body = JSON.stringify({ ok: true, echo: 'pong' });
  const stub = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  stub.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

  const gateway = child('gateway', { BENCH_STUB_URL: stubUrl });
  const targets = await ask<Targets>(gateway);
  const rssStart = rssMb(gateway.pid!);
  const load = child('load');
  await ask(load, { targets });
  const cpu: Record<string, { gateway: number; load: number; stub: number }> = {};
  const run = async (phase: Phase) => {
    const before = { gateway: cpuUs(gateway.pid!), load: cpuUs(load.pid!), stub: process.cpuUsage() };
    const r = await ask<PhaseResult>(load, { phase });
    const stub = process.cpuUsage(before.stub);
    cpu[`${phase.kind}:${phase.name}:${phase.n}`] = {
      gateway: (cpuUs(gateway.pid!) - before.gateway) / phase.n,
      load: (cpuUs(load.pid!) - before.load) / phase.n,
      stub: (stub.user + stub.system) / phase.n,
    };
    return r;
  };
  const conc = Number(args.concurrency);
  const total = Number(args.calls);
  const results: PhaseResult[] = [];

  try {
    const only = process.env['BENCH_ONLY'];
    if (only) {
      // profiling aid: one phase alone (BENCH_ONLY=mcp|exec|list100, or lat:<name> one at a time)
      const [kind, name] = only.startsWith('lat:') ? ['latency', only.slice(4)] : ['throughput', only];
      await run({ kind: 'throughput', name: name!, n: 1000, concurrency: 4 });
      const phase: Phase =
        kind === 'latency'
          ? { kind: 'latency', name: name!, n: 3000 }
          : { kind: 'throughput', name: name!, n: total, concurrency: conc };
      const r = await run(phase);
      const c = Object.values(cpu).at(-1)!;
      console.log(
        `${only}: ${(r.n / r.seconds).toFixed(0)}/s, p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, gateway CPU ${c.gateway.toFixed(0)} µs/call`,
      );
      return;
    }
    // warm-up: JIT, statement caches, pools
    await run({ kind: 'throughput', name: 'warmup-mcp', n: 3000, concurrency: conc });
    await run({ kind: 'throughput', name: 'warmup-exec', n: 3000, concurrency: conc });
    await run({ kind: 'throughput', name: 'warmup-list100', n: 500, concurrency: 4 });

    for (const name of ['stub', 'exec', 'mcp', 'mcp-legacy', 'list100'])
      results.push(await run({ kind: 'latency', name, n: 3000 }));
    for (const name of ['exec', 'mcp'])
      results.push(await run({ kind: 'throughput', name, n: 20_000, concurrency: conc }));

    // memory: RSS after 1,000 calls and after `total` (default 100,000)
    await run({ kind: 'throughput', name: 'mcp', n: 1000, concurrency: conc });
    const rss1k = rssMb(gateway.pid!);
    const soak = await run({ kind: 'throughput', name: 'mcp', n: total - 1000, concurrency: conc });
    const rssEnd = rssMb(gateway.pid!);
    report(results, soak, { rssStart, rss1k, rssEnd, total, conc }, cpu);
  } finally {
    load.kill();
    gateway.kill('SIGTERM');
    stub.close();
  }
}

function report(
  results: PhaseResult[],
  soak: PhaseResult,
  mem: { rssStart: number; rss1k: number; rssEnd: number; total: number; conc: number },
  cpu: Record<string, { gateway: number; load: number; stub: number }>,
): void {
  const by = (name: string, kind: 'lat' | 'tp') =>
    results.find(
      (r) => r.name === name && (kind === 'lat' ? r.seconds > 0 && r.n === 3000 : r.n === 20_000),
    )!;
  const f = (n: number, d = 2) => n.toFixed(d);
  const rate = (r: PhaseResult) => r.n / r.seconds;
  console.log(
    `\nMCP serving benchmark — store ${args.store}, log level ${args['log-level']}, ${mem.conc} in flight, load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores, this run's 3 processes included)`,
  );
  console.log('latency, one request at a time (ms)      p50     p90     p99   errors');
  for (const [label, name] of [
    ['stub provider, direct', 'stub'],
    ['ExecuteTool (REST)', 'exec'],
    ['MCP tools/call, 2026-07-28', 'mcp'],
    ['MCP tools/call, 2025 (stateless)', 'mcp-legacy'],
    ['MCP tools/list, 100 tools', 'list100'],
  ] as const) {
    const r = by(name, 'lat');
    console.log(
      `  ${label.padEnd(36)} ${f(r.p50).padStart(7)} ${f(r.p90).padStart(7)} ${f(r.p99).padStart(7)} ${String(r.errors).padStart(8)}`,
    );
  }
  const exec = by('exec', 'lat');
  const mcp = by('mcp', 'lat');
  const list = by('list100', 'lat');
  const tpExec = results.find((r) => r.name === 'exec' && r.n === 20_000)!;
  const tpMcp = results.find((r) => r.name === 'mcp' && r.n === 20_000)!;
  console.log(`throughput, ${mem.conc} in flight (calls/s)`);
  console.log(
    `  ExecuteTool (REST)                   ${f(rate(tpExec), 0).padStart(7)}   errors ${tpExec.errors}`,
  );
  console.log(
    `  MCP tools/call, 2026-07-28           ${f(rate(tpMcp), 0).padStart(7)}   errors ${tpMcp.errors}   (${f(rate(tpMcp) / rate(tpExec))}× ExecuteTool)`,
  );
  console.log('CPU per call during the throughput runs (µs): gateway / load generator / stub');
  for (const [label, key] of [
    ['ExecuteTool (REST)', 'throughput:exec:20000'],
    ['MCP tools/call, 2026-07-28', 'throughput:mcp:20000'],
  ] as const) {
    const c = cpu[key]!;
    console.log(
      `  ${label.padEnd(36)} ${f(c.gateway, 0).padStart(7)} / ${f(c.load, 0)} / ${f(c.stub, 0)}   (one core of gateway CPU: ${f(1e6 / c.gateway, 0)} calls/s)`,
    );
  }
  const added = mcp.p50 - exec.p50;
  const growth = mem.rssEnd - mem.rss1k;
  console.log('targets');
  const check = (ok: boolean, text: string) => console.log(`  ${ok ? 'MET ' : 'MISS'} ${text}`);
  check(rate(tpMcp) >= 2500, `tools/call ≥ 2,500 calls/s: ${f(rate(tpMcp), 0)}`);
  check(
    added <= 3,
    `added p50 over ExecuteTool ≤ 3 ms: ${f(added)} ms (${f(mcp.p50 / exec.p50)}× ExecuteTool)`,
  );
  check(list.p99 <= 5, `tools/list (100 tools) p99 ≤ 5 ms: ${f(list.p99)} ms`);
  check(
    growth <= 30,
    `RSS after ${mem.total.toLocaleString('en')} calls within 30 MB of RSS after 1,000: (start ${f(mem.rssStart, 1)}) ${f(mem.rss1k, 1)} → ${f(mem.rssEnd, 1)} MB (${growth >= 0 ? '+' : ''}${f(growth, 1)}), soak ${f(rate(soak), 0)} calls/s, errors ${soak.errors}`,
  );
}
