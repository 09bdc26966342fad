// The upstream (Sanity-like) MCP server: MCP authorization discovery, the official MCP client (v2) doing
// dynamic registration + PKCE + resource indicator by itself, per-user results, and the MCP Inspector CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { runGroq } from '../src/mcp/groq.ts';
import { followToCallback, REDIRECT_URI, tokensFor } from './helpers/oauth.ts';

type Obj = Record<string, unknown>;
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** An in-memory OAuthClientProvider whose "browser" follows redirects (auto-approval). */
function memoryProvider(loginHint?: string) {
  let info: Parameters<NonNullable<OAuthClientProvider['saveClientInformation']>>[0] | undefined;
  let tokens: Parameters<OAuthClientProvider['saveTokens']>[0] | undefined;
  let verifier = '';
  let discovery: Parameters<NonNullable<OAuthClientProvider['saveDiscoveryState']>>[0] | undefined;
  let authorizationUrl: URL | undefined;
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return REDIRECT_URI;
    },
    get clientMetadata() {
      return {
        client_name: 'Latchkey sandbox test',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      };
    },
    clientInformation: () => info,
    saveClientInformation: (i) => {
      info = i;
    },
    tokens: () => tokens,
    saveTokens: (t) => {
      tokens = t;
    },
    redirectToAuthorization: (url) => {
      if (loginHint) url.searchParams.set('login_hint', loginHint);
      authorizationUrl = url;
    },
    saveCodeVerifier: (v) => {
      verifier = v;
    },
    codeVerifier: () => verifier,
    saveDiscoveryState: (state) => {
      discovery = state;
    },
    discoveryState: () => discovery,
  };
  return {
    provider,
    authorizationUrl: () => authorizationUrl,
    clientId: () => info?.client_id,
    accessToken: () => tokens?.access_token,
  };
}

