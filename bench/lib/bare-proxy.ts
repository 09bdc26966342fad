/**
 * The bare Node proxy (a service script): the floor any Node gateway pays. `node:http` in,
 * `undici` pool out, body piped both ways; no auth, no header policy, no logging.
 * `startBareProxy(upstream)` runs it in its own process; requests to `/proxy/<path>` go to
 * `<upstream>/<path>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { Agent } from 'undici';
import { ready, type Service, startService } from './proc.ts';

export function startBareProxy(upstream: string): Promise<Service<{ url: string }>> {
  return startService(join(import.meta.dirname, 'bare-proxy.ts'), { env: { BENCH_UPSTREAM: upstream } });
}

if (import.meta.main) {
  const origin = process.env['BENCH_UPSTREAM']!;
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    agent.request({ origin, path: req.url!.slice('/proxy'.length) || '/', method: 'GET', body: null }).then(
      (up) => {
        if (res.destroyed) return void up.body.on('error', () => {}).destroy(); // the client left
        const headers: Record<string, string> = { 'content-type': String(up.headers['content-type']) };
        if (up.headers['content-length']) headers['content-length'] = String(up.headers['content-length']);
        res.writeHead(up.statusCode, headers);
        pipeline(up.body, res, () => {});
      },
      () => res.writeHead(502).end(),
    );
  });
  server.listen(0, '127.0.0.1', () => {
    ready({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
}
