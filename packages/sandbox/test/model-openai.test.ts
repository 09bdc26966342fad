// The official `openai` SDK against the scripted model server: Chat Completions and Responses tool-use
// conversations (default behaviour and scripts, streaming and not), chunk shapes, and the API's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { type ModelServer, startModelServer } from '../src/model/index.ts';

const lookupSchema = {
  type: 'object',
  properties: { email: { type: 'string', format: 'email' }, limit: { type: 'integer', minimum: 5 } },
  required: ['email', 'limit'],
};
const lookup: ChatCompletionFunctionTool = {
  type: 'function',
  function: { name: 'lookup_user', description: 'Find a user', parameters: lookupSchema },
};
const notify: ChatCompletionFunctionTool = {
  type: 'function',
  function: { name: 'notify', parameters: { type: 'object', properties: { text: { type: 'string' } } } },
};

let server: ModelServer;
let client: OpenAI;

before(async () => {
  server = await startModelServer();
  client = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
});
after(() => server.close());

type Mode = 'plain' | 'stream' | 'helper';

/** One completion, three ways: plain, raw chunks accumulated by hand, the SDK's stream helper. */
async function complete(
  params: ChatCompletionCreateParams,
  mode: Mode,
): Promise<ChatCompletion.Choice['message'] & { finish: string }> {
  if (mode === 'plain') {
    const completion = await client.chat.completions.create({ ...params, stream: false });
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(completion.object, 'chat.completion');
    assert.ok(completion.usage && completion.usage.total_tokens > 0);
    return { ...completion.choices[0]!.message, finish: completion.choices[0]!.finish_reason };
  }
  if (mode === 'helper') {
    const completion = await client.chat.completions
      .stream({ ...params, stream: true })
      .finalChatCompletion();
    return { ...completion.choices[0]!.message, finish: completion.choices[0]!.finish_reason };
  }
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of await client.chat.completions.create({
    ...params,
    stream: true,
    stream_options: { include_usage: true },
  })) {
    chunks.push(chunk);
  }
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
  assert.ok(chunks.at(-1)!.usage!.completion_tokens > 0, 'the last chunk carries usage');
  assert.deepEqual(chunks.at(-1)!.choices, []);
  const calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  let content = '';
  let finish = '';
  for (const choice of chunks.flatMap((c) => c.choices)) {
    content += choice.delta.content ?? '';
    for (const part of choice.delta.tool_calls ?? []) {
      if (part.id)
        calls[part.index] = {
          id: part.id,
          type: 'function',
          function: { name: part.function!.name!, arguments: '' },
        };
      calls[part.index]!.function.arguments += part.function?.arguments ?? '';
    }
    finish = choice.finish_reason ?? finish;
  }
  const fragments = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
  if (calls.length > 0) assert.ok(fragments.length > calls.length, 'arguments arrive in several fragments');
  return {
    role: 'assistant',
    content: content === '' && calls.length > 0 ? null : content,
    refusal: null,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    finish,
  };
}

async function converse(
  messages: ChatCompletionMessageParam[],
  mode: Mode,
  results: Record<string, (args: unknown) => string>,
) {
  for (let rounds = 1; rounds <= 5; rounds++) {
    const message = await complete({ model: 'gpt-5.5', messages, tools: [lookup, notify] }, mode);
    const { finish, ...assistant } = message;
    messages.push(assistant as ChatCompletionMessageParam);
    if (finish !== 'tool_calls') return { message, rounds };
    for (const call of message.tool_calls ?? []) {
      assert.equal(call.type, 'function');
      const fn = (call as { function: { name: string; arguments: string } }).function;
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        content: results[fn.name]!(JSON.parse(fn.arguments)),
      });
    }
  }
  throw new Error('the conversation did not end');
}

