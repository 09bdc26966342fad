/**
 * Anthropic Messages API (`POST /v1/messages`, `POST /v1/messages/count_tokens`): request validation
 * with the API's error messages, and replies as a Message or as its event stream
 * (message_start, ping, content_block_start/delta/stop, message_delta, message_stop).
 */
import {
  type CallEntry,
  type Conversation,
  type Entry,
  isObject,
  type JsonObject,
  pieces,
  type Reply,
  type ToolChoice,
  type ToolSpec,
} from './conversation.ts';
import { invalidRequest, type ModelApiError } from './errors.ts';

export interface AnthropicRequest {
  model: string;
  stream: boolean;
  conversation: Conversation;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** Validates a Messages request; `countTokens` requests have no `max_tokens` and no `stream`. */
export function parseAnthropicRequest(
  body: unknown,
  options: { countTokens?: boolean } = {},
): AnthropicRequest {
  if (!isObject(body)) throw invalidRequest('Input should be a valid dictionary');
  const model = body['model'];
  if (model === undefined) throw invalidRequest('model: Field required');
  if (typeof model !== 'string') throw invalidRequest('model: Input should be a valid string');
  if (!options.countTokens) {
    const maxTokens = body['max_tokens'];
    if (maxTokens === undefined) throw invalidRequest('max_tokens: Field required');
    if (!Number.isInteger(maxTokens)) throw invalidRequest('max_tokens: Input should be a valid integer');
    if ((maxTokens as number) < 1)
      throw invalidRequest('max_tokens: Input should be greater than or equal to 1');
  }
  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean');
  const tools = parseTools(body['tools']);
  const { toolChoice, parallel } = parseToolChoice(body['tool_choice'], tools);
  const { system, entries } = parseMessages(body['messages']);
  return {
    model,
    stream,
    conversation: {
      system: [systemText(body['system']), ...system].filter((s) => s !== '').join('\n'),
      entries,
      tools,
      toolChoice,
      parallelToolCalls: parallel,
    },
  };
}

function systemText(system: unknown): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw invalidRequest('system: Input should be a valid string');
  return textOf(system, 'system');
}

/** Joins the text blocks of a content array (other block types are skipped). */
function textOf(blocks: unknown[], where: string): string {
  return blocks
    .map((block, i) => {
      if (!isObject(block) || typeof block['type'] !== 'string')
        throw invalidRequest(`${where}.${i}.type: Field required`);
      if (block['type'] !== 'text') return undefined;
      if (typeof block['text'] !== 'string') throw invalidRequest(`${where}.${i}.text: Field required`);
      return block['text'];
    })
    .filter((t) => t !== undefined)
    .join('\n');
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools: Input should be a valid list');
  const out: ToolSpec[] = [];
  for (const [i, tool] of tools.entries()) {
    const at = `tools.${i}.custom`;
    if (!isObject(tool)) throw invalidRequest(`tools.${i}: Input should be a valid dictionary`);
    // server tools (web_search_20250305, bash_20250124, ...) run at Anthropic: never called by this model
    if (tool['type'] !== undefined && tool['type'] !== null && tool['type'] !== 'custom') continue;
    const { name, input_schema: schema, description } = tool;
    if (name === undefined) throw invalidRequest(`${at}.name: Field required`);
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      throw invalidRequest(`${at}.name: String should match pattern '${TOOL_NAME.source}'`);
    }
    if (schema === undefined) throw invalidRequest(`${at}.input_schema: Field required`);
    if (!isObject(schema)) throw invalidRequest(`${at}.input_schema: Input should be a valid dictionary`);
    if (schema['type'] === undefined) throw invalidRequest(`${at}.input_schema.type: Field required`);
    if (schema['type'] !== 'object')
      throw invalidRequest(`${at}.input_schema.type: Input should be 'object'`);
    if (description !== undefined && typeof description !== 'string') {
      throw invalidRequest(`${at}.description: Input should be a valid string`);
    }
    if (out.some((t) => t.name === name)) throw invalidRequest('tools: Tool names must be unique.');
    out.push({ name, description: description ?? '', inputSchema: schema as JsonObject });
  }
  return out;
}

function parseToolChoice(choice: unknown, tools: ToolSpec[]): { toolChoice: ToolChoice; parallel: boolean } {
  if (choice === undefined || choice === null) return { toolChoice: 'auto', parallel: true };
  if (!isObject(choice)) throw invalidRequest('tool_choice: Input should be a valid dictionary');
  const parallel = choice['disable_parallel_tool_use'] !== true;
  switch (choice['type']) {
    case 'auto':
    case 'any':
    case 'none':
      return { toolChoice: choice['type'], parallel };
    case 'tool': {
      const name = choice['name'];
      if (typeof name !== 'string') throw invalidRequest('tool_choice.tool.name: Field required');
      if (!tools.some((t) => t.name === name))
        throw invalidRequest(`Tool '${name}' not found in provided tools`);
      return { toolChoice: { name }, parallel };
    }
    default:
      throw invalidRequest(
        "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'",
      );
  }
}