async function connectWithOAuth(sandbox: Sandbox, loginHint?: string) {
  const url = new URL(sandbox.urls.mcpServer);
  const auth = memoryProvider(loginHint);
  const first = new Client({ name: 'latchkey-test', version: '1.0.0' });
  await assert.rejects(
    first.connect(new StreamableHTTPClientTransport(url, { authProvider: auth.provider })),
    UnauthorizedError,
  );
  const authUrl = auth.authorizationUrl();
  assert.ok(authUrl, 'the client was sent to the authorization endpoint');
  const transport = new StreamableHTTPClientTransport(url, { authProvider: auth.provider });
  await transport.finishAuth(await followToCallback(authUrl.toString()));
  const client = new Client({ name: 'latchkey-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: auth.provider }));
  return { client, auth, authUrl };
}

describe('upstream MCP server', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  test('unauthenticated: 401 with the protected-resource metadata pointer; metadata leads to the authorization server', async () => {
    const response = await fetch(sandbox.urls.mcpServer, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    assert.equal(response.status, 401);
    const www = response.headers.get('www-authenticate') ?? '';
    const pointer = /resource_metadata="([^"]+)"/.exec(www)?.[1];
    assert.equal(
      pointer,
      `${new URL(sandbox.urls.mcpServer).origin}/.well-known/oauth-protected-resource/mcp`,
    );

    const prm = (await (await fetch(pointer ?? '')).json()) as Obj;
    assert.equal(prm['resource'], sandbox.urls.mcpServer);
    assert.deepEqual(prm['authorization_servers'], [sandbox.urls.authServer]);
    const asMeta = (await (
      await fetch(`${sandbox.urls.authServer}/.well-known/oauth-authorization-server`)
    ).json()) as Obj;
    assert.ok(asMeta['registration_endpoint'], 'dynamic client registration is advertised');
    assert.deepEqual(asMeta['code_challenge_methods_supported'], ['S256']);
  });

  test('the official MCP client registers itself, authorizes with PKCE + resource, lists and calls tools', async () => {
    const { client, auth, authUrl } = await connectWithOAuth(sandbox);
    try {
      assert.equal(authUrl.searchParams.get('resource'), sandbox.urls.mcpServer);
      assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(auth.clientId(), 'registered dynamically');
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [
        'list_projects',
        'list_releases',
        'query_documents',
      ]);

      const listed = await client.callTool({ name: 'list_projects', arguments: {} });
      const projects = (listed.structuredContent as { projects: Array<Obj> }).projects;
      assert.deepEqual(
        projects.map((p) => p['displayName']),
        ["Alice's Blog", 'Product Docs'],
      );

      const drafts = await client.callTool({
        name: 'query_documents',
        arguments: {
          projectId: projects[0]?.['id'],
          query: '*[_type == "post" && status == "draft"] | order(_updatedAt desc) {title, status}',
        },
      });
      assert.deepEqual((drafts.structuredContent as Obj)['result'], [
        { title: 'Announcing our Q3 launch', status: 'draft' },
        { title: 'How our agents authenticate', status: 'draft' },
      ]);
      const releases = await client.callTool({
        name: 'list_releases',
        arguments: { projectId: projects[0]?.['id'], state: 'scheduled' },
      });
      assert.deepEqual(
        ((releases.structuredContent as Obj)['releases'] as Obj[]).map((r) => r['name']),
        ['rQ3launch'],
      );

      const bad = await client.callTool({
        name: 'query_documents',
        arguments: { projectId: 'nope', query: '*' },
      });
      assert.equal(bad.isError, true);
    } finally {
      await client.close();
    }
  });

  test('results are per user', async () => {
    const { client } = await connectWithOAuth(sandbox, 'bob');
    try {
      const listed = await client.callTool({ name: 'list_projects', arguments: {} });
      assert.deepEqual(
        (listed.structuredContent as { projects: Obj[] }).projects.map((p) => p['displayName']),
        ["Bob's Blog", 'Product Docs'],
      );
    } finally {
      await client.close();
    }
  });

  test('MCP Inspector CLI lists the tools with a bearer token', { timeout: 120_000 }, async () => {
    const { accessToken } = await tokensFor(sandbox, 'sanitymcp');
    const args = [
      '@modelcontextprotocol/inspector',
      '--cli',
      sandbox.urls.mcpServer,
      '--transport',
      'http',
      '--method',
      'tools/list',
      '--header',
      `Authorization: Bearer ${accessToken}`,
    ];
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn('npx', args, { cwd: ROOT, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { tools: Array<{ name: string }> };
    assert.deepEqual(result.tools.map((t) => t.name).sort(), [
      'list_projects',
      'list_releases',
      'query_documents',
    ]);
  });
});

describe('GROQ subset', () => {
  const docs = [
    {
      _id: 'a',
      _type: 'post',
      title: 'Hello world',
      status: 'draft',
      n: 3,
      tags: ['x'],
      author: { _ref: 'au1' },
    },
    { _id: 'b', _type: 'post', title: 'Scaling Postgres', status: 'published', n: 1 },
    { _id: 'c', _type: 'author', name: 'Ann' },
  ];
  test('filters, order, slices, projections, params, functions', () => {
    assert.deepEqual(runGroq('*[_type == "post"]{_id}', docs), [{ _id: 'a' }, { _id: 'b' }]);
    assert.deepEqual(runGroq('*[_type == "post" && !(status == "draft")]{_id}', docs), [{ _id: 'b' }]);
    assert.deepEqual(runGroq('*[_type == "post"] | order(n asc) [0...1] {title}', docs), [
      { title: 'Scaling Postgres' },
    ]);
    assert.deepEqual(runGroq('*[status in ["draft", "review"]][0]{_id}', docs), { _id: 'a' });
    assert.deepEqual(runGroq('*[title match "scal*"]{_id}', docs), [{ _id: 'b' }]);
    assert.deepEqual(runGroq('*[_type == $t && n > 2]{_id, "who": author._ref}', docs, { t: 'post' }), [
      { _id: 'a', who: 'au1' },
    ]);
    assert.deepEqual(runGroq('*[defined(name)]{...}', docs), [docs[2]]);
    assert.deepEqual(runGroq('*[references("au1")]{_id}', docs), [{ _id: 'a' }]);
    assert.throws(() => runGroq('*[_type == ', docs), /unexpected end/);
    assert.throws(() => runGroq('*[$missing == 1]', docs), /param \$missing/);
  });
});