describe('chat completions', () => {
  for (const mode of ['plain', 'stream', 'helper'] as const) {
    test(`default behaviour: tool call, tool result, final text (${mode})`, async () => {
      let seen: unknown;
      const { message, rounds } = await converse(
        [
          { role: 'system', content: 'You can use lookup_user.' },
          { role: 'user', content: 'Find the user, limit=10 please.' },
        ],
        mode,
        {
          lookup_user: (args) => {
            seen = args;
            return '{"name":"Ada"}';
          },
        },
      );
      assert.equal(rounds, 2);
      // a hinted value is coerced to the schema type; an unhinted one gets a placeholder by format
      assert.deepEqual(seen, { email: 'user@example.com', limit: 10 });
      assert.equal(message.finish, 'stop');
      assert.equal(message.content, 'Here is what the tools returned:\n- lookup_user: {"name":"Ada"}');
    });

    test(`script with parallel calls and templates (${mode})`, async () => {
      server.setScript([
        {
          tool_calls: [
            { name: 'lookup_user', arguments: { email: 'a@x.io', limit: 1 } },
            { name: 'lookup_user', arguments: { email: 'b@x.io', limit: 1 } },
          ],
        },
        {
          tool_calls: [
            {
              name: 'notify',
              arguments: { text: 'found {{tool_result[0].name}} and {{tool_result[1].name}}' },
            },
          ],
        },
        { text: 'Notified: {{last_tool_result}}' },
      ]);
      try {
        const notes: unknown[] = [];
        const { message, rounds } = await converse([{ role: 'user', content: 'go' }], mode, {
          lookup_user: (args) => JSON.stringify({ name: (args as { email: string }).email.split('@')[0] }),
          notify: (args) => {
            notes.push(args);
            return 'sent';
          },
        });
        assert.equal(rounds, 3);
        assert.deepEqual(notes, [{ text: 'found a and b' }]);
        assert.equal(message.content, 'Notified: sent');
      } finally {
        server.setScript(undefined);
      }
    });
  }

  test('parallel_tool_calls: false limits the default behaviour to one call', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'notify text=hi, then lookup_user' }],
      tools: [lookup, notify],
      parallel_tool_calls: false,
    });
    const calls = completion.choices[0]!.message.tool_calls ?? [];
    assert.deepEqual(
      calls.map((c) => (c as { function: { name: string } }).function.name),
      ['notify'],
    );
  });
});