function parseMessages(messages: unknown): { system: string[]; entries: Entry[] } {
  if (messages === undefined) throw invalidRequest('messages: Field required');
  if (!Array.isArray(messages)) throw invalidRequest('messages: Input should be a valid list');
  const system: string[] = [];
  const entries: Entry[] = [];
  let pendingCalls: { at: number; ids: string[] } | undefined;
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) throw invalidRequest(`messages.${i}: Input should be a valid dictionary`);
    const { role, content } = message;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      throw invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    if (content === undefined) throw invalidRequest(`messages.${i}.content: Field required`);
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw invalidRequest(`messages.${i}.content: Input should be a valid list`);
    }
    const blocks: unknown[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    const text = textOf(blocks, `messages.${i}.content`);
    if (role === 'system') {
      system.push(text);
      continue;
    }
    const results = role === 'user' ? toolResults(blocks, i, pendingCalls?.ids ?? []) : [];
    if (pendingCalls) {
      const missing = pendingCalls.ids.filter((id) => !results.some((r) => r.callId === id));
      if (missing.length > 0) {
        throw invalidRequest(
          `messages.${pendingCalls.at}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
    }
    if (role === 'assistant') {
      const calls = toolUses(blocks, i);
      pendingCalls = calls.length > 0 ? { at: i, ids: calls.map((c) => c.id) } : undefined;
      entries.push({ kind: 'assistant', text, calls });
    } else {
      pendingCalls = undefined;
      if (results.length > 0) entries.push(...results);
      else entries.push({ kind: 'user', text });
    }
  }
  return { system, entries };
}

function toolUses(blocks: unknown[], i: number): CallEntry[] {
  const calls: CallEntry[] = [];
  for (const [j, block] of blocks.entries()) {
    if (!isObject(block) || block['type'] !== 'tool_use') continue;
    const at = `messages.${i}.content.${j}.tool_use`;
    for (const field of ['id', 'name'] as const) {
      if (typeof block[field] !== 'string') throw invalidRequest(`${at}.${field}: Field required`);
    }
    if (!isObject(block['input'])) throw invalidRequest(`${at}.input: Input should be a valid dictionary`);
    calls.push({ id: block['id'] as string, name: block['name'] as string, arguments: block['input'] });
  }
  return calls;
}

type ToolResultEntry = Extract<Entry, { kind: 'tool_result' }>;

function toolResults(blocks: unknown[], i: number, expected: string[]): ToolResultEntry[] {
  const results: ToolResultEntry[] = [];
  for (const [j, block] of blocks.entries()) {
    if (!isObject(block) || block['type'] !== 'tool_result') continue;
    const id = block['tool_use_id'];
    if (typeof id !== 'string')
      throw invalidRequest(`messages.${i}.content.${j}.tool_result.tool_use_id: Field required`);
    if (!expected.includes(id)) {
      throw invalidRequest(
        `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
    const content = block['content'] ?? '';
    const text = Array.isArray(content)
      ? textOf(content, `messages.${i}.content.${j}.content`)
      : String(content);
    results.push({ kind: 'tool_result', callId: id, content: text, isError: block['is_error'] === true });
  }
  return results;
}

export interface ReplyMeta {
  model: string;
  nextId: (prefix: string) => string;
  inputTokens: number;
  outputTokens: number;
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** The content blocks of a reply, with ids assigned. */
function contentBlocks(reply: Reply, nextId: (prefix: string) => string) {
  const blocks: Array<
    { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }
  > = [];
  if (reply.text !== '' || reply.toolCalls.length === 0) blocks.push({ type: 'text', text: reply.text });
  for (const call of reply.toolCalls) {
    blocks.push({ type: 'tool_use', id: nextId('toolu_01'), name: call.name, input: call.arguments });
  }
  return blocks;
}

function messageShell(reply: Reply, meta: ReplyMeta) {
  return {
    id: meta.nextId('msg_01'),
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: contentBlocks(reply, meta.nextId),
    stop_reason: reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
  };
}

export function anthropicMessage(reply: Reply, meta: ReplyMeta) {
  return { ...messageShell(reply, meta), usage: usage(meta.inputTokens, meta.outputTokens) };
}

export function anthropicEvents(reply: Reply, meta: ReplyMeta): Array<[string, unknown]> {
  const { content, stop_reason, ...message } = messageShell(reply, meta);
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: { ...message, content: [], stop_reason: null, usage: usage(meta.inputTokens, 1) },
      },
    ],
    ['ping', { type: 'ping' }],
  ];
  for (const [index, block] of content.entries()) {
    const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: start }]);
    const deltas =
      block.type === 'text'
        ? pieces(block.text, 16).map((text) => ({ type: 'text_delta', text }))
        : ['', ...pieces(JSON.stringify(block.input), 12)].map((json) => ({
            type: 'input_json_delta',
            partial_json: json,
          }));
    for (const delta of deltas)
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  }
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason, stop_sequence: null },
      usage: { output_tokens: meta.outputTokens },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

export function anthropicError(error: ModelApiError, requestId: string) {
  return { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId };
}

export function anthropicModels(ids: string[]) {
  const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
