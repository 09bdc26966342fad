// Scripts, templates and the default behaviour's argument building, on the API-neutral conversation;
// plus script files, script errors over HTTP and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildArguments,
  type Conversation,
  decideReply,
  loadScript,
  startModelServer,
  type ToolSpec,
} from '../src/model/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const echo: ToolSpec = { name: 'echo', description: '', inputSchema: { type: 'object', properties: {} } };

function conversation(entries: Conversation['entries'], system = ''): Conversation {
  return { system, entries, tools: [echo], toolChoice: 'auto', parallelToolCalls: true };
}

const called = (id: string) => ({
  kind: 'assistant' as const,
  text: '',
  calls: [{ id, name: 'echo', arguments: {} }],
});
const result = (callId: string, content: string) => ({
  kind: 'tool_result' as const,
  callId,
  content,
  isError: false,
});

describe('scripts', () => {
  test('the turn is the number of assistant replies since the last user message', () => {
    const script = loadScript([{ text: 'zero' }, { text: 'one' }]);
    const first = [{ kind: 'user' as const, text: 'hi' }];
    assert.equal(decideReply(conversation(first), script).reply.text, 'zero');
    const second = [...first, called('c1'), result('c1', 'r')];
    assert.equal(decideReply(conversation(second), script).reply.text, 'one');
    // a new user message starts the script again
    const third = [
      ...second,
      { kind: 'assistant' as const, text: 'one', calls: [] },
      { kind: 'user' as const, text: 'again' },
    ];
    assert.equal(decideReply(conversation(third), script).reply.text, 'zero');
  });

  test('when the turns run out, the default behaviour answers', () => {
    const script = loadScript([{ tool_calls: [{ name: 'echo' }] }]);
    const decision = decideReply(
      conversation([{ kind: 'user', text: 'hi' }, called('c1'), result('c1', 'pong')]),
      script,
    );
    assert.equal(decision.source, 'default');
    assert.equal(decision.reply.text, 'Here is what the tools returned:\n- echo: pong');
  });

  test('keys match the system prompt, the first or the last user message; the first match wins', () => {
    const script = loadScript({
      scripts: [
        { match: 'alpha', turns: [{ text: 'A' }] },
        { match: 'beta', turns: [{ text: 'B' }] },
        { turns: [{ text: 'catch-all' }] },
      ],
    });
    const say = (system: string, ...texts: string[]) =>
      decideReply(
        conversation(
          texts
            .flatMap((text) => [
              { kind: 'user' as const, text },
              { kind: 'assistant' as const, text: '.', calls: [] },
            ])
            .slice(0, -1),
          system,
        ),
        script,
      ).reply.text;
    assert.equal(say('you are beta', 'hello'), 'B');
    assert.equal(say('', 'first: alpha', 'middle: beta', 'last'), 'A');
    assert.equal(say('', 'first', 'middle: alpha', 'last: beta'), 'B');
    assert.equal(say('', 'nothing'), 'catch-all');
  });

  test('templates quote tool results, dig into JSON, and render in arguments', () => {
    const script = loadScript([
      { tool_calls: [{ name: 'echo' }, { name: 'echo' }] },
      {
        text: '{{tool_result[0]}} | {{tool_result[1].items[1].id}} | {{last_tool_result.missing}} | {{user}} | {{tool_results}}',
        tool_calls: [{ name: 'echo', arguments: { ids: ['{{tool_result[1].items[0].id}}'], n: 3 } }],
      },
    ]);
    const decision = decideReply(
      conversation([
        { kind: 'user', text: 'go' },
        {
          kind: 'assistant',
          text: '',
          calls: [
            { id: 'a', name: 'echo', arguments: {} },
            { id: 'b', name: 'echo', arguments: {} },
          ],
        },
        result('a', 'plain'),
        result('b', '{"items":[{"id":"x1"},{"id":"x2"}]}'),
      ]),
      script,
    );
    assert.equal(decision.reply.text, 'plain | x2 |  | go | plain\n{"items":[{"id":"x1"},{"id":"x2"}]}');
    assert.deepEqual(decision.reply.toolCalls, [{ name: 'echo', arguments: { ids: ['x1'], n: 3 } }]);
  });

  test('a scripted tool name matches a prefixed request tool, and an unknown one is an error', () => {
    const conv = {
      ...conversation([{ kind: 'user', text: 'x' }]),
      tools: [{ ...echo, name: 'latchkey_echo' }],
    };
    assert.equal(
      decideReply(conv, loadScript([{ tool_calls: [{ name: 'echo' }] }])).reply.toolCalls[0]?.name,
      'latchkey_echo',
    );
    assert.throws(
      () => decideReply(conv, loadScript([{ tool_calls: [{ name: 'nope' }] }])),
      /calls tool 'nope', which the request does not offer \(tools: latchkey_echo\)/,
    );
  });

  test('malformed scripts are refused with the place of the mistake', () => {
    assert.throws(
      () => loadScript([{}] as never),
      /script\[0\]: a turn needs "text" or a non-empty "tool_calls"/,
    );
    assert.throws(() => loadScript({ scripts: [{ match: 1, turns: [] }] } as never), /scripts\[0\]\.match/);
    assert.throws(
      () => loadScript([{ tool_calls: [{ name: 'x', arguments: [] }] }] as never),
      /tool_calls\[0\]\.arguments/,
    );
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[{');
    assert.throws(() => loadScript(file), /broken\.json: not JSON/);
  });
});

describe('default arguments', () => {
  const tool = (properties: Record<string, unknown>, required: string[]): ToolSpec => ({
    name: 't',
    description: '',
    inputSchema: { type: 'object', properties, required } as ToolSpec['inputSchema'],
  });

  test('hints in the prompt, coerced to the schema type', () => {
    const spec = tool(
      {
        city: { type: 'string' },
        days: { type: 'integer' },
        metric: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        note: { type: 'string' },
        label: { type: 'string' },
      },
      ['city', 'days', 'metric', 'tags'],
    );
    const prompt =
      'Use city="San Jose", days=3 and metric=true, tags=["a","b"]. {"label": "x \\"y\\""} later: mycity=no';
    assert.deepEqual(buildArguments(spec, prompt), {
      city: 'San Jose',
      days: 3,
      metric: true,
      tags: ['a', 'b'],
      label: 'x "y"',
    });
    assert.deepEqual(buildArguments(tool({ city: { type: 'string' } }, ['city']), 'go to city=Paris.'), {
      city: 'Paris',
    });
  });

  test('schema values and placeholders when the prompt says nothing', () => {
    const spec = tool(
      {
        a: { type: 'string', default: 'dflt' },
        b: { type: 'string', examples: ['ex'] },
        c: { enum: ['first', 'second'] },
        d: { type: 'string', format: 'date-time' },
        e: { type: 'number', minimum: 2 },
        f: { type: ['null', 'boolean'] },
        g: { type: 'array', minItems: 1, items: { type: 'string', format: 'email' } },
        h: { type: 'object', properties: { inner: { type: 'integer' } }, required: ['inner'] },
        i: { anyOf: [{ type: 'null' }, { type: 'string', format: 'uri' }] },
        optional: { type: 'string' },
      },
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'],
    );
    assert.deepEqual(buildArguments(spec, 'nothing useful'), {
      a: 'dflt',
      b: 'ex',
      c: 'first',
      d: '2025-01-01T00:00:00Z',
      e: 2,
      f: false,
      g: ['user@example.com'],
      h: { inner: 1 },
      i: 'https://example.com',
    });
  });

  test('tool names are found as whole words only', () => {
    const tools: ToolSpec[] = [
      { ...echo, name: 'get' },
      { ...echo, name: 'get_user' },
    ];
    const conv: Conversation = { ...conversation([{ kind: 'user', text: 'call get_user now' }]), tools };
    assert.deepEqual(
      decideReply(conv, undefined).reply.toolCalls.map((c) => c.name),
      ['get_user'],
    );
  });
});

test('a script file given to the server, and a script error returned as an API error', async () => {
  const file = join(dir, 'script.json');
  writeFileSync(file, JSON.stringify([{ tool_calls: [{ name: 'missing_tool' }] }]));
  const server = await startModelServer({ script: file, apiKey: 'secret' });
  try {
    const call = (key: string) =>
      fetch(`${server.openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'function', function: { name: 'echo' } }],
        }),
      });
    const wrongKey = await call('other');
    assert.equal(wrongKey.status, 401);
    assert.equal(((await wrongKey.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
    const response = await call('secret');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /^scripted model: script 0 turn 0 calls tool 'missing_tool'/);
    assert.deepEqual(
      server.requests().map((r) => r.status),
      [401, 400],
    );
  } finally {
    await server.close();
  }
});

test('the CLI prints its base URLs and serves until SIGTERM', async () => {
  const file = join(dir, 'cli.json');
  writeFileSync(file, JSON.stringify([{ text: 'from the CLI script' }]));
  const main = join(import.meta.dirname, '../src/model/main.ts');
  const child = spawn(process.execPath, [main, '--port', '0', '--script', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let output = '';
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /OpenAI SDK baseURL:\s+(\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    assert.match(output, /Anthropic SDK baseURL:\s+http:\/\/127\.0\.0\.1:\d+\n/);
    const response = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(body.choices[0]!.message.content, 'from the CLI script');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});
