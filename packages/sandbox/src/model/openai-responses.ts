/**
 * OpenAI Responses API (`POST /v1/responses`), the API `@ai-sdk/openai`'s `openai(model)` calls:
 * input items (messages, function_call, function_call_output, item_reference), previous_response_id,
 * and replies as a `response` object or as its event stream (response.created ... response.completed).
 * Stored responses and items live in a ResponsesStore owned by the server.
 */
import {
  type Conversation,
  type Entry,
  isObject,
  pieces,
  type Reply,
  type ToolSpec,
} from './conversation.ts';
import { invalidRequest, ModelApiError } from './errors.ts';
import { functionTool, invalidType, missing, openaiToolChoice, partsText } from './openai-shared.ts';

type Item = Record<string, unknown>;

export interface ResponsesStore {
  items: Map<string, Item>;
  /** Response id → the whole conversation up to and including its output. */
  responses: Map<string, Item[]>;
}

export function createResponsesStore(): ResponsesStore {
  return { items: new Map(), responses: new Map() };
}

export interface ResponsesRequest {
  model: string;
  stream: boolean;
  store: boolean;
  conversation: Conversation;
  /** The whole conversation as items: the previous response's, then this request's input, resolved. */
  items: Item[];
  /** Request fields echoed in the response object. */
  echo: Record<string, unknown>;
}

export function parseResponsesRequest(body: unknown, store: ResponsesStore): ResponsesRequest {
  if (!isObject(body)) throw invalidRequest('We could not parse the JSON body of your request.');
  const model = body['model'];
  if (model === undefined) throw missing('model');
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') throw invalidType('stream', 'a boolean', stream);
  const instructions = body['instructions'] ?? null;
  if (instructions !== null && typeof instructions !== 'string')
    throw invalidType('instructions', 'a string', instructions);
  const parallel = body['parallel_tool_calls'] ?? true;
  if (typeof parallel !== 'boolean') throw invalidType('parallel_tool_calls', 'a boolean', parallel);
  const tools = parseTools(body['tools']);
  const toolChoice = openaiToolChoice(body['tool_choice'], tools);
  const previousId = body['previous_response_id'] ?? null;
  let previous: Item[] = [];
  if (previousId !== null) {
    const found = typeof previousId === 'string' ? store.responses.get(previousId) : undefined;
    if (!found) {
      throw invalidRequest(
        `Previous response with id '${String(previousId)}' not found.`,
        'previous_response_id',
        'previous_response_not_found',
      );
    }
    previous = found;
  }
  const items = [...previous, ...inputItems(body['input'], store)];
  const { system, entries } = toEntries(items);
  return {
    model,
    stream,
    store: body['store'] !== false,
    conversation: {
      system: [instructions ?? '', ...system].filter((s) => s !== '').join('\n'),
      entries,
      tools,
      toolChoice,
      parallelToolCalls: parallel,
    },
    items,
    echo: {
      instructions,
      previous_response_id: previousId,
      tools: body['tools'] ?? [],
      tool_choice: body['tool_choice'] ?? 'auto',
      parallel_tool_calls: parallel,
      metadata: body['metadata'] ?? {},
      store: body['store'] !== false,
    },
  };
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array of objects', tools);
  const out: ToolSpec[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) throw invalidType(`tools[${i}]`, 'an object', tool);
    if (tool['type'] === undefined) throw missing(`tools[${i}].type`);
    // hosted tools (web_search, file_search, mcp, ...) run at OpenAI: never called by this model
    if (tool['type'] !== 'function') continue;
    out.push(functionTool(tool['name'], tool['description'], tool['parameters'], `tools[${i}]`));
  }
  return out;
}

/** The input as items: a string is one user message; item references are replaced by the stored items. */
function inputItems(input: unknown, store: ResponsesStore): Item[] {
  if (input === undefined || input === null) throw missing('input');
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input)) throw invalidType('input', 'a string or an array of objects', input);
  return input.map((item, i) => {
    if (!isObject(item)) throw invalidType(`input[${i}]`, 'an object', item);
    if (item['type'] !== 'item_reference') return item;
    const found = typeof item['id'] === 'string' ? store.items.get(item['id']) : undefined;
    if (!found)
      throw new ModelApiError(
        404,
        'invalid_request_error',
        `Item with id '${String(item['id'])}' not found.`,
        'input',
      );
    return found;
  });
}

