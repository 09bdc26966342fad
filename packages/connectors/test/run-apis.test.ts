import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  builtinConnectors,
  type ConnectorDefinition,
  loadConnector,
  ProviderError,
  runTool,
  ToolInputError,
} from '../src/index.ts';
import { json, recordingRuntime, run } from './helpers.ts';

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const e = await promise.then(
    () => assert.fail('expected a ProviderError'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof ProviderError, String(e));
  return e;
}

describe('slack', () => {
  it('slack_send_message posts a form to chat.postMessage', async () => {
    const { requests, data } = await run(
      'slack_send_message',
      {
        channel: 'C123',
        text: 'Hello *team*',
        thread_ts: '1712345678.000100',
        reply_broadcast: true,
        unfurl_links: false,
        blocks: '[{"type":"divider"}]',
      },
      () => json(200, { ok: true, channel: 'C123', ts: '1712345679.000200' }),
    );
    assert.deepEqual(requests, [
      {
        method: 'POST',
        path: '/chat.postMessage',
        body: {
          form: {
            channel: 'C123',
            text: 'Hello *team*',
            thread_ts: '1712345678.000100',
            reply_broadcast: 'true',
            blocks: '[{"type":"divider"}]',
            unfurl_links: 'false',
          },
        },
      },
    ]);
    assert.deepEqual(data, { ok: true, channel: 'C123', ts: '1712345679.000200' });
  });

  it('slack_list_channels, slack_fetch_conversation_history, slack_get_user_info', async () => {
    const list = await run('slack_list_channels', { limit: 200, exclude_archived: true });
    assert.deepEqual(list.requests, [
      {
        method: 'GET',
        path: '/conversations.list',
        query: { types: 'public_channel,private_channel', exclude_archived: 'true', limit: '200' },
      },
    ]);
    const history = await run('slack_fetch_conversation_history', {
      channel: 'C1',
      oldest: '1712000000.000000',
      limit: 50,
      cursor: 'dXNlcjpVMDYx',
    });
    assert.deepEqual(history.requests, [
      {
        method: 'GET',
        path: '/conversations.history',
        query: { channel: 'C1', limit: '50', cursor: 'dXNlcjpVMDYx', oldest: '1712000000.000000' },
      },
    ]);
    const user = await run('slack_get_user_info', { user: 'U1', include_locale: true });
    assert.deepEqual(user.requests, [
      { method: 'GET', path: '/users.info', query: { user: 'U1', include_locale: 'true' } },
    ]);
  });

  it('ok:false in a 200 body is a ProviderError with a declared status', async () => {
    const notFound = await providerError(
      run('slack_send_message', { channel: 'C404', text: 'x' }, () =>
        json(200, { ok: false, error: 'channel_not_found' }),
      ),
    );
    assert.deepEqual([notFound.status, notFound.httpStatus, notFound.code], [404, 200, 'channel_not_found']);
    const auth = await providerError(
      run('slack_list_channels', {}, () => json(200, { ok: false, error: 'invalid_auth' })),
    );
    assert.equal(auth.status, 401);
    const other = await providerError(
      run('slack_list_channels', {}, () => json(200, { ok: false, error: 'invalid_cursor' })),
    );
    assert.deepEqual([other.status, other.code], [400, 'invalid_cursor']);
    const limited = await providerError(
      run('slack_list_channels', {}, () =>
        json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' }),
      ),
    );
    assert.deepEqual([limited.status, limited.retryAfterSeconds], [429, 30]);
    const detailed = await providerError(
      run('slack_send_message', { channel: 'C1', text: 'x' }, () =>
        json(200, {
          ok: false,
          error: 'invalid_blocks',
          response_metadata: { messages: ['[ERROR] missing required field: text'] },
        }),
      ),
    );
    assert.deepEqual(detailed.details, ['[ERROR] missing required field: text']);
  });
});

