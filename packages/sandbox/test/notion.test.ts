// Notion API imitation, checked against notion/notion-openapi.json (the partial OpenAPI 3.1 description
// Notion ships with its MCP server: request bodies, the error shape, and `users/me`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { tokensFor } from './helpers/oauth.ts';
import { assertConforms, conform, loadSpec, operationResponse } from './helpers/schema.ts';

const spec = loadSpec('notion/notion-openapi.json');
const S = { spec };
type Obj = Record<string, unknown>;
const requestSchema = (path: string, method: string) => {
  const op = ((spec['paths'] as Record<string, Obj>)[path] as Record<string, Obj>)[method] as Obj;
  return (((op['requestBody'] as Obj)['content'] as Obj)['application/json'] as Obj)['schema'] as Obj;
};

describe('Notion imitation', () => {
  let sandbox: Sandbox;
  let token: string;
  const notion = (
    path: string,
    init: RequestInit = {},
    headers: Record<string, string> = { 'notion-version': '2025-09-03' },
  ) =>
    fetch(`${sandbox.urls.notion}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    });
  const json = async (r: Response) => (await r.json()) as Obj;

  before(async () => {
    sandbox = await startSandbox();
    token = (await tokensFor(sandbox, 'notion')).accessToken;
  });
  after(() => sandbox.close());

  test('GET /v1/users/me conforms (the bot, owned by the user)', async () => {
    const body = await json(await notion('/v1/users/me'));
    assertConforms(body, operationResponse(spec, '/v1/users/me', 'get', '200'), S);
    assert.equal(body['type'], 'bot');
    assert.equal((((body['bot'] as Obj)['owner'] as Obj)['user'] as Obj)['name'], 'Alice Nguyen');
  });

  test('POST /v1/search: spec request body, list shape, query and filter', async () => {
    const request = {
      query: 'road',
      filter: { property: 'object', value: 'page' },
      sort: { direction: 'descending', timestamp: 'last_edited_time' },
      page_size: 10,
    };
    assert.deepEqual(conform(request, requestSchema('/v1/search', 'post'), S), []);
    const response = await notion('/v1/search', { method: 'POST', body: JSON.stringify(request) });
    assert.equal(response.status, 200);
    const body = await json(response);
    assertConforms(body, operationResponse(spec, '/v1/search', 'post', '200'), S);
    assert.equal(body['object'], 'list');
    assert.equal(body['type'], 'page_or_data_source');
    const results = body['results'] as Obj[];
    assert.deepEqual(
      results.map(
        (r) =>
          ((r['properties'] as Obj)['title'] as { title: Array<{ plain_text: string }> }).title[0]
            ?.plain_text,
      ),
      ['Project Roadmap'],
    );
    const sources = await json(
      await notion('/v1/search', {
        method: 'POST',
        body: JSON.stringify({ filter: { property: 'object', value: 'data_source' } }),
      }),
    );
    assert.deepEqual(
      (sources['results'] as Obj[]).map((r) => r['object']),
      ['data_source'],
    );
    const paged = await json(
      await notion('/v1/search', { method: 'POST', body: JSON.stringify({ page_size: 2 }) }),
    );
    assert.equal(paged['has_more'], true);
    assert.equal(typeof paged['next_cursor'], 'string');
  });

  test('POST /v1/pages (spec request body) then GET /v1/pages/{id} reads it back', async () => {
    const roadmap = sandbox.state.notion.pages('alice').find((p) => p.title === 'Project Roadmap');
    assert.ok(roadmap);
    const request = {
      parent: { page_id: roadmap.id },
      properties: { title: [{ text: { content: 'Launch checklist' } }] },
      children: [],
    };
    assert.deepEqual(conform(request, requestSchema('/v1/pages', 'post'), S), []);
    const created = await json(await notion('/v1/pages', { method: 'POST', body: JSON.stringify(request) }));
    assertConforms(created, operationResponse(spec, '/v1/pages', 'post', '200'), S);
    assert.equal(created['object'], 'page');
    assert.deepEqual(created['parent'], { type: 'page_id', page_id: roadmap.id });
    const id = String(created['id']).replace(/-/g, '');
    const fetched = await json(await notion(`/v1/pages/${id}`));
    assertConforms(fetched, operationResponse(spec, '/v1/pages/{page_id}', 'get', '200'), S);
    assert.equal(fetched['id'], created['id']);
    assert.equal(
      ((fetched['properties'] as Obj)['title'] as { title: Array<{ plain_text: string }> }).title[0]
        ?.plain_text,
      'Launch checklist',
    );
  });

  test('failure shapes: missing Notion-Version, unknown page, validation error', async () => {
    const errorSchema = operationResponse(spec, '/v1/pages/{page_id}', 'get', '400');
    const noVersion = await notion('/v1/users/me', {}, {});
    assert.equal(noVersion.status, 400);
    const body = await json(noVersion);
    assertConforms(body, errorSchema, S);
    assert.equal(body['object'], 'error');
    assert.equal(body['code'], 'missing_version');

    const missing = await notion('/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5');
    assert.equal(missing.status, 404);
    const missingBody = await json(missing);
    assertConforms(missingBody, errorSchema, S);
    assert.equal(missingBody['code'], 'object_not_found');

    const invalid = await notion('/v1/pages', { method: 'POST', body: JSON.stringify({ properties: {} }) });
    assert.equal(invalid.status, 400);
    const invalidBody = await json(invalid);
    assertConforms(invalidBody, errorSchema, S);
    assert.equal(invalidBody['code'], 'validation_error');
  });
});