describe('responses', () => {
  const tools: FunctionTool[] = [
    { type: 'function', name: 'lookup_user', parameters: lookupSchema, strict: false },
    { type: 'function', name: 'notify', parameters: { type: 'object', properties: {} }, strict: false },
  ];

  test('a two-turn tool conversation with previous_response_id', async () => {
    const first = await client.responses.create({
      model: 'gpt-5.5',
      input: 'lookup_user email=ada@x.io',
      tools,
    });
    assert.match(first.id, /^resp_/);
    assert.equal(first.status, 'completed');
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.deepEqual(JSON.parse(call.arguments), { email: 'ada@x.io', limit: 5 });
    const second = await client.responses.create({
      model: 'gpt-5.5',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Ada Lovelace' }],
      tools,
    });
    assert.equal(second.output_text, 'Here is what the tools returned:\n- lookup_user: Ada Lovelace');
  });

  test('streams the Responses event sequence; full input items and item references work', async () => {
    const stream = await client.responses.create({
      model: 'gpt-5.5',
      input: 'lookup_user please',
      tools,
      stream: true,
    });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    const names = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    assert.deepEqual(names, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const completed = events.at(-1) as unknown as { response: OpenAI.Responses.Response };
    const call = completed.response.output[0]!;
    assert.ok(call.type === 'function_call');
    const input: ResponseInputItem[] = [
      { role: 'user', content: 'lookup_user please' },
      { type: 'item_reference', id: call.id! },
      { type: 'function_call_output', call_id: call.call_id, output: 'found' },
    ];
    const text = await client.responses.stream({ model: 'gpt-5.5', input, tools }).finalResponse();
    assert.equal(text.output_text, 'Here is what the tools returned:\n- lookup_user: found');
  });

  test('errors: unknown previous response, unmatched function output, bad parameters', async () => {
    await assert.rejects(
      client.responses.create({ model: 'gpt-5.5', input: 'x', previous_response_id: 'resp_nope' }),
      {
        status: 400,
        code: 'previous_response_not_found',
        param: 'previous_response_id',
      },
    );
    await assert.rejects(
      client.responses.create({
        model: 'gpt-5.5',
        input: [{ type: 'function_call_output', call_id: 'call_1', output: 'x' }],
      }),
      { status: 400, message: /No tool call found for function call output with call_id call_1/ },
    );
    await assert.rejects(
      client.responses.create({
        model: 'gpt-5.5',
        input: 'x',
        tools: [{ type: 'function', name: 'f', parameters: { type: 'array' }, strict: false }],
      }),
      { status: 400, code: 'invalid_function_parameters', param: 'tools[0].parameters' },
    );
  });
});

describe('chat errors with the API shapes', () => {
  async function rejects(
    params: unknown,
    expected: { message: RegExp; param: string | null; code: string | null },
  ) {
    await assert.rejects(
      client.chat.completions.create(params as ChatCompletionCreateParams),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.status, 400);
        assert.equal(error.type, 'invalid_request_error');
        assert.match(error.message, expected.message);
        assert.equal(error.param, expected.param);
        assert.equal(error.code, expected.code);
        assert.deepEqual(Object.keys(error.error as object).sort(), ['code', 'message', 'param', 'type']);
        return true;
      },
    );
  }

  test('missing model and messages', async () => {
    await rejects(
      { messages: [{ role: 'user', content: 'x' }] },
      { message: /you must provide a model parameter/, param: null, code: null },
    );
    await rejects(
      { model: 'gpt-5.5' },
      {
        message: /Missing required parameter: 'messages'/,
        param: 'messages',
        code: 'missing_required_parameter',
      },
    );
    await rejects(
      { model: 'gpt-5.5', messages: [{ role: 'robot', content: 'x' }] },
      { message: /Invalid value: 'robot'/, param: 'messages[0].role', code: 'invalid_value' },
    );
  });

  test('function parameters must be an object schema', async () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }];
    await rejects(
      { model: 'gpt-5.5', messages: [{ role: 'user', content: 'x' }], tools },
      {
        message:
          /^400 Invalid schema for function 'f': schema must be a JSON Schema of 'type: "object"', got 'type: "string"'\.$/,
        param: 'tools[0].function.parameters',
        code: 'invalid_function_parameters',
      },
    );
    await rejects(
      {
        model: 'gpt-5.5',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: {} }],
      },
      {
        message: /Missing required parameter: 'tools\[0\]\.function\.name'/,
        param: 'tools[0].function.name',
        code: 'missing_required_parameter',
      },
    );
  });

  test('tool messages must answer a preceding tool_calls message, and all of it', async () => {
    await rejects(
      {
        model: 'gpt-5.5',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_1', content: 'r' },
        ],
      },
      {
        message: /messages with role 'tool' must be a response to a preceeding message with 'tool_calls'/,
        param: 'messages.[1].role',
        code: null,
      },
    );
    const call = { id: 'call_1', type: 'function', function: { name: 'notify', arguments: '{}' } };
    await rejects(
      {
        model: 'gpt-5.5',
        tools: [notify],
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'user', content: 'y' },
        ],
      },
      { message: /did not have response messages: call_1/, param: 'messages.[1].role', code: null },
    );
  });

  test('no API key: 401', async () => {
    const response = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /didn't provide an API key/);
  });
});

test('models list and retrieve', async () => {
  const list = await client.models.list();
  assert.ok(list.data.some((m) => m.id === 'gpt-5.5' && m.object === 'model'));
  const one = await client.models.retrieve('gpt-5.4-mini');
  assert.equal(one.id, 'gpt-5.4-mini');
});

test('base URLs without /v1 and the env variables work too', async () => {
  const originClient = new OpenAI({
    baseURL: server.url,
    apiKey: server.env['OPENAI_API_KEY']!,
    maxRetries: 0,
  });
  const completion = await originClient.chat.completions.create({
    model: 'gpt-5.5',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(completion.choices[0]!.message.content, 'I have no tool to call for: hi');
  assert.equal(server.requests().at(-1)!.path, '/v1/chat/completions');
  assert.equal(server.env['OPENAI_BASE_URL'], server.openaiBaseUrl);
});
