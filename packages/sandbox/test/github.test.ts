// GitHub REST imitation, checked against github/api.github.com.json (OpenAPI 3.0).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { tokensFor } from './helpers/oauth.ts';
import { assertConforms, loadSpec, operationResponse } from './helpers/schema.ts';

const spec = loadSpec('github/api.github.com.json');
const S = { spec };
const schema = (path: string, method: string, status: string) =>
  operationResponse(spec, path, method, status);

describe('GitHub imitation', () => {
  let sandbox: Sandbox;
  let token: string;
  const gh = (path: string, init: RequestInit = {}, t: string | undefined = token) =>
    fetch(`${sandbox.urls.github}${path}`, {
      ...init,
      headers: {
        'user-agent': 'latchkey-sandbox-test',
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        ...(t ? { authorization: `Bearer ${t}` } : {}),
        ...(init.headers as object),
      },
    });
  const json = async (r: Response) => (await r.json()) as unknown;

  before(async () => {
    sandbox = await startSandbox();
    token = (await tokensFor(sandbox, 'github', { scopes: ['repo', 'user'] })).accessToken;
  });
  after(() => sandbox.close());

  test('GET /user conforms (private-user) and reports the token scopes', async () => {
    const response = await gh('/user');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-oauth-scopes'), 'repo, user');
    const body = (await json(response)) as Record<string, unknown>;
    assertConforms(body, schema('/user', 'get', '200'), S);
    assert.equal(body['login'], 'alice');
    assert.equal(body['email'], 'alice@example.com');
  });

  test('GET /user/repos conforms; private repos need the repo scope; Link pagination', async () => {
    const body = (await json(await gh('/user/repos'))) as Array<Record<string, unknown>>;
    assertConforms(body, schema('/user/repos', 'get', '200'), S);
    assert.deepEqual(
      body.map((r) => r['full_name']),
      ['alice/api-server', 'alice/notes', 'alice/website'],
    );
    const publicOnly = (await tokensFor(sandbox, 'github', { scopes: ['read:user'] })).accessToken;
    const visible = (await json(await gh('/user/repos', {}, publicOnly))) as Array<Record<string, unknown>>;
    assert.deepEqual(
      visible.map((r) => r['name']),
      ['api-server', 'website'],
    );
    const paged = await gh('/user/repos?per_page=1&page=2');
    assert.match(paged.headers.get('link') ?? '', /rel="next".*rel="last"/);
  });

  test('GET /repos/{owner}/{repo}/issues conforms and filters by state and labels', async () => {
    const open = (await json(await gh('/repos/alice/api-server/issues'))) as Array<Record<string, unknown>>;
    assertConforms(open, schema('/repos/{owner}/{repo}/issues', 'get', '200'), S);
    assert.equal(open.length, 2);
    const all = (await json(await gh('/repos/alice/api-server/issues?state=all'))) as unknown[];
    assert.equal(all.length, 3);
    const bugs = (await json(await gh('/repos/alice/api-server/issues?labels=bug'))) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      bugs.map((i) => i['number']),
      [1],
    );
  });

  test('POST /repos/{owner}/{repo}/issues conforms (201) and is visible in the list', async () => {
    const response = await gh('/repos/alice/website/issues', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Broken link on /about',
        body: 'The CV link 404s.',
        labels: ['bug', 'triage'],
        assignees: ['alice'],
      }),
    });
    assert.equal(response.status, 201);
    const issue = (await json(response)) as Record<string, unknown>;
    assertConforms(issue, schema('/repos/{owner}/{repo}/issues', 'post', '201'), S);
    assert.equal(response.headers.get('location'), issue['url']);
    assert.deepEqual(
      (issue['labels'] as Array<Record<string, unknown>>).map((l) => l['name']),
      ['bug', 'triage'],
    );
    const list = (await json(await gh('/repos/alice/website/issues'))) as Array<Record<string, unknown>>;
    assert.ok(list.some((i) => i['number'] === issue['number'] && i['title'] === 'Broken link on /about'));
    assert.ok(
      sandbox.state.github.repo('alice', 'website')?.issues.some((i) => i.title === 'Broken link on /about'),
    );
  });

  test('failure shapes: 401 Bad credentials, 404, 422 Validation Failed', async () => {
    const bad = await gh('/user', {}, 'not-a-token');
    assert.equal(bad.status, 401);
    const badBody = await json(bad);
    assertConforms(badBody, schema('/user', 'get', '401'), S);
    assert.deepEqual(badBody, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });

    const hidden = await gh('/repos/bob/notes/issues');
    assert.equal(hidden.status, 404, "another user's private repo is not found");
    assertConforms(await json(hidden), schema('/repos/{owner}/{repo}/issues', 'get', '404'), S);

    const invalid = await gh('/repos/alice/website/issues', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', assignees: ['mallory'] }),
    });
    assert.equal(invalid.status, 422);
    const body = (await json(invalid)) as Record<string, unknown>;
    assertConforms(body, schema('/repos/{owner}/{repo}/issues', 'post', '422'), S);
    assert.equal(body['message'], 'Validation Failed');
    assert.deepEqual(body['errors'], [
      { value: 'mallory', resource: 'Issue', field: 'assignees', code: 'invalid' },
    ]);

    const noTitle = await gh('/repos/alice/website/issues', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noTitle.status, 422);
    assert.match(
      String(((await json(noTitle)) as Record<string, unknown>)['message']),
      /"title" wasn't supplied/,
    );

    const badState = await gh('/repos/alice/website/issues?state=weird');
    assert.equal(badState.status, 422);
  });

  test('writing needs the repo (or public_repo) scope', async () => {
    const readOnly = (await tokensFor(sandbox, 'github', { scopes: ['read:user'] })).accessToken;
    const response = await gh(
      '/repos/alice/website/issues',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'should not land' }),
      },
      readOnly,
    );
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-accepted-oauth-scopes'), 'repo, public_repo');
  });

  test('requests without a User-Agent are refused, like GitHub does', async () => {
    const response = await fetch(`${sandbox.urls.github}/user`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': '' },
    });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /User-Agent/);
  });
});
