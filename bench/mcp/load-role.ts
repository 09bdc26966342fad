/**
 * The benchmark's load generator process: records the requests the official MCP client sends
 * (2026-07-28 and 2025 eras), then replays them, and ExecuteTool over REST, through undici pools.
 * Every answer is checked (HTTP 200, no JSON-RPC error, no isError): failures are counted.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Pool } from 'undici';
import type { Phase, PhaseResult, Targets } from '../mcp.bench.ts';

interface Template {
  url: URL;
  headers: Record<string, string>;
  body: string;
  check(status: number, text: string): boolean;
}

/** The tools/call (or tools/list) request the official client sends, captured from its fetch. */
async function record(
  url: string,
  era: 'modern' | 'legacy',
  method: 'tools/call' | 'tools/list',
): Promise<Template> {
  let captured: Template | undefined;
  const spy = async (input: string | URL | Request, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes(`"method":"${method}"`)) {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => {
        headers[k] = v;
      });
      captured = {
        url: new URL(String(input instanceof Request ? input.url : input)),
        headers,
        body,
        check: mcpOk,
      };
    }
    return fetch(input, init);
  };
  const client = new Client(
    { name: 'latchkey-bench', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: spy }));
  if (method === 'tools/call')
    await client.callTool({ name: 'benchstub_echo', arguments: { msg: 'hello', count: 2 } });
  else await client.listTools();
  await client.close();
  if (!captured) throw new Error(`did not see the client's ${method}`);
  return captured;
}

function mcpOk(status: number, text: string): boolean {
  if (status !== 200) return false;
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '');
  return json.includes('"result"') && !json.includes('"isError":true');
}

let targets: Targets;
const templates = new Map<string, Template>();
const pools = new Map<string, Pool>();

function pool(origin: string): Pool {
  let p = pools.get(origin);
  if (!p) {
    p = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
    pools.set(origin, p);
  }
  return p;
}

async function once(t: Template): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  const res = await pool(t.url.origin).request({
    method: 'POST',
    path: t.url.pathname,
    headers: t.headers,
    body: t.body,
  });
  const text = await res.body.text();
  return { ms: performance.now() - started, ok: t.check(res.statusCode, text) };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function runPhase(phase: Phase): Promise<PhaseResult> {
  const t = templates.get(phase.name.replace(/^warmup-/, ''))!;
  const concurrency = phase.kind === 'latency' ? 1 : phase.concurrency;
  const times: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < phase.n) {
        issued++;
        const r = await once(t);
        times.push(r.ms);
        if (!r.ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    name: phase.name,
    n: phase.n,
    errors,
    seconds,
    p50: pct(times, 50),
    p90: pct(times, 90),
    p99: pct(times, 99),
  };
}

process.on('message', async (m: { targets?: Targets; phase?: Phase }) => {
  if (m.targets) {
    targets = m.targets;
    templates.set('mcp', await record(targets.callUrl, 'modern', 'tools/call'));
    templates.set('mcp-legacy', await record(targets.legacyCallUrl, 'legacy', 'tools/call'));
    templates.set('list100', await record(targets.listUrl, 'modern', 'tools/list'));
    templates.set('exec', {
      url: new URL(`${targets.origin}/api/v1/execute_tool`),
      headers: { authorization: `Bearer ${targets.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        tool_name: 'benchstub_echo',
        identifier: 'bench-user',
        connector: 'stub',
        params: { msg: 'hello', count: 2 },
      }),
      check: (status, text) => status === 200 && text.includes('"execution_id"'),
    });
    templates.set('stub', {
      url: new URL(`${targets.stubUrl}/echo`),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msg: 'hello', count: 2 }),
      check: (status) => status === 200,
    });
    const list = await once(templates.get('list100')!);
    if (!list.ok) throw new Error('tools/list failed');
    process.send!({ ready: true });
  } else if (m.phase) {
    process.send!(await runPhase(m.phase));
  }
});
process.on('disconnect', () => process.exit(0));
