/**
 * Shared benchmark helpers. A bench file (`bench/<name>.bench.ts`, run by `npm run bench`) starts
 * its services in their own processes, drives load from another, and prints one table whose
 * figures are ratios to baselines measured in the same run:
 *
 *   const up = await startStubUpstream();              // JSON answers on loopback
 *   const gw = await startGateway(up.info.url);         // Latchkey, account + tool ready
 *   const rss = sampleRss(gw.pid);
 *   const r = await runWrk({ url, headers, connections: 32, durationSeconds: 10 });   // HTTP/1.1
 *   const g = await runH2Load({ url, path, headers, body, connections: 4, concurrency: 32,
 *                              durationSeconds: 10, grpc: true });                      // HTTP/2
 *   printTable(['row', 'req/s'], [['x', fmt.rps(r.rps)]]);
 *
 * Environment: BENCH_DURATION (seconds per measured row, default 10), BENCH_CONNECTIONS (32),
 * BENCH_NODE_ARGS / MALLOC_ARENA_MAX (memory settings of every Node service, see proc.ts).
 */
export { startBareProxy } from './bare-proxy.ts';
export { type BenchGateway, benchConnector, startGateway } from './gateway.ts';
export { checkGrpc, type H2LoadOptions, runH2Load } from './h2-load.ts';
export { type Nginx, startNginx } from './nginx.ts';
export { have, NODE_ARGS, ready, type Service, startService } from './proc.ts';
export { cpuMsOf, rssOf, sampleRss } from './rss.ts';
export { best, type LoadResult, percentile } from './stats.ts';
export { ITEM, startStubUpstream } from './stub-upstream.ts';
export { fmt, printTable } from './table.ts';
export { requireWrk, runWrk, type WrkOptions } from './wrk.ts';

export const settings = {
  durationSeconds: Number(process.env['BENCH_DURATION'] ?? 10),
  connections: Number(process.env['BENCH_CONNECTIONS'] ?? 32),
  warmupSeconds: 2,
};
