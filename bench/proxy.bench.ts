/**
 * The proxy and tool execution against baselines, all on loopback at BENCH_CONNECTIONS (32)
 * concurrent connections: the same GET of a small JSON document sent
 *   direct      wrk → stub upstream
 *   bare node   wrk → node:http + undici, no auth (the floor for any Node gateway)
 *   nginx       wrk → nginx, one worker (when installed)
 *   /proxy      wrk → Latchkey /proxy (bearer auth, account resolution, key injection)
 *   ExecuteTool wrk → POST /api/v1/execute_tool (REST), and h2load (or a Node HTTP/2 client) → gRPC
 * Each server runs in its own process; figures are ratios to the baselines of the same run.
 * Targets (reported, not asserted): /proxy ≥ 75% of bare node and p50 within +0.5 ms of it,
 * ExecuteTool ≥ 60% of bare node, gateway RSS under load ≤ 250 MB.
 */
import { cpus, loadavg } from 'node:os';
import { create, toBinary } from '@bufbuild/protobuf';
import { ExecuteToolRequestSchema } from '../packages/gateway/src/gen/scalekit/v1/tools/tools_pb.js';
import {
  best,
  checkGrpc,
  cpuMsOf,
  fmt,
  have,
  type LoadResult,
  NODE_ARGS,
  printTable,
  requireWrk,
  runH2Load,
  runWrk,
  sampleRss,
  settings,
  startBareProxy,
  startGateway,
  startNginx,
  startStubUpstream,
  type WrkOptions,
} from './lib/index.ts';

requireWrk();
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const { connections, durationSeconds, warmupSeconds } = settings;
const ITEM_PATH = '/v1/items/item_0001';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `machine: ${cpus().length} cores, load average ${load()}; ${connections} connections, ${durationSeconds} s per row, best of ${RUNS} interleaved rounds; ` +
    `Node services: ${NODE_ARGS.join(' ') || 'default flags'}, MALLOC_ARENA_MAX=${process.env['MALLOC_ARENA_MAX'] ?? '1'}`,
);

