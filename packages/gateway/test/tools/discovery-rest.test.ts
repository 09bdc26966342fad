/** Tool discovery over REST with plain fetch, execution records and account events. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { followLink, startStack } from '../helpers/stack.ts';

interface ToolJson {
  provider: string;
  definition: {
    name: string;
    description: string;
    input_schema: { type: string };
    annotations: Record<string, boolean>;
  };
}

describe('tool discovery over REST', () => {
  it('filters by provider, connector, tool names, query text and user; summary; pages', async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const get = async (q: string) => {
      const r = await stack.rest(`/api/v1/tools?${q}`);
      assert.equal(r.status, 200, q);
      return (await r.json()) as {
        tools: ToolJson[];
        tool_names: string[];
        total_size: number;
        next_page_token: string;
      };
    };
    const all = await get('page_size=500');
    assert.ok(all.total_size >= 20, `catalog of the environment: ${all.total_size}`);
    const byProvider = await get('filter.provider=SLACK');
    assert.deepEqual(
      byProvider.tools.map((x) => x.provider).filter((p) => p !== 'SLACK'),
      [],
    );
    assert.ok(byProvider.tools.length >= 4);
    const names = await get('filter.tool_name=gmail_list_labels&filter.tool_name=github_issue_create');
    assert.deepEqual(names.tool_names.sort(), ['github_issue_create', 'gmail_list_labels']);
    const alias = await get('filter.tool_name=gmail_send_mail');
    assert.deepEqual(alias.tool_names, ['gmail_send_message'], 'aliases resolve');
    const query = await get('filter.query=calendar%20event');
    assert.ok(
      query.tool_names.length > 0 && query.tool_names.every((n) => n.startsWith('googlecalendar_')),
      query.tool_names.join(),
    );
    const summary = await get('filter.summary=true&filter.connector=notion');
    assert.deepEqual(summary.tools, []);
    assert.deepEqual(summary.tool_names.sort(), [
      'notion_page_create',
      'notion_page_get',
      'notion_page_search',
    ]);
    const page1 = await get('page_size=5');
    const page2 = await get(`page_size=5&page_token=${page1.next_page_token}`);
    assert.equal(page1.tools.length, 5);
    assert.notDeepEqual(page1.tool_names, page2.tool_names);
    const forUser = await get('filter.identifier=user_9');
    assert.equal(forUser.total_size, 0, 'a user without accounts has no tools');
    const def = all.tools.find((x) => x.definition.name === 'gmail_fetch_mails')!.definition;
    assert.equal(def.input_schema.type, 'object');
    assert.equal(def.annotations['read_only_hint'], true);

    const available = await stack.rest('/api/v1/tools/available?identifier=user_9');
    assert.equal(((await available.json()) as { total_size: number }).total_size, all.total_size);
    const scopedBad = await stack.rest('/api/v1/tools/scoped');
    assert.equal(scopedBad.status, 400);
  });

  it('lists executions and account events', async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { link } = await stack.sdk.actions.getAuthorizationLink({
      connectionName: 'github',
      identifier: 'dev_1',
    });
    await followLink(link);
    const exec = await stack.sdk.actions.executeTool({
      toolName: 'github_user_get_authenticated',
      identifier: 'dev_1',
      toolInput: {},
    });
    await stack.sdk.actions
      .executeTool({
        toolName: 'github_issues_list',
        identifier: 'dev_1',
        toolInput: { owner: 'nobody', repo: 'nothing' },
      })
      .catch(() => {});
    const list = await stack.rest('/api/v1/executions?identifier=dev_1');
    const body = (await list.json()) as {
      executions: { id: string; tool: string; status: string; error_code: string | null }[];
    };
    assert.deepEqual(
      body.executions.map((e) => [e.tool, e.status]),
      [
        ['github_issues_list', 'error'],
        ['github_user_get_authenticated', 'success'],
      ],
    );
    const one = await stack.rest(`/api/v1/executions/${exec.executionId}`);
    assert.equal(((await one.json()) as { execution: { id: string } }).execution.id, exec.executionId);
    assert.equal((await stack.rest('/api/v1/executions/exec_nope')).status, 404);
    assert.equal((await stack.rest('/api/v1/executions?page_size=0')).status, 400);
    assert.equal((await fetch(`${stack.gw.url}/api/v1/executions`)).status, 401);

    const account = await stack.sdk.actions.getConnectedAccount({
      connectionName: 'github',
      identifier: 'dev_1',
    });
    const events = await stack.rest(`/api/v1/connected_accounts/${account.connectedAccount!.id}/events`);
    const ev = (await events.json()) as { events: { type: string }[] };
    assert.deepEqual(ev.events.map((e) => e.type).reverse(), ['created', 'link_created', 'authorized']);

    // Retention: records older than the retention are pruned by housekeeping.
    await stack.gw.store.db.updateTable('executions').set({ created_at: 0 }).execute();
    const pruned = await stack.gw.services.housekeeping.run();
    assert.equal(pruned.executions, 2);
  });
});
