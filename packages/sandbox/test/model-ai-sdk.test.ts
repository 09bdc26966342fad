// The Vercel AI SDK (`ai` + `@ai-sdk/openai`, as Mastra uses them) runs tool loops against the scripted
// model server, through Chat Completions (`openai.chat`) and Responses (`openai(model)`, the default).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, type LanguageModel, stepCountIs, streamText, tool } from 'ai';
import { type ModelServer, startModelServer } from '../src/model/index.ts';

let server: ModelServer;
let provider: ReturnType<typeof createOpenAI>;

before(async () => {
  server = await startModelServer();
  provider = createOpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'sk-test' });
});
after(() => server.close());

function tools(calls: unknown[]) {
  return {
    search_docs: tool({
      description: 'Search the documentation',
      inputSchema: jsonSchema<{ query: string; max: number }>({
        type: 'object',
        properties: { query: { type: 'string' }, max: { type: 'integer', default: 3 } },
        required: ['query', 'max'],
        additionalProperties: false,
      }),
      execute: async (input) => {
        calls.push(input);
        return { hits: [`doc about ${input.query}`], total: 1 };
      },
    }),
  };
}

const models: Array<[string, () => LanguageModel]> = [
  ['chat completions', () => provider.chat('gpt-5.5')],
  // a non-reasoning model id: for those the SDK refers to stored assistant messages by item_reference
  ['responses', () => provider('gpt-4o')],
];

for (const [api, model] of models) {
  test(`generateText completes a default tool loop (${api})`, async () => {
    const calls: unknown[] = [];
    const result = await generateText({
      model: model(),
      system: 'You answer questions with search_docs.',
      prompt: 'How do I rotate keys? query="key rotation"',
      tools: tools(calls),
      stopWhen: stepCountIs(5),
    });
    assert.deepEqual(calls, [{ query: 'key rotation', max: 3 }]);
    assert.equal(result.steps.length, 2);
    assert.equal(result.steps[0]!.finishReason, 'tool-calls');
    assert.equal(result.finishReason, 'stop');
    assert.equal(
      result.text,
      'Here is what the tools returned:\n- search_docs: {"hits":["doc about key rotation"],"total":1}',
    );
    assert.ok((result.totalUsage.inputTokens ?? 0) > 0);
    const paths = server
      .requests()
      .slice(-2)
      .map((r) => r.path);
    assert.deepEqual(
      paths,
      api === 'responses'
        ? ['/v1/responses', '/v1/responses']
        : ['/v1/chat/completions', '/v1/chat/completions'],
    );
  });

  test(`streamText follows a keyed script (${api})`, async () => {
    server.setScript({
      scripts: [
        {
          match: '[docs-bot]',
          turns: [
            {
              text: 'Searching.',
              tool_calls: [{ name: 'search_docs', arguments: { query: 'scopes', max: 1 } }],
            },
            { text: 'Found: {{last_tool_result.hits[0]}}' },
          ],
        },
        { match: '[other-bot]', turns: [{ text: 'wrong script' }] },
      ],
    });
    try {
      const calls: unknown[] = [];
      const result = streamText({
        model: model(),
        system: '[docs-bot] helpful',
        prompt: 'What are scopes?',
        tools: tools(calls),
        stopWhen: stepCountIs(5),
      });
      assert.equal(await result.text, 'Found: doc about scopes');
      assert.equal((await result.steps)[0]!.text, 'Searching.');
      if (api === 'responses') {
        // the SDK refers to the stored assistant message instead of resending it
        const input = (server.requests().at(-1)!.body as { input: Array<{ type?: string }> }).input;
        assert.ok(input.some((item) => item.type === 'item_reference'));
      }
      assert.deepEqual(calls, [{ query: 'scopes', max: 1 }]);
      assert.equal((await result.steps).length, 2);
      assert.ok(
        server
          .requests()
          .slice(-2)
          .every((r) => r.stream && r.decision?.source === 'script'),
      );
    } finally {
      server.setScript(undefined);
    }
  });
}
