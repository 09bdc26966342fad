/** POST /oauth/token, GET /keys, and bearer checks on API calls, against a real gateway. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { API_AUDIENCE, TOKEN_ISSUER } from '../../src/services/api-access.ts';
import { devClient, startGateway } from '../helpers/env.ts';

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

async function token(url: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

const listConnections = (url: string, bearer?: string) =>
  fetch(`${url}/api/v1/connections/app`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});

describe('token endpoint', () => {
  it('issues RS256 tokens for form, JSON and HTTP Basic client authentication, verifiable with /keys', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, clientSecret } = await devClient(gw);
    const viaForm = await token(
      gw.url,
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    assert.equal(viaForm.status, 200);
    assert.equal(viaForm.body['token_type'], 'Bearer');
    assert.equal(viaForm.body['expires_in'], 3600);
    assert.equal(viaForm.headers.get('cache-control'), 'no-store');
    const viaJson = await token(
      gw.url,
      JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      { 'content-type': 'application/json' },
    );
    assert.equal(viaJson.status, 200);
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const viaBasic = await token(gw.url, form({ grant_type: 'client_credentials' }), {
      authorization: `Basic ${basic}`,
    });
    assert.equal(viaBasic.status, 200);

    const jwks = (await (await fetch(`${gw.url}/keys`)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!['kty'], 'RSA');
    assert.equal(jwks.keys[0]!['d'], undefined, 'public only');
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const { payload, protectedHeader } = await jwtVerify(
      viaForm.body['access_token'] as string,
      createLocalJWKSet(jwks as never),
      {
        audience: API_AUDIENCE,
        issuer: TOKEN_ISSUER,
      },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, clientId);
    assert.match(String(payload['env']), /^env_/);
    assert.equal((await listConnections(gw.url, viaBasic.body['access_token'] as string)).status, 200);
  });

  it('refuses bad client authentication and grants with the OAuth error JSON', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, clientSecret } = await devClient(gw);
    const cases: [string, string, Record<string, string>, number, string][] = [
      [
        'wrong secret',
        form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'lks_wrong' }),
        {},
        401,
        'invalid_client',
      ],
      [
        'unknown client',
        form({ grant_type: 'client_credentials', client_id: 'lkc_nope', client_secret: clientSecret }),
        {},
        401,
        'invalid_client',
      ],
      [
        'missing secret',
        form({ grant_type: 'client_credentials', client_id: clientId }),
        {},
        401,
        'invalid_client',
      ],
      [
        'unknown grant type',
        form({ grant_type: 'password', client_id: clientId, client_secret: clientSecret }),
        {},
        400,
        'unsupported_grant_type',
      ],
      [
        'missing grant type',
        form({ client_id: clientId, client_secret: clientSecret }),
        {},
        400,
        'invalid_request',
      ],
      ['invalid JSON', '{"grant_type":', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['wrong content type', 'x', { 'content-type': 'text/xml' }, 400, 'invalid_request'],
      [
        'bad Basic credentials',
        form({ grant_type: 'client_credentials' }),
        { authorization: `Basic ${Buffer.from(`${clientId}:nope`).toString('base64')}` },
        401,
        'invalid_client',
      ],
    ];
    for (const [name, body, headers, status, error] of cases) {
      const r = await token(gw.url, body, headers);
      assert.equal(r.status, status, name);
      assert.equal(r.body['error'], error, name);
      assert.equal(typeof r.body['error_description'], 'string', name);
      assert.ok(!JSON.stringify(r.body).includes(clientSecret), `${name}: no secret echoed`);
    }
  });

  it('a revoked client gets no token, and its issued tokens stop working', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, clientSecret } = await devClient(gw);
    const before = await token(
      gw.url,
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    await gw.apiAccess.revokeClient(clientId);
    const after = await token(
      gw.url,
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    assert.equal(after.status, 401);
    assert.equal(after.body['error'], 'invalid_client');
    assert.equal((await listConnections(gw.url, before.body['access_token'] as string)).status, 401);
  });

  it('API calls refuse missing, malformed, expired, foreign-key-signed and wrong-audience tokens', async (t) => {
    const gw = await startGateway(t, 'sqlite');
    if (!gw) return;
    const { clientId, environmentId } = await devClient(gw);
    const expired = await gw.signer.sign(
      { sub: clientId, env: environmentId },
      { audience: API_AUDIENCE, issuer: TOKEN_ISSUER, expiresInSeconds: -60 },
    );
    const wrongAudience = await gw.signer.sign(
      { sub: clientId, env: environmentId },
      { audience: 'https://mcp.example/servers/1', issuer: TOKEN_ISSUER, expiresInSeconds: 60 },
    );
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [{ kid }] = gw.signer.jwks().keys as [{ kid: string }];
    const forged = await new SignJWT({ sub: clientId, env: environmentId })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(API_AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: clientId, env: environmentId, aud: API_AUDIENCE, iss: TOKEN_ISSUER })).toString('base64url')}.`;
    const otherEnvClaim = await gw.signer.sign(
      { sub: clientId, env: 'env_other' },
      { audience: API_AUDIENCE, issuer: TOKEN_ISSUER, expiresInSeconds: 60 },
    );
    for (const [name, bearer] of [
      ['missing', undefined],
      ['malformed', 'not-a-jwt'],
      ['expired', expired],
      ['signed by another key', forged],
      ['alg none', noneAlg],
      ['wrong audience', wrongAudience],
      ['client of another environment', otherEnvClaim],
    ] as const) {
      const r = await listConnections(gw.url, bearer);
      assert.equal(r.status, 401, name);
      const body = (await r.json()) as { code: number; message: string };
      assert.equal(body.code, 16, name);
      assert.ok(!body.message.includes('env_'), `${name}: nothing about environments leaks`);
    }
  });
});