describe('github', () => {
  it('github_user_get_authenticated and github_user_repos_list (array wrapped)', async () => {
    const me = await run('github_user_get_authenticated', {}, () => json(200, { login: 'octocat', id: 1 }));
    assert.deepEqual(me.requests, [{ method: 'GET', path: '/user' }]);
    assert.deepEqual(me.data, { login: 'octocat', id: 1 });
    const repos = await run('github_user_repos_list', { sort: 'updated', per_page: 50, page: 2 }, () =>
      json(200, [{ full_name: 'octocat/hello' }]),
    );
    assert.deepEqual(repos.requests, [
      { method: 'GET', path: '/user/repos', query: { sort: 'updated', per_page: '50', page: '2' } },
    ]);
    assert.deepEqual(repos.data, { repositories: [{ full_name: 'octocat/hello' }] });
  });

  it('github_issue_create sends JSON; github_issues_list filters', async () => {
    const created = await run(
      'github_issue_create',
      {
        owner: 'octo-org',
        repo: 'api',
        title: 'Crash on start',
        body: 'Steps…',
        labels: ['bug'],
        assignees: ['alice'],
        milestone: 3,
      },
      () => json(201, { number: 42 }),
    );
    assert.deepEqual(created.requests, [
      {
        method: 'POST',
        path: '/repos/octo-org/api/issues',
        body: {
          json: {
            title: 'Crash on start',
            body: 'Steps…',
            assignees: ['alice'],
            labels: ['bug'],
            milestone: 3,
          },
        },
      },
    ]);
    assert.deepEqual(created.data, { number: 42 });
    const listed = await run(
      'github_issues_list',
      { owner: 'o', repo: 'r', state: 'all', labels: 'bug,ui' },
      () => json(200, []),
    );
    assert.deepEqual(listed.requests, [
      { method: 'GET', path: '/repos/o/r/issues', query: { state: 'all', labels: 'bug,ui' } },
    ]);
    assert.deepEqual(listed.data, { issues: [] });
  });

  it('path parameters cannot inject segments, traversal, a query or a fragment', async () => {
    const { requests } = await run('github_issues_list', { owner: 'a/b', repo: '..%2F..%2Fuser?x#y' });
    assert.equal(requests[0]!.path, '/repos/a%2Fb/..%252F..%252Fuser%3Fx%23y/issues');
    for (const owner of ['..', '.', '']) {
      await assert.rejects(
        run('github_issues_list', { owner, repo: 'r' }, () => assert.fail('no request expected')),
        ToolInputError,
      );
    }
    await assert.rejects(
      run('github_issues_list', { repo: 'r' }, () => assert.fail('no request expected')),
      /owner: is required/,
    );
  });

  it('GitHub errors: message, 422 errors[]', async () => {
    const notFound = await providerError(
      run('github_user_get_authenticated', {}, () =>
        json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com' }),
      ),
    );
    assert.deepEqual([notFound.status, notFound.code, notFound.providerMessage], [404, '404', 'Not Found']);
    const invalid = await providerError(
      run('github_issue_create', { owner: 'o', repo: 'r', title: 't' }, () =>
        json(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
        }),
      ),
    );
    assert.deepEqual([invalid.status, invalid.code], [422, 'missing_field']);
    assert.deepEqual(invalid.details, ['resource=Issue field=title code=missing_field']);
    assert.match(invalid.message, /github error 422 missing_field: Validation Failed \(resource=Issue/);
  });
});

describe('notion', () => {
  it('notion_page_search always searches pages, most recently edited first by default', async () => {
    const { requests } = await run('notion_page_search', { query: 'Roadmap', page_size: 10 });
    assert.deepEqual(requests, [
      {
        method: 'POST',
        path: '/v1/search',
        body: {
          json: {
            query: 'Roadmap',
            filter: { property: 'object', value: 'page' },
            sort: { direction: 'descending', timestamp: 'last_edited_time' },
            page_size: 10,
          },
        },
      },
    ]);
    const asc = await run('notion_page_search', { sort_direction: 'ascending', start_cursor: 'c1' });
    assert.deepEqual((asc.requests[0]!.body as { json: Record<string, unknown> }).json['sort'], {
      direction: 'ascending',
      timestamp: 'last_edited_time',
    });
  });

  it('notion_page_get encodes the page ID as one segment', async () => {
    const { requests } = await run('notion_page_get', { page_id: '../users/me' });
    assert.deepEqual(requests, [{ method: 'GET', path: '/v1/pages/..%2Fusers%2Fme' }]);
  });

  it('notion_page_create builds the parent from database_id or parent_page_id', async () => {
    const properties = { title: { title: [{ text: { content: 'Task A' } }] } };
    const row = await run('notion_page_create', {
      database_id: 'db1',
      properties,
      notion_version: '2022-06-28',
    });
    assert.deepEqual(row.requests, [
      {
        method: 'POST',
        path: '/v1/pages',
        body: { json: { parent: { database_id: 'db1' }, properties } },
        headers: { 'Notion-Version': '2022-06-28' },
      },
    ]);
    const child = await run('notion_page_create', {
      parent_page_id: 'p1',
      child_blocks: [{ object: 'block', type: 'divider', divider: {} }],
      icon: { type: 'emoji', emoji: '📝' },
    });
    assert.deepEqual(child.requests[0]!.body, {
      json: {
        parent: { page_id: 'p1' },
        properties: {},
        children: [{ object: 'block', type: 'divider', divider: {} }],
        icon: { type: 'emoji', emoji: '📝' },
      },
    });
    for (const input of [
      {},
      { database_id: 'd', parent_page_id: 'p' },
      { database_id: 'd' },
      { parent_page_id: 'p', notion_version: 'x\r\ny' },
    ]) {
      await assert.rejects(
        run('notion_page_create', input, () => assert.fail('no request expected')),
        ToolInputError,
      );
    }
  });

  it('Notion errors: code and message', async () => {
    const e = await providerError(
      run('notion_page_get', { page_id: 'p' }, () =>
        json(404, {
          object: 'error',
          status: 404,
          code: 'object_not_found',
          message: 'Could not find page with ID: p.',
        }),
      ),
    );
    assert.deepEqual(
      [e.status, e.code, e.providerMessage],
      [404, 'object_not_found', 'Could not find page with ID: p.'],
    );
  });
});

