// The official @anthropic-ai/sdk against the scripted model server: tool-use conversations
// (default behaviour and scripts, streaming and not), the wire event sequence, and the API's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { type ModelServer, startModelServer } from '../src/model/index.ts';

const weather: Tool = {
  name: 'get_weather',
  description: 'Current weather of a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
};
const time: Tool = {
  name: 'get_time',
  description: 'Local time',
  input_schema: { type: 'object', properties: { zone: { type: 'string' } } },
};

let server: ModelServer;
let client: Anthropic;

before(async () => {
  server = await startModelServer();
  client = new Anthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
});
after(() => server.close());

function toolUses(content: Anthropic.ContentBlock[]): ToolUseBlock[] {
  return content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
}

function textOf(content: Anthropic.ContentBlock[]): string {
  return content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

/** Runs the conversation to its end, answering each tool call with `results[name](input)`. */
async function converse(
  first: MessageParam,
  results: Record<string, (input: unknown) => string>,
  options: { stream: boolean; system?: string },
): Promise<{ messages: MessageParam[]; final: Anthropic.Message; rounds: number }> {
  const messages: MessageParam[] = [first];
  for (let rounds = 1; rounds <= 5; rounds++) {
    const params = {
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      tools: [weather, time],
      messages,
      ...(options.system ? { system: options.system } : {}),
    };
    const message = options.stream
      ? await client.messages.stream(params).finalMessage()
      : await client.messages.create(params);
    messages.push({ role: 'assistant', content: message.content });
    if (message.stop_reason !== 'tool_use') return { messages, final: message, rounds };
    messages.push({
      role: 'user',
      content: toolUses(message.content).map((use) => ({
        type: 'tool_result' as const,
        tool_use_id: use.id,
        content: results[use.name]!(use.input),
      })),
    });
  }
  throw new Error('the conversation did not end');
}

describe('default behaviour', () => {
  for (const stream of [false, true]) {
    test(`calls the tool named in the prompt, then quotes its result (stream: ${stream})`, async () => {
      let seen: unknown;
      const { final, messages, rounds } = await converse(
        { role: 'user', content: 'What is the weather? Use get_weather with city="New York".' },
        {
          get_weather: (input) => {
            seen = input;
            return JSON.stringify({ temp: 21, sky: 'clear' });
          },
        },
        { stream },
      );
      assert.equal(rounds, 2);
      // required fields: a hint from the prompt, else the first enum value
      assert.deepEqual(seen, { city: 'New York', unit: 'celsius' });
      const first = messages[1]!.content as Anthropic.ContentBlock[];
      assert.match(toolUses(first)[0]!.id, /^toolu_01/);
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.role, 'assistant');
      assert.match(final.id, /^msg_01/);
      assert.match(textOf(final.content), /get_weather: \{"temp":21,"sky":"clear"\}/);
      assert.ok(final.usage.input_tokens > 0 && final.usage.output_tokens > 0);
    });
  }

  test('calls every named tool in one turn, in order of appearance', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 100,
      system: 'Always start with get_time zone=UTC.',
      tools: [weather, time],
      messages: [{ role: 'user', content: 'then get_weather for city=Oslo unit=fahrenheit' }],
    });
    assert.deepEqual(
      toolUses(message.content).map((u) => [u.name, u.input]),
      [
        ['get_time', { zone: 'UTC' }],
        ['get_weather', { city: 'Oslo', unit: 'fahrenheit' }],
      ],
    );
  });

  test('answers in text when no tool is named, and honours tool_choice', async () => {
    const params = {
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      tools: [weather, time],
      messages: [{ role: 'user' as const, content: 'Hello there' }],
    };
    const plain = await client.messages.create(params);
    assert.equal(plain.stop_reason, 'end_turn');
    assert.equal(textOf(plain.content), 'I have no tool to call for: Hello there');
    const forced = await client.messages.create({
      ...params,
      tool_choice: { type: 'tool', name: 'get_time' },
    });
    assert.deepEqual(
      toolUses(forced.content).map((u) => u.name),
      ['get_time'],
    );
  });

  test('is deterministic: the same request gets the same reply, ids included', async () => {
    const params = {
      model: 'claude-sonnet-5',
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: 'user' as const, content: 'get_weather city=Lima' }],
    };
    const [a, b] = [await client.messages.create(params), await client.messages.create(params)];
    assert.deepEqual(a, b);
  });
});

