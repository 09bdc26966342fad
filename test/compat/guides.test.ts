/**
 * Compatibility: programs from Scalekit's guides run unchanged against latchkey dev — tool calls
 * through the proxy and an MCP connector, and the Anthropic editorial briefing agent.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ScalekitClient } from '@scalekit-sdk/node';
import { runProgram, startDev } from './harness.ts';

describe('compat: Scalekit guides', () => {
  it('Making tool calls: the proxy for a REST connector, listScopedTools + executeTool for an MCP connector', async (t) => {
    const dev = await startDev(t);
    const run = await runProgram('making-tool-calls.ts', dev);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Authorize github: http:\/\/127\.0\.0\.1:\d+\/connect\/lkl_/);
    assert.match(run.stdout, /GET \/user: 200 login=alice/, 'the sandbox GitHub user, through /proxy');
    assert.match(run.stdout, /GET \/user\/repos: 200 count=2/, 'query parameters reach the provider');
    assert.match(
      run.stdout,
      /Sanity tools: sanitymcp_list_projects, sanitymcp_list_releases, sanitymcp_query_documents\n/,
    );
    assert.match(run.stdout, /Projects: \{.*"displayName":"Alice's Blog"/, 'the upstream MCP result');
  });

  it('Anthropic editorial briefing: Sanity MCP + Slack tools, the loop to end_turn, the briefing in Slack', async (t) => {
    const dev = await startDev(t, {
      modelScript: join(import.meta.dirname, 'scripts/editorial-briefing.json'),
    });
    const run = await runProgram('anthropic-editorial-briefing.ts', dev);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Connect sanitymcp: http/);
    assert.match(run.stdout, /Connect slack: http/);
    assert.match(
      run.stdout,
      /Ran sanitymcp_list_projects\nRan sanitymcp_query_documents\nRan slack_send_message\nBriefing done: Posted the briefing to #general\./,
    );
    // The briefing is in the editor's #general channel, read back through the gateway.
    const sk = new ScalekitClient(
      dev.url,
      dev.env['SCALEKIT_CLIENT_ID']!,
      dev.env['SCALEKIT_CLIENT_SECRET']!,
    );
    const identifier = 'editor_jane';
    const channels = await sk.actions.executeTool({
      toolName: 'slack_list_channels',
      identifier,
      toolInput: {},
    });
    const general = ((channels.data?.['channels'] ?? []) as { id: string; name: string }[]).find(
      (c) => c.name === 'general',
    );
    assert.ok(general, JSON.stringify(channels.data));
    const history = await sk.actions.executeTool({
      toolName: 'slack_fetch_conversation_history',
      identifier,
      toolInput: { channel: general.id, limit: 5 },
    });
    const texts = ((history.data?.['messages'] ?? []) as { text: string }[]).map((m) => m.text);
    assert.ok(
      texts.some((x) => x.startsWith('Editorial briefing:') && x.includes('Announcing our Q3 launch')),
      texts.join('\n'),
    );
  });
});