/** Items to entries; consecutive assistant messages and function calls form one assistant reply. */
function toEntries(items: Item[]): { system: string[]; entries: Entry[] } {
  const system: string[] = [];
  const entries: Entry[] = [];
  const callIds = new Set<string>();
  const assistant = () => {
    const last = entries.at(-1);
    if (last?.kind === 'assistant') return last;
    const entry: Entry & { kind: 'assistant' } = { kind: 'assistant', text: '', calls: [] };
    entries.push(entry);
    return entry;
  };
  for (const [i, item] of items.entries()) {
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      const role = item['role'];
      if (role === undefined) throw missing(`input[${i}].role`);
      const text = partsText(item['content']);
      if (role === 'system' || role === 'developer') system.push(text);
      else if (role === 'user') entries.push({ kind: 'user', text });
      else if (role === 'assistant') {
        const entry = assistant();
        entry.text = entry.text === '' ? text : `${entry.text}\n${text}`;
      }
    } else if (type === 'function_call') {
      const { call_id: id, name, arguments: args } = item;
      if (typeof id !== 'string') throw missing(`input[${i}].call_id`);
      if (typeof name !== 'string') throw missing(`input[${i}].name`);
      if (typeof args !== 'string') throw missing(`input[${i}].arguments`);
      callIds.add(id);
      assistant().calls.push({ id, name, arguments: args });
    } else if (type === 'function_call_output') {
      const id = item['call_id'];
      if (typeof id !== 'string') throw missing(`input[${i}].call_id`);
      if (!callIds.has(id)) {
        throw invalidRequest(`No tool call found for function call output with call_id ${id}.`, 'input');
      }
      const output = typeof item['output'] === 'string' ? item['output'] : partsText(item['output']);
      entries.push({ kind: 'tool_result', callId: id, content: output, isError: false });
    }
    // other items (reasoning, hosted tool calls) carry nothing this model reads
  }
  return { system, entries };
}

export interface ReplyMeta {
  model: string;
  nextId: (prefix: string) => string;
  inputTokens: number;
  outputTokens: number;
  created: number;
}

export function buildResponse(reply: Reply, meta: ReplyMeta, request: ResponsesRequest) {
  const output: Item[] = [];
  if (reply.text !== '' || reply.toolCalls.length === 0) {
    const part = { type: 'output_text', annotations: [], logprobs: [], text: reply.text };
    output.push({
      id: meta.nextId('msg_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [part],
    });
  }
  for (const call of reply.toolCalls) {
    const args = JSON.stringify(call.arguments);
    output.push({
      id: meta.nextId('fc_'),
      type: 'function_call',
      status: 'completed',
      arguments: args,
      call_id: meta.nextId('call_'),
      name: call.name,
    });
  }
  return {
    id: meta.nextId('resp_'),
    object: 'response',
    created_at: meta.created,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    max_output_tokens: null,
    model: meta.model,
    output,
    reasoning: { effort: null, summary: null },
    temperature: 1,
    text: { format: { type: 'text' } },
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: meta.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: meta.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: meta.inputTokens + meta.outputTokens,
    },
    user: null,
    ...request.echo,
  };
}

export type ResponseObject = ReturnType<typeof buildResponse>;

/** Keeps the response and its items for `previous_response_id` and `item_reference`. */
export function remember(store: ResponsesStore, response: ResponseObject, request: ResponsesRequest): void {
  if (!request.store) return;
  for (const item of response.output) store.items.set(item['id'] as string, item);
  store.responses.set(response.id, [...request.items, ...response.output]);
}

/** The event stream of a completed response: each event is `[type, data]` with a sequence_number. */
export function responseEvents(response: ResponseObject): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [];
  const emit = (type: string, data: object) =>
    events.push([type, { type, sequence_number: events.length, ...data }]);
  const pending = { ...response, status: 'in_progress', output: [], usage: null };
  emit('response.created', { response: pending });
  emit('response.in_progress', { response: pending });
  for (const [output_index, item] of response.output.entries()) {
    const item_id = item['id'] as string;
    if (item['type'] === 'message') {
      const part = (item['content'] as Array<{ text: string }>)[0]!;
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const at = { item_id, output_index, content_index: 0 };
      emit('response.content_part.added', { ...at, part: { ...part, text: '' } });
      for (const delta of pieces(part.text, 16))
        emit('response.output_text.delta', { ...at, delta, logprobs: [] });
      emit('response.output_text.done', { ...at, text: part.text, logprobs: [] });
      emit('response.content_part.done', { ...at, part });
    } else {
      const args = item['arguments'] as string;
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of pieces(args, 12))
        emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      emit('response.function_call_arguments.done', {
        item_id,
        output_index,
        name: item['name'],
        arguments: args,
      });
    }
    emit('response.output_item.done', { output_index, item });
  }
  emit('response.completed', { response });
  return events;
}
