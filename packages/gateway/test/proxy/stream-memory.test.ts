/**
 * Streaming, measured where it matters: a gateway in a child process passes a 50 MB upstream
 * response to a slow reader, and its RSS (sampled every 5 ms) grows by less than 20 MB over the
 * baseline taken after a smaller warm-up request. A gateway that buffered the body would grow by
 * 50 MB+. Then a 20 MB request body streamed upstream through the same process.
 *
 * The child runs with the memory settings the README recommends for the gateway
 * (`--max-semi-space-size=2 --max-old-space-size=384`, `MALLOC_ARENA_MAX=1`). Without them RSS
 * grows by 20-45 MB while streaming whatever the code does (a bare node:http + undici proxy shows
 * the same): V8's young generation (semi-spaces of 16 MB and more, grown during start-up) lets dead
 * 64 KiB socket buffers pile up between scavenges, and glibc's per-thread arenas keep memory that
 * V8's background threads free.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startUpstream } from '../helpers/upstream.ts';

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

function ask(child: ChildProcess, message: string): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { rss: number }) => resolve(m.rss));
    child.send(message);
  });
}

/** GETs through the proxy, reading slowly (a pause after every MB); returns the byte count. */
function slowGet(url: string, token: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/proxy${path}`,
      { headers: { authorization: `Bearer ${token}`, connection_name: 'echoapi', identifier: 'user_1' } },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        let bytes = 0;
        let nextPause = MB;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes >= nextPause) {
            nextPause += MB;
            res.pause();
            setTimeout(() => res.resume(), 2);
          }
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('proxy streaming memory', () => {
  it('passes a 50 MB response with gateway RSS growing by less than 20 MB; streams a 20 MB upload', async (t) => {
    const up = await startUpstream(t);
    up.early = (req, res) => {
      const size = Number(/size=(\d+)/.exec(req.url ?? '')?.[1] ?? '0');
      if (!req.url?.startsWith('/base/blob')) return false;
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return true;
    };
    const child = spawn(
      process.execPath,
      [
        '--max-semi-space-size=2',
        '--max-old-space-size=384',
        '--expose-gc',
        join(import.meta.dirname, 'fixtures/gateway-child.ts'),
      ],
      {
        env: { ...process.env, MALLOC_ARENA_MAX: '1', UPSTREAM_BASE: `${up.url}/base` },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    t.after(() => {
      if (child.connected) child.disconnect();
      child.kill();
    });
    const [line] = (await Promise.race([
      once(child.stdout!, 'data'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the gateway child exited with ${code} before listening`);
      }),
    ])) as [Buffer];
    const { url, token } = JSON.parse(line.toString()) as { url: string; token: string };

    assert.equal(await slowGet(url, token, `/blob?size=${8 * MB}`), 8 * MB, 'warm-up');
    const baseline = await ask(child, 'baseline');
    assert.equal(await slowGet(url, token, `/blob?size=${50 * MB}`), 50 * MB);
    const peak = await ask(child, 'peak');
    const grew = (peak - baseline) / MB;
    t.diagnostic(
      `gateway RSS ${(baseline / MB).toFixed(1)} MB → peak ${(peak / MB).toFixed(1)} MB (+${grew.toFixed(1)} MB)`,
    );
    assert.ok(grew < 20, `RSS grew by ${grew.toFixed(1)} MB while streaming 50 MB`);

    // Upload: 20 MB sent in chunks; the upstream hashes what it receives.
    const hash = createHash('sha256');
    const sent = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${url}/proxy/upload`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, connection_name: 'echoapi', identifier: 'user_1' },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      let n = 0;
      const pump = () => {
        while (n < (20 * MB) / CHUNK.length) {
          n++;
          hash.update(CHUNK);
          if (!req.write(CHUNK)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    const got = JSON.parse(sent) as { bytes: number; sha256: string };
    assert.equal(got.bytes, 20 * MB);
    assert.equal(got.sha256, hash.digest('hex'));
    const afterUpload = await ask(child, 'peak');
    t.diagnostic(`peak after the upload ${(afterUpload / MB).toFixed(1)} MB`);
    assert.ok((afterUpload - baseline) / MB < 20, 'the upload was buffered');
  });
});