const up = await startStubUpstream();
const bare = await startBareProxy(up.info.url);
const nginx = await startNginx(up.info.port);
const gw = await startGateway(up.info.url, {
  nodeArgs: (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
});
const auth = { authorization: `Bearer ${gw.info.token}` };

interface Row {
  name: string;
  result: LoadResult;
  rss?: number;
  /** CPU the measured server (not the stub upstream) spent per request, µs. */
  cpuUs?: number;
}
const rows: Row[] = [];

interface Plan {
  name: string;
  run: (seconds: number) => Promise<LoadResult>;
  /** The measured server process (CPU and RSS are sampled). */
  pid?: number;
}
const plans: Plan[] = [];
const measure = (name: string, run: Plan['run'], pid?: number) => {
  plans.push({ name, run, ...(pid === undefined ? {} : { pid }) });
};

/**
 * Rounds: every row once per round, BENCH_RUNS rounds, so that load from other processes falls on
 * all rows alike; each row keeps its best throughput and its lowest CPU per request.
 */
async function runPlans() {
  const results = new Map<string, { runs: LoadResult[]; rss: number; cpuUs: number }>();
  for (let round = 0; round < RUNS; round++) {
    for (const { name, run, pid } of plans) {
      if (round === 0) await run(warmupSeconds);
      const sampler = pid === undefined ? undefined : sampleRss(pid);
      const cpu0 = pid === undefined ? 0 : cpuMsOf(pid);
      const result = await run(durationSeconds);
      const entry = results.get(name) ?? { runs: [], rss: 0, cpuUs: Number.POSITIVE_INFINITY };
      entry.runs.push(result);
      if (pid !== undefined) {
        entry.cpuUs = Math.min(entry.cpuUs, ((cpuMsOf(pid) - cpu0) * 1000) / Math.max(1, result.requests));
        entry.rss = Math.max(entry.rss, sampler?.stop() ?? 0);
      }
      results.set(name, entry);
      process.stderr.write(`  round ${round + 1}/${RUNS} ${name}: ${fmt.rps(result.rps)} req/s\n`);
    }
  }
  for (const { name, pid } of plans) {
    const e = results.get(name)!;
    rows.push({ name, result: best(e.runs), ...(pid === undefined ? {} : { rss: e.rss, cpuUs: e.cpuUs }) });
  }
}

const wrk = (o: Omit<WrkOptions, 'connections' | 'durationSeconds'>) => (seconds: number) =>
  runWrk({ ...o, connections, durationSeconds: seconds });

const grpcBody = (() => {
  const msg = toBinary(
    ExecuteToolRequestSchema,
    create(ExecuteToolRequestSchema, {
      toolName: 'benchapi_get_item',
      identifier: 'user_1',
      connector: 'benchapi',
      params: { item_id: 'item_0001' },
    }),
  );
  const frame = Buffer.alloc(5 + msg.length);
  frame.writeUInt32BE(msg.length, 1);
  frame.set(msg, 5);
  return frame.toString('base64');
})();

try {
  measure('direct', wrk({ url: `${up.info.url}${ITEM_PATH}` }), up.pid);
  measure('bare node proxy', wrk({ url: `${bare.info.url}/proxy${ITEM_PATH}` }), bare.pid);
  if (nginx) measure('nginx', wrk({ url: `${nginx.url}/proxy${ITEM_PATH}` }));
  measure(
    '/proxy',
    wrk({
      url: `${gw.info.url}/proxy${ITEM_PATH}`,
      headers: { ...auth, connection_name: 'benchapi', identifier: 'user_1' },
    }),
    gw.pid,
  );
  measure(
    'ExecuteTool REST',
    wrk({
      url: `${gw.info.url}/api/v1/execute_tool`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        tool_name: 'benchapi_get_item',
        identifier: 'user_1',
        connector: 'benchapi',
        params: { item_id: 'item_0001' },
      }),
    }),
    gw.pid,
  );
  const grpcCall = {
    url: gw.info.url,
    path: '/scalekit.v1.tools.ToolService/ExecuteTool',
    headers: { ...auth, 'content-type': 'application/grpc', te: 'trailers' },
    body: grpcBody,
    connections: 4,
    concurrency: connections,
  };
  await checkGrpc(grpcCall);
  measure(
    'ExecuteTool gRPC',
    (seconds) => runH2Load({ ...grpcCall, durationSeconds: seconds, grpc: true }),
    gw.pid,
  );
  await runPlans();
} finally {
  await Promise.all([up.stop(), bare.stop(), nginx?.stop(), gw.stop()]);
}

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${fmt.ms(ms)}`;
const direct = rows.find((r) => r.name === 'direct')!.result;
const floor = rows.find((r) => r.name === 'bare node proxy')!.result;
console.log('');
printTable(
  [
    'row',
    'req/s',
    'vs direct',
    'vs bare node',
    'p50 ms',
    'p99 ms',
    'p50 over bare',
    'server CPU µs/req',
    'peak RSS MB',
    'errors',
  ],
  rows.map(({ name, result: r, rss, cpuUs }) => [
    name,
    fmt.rps(r.rps),
    fmt.pct(r.rps / direct.rps),
    fmt.pct(r.rps / floor.rps),
    fmt.ms(r.p50),
    fmt.ms(r.p99),
    name === 'direct' || name === 'bare node proxy' ? '' : signed(r.p50 - floor.p50),
    cpuUs === undefined ? '—' : Math.round(cpuUs).toString(),
    fmt.mb(rss ?? 0),
    r.errors,
  ]),
);
if (!nginx) console.log('\nnginx: not installed (apt-get install -y nginx-light), row skipped');
console.log(
  have('h2load')
    ? 'gRPC load: h2load (calls checked for grpc-status 0 beforehand)'
    : 'gRPC load: Node HTTP/2 client (apt-get install -y nghttp2-client for h2load, which costs less CPU)',
);
const get = (n: string) => rows.find((r) => r.name === n)!;
const proxy = get('/proxy');
const rest = get('ExecuteTool REST');
const grpc = get('ExecuteTool gRPC');
const gatewayRss = Math.max(proxy.rss ?? 0, rest.rss ?? 0, grpc.rss ?? 0);
const target = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log(`
targets:
  /proxy throughput ≥ 75% of bare node:   ${fmt.pct(proxy.result.rps / floor.rps)}  ${target(proxy.result.rps >= 0.75 * floor.rps)}
  /proxy p50 ≤ bare node + 0.5 ms:        ${signed(proxy.result.p50 - floor.p50)} ms  ${target(proxy.result.p50 - floor.p50 <= 0.5)}
  ExecuteTool REST ≥ 60% of bare node:    ${fmt.pct(rest.result.rps / floor.rps)}  ${target(rest.result.rps >= 0.6 * floor.rps)}
  ExecuteTool gRPC ≥ 60% of bare node:    ${fmt.pct(grpc.result.rps / floor.rps)}  ${target(grpc.result.rps >= 0.6 * floor.rps)}
  gateway peak RSS under load ≤ 250 MB:   ${fmt.mb(gatewayRss)} MB  ${target(gatewayRss <= 250 * 1024 * 1024)}
load average after: ${load()}`);
