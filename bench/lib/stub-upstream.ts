/**
 * The stub upstream (a service script, see proc.ts): a provider API on loopback answering every
 * request with the same small JSON document (`ITEM`, about 300 bytes, with content-length) after
 * reading any request body. `startStubUpstream()` runs it in its own process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ready, type Service, startService } from './proc.ts';

export const ITEM = {
  id: 'item_0001',
  object: 'item',
  name: 'Benchmark item',
  description: 'A small JSON document, like a typical provider API answer.',
  tags: ['alpha', 'beta', 'gamma'],
  owner: { id: 'user_1', email: 'alice@example.com' },
  created: 1767225600,
  updated: 1767225600,
};

export function startStubUpstream(): Promise<Service<{ url: string; port: number }>> {
  return startService(join(import.meta.dirname, 'stub-upstream.ts'));
}

if (import.meta.main) {
  const body = Buffer.from(JSON.stringify(ITEM));
  const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    ready({ url: `http://127.0.0.1:${port}`, port });
  });
}
