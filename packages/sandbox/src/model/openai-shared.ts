/** What the OpenAI Chat Completions and Responses APIs share: function tools, tool_choice, errors, models. */
import { isObject, type JsonObject, type ToolChoice, type ToolSpec } from './conversation.ts';
import { invalidRequest, type ModelApiError } from './errors.ts';

export function missing(param: string): ModelApiError {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function invalidType(param: string, expected: string, value: unknown): ModelApiError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${got} instead.`,
    param,
    'invalid_type',
  );
}

export function invalidValue(param: string, value: unknown, supported: string[]): ModelApiError {
  const list = supported.map((s) => `'${s}'`);
  const text = list.length > 1 ? `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}` : list.join('');
  return invalidRequest(
    `Invalid value: '${String(value)}'. Supported values are: ${text}.`,
    param,
    'invalid_value',
  );
}

/** A function tool: `param` is where it sits (`tools[0].function` in Chat, `tools[0]` in Responses). */
export function functionTool(
  name: unknown,
  description: unknown,
  parameters: unknown,
  param: string,
): ToolSpec {
  if (name === undefined) throw missing(`${param}.name`);
  if (typeof name !== 'string') throw invalidType(`${param}.name`, 'a string', name);
  if (name.length > 64) {
    throw invalidRequest(
      `Invalid '${param}.name': string too long. Expected a string with maximum length 64, but got a string with length ${name.length} instead.`,
      `${param}.name`,
      'string_above_max_length',
    );
  }
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) {
    throw invalidRequest(
      `Invalid '${param}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      `${param}.name`,
      'invalid_value',
    );
  }
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw invalidType(`${param}.description`, 'a string', description);
  }
  const schema = parameters ?? { type: 'object', properties: {} };
  if (!isObject(schema) || schema['type'] !== 'object') {
    const got = isObject(schema) ? String(schema['type'] ?? 'None') : typeof schema;
    throw invalidRequest(
      `Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${got}"'.`,
      `${param}.parameters`,
      'invalid_function_parameters',
    );
  }
  return {
    name,
    description: typeof description === 'string' ? description : '',
    inputSchema: schema as JsonObject,
  };
}

/** `tool_choice`: 'auto' | 'none' | 'required' | a function (`{type, function: {name}}` in Chat, `{type, name}` in Responses). */
export function openaiToolChoice(choice: unknown, tools: ToolSpec[]): ToolChoice {
  if (choice === undefined || choice === null || choice === 'auto') return 'auto';
  if (choice === 'none') return 'none';
  if (choice === 'required') return 'any';
  if (isObject(choice) && choice['type'] === 'function') {
    const name = isObject(choice['function']) ? choice['function']['name'] : choice['name'];
    if (typeof name !== 'string') throw missing('tool_choice.function.name');
    if (!tools.some((t) => t.name === name)) {
      throw invalidRequest(
        `Invalid value for 'tool_choice': function '${name}' is not one of the provided tools.`,
        'tool_choice',
        'invalid_value',
      );
    }
    return { name };
  }
  throw invalidValue('tool_choice', isObject(choice) ? choice['type'] : choice, ['none', 'auto', 'required']);
}

/** Text of a string or an array of text parts (`text`, `input_text`, `output_text`); other parts are skipped. */
export function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p) => isObject(p) && typeof p['text'] === 'string')
    .map((p) => (p as { text: string }).text)
    .join('\n');
}

export function openaiError(error: ModelApiError) {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

export function openaiModels(ids: string[]) {
  return { object: 'list', data: ids.map((id) => openaiModel(id)) };
}

export function openaiModel(id: string) {
  return { id, object: 'model', created: 1735689600, owned_by: 'latchkey-sandbox' };
}