describe('scripts', () => {
  const script = {
    scripts: [
      {
        match: '#travel-agent',
        turns: [
          {
            text: 'Let me check.',
            tool_calls: [{ name: 'get_weather', arguments: { city: 'Kyoto', unit: 'celsius' } }],
          },
          { tool_calls: [{ name: 'get_time', arguments: { zone: '{{last_tool_result.zone}}' } }] },
          { text: 'Kyoto: {{tool_result[0].temp}} degrees, local time {{tool_result[1]}}.' },
        ],
      },
    ],
  };

  for (const stream of [false, true]) {
    test(`follows the keyed script through three turns (stream: ${stream})`, async () => {
      server.setScript(script);
      try {
        const times: unknown[] = [];
        const { final, messages, rounds } = await converse(
          { role: 'user', content: 'Plan my day' },
          {
            get_weather: () => JSON.stringify({ temp: 17, zone: 'Asia/Tokyo' }),
            get_time: (input) => {
              times.push(input);
              return '09:30';
            },
          },
          { stream, system: 'You are a helpful #travel-agent.' },
        );
        assert.equal(rounds, 3);
        const first = messages[1]!.content as Anthropic.ContentBlock[];
        assert.equal(textOf(first), 'Let me check.');
        assert.deepEqual(times, [{ zone: 'Asia/Tokyo' }]);
        assert.equal(textOf(final.content), 'Kyoto: 17 degrees, local time 09:30.');
        const last = server.requests().at(-1)!;
        assert.equal(last.decision?.source, 'script');
        assert.equal(last.decision?.turn, 2);
      } finally {
        server.setScript(undefined);
      }
    });
  }

  test('a conversation the script does not match gets the default behaviour', async () => {
    server.setScript(script);
    try {
      const message = await client.messages.create({
        model: 'claude-sonnet-5',
        max_tokens: 100,
        tools: [weather],
        messages: [{ role: 'user', content: 'no marker here' }],
      });
      assert.equal(textOf(message.content), 'I have no tool to call for: no marker here');
      assert.equal(server.requests().at(-1)?.decision?.source, 'default');
    } finally {
      server.setScript(undefined);
    }
  });
});

test('streams the Messages API event sequence on the wire', async () => {
  const response = await fetch(`${server.anthropicBaseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'claude-sonnet-5',
      max_tokens: 100,
      stream: true,
      tools: [weather],
      messages: [{ role: 'user', content: 'get_weather city=Rome' }],
    }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.match(response.headers.get('request-id') ?? '', /^req_/);
  const events = (await response.text())
    .trim()
    .split('\n\n')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      const data = JSON.parse(dataLine!.slice('data: '.length));
      assert.equal(eventLine, `event: ${data.type}`);
      return data;
    });
  const names = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
  assert.deepEqual(names, [
    'message_start',
    'ping',
    'content_block_start',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
  const deltas = events.filter((e) => e.type === 'content_block_delta');
  assert.ok(deltas.length > 2, 'arguments arrive in several fragments');
  assert.ok(deltas.every((d) => d.delta.type === 'input_json_delta'));
  assert.deepEqual(JSON.parse(deltas.map((d) => d.delta.partial_json).join('')), {
    city: 'Rome',
    unit: 'celsius',
  });
  assert.equal(events.at(-2).delta.stop_reason, 'tool_use');
  assert.equal(events[0].message.stop_reason, null);
});

describe('errors with the API shapes', () => {
  async function rejects(params: unknown, status: number, message: RegExp): Promise<void> {
    await assert.rejects(
      client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, status);
        const body = error.error as {
          type: string;
          error: { type: string; message: string };
          request_id: string;
        };
        assert.equal(body.type, 'error');
        assert.equal(body.error.type, 'invalid_request_error');
        assert.match(body.error.message, message);
        assert.match(body.request_id, /^req_/);
        return true;
      },
    );
  }
  const ok = { model: 'claude-sonnet-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  test('missing required fields', async () => {
    await rejects({ model: 'claude-sonnet-5', messages: ok.messages }, 400, /^max_tokens: Field required$/);
    await rejects({ max_tokens: 10, messages: ok.messages }, 400, /^model: Field required$/);
    await rejects({ ...ok, messages: [{ role: 'bot', content: 'x' }] }, 400, /messages\.0\.role/);
  });

  test('input_schema must be an object schema', async () => {
    const tool = { name: 'bad', input_schema: { type: 'string' } };
    await rejects(
      { ...ok, tools: [tool] },
      400,
      /^tools\.0\.custom\.input_schema\.type: Input should be 'object'$/,
    );
    await rejects(
      { ...ok, tools: [{ name: 'bad' }] },
      400,
      /^tools\.0\.custom\.input_schema: Field required$/,
    );
    await rejects({ ...ok, tools: [{ ...weather, name: 'has space' }] }, 400, /tools\.0\.custom\.name/);
  });

  test('tool results must answer the previous tool uses', async () => {
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'x' }] },
    ];
    await rejects(
      { ...ok, tools: [weather], messages },
      400,
      /unexpected `tool_use_id` found in `tool_result` blocks: toolu_2/,
    );
    const unanswered = [...messages.slice(0, 2), { role: 'user', content: 'and?' }];
    await rejects(
      { ...ok, tools: [weather], messages: unanswered },
      400,
      /^messages\.1: `tool_use` ids were found without/,
    );
  });

  test('a request without an API key gets 401 authentication_error', async () => {
    const response = await fetch(`${server.anthropicBaseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(ok),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { type: string } };
    assert.equal(body.error.type, 'authentication_error');
  });
});

test('count_tokens and models', async () => {
  const count = await client.messages.countTokens({
    model: 'claude-sonnet-5',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.ok(count.input_tokens > 0);
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id.startsWith('claude')));
});