describe('other executors', () => {
  it('sandbox services: plain GETs', async () => {
    const { requests, data } = await run('acmecrm_list_contacts', { limit: 5 }, () =>
      json(200, { object: 'list', url: '/v1/contacts', has_more: false, data: [{ id: 'cont_1' }] }),
    );
    assert.deepEqual(requests, [{ method: 'GET', path: '/v1/contacts', query: { limit: '5' } }]);
    assert.deepEqual(data, { has_more: false, data: [{ id: 'cont_1' }] });
    const acme = await run('acmecrm_get_account', {}, () =>
      json(401, {
        error: { type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API key' },
      }),
    ).catch((e: unknown) => e);
    assert.ok(acme instanceof ProviderError);
    assert.deepEqual([acme.status, acme.code], [401, 'invalid_api_key']);
    const created = await run('ticketdesk_create_ticket', { subject: 'Printer', body: 'It is on fire' }, () =>
      json(201, { ticket: { id: 7 } }),
    );
    assert.deepEqual(created.requests, [
      {
        method: 'POST',
        path: '/api/v2/tickets',
        body: { json: { ticket: { subject: 'Printer', comment: { body: 'It is on fire' } } } },
      },
    ]);
    const desk = await run('ticketdesk_list_tickets', {}, () =>
      json(401, { error: "Couldn't authenticate you" }),
    ).catch((e: unknown) => e);
    assert.ok(desk instanceof ProviderError);
    assert.deepEqual([desk.status, desk.providerMessage], [401, "Couldn't authenticate you"]);
  });

  it('non-JSON error bodies and empty success bodies', async () => {
    const e = await providerError(
      run('github_user_get_authenticated', {}, () => ({
        status: 502,
        headers: {},
        body: '<html>Bad gateway</html>',
      })),
    );
    assert.deepEqual([e.status, e.code, e.providerMessage], [502, '502', '<html>Bad gateway</html>']);
    const empty = await run('github_user_get_authenticated', {}, () => ({
      status: 204,
      headers: {},
      body: '',
    }));
    assert.deepEqual(empty.data, {});
  });

  it("mcp tools are delegated to the runtime's upstream call", async () => {
    const sanity = builtinConnectors().find((c) => c.slug === 'sanitymcp')!;
    const def: ConnectorDefinition = loadConnector({
      ...sanity,
      tools: [
        {
          name: 'sanitymcp_whoami',
          description: 'Who the connected Sanity user is (discovered tool).',
          input_schema: { type: 'object', properties: {} },
          annotations: {
            read_only_hint: true,
            destructive_hint: false,
            idempotent_hint: true,
            open_world_hint: true,
          },
          executor: { type: 'mcp', upstream_name: 'whoami' },
        },
      ],
    });
    const calls: [string, Record<string, unknown>][] = [];
    const runtime = {
      ...recordingRuntime(),
      callUpstreamTool: async (name: string, args: Record<string, unknown>) => {
        calls.push([name, args]);
        return { content: [{ type: 'text', text: 'me' }] };
      },
    };
    assert.deepEqual(await runTool(def, def.tools[0]!, { a: 1 }, runtime), {
      content: [{ type: 'text', text: 'me' }],
    });
    assert.deepEqual(calls, [['whoami', { a: 1 }]]);
    await assert.rejects(runTool(def, def.tools[0]!, {}, recordingRuntime()), /cannot call one/);
  });
});
