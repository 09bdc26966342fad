/** Discovery and execution through the official SDK against the sandbox imitations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitNotFoundException,
  ScalekitToolException,
  ScalekitTooManyRequestsException,
} from '@scalekit-sdk/node';
import { followLink, type Stack, startStack } from '../helpers/stack.ts';

async function connect(stack: Stack, connectionName: string, identifier: string) {
  const { link } = await stack.sdk.actions.getAuthorizationLink({ connectionName, identifier });
  const done = await followLink(link);
  assert.equal(done.status, 200, done.body);
}

describe('tools through the official SDK', () => {
  it('lists tools per connector and user, scoped tools with accounts, and executes gmail, calendar and slack tools', async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { sdk, sandbox } = stack;
    for (const c of ['gmail', 'googlecalendar', 'slack']) await connect(stack, c, 'user_1');

    const gmailTools = await sdk.tools.listTools({
      filter: { connector: 'gmail', identifier: 'user_1' } as never,
      pageSize: 50,
    });
    const names = gmailTools.tools.map((x) => (x.definition as { name?: string } | undefined)?.name);
    assert.deepEqual(names.sort(), [
      'gmail_fetch_mails',
      'gmail_get_message_by_id',
      'gmail_list_labels',
      'gmail_send_message',
    ]);
    const def = gmailTools.tools[0]!.definition as { input_schema?: { type?: string } };
    assert.equal(def.input_schema?.type, 'object');

    const scoped = await sdk.tools.listScopedTools('user_1', {
      filter: { connectionNames: ['slack'] } as never,
      pageSize: 100,
    });
    assert.ok(scoped.tools.length >= 4);
    assert.ok(
      scoped.tools.every((st) => st.identifier === 'user_1' && st.connectedAccountId.startsWith('ca_')),
    );

    // Gmail: list, then send (visible in the imitation).
    const fetched = await sdk.actions.executeTool({
      toolName: 'gmail_fetch_mails',
      identifier: 'user_1',
      connector: 'gmail',
      toolInput: { max_results: 3 },
    });
    assert.match(fetched.executionId, /^exec_/);
    assert.ok(Array.isArray((fetched.data as { messages?: unknown[] }).messages));
    const sentBefore = sandbox.state.gmail.messages('alice').length;
    const sent = await sdk.actions.executeTool({
      toolName: 'gmail_send_mail',
      identifier: 'user_1',
      toolInput: { to: 'bob@example.com', subject: 'Hello from Latchkey', body: 'It works.' },
    });
    assert.ok((sent.data as { id?: string }).id);
    assert.equal(sandbox.state.gmail.messages('alice').length, sentBefore + 1);

    // Calendar: create an event, read it back.
    const event = await sdk.actions.executeTool({
      toolName: 'googlecalendar_create_event',
      identifier: 'user_1',
      connector: 'googlecalendar',
      toolInput: {
        summary: 'Latchkey sync',
        start_datetime: '2026-12-01T10:00:00Z',
        event_duration_minutes: 30,
      },
    });
    const eventId = (event.data as { id?: string }).id!;
    assert.ok(eventId);
    const got = await sdk.actions.executeTool({
      toolName: 'googlecalendar_get_event_by_id',
      identifier: 'user_1',
      toolInput: { event_id: eventId },
    });
    assert.equal((got.data as { summary?: string }).summary, 'Latchkey sync');

    // Slack: post, then read the channel history.
    const channels = await sdk.actions.executeTool({
      toolName: 'slack_list_channels',
      identifier: 'user_1',
      toolInput: {},
    });
    const general = (channels.data as { channels: { id: string; name: string }[] }).channels.find(
      (c) => c.name === 'general',
    )!;
    await sdk.actions.executeTool({
      toolName: 'slack_send_message',
      identifier: 'user_1',
      toolInput: { channel: general.id, text: 'deploy done' },
    });
    assert.ok(
      sandbox.state.slack
        .messages('alice', 'general')
        .some((m: { text?: string }) => m.text === 'deploy done'),
    );

    const executions = await stack.gw.services.execution.listExecutions(stack.environmentId, {}, 20);
    assert.ok(executions.length >= 6);
    assert.ok(executions.every((e) => e.status === 'success' && e.duration_ms >= 0));
  });

  it('refuses bad input with precise violations and leaves nothing changed', async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { sdk, sandbox } = stack;
    await connect(stack, 'gmail', 'user_1');
    const before = sandbox.state.gmail.messages('alice').length;
    const bad = async (toolInput: Record<string, unknown>, field: RegExp) =>
      assert.rejects(
        () =>
          sdk.actions.executeTool({
            toolName: 'gmail_send_message',
            identifier: 'user_1',
            connector: 'gmail',
            toolInput,
          }),
        (e: unknown) => {
          assert.ok(e instanceof ScalekitBadRequestException, String(e));
          const fields = e.unpackedDetails.flatMap(
            (d) => d.validationErrorInfo?.fieldViolations.map((v) => v.field) ?? [],
          );
          assert.ok(
            fields.some((f) => field.test(f)),
            `${fields.join()} ~ ${field}`,
          );
          return true;
        },
      );
    await bad({ subject: 'x', body: 'y' }, /^params\.to$/);
    await bad({ to: 42, subject: 'x', body: 'y' }, /^params\.to$/);
    await bad({ to: 'a@b.c', subject: 'x', body: 'y', surprise: true }, /^params\.surprise$/);
    // Over the request size limit (LATCHKEY_MAX_BODY_BYTES, 1 MiB): refused before parsing.
    await assert.rejects(
      () =>
        sdk.actions.executeTool({
          toolName: 'gmail_send_message',
          identifier: 'user_1',
          toolInput: { to: 'a@b.c', subject: 'x'.repeat(1024 * 1024), body: 'y' },
        }),
      (e: unknown) =>
        e instanceof ScalekitTooManyRequestsException &&
        /larger than configured readMaxBytes 1048576/.test(e.message),
    );
    const big = await stack.rest('/api/v1/execute_tool', {
      method: 'POST',
      body: JSON.stringify({
        tool_name: 'gmail_send_message',
        identifier: 'user_1',
        params: { subject: 'x'.repeat(1024 * 1024) },
      }),
    });
    assert.equal(big.status, 413);
    await assert.rejects(
      () => sdk.actions.executeTool({ toolName: 'gmail_teleport', identifier: 'user_1', toolInput: {} }),
      (e: unknown) =>
        e instanceof ScalekitNotFoundException && /unknown tool "gmail_teleport"/.test(e.message),
    );
    await assert.rejects(
      () =>
        sdk.actions.executeTool({
          toolName: 'gmail_list_labels',
          identifier: 'user_1',
          connector: 'nope',
          toolInput: {},
        }),
      ScalekitNotFoundException,
    );
    await assert.rejects(
      () => sdk.actions.executeTool({ toolName: 'gmail_list_labels', identifier: 'stranger', toolInput: {} }),
      (e: unknown) => e instanceof ScalekitNotFoundException && /getAuthorizationLink/.test(e.message),
    );
    assert.equal(sandbox.state.gmail.messages('alice').length, before, 'nothing sent');
  });
});

describe('tools bad input: malformed requests and accounts of others', () => {
  it('refuses malformed JSON, wrong shapes, and connected account ids of another user or environment; no 5xx, nothing sent', async (t) => {
    const stack = await startStack(t, 'sqlite', { connections: { gmail: 'gmail' } });
    if (!stack) return;
    const { sdk, sandbox, gw } = stack;
    await connect(stack, 'gmail', 'user_1');
    await connect(stack, 'gmail', 'user_2');
    const before = sandbox.state.gmail.messages('alice').length;
    const { connectedAccounts } = await sdk.connectedAccounts.listConnectedAccounts({ identifier: 'user_2' });
    const user2Account = connectedAccounts[0]!.id;
    const send = { to: 'a@b.c', subject: 'x', body: 'y' };

    // REST: malformed JSON, a body that is not an object, params of the wrong type, 1 MB string params.
    for (const [body, status, message] of [
      ['{"tool_name": "gmail_send_message", "identifier": ', 400, /invalid JSON body/],
      ['[1, 2]', 400, /./],
      [
        JSON.stringify({ tool_name: 'gmail_send_message', identifier: 'user_1', params: 'to=a@b.c' }),
        400,
        /./,
      ],
      [JSON.stringify({ tool_name: 42, identifier: 'user_1', params: send }), 400, /./],
      [
        JSON.stringify({
          tool_name: 'gmail_send_message',
          identifier: 'user_1',
          params: { ...send, body: 'x'.repeat(1024 * 1024) },
        }),
        413,
        /./,
      ],
    ] as const) {
      const res = await stack.rest('/api/v1/execute_tool', { method: 'POST', body });
      assert.equal(res.status, status, `${body.slice(0, 60)} → ${res.status}`);
      const json = (await res.json()) as { message?: string };
      assert.match(json.message ?? '', message);
    }

    // Another user's account id, named with this user's identifier: refused, nothing sent.
    await assert.rejects(
      () =>
        sdk.actions.executeTool({
          toolName: 'gmail_send_message',
          identifier: 'user_1',
          connectedAccountId: user2Account,
          toolInput: send,
        }),
      (e: unknown) =>
        e instanceof ScalekitBadRequestException && /does not belong to "user_1"/.test(e.message),
    );

    // Another environment cannot use (or even see) this environment's account id.
    await gw.apiAccess.createEnvironment('other');
    const other = await gw.apiAccess.createClient('other');
    await gw.services.connections.create(other.environment.id, { connector: 'gmail', name: 'gmail' });
    const otherSdk = new ScalekitClient(gw.url, other.client.id, other.clientSecret);
    await assert.rejects(
      () =>
        otherSdk.actions.executeTool({
          toolName: 'gmail_send_message',
          connectedAccountId: user2Account,
          toolInput: send,
        }),
      (e: unknown) => e instanceof ScalekitNotFoundException && /not found/.test(e.message),
    );
    await assert.rejects(
      () =>
        otherSdk.actions.executeTool({
          toolName: 'gmail_send_message',
          identifier: 'user_1',
          toolInput: send,
        }),
      (e: unknown) => e instanceof ScalekitNotFoundException && /getAuthorizationLink/.test(e.message),
    );
    assert.equal(sandbox.state.gmail.messages('alice').length, before, 'nothing sent');
    const executions = await gw.services.execution.listExecutions(stack.environmentId, {}, 20);
    assert.equal(executions.length, 0, 'refused requests are not executions');
  });
});

describe('provider failures', () => {
  it('a provider error is a TOOL_ERROR with its code and the execution id; a provider 401 refreshes once and retries', async (t) => {
    const stack = await startStack(t, 'sqlite');
    if (!stack) return;
    const { sdk, sandbox, gw } = stack;
    await connect(stack, 'slack', 'user_1');
    await assert.rejects(
      () =>
        sdk.actions.executeTool({
          toolName: 'slack_send_message',
          identifier: 'user_1',
          toolInput: { channel: 'C_NOPE', text: 'x' },
        }),
      (e: unknown) => {
        assert.ok(e instanceof ScalekitToolException, String(e));
        assert.equal(e.toolErrorCode, 'channel_not_found');
        assert.match(e.executionId ?? '', /^exec_/);
        assert.equal(e.errorCode, 'TOOL_ERROR');
        return true;
      },
    );
    const [failed] = await gw.services.execution.listExecutions(
      stack.environmentId,
      { tool: 'slack_send_message' },
      1,
    );
    assert.equal(failed?.status, 'error');
    assert.equal(failed?.error_code, 'channel_not_found');

    // The provider forgets the access token (short lifetime) while the gateway still holds it:
    // the next call gets a 401, refreshes once and succeeds.
    sandbox.setAccessTokenTtl(1);
    await connect(stack, 'gmail', 'user_2');
    sandbox.setAccessTokenTtl(3600);
    await gw.store.db
      .updateTable('connected_accounts')
      .set({ token_expires_at: null })
      .where('identifier', '=', 'user_2')
      .execute();
    await new Promise((r) => setTimeout(r, 1500));
    sandbox.resetTokenRequests();
    const labels = await sdk.actions.executeTool({
      toolName: 'gmail_list_labels',
      identifier: 'user_2',
      toolInput: {},
    });
    assert.ok(Array.isArray((labels.data as { labels?: unknown[] }).labels));
    assert.equal(sandbox.tokenRequests('gmail').filter((r) => r.grantType === 'refresh_token').length, 1);
  });
});
