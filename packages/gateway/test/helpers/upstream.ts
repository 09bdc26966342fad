/**
 * A provider API of the test's own on loopback, for what the sandbox imitations do not do
 * (echoing headers, huge or slow bodies, odd framing): records every request it receives, and a
 * connector pointed at it whose API key travels in `X-Echo-Key`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { type ConnectorDefinition, loadConnector } from '@latchkey/connectors';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  bytes: number;
  sha256: string;
}

export interface Upstream {
  url: string;
  port: number;
  server: Server;
  received: Received[];
  /** Answers requests (after the body was read); default: a JSON echo of the request. */
  handle: (req: IncomingMessage, res: ServerResponse, got: Received) => void;
  /** Answers before the body is read (streaming tests); return true when handled. */
  early?: (req: IncomingMessage, res: ServerResponse) => boolean;
  close(): Promise<void>;
}

export const echo = (_req: IncomingMessage, res: ServerResponse, got: Received) => {
  const body = JSON.stringify(got);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export async function startUpstream(t: TestContext): Promise<Upstream> {
  const up: Upstream = {
    url: '',
    port: 0,
    server: createServer((req, res) => {
      if (up.early?.(req, res)) return;
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        const got: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          bytes,
          sha256: hash.digest('hex'),
        };
        up.received.push(got);
        up.handle(req, res, got);
      });
    }),
    received: [],
    handle: echo,
    close: async () => {
      up.server.closeAllConnections();
      await new Promise<void>((r) => up.server.close(() => r()));
    },
  };
  await new Promise<void>((r) => up.server.listen(0, '127.0.0.1', r));
  up.port = (up.server.address() as AddressInfo).port;
  up.url = `http://127.0.0.1:${up.port}`;
  t.after(() => up.close());
  return up;
}

/** A connector for an upstream's API under `baseUrl` (API key in `X-Echo-Key`). */
export function echoConnector(baseUrl: string, slug = 'echoapi'): ConnectorDefinition {
  return loadConnector({
    slug,
    display_name: 'Echo API (test)',
    description: 'A test upstream on loopback.',
    categories: ['Test'],
    kind: 'rest',
    auth: {
      type: 'api_key',
      placement: 'header',
      name: 'X-Echo-Key',
      field: 'api_key',
      fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
    },
    api: { base_url: baseUrl, default_headers: { 'X-Echo-Version': '2026-01-01' } },
    tools: [],
  });
}

export const staticAuth = (details: Record<string, string>) =>
  ({ details: { case: 'staticAuth', value: { details } } }) as never;
