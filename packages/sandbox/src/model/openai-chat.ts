/**
 * OpenAI Chat Completions API (`POST /v1/chat/completions`): request validation with the API's error
 * shapes, and replies as a `chat.completion` or as `chat.completion.chunk` events ending in `[DONE]`.
 */
import {
  type Conversation,
  type Entry,
  isObject,
  pieces,
  type Reply,
  type ToolSpec,
} from './conversation.ts';
import { invalidRequest } from './errors.ts';
import {
  functionTool,
  invalidType,
  invalidValue,
  missing,
  openaiToolChoice,
  partsText,
} from './openai-shared.ts';

export interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  conversation: Conversation;
}

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('We could not parse the JSON body of your request.');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw invalidRequest('you must provide a model parameter');
  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') throw invalidType('stream', 'a boolean', stream);
  const streamOptions = body['stream_options'];
  const tools = parseTools(body['tools']);
  const parallel = body['parallel_tool_calls'] ?? true;
  if (typeof parallel !== 'boolean') throw invalidType('parallel_tool_calls', 'a boolean', parallel);
  const { system, entries } = parseMessages(body['messages']);
  return {
    model,
    stream,
    includeUsage: isObject(streamOptions) && streamOptions['include_usage'] === true,
    conversation: {
      system,
      entries,
      tools,
      toolChoice: openaiToolChoice(body['tool_choice'], tools),
      parallelToolCalls: parallel,
    },
  };
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array of objects', tools);
  const out: ToolSpec[] = [];
  for (const [i, tool] of tools.entries()) {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalidType(at, 'an object', tool);
    if (tool['type'] === undefined) throw missing(`${at}.type`);
    if (tool['type'] === 'custom') continue; // free-form custom tools: never called by this model
    if (tool['type'] !== 'function') throw invalidValue(`${at}.type`, tool['type'], ['function', 'custom']);
    const fn = tool['function'];
    if (fn === undefined) throw missing(`${at}.function`);
    if (!isObject(fn)) throw invalidType(`${at}.function`, 'an object', fn);
    out.push(functionTool(fn['name'], fn['description'], fn['parameters'], `${at}.function`));
  }
  return out;
}

function parseMessages(messages: unknown): { system: string; entries: Entry[] } {
  if (messages === undefined) throw missing('messages');
  if (!Array.isArray(messages)) throw invalidType('messages', 'an array of objects', messages);
  if (messages.length === 0) {
    throw invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const system: string[] = [];
  const entries: Entry[] = [];
  let pending: { at: number; ids: string[] } | undefined;
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) throw invalidType(`messages[${i}]`, 'an object', message);
    const role = message['role'];
    if (role === undefined) throw missing(`messages[${i}].role`);
    if (!ROLES.includes(role as string)) throw invalidValue(`messages[${i}].role`, role, ROLES);
    if (role === 'tool') {
      const callId = message['tool_call_id'];
      if (typeof callId !== 'string') throw missing(`messages[${i}].tool_call_id`);
      if (!pending?.ids.includes(callId)) {
        throw invalidRequest(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      pending.ids = pending.ids.filter((id) => id !== callId);
      entries.push({ kind: 'tool_result', callId, content: partsText(message['content']), isError: false });
      continue;
    }
    checkAnswered(pending);
    pending = undefined;
    const text = partsText(message['content']);
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user') entries.push({ kind: 'user', text });
    else if (role === 'assistant') {
      const calls = toolCalls(message['tool_calls'], i);
      if (calls.length > 0) pending = { at: i, ids: calls.map((c) => c.id) };
      entries.push({ kind: 'assistant', text, calls });
    }
  }
  checkAnswered(pending);
  return { system: system.join('\n'), entries };
}

/** Every tool call of an assistant message needs a tool message right after it. */
function checkAnswered(pending: { at: number; ids: string[] } | undefined): void {
  if (!pending || pending.ids.length === 0) return;
  throw invalidRequest(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.ids.join(', ')}`,
    `messages.[${pending.at}].role`,
  );
}

function toolCalls(calls: unknown, i: number) {
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw invalidType(`messages[${i}].tool_calls`, 'an array of objects', calls);
  return calls.map((call, j) => {
    const at = `messages[${i}].tool_calls[${j}]`;
    if (!isObject(call)) throw invalidType(at, 'an object', call);
    if (typeof call['id'] !== 'string') throw missing(`${at}.id`);
    const fn = call['function'];
    if (!isObject(fn) || typeof fn['name'] !== 'string') throw missing(`${at}.function.name`);
    if (typeof fn['arguments'] !== 'string') throw missing(`${at}.function.arguments`);
    return { id: call['id'], name: fn['name'], arguments: fn['arguments'] as unknown };
  });
}

export interface ReplyMeta {
  model: string;
  nextId: (prefix: string) => string;
  inputTokens: number;
  outputTokens: number;
  created: number;
}

function usage(meta: ReplyMeta) {
  return {
    prompt_tokens: meta.inputTokens,
    completion_tokens: meta.outputTokens,
    total_tokens: meta.inputTokens + meta.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function calls(reply: Reply, nextId: (prefix: string) => string) {
  return reply.toolCalls.map((call) => ({
    id: nextId('call_'),
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
}

const finishReason = (reply: Reply) => (reply.toolCalls.length > 0 ? 'tool_calls' : 'stop');

export function chatCompletion(reply: Reply, meta: ReplyMeta) {
  const id = meta.nextId('chatcmpl-');
  const toolCalls = calls(reply, meta.nextId);
  const message = {
    role: 'assistant',
    content: reply.text === '' && toolCalls.length > 0 ? null : reply.text,
    refusal: null,
    annotations: [],
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return {
    id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage: usage(meta),
    service_tier: 'default',
    system_fingerprint: 'fp_latchkey',
  };
}

/** The `data:` payloads of a streamed completion, `[DONE]` included. */
export function chatChunks(reply: Reply, meta: ReplyMeta, includeUsage: boolean): unknown[] {
  const id = meta.nextId('chatcmpl-');
  const toolCalls = calls(reply, meta.nextId);
  const chunk = (delta: object, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: 'fp_latchkey',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const hasText = reply.text !== '' || toolCalls.length === 0;
  const out: unknown[] = [chunk({ role: 'assistant', content: hasText ? '' : null, refusal: null })];
  for (const text of pieces(reply.text, 16)) out.push(chunk({ content: text }));
  for (const [index, call] of toolCalls.entries()) {
    const head = {
      index,
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: '' },
    };
    out.push(chunk({ tool_calls: [head] }));
    for (const fragment of pieces(call.function.arguments, 12)) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  }
  out.push(chunk({}, finishReason(reply)));
  if (includeUsage) out.push({ ...chunk({}), choices: [], usage: usage(meta) });
  out.push('[DONE]');
  return out;
}
