/**
 * TLS on the same port: HTTP/1.1 and gRPC (ALPN h2) at the host root, as the Python SDK needs
 * (it always uses TLS and drops any path prefix). A self-signed certificate is made in the test.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Agent, fetch as undiciFetch } from 'undici';
import { ConnectionService } from '../../src/gen/scalekit/v1/connections/connections_pb.js';
import { devClient, startGateway, tempDir } from '../helpers/env.ts';
import { REPO_ROOT } from '../helpers/process.ts';

function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
  } catch (e) {
    throw new Error(`openssl is needed to make a test certificate: ${(e as Error).message}`);
  }
  return { cert, key };
}

describe('TLS', () => {
  it('serves HTTP/1.1 and gRPC over TLS on one port; a client trusting the certificate works, others fail', async (t) => {
    const dir = tempDir();
    t.after(() => dir.remove());
    const { cert, key } = selfSigned(dir.path);
    const gw = await startGateway(t, 'sqlite', { tlsCert: cert, tlsKey: key, host: '127.0.0.1' });
    if (!gw) return;
    assert.match(gw.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = (await import('node:fs')).readFileSync(cert);
    const { clientId, clientSecret } = await devClient(gw);

    // HTTP/1.1 over TLS: the token endpoint.
    const dispatcher = new Agent({ connect: { ca } });
    const tok = await undiciFetch(`${gw.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
      dispatcher,
    });
    assert.equal(tok.status, 200);
    const { access_token } = (await tok.json()) as { access_token: string };

    // gRPC over TLS (ALPN h2) at the host root.
    const client = createClient(
      ConnectionService,
      createGrpcTransport({ baseUrl: gw.url, nodeOptions: { ca } }),
    );
    const res = await client.listAppConnections({}, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(res.totalSize, 0);

    // A client that does not trust the certificate is refused by TLS itself.
    const untrusting = createClient(ConnectionService, createGrpcTransport({ baseUrl: gw.url }));
    await assert.rejects(() =>
      untrusting.listAppConnections({}, { headers: { authorization: `Bearer ${access_token}` } }),
    );

    // The official SDK in a process that trusts the certificate through NODE_EXTRA_CA_CERTS (as documented).
    const script = join(dir.path, 'sdk.mjs');
    writeFileSync(
      script,
      `import { ScalekitClient } from '${import.meta.resolve('@scalekit-sdk/node')}';
const sk = new ScalekitClient(process.env.SCALEKIT_ENV_URL, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET);
const r = await sk.actions.listConnections();
console.log(JSON.stringify({ total: r.totalSize }));`,
    );
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [script], {
        cwd: join(REPO_ROOT, 'packages/gateway'),
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: cert,
          SCALEKIT_ENV_URL: gw.url,
          SCALEKIT_CLIENT_ID: clientId,
          SCALEKIT_CLIENT_SECRET: clientSecret,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`)),
      );
    });
    assert.deepEqual(JSON.parse(out.trim()), { total: 0 });
  });

  it('refuses to start with an unreadable certificate, naming the setting', async (t) => {
    const dir = tempDir();
    t.after(() => dir.remove());
    await assert.rejects(
      () =>
        startGateway(t, 'sqlite', {
          tlsCert: join(dir.path, 'missing.pem'),
          tlsKey: join(dir.path, 'missing.key'),
        }),
      /LATCHKEY_TLS_CERT: cannot read/,
    );
  });
});
