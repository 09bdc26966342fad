/**
 * The deterministic default model, used when no script applies:
 * - no tool results yet since the last user message: call every request tool whose exact name appears
 *   in the prompt (system prompt + last user message), in order of first appearance, with arguments
 *   built from its input schema (see buildArguments); no tool named: a short text answer;
 * - tool results present: a final text quoting each result.
 */
import { type Conversation, currentTurn, isObject, type Reply, type ToolSpec } from './conversation.ts';

export function defaultReply(conversation: Conversation): Reply {
  const turn = currentTurn(conversation);
  if (turn.toolResults.length > 0) {
    const lines = turn.toolResults.map(
      (r) => `- ${r.name || r.callId}${r.isError ? ' (error)' : ''}: ${r.content}`,
    );
    return { text: `Here is what the tools returned:\n${lines.join('\n')}`, toolCalls: [] };
  }
  const prompt = `${conversation.system}\n${turn.userText}`;
  const named = conversation.tools
    .map((tool) => ({ tool, at: findName(prompt, tool.name) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((x) => x.tool);
  if (named.length === 0) {
    return { text: `I have no tool to call for: ${turn.userText}`, toolCalls: [] };
  }
  return {
    text: '',
    toolCalls: named.map((tool) => ({ name: tool.name, arguments: buildArguments(tool, prompt) })),
  };
}

/** Position of `name` in `text` as a whole word (not inside a longer identifier), or -1. */
function findName(text: string, name: string): number {
  const match = new RegExp(`(?<![\\w.-])${escapeRegExp(name)}(?![\\w-])`).exec(text);
  return match ? match.index : -1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Arguments from the tool's input schema: every required property, plus optional ones hinted in the
 * prompt. A property's value comes from, in order: a hint in the prompt (`key=value`, `key="a b"`,
 * `"key": "value"`, `"key": 42`), the schema's `const`, `default`, `examples[0]`/`example`, `enum[0]`,
 * else a placeholder by type (see placeholder).
 */
export function buildArguments(tool: ToolSpec, prompt: string): Record<string, unknown> {
  return buildObject(tool.inputSchema, prompt);
}

function buildObject(schema: Record<string, unknown>, prompt: string): Record<string, unknown> {
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const required = new Set(Array.isArray(schema['required']) ? schema['required'] : []);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(properties)) {
    const property = resolveSchema(raw);
    const hint = findHint(prompt, key);
    if (hint !== undefined) out[key] = coerce(hint, property);
    else if (required.has(key)) out[key] = valueFor(property, key, prompt);
  }
  return out;
}

/** The first branch of anyOf/oneOf/allOf, with a nullable type list narrowed to its first non-null type. */
function resolveSchema(raw: unknown): Record<string, unknown> {
  let schema = isObject(raw) ? raw : {};
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key];
    if (Array.isArray(branches)) {
      const branch = branches.find((b) => isObject(b) && b['type'] !== 'null') ?? branches[0];
      schema = { ...schema, ...resolveSchema(branch) };
    }
  }
  const type = schema['type'];
  if (Array.isArray(type)) schema = { ...schema, type: type.find((t) => t !== 'null') ?? 'null' };
  return schema;
}

function valueFor(schema: Record<string, unknown>, key: string, prompt: string): unknown {
  if ('const' in schema) return schema['const'];
  if ('default' in schema) return schema['default'];
  if (Array.isArray(schema['examples']) && schema['examples'].length > 0) return schema['examples'][0];
  if ('example' in schema) return schema['example'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  return placeholder(schema, key, prompt);
}

/**
 * string: by `format` (email `user@example.com`, date `2025-01-01`, date-time `2025-01-01T00:00:00Z`,
 * uri/url `https://example.com`, uuid `00000000-0000-4000-8000-000000000000`), else `example`;
 * number/integer: `minimum` or 1; boolean: false; array: `minItems` placeholder items (0 by default);
 * object: its own required properties; anything else: null.
 */
function placeholder(schema: Record<string, unknown>, key: string, prompt: string): unknown {
  switch (schema['type']) {
    case 'string':
      return stringPlaceholder(schema['format']);
    case 'number':
    case 'integer':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1;
    case 'boolean':
      return false;
    case 'array': {
      const count = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      return Array.from({ length: count }, () => valueFor(resolveSchema(schema['items']), key, prompt));
    }
    case 'object':
      return buildObject(schema, prompt);
    default:
      return isObject(schema['properties']) ? buildObject(schema, prompt) : null;
  }
}

function stringPlaceholder(format: unknown): string {
  switch (format) {
    case 'email':
      return 'user@example.com';
    case 'date':
      return '2025-01-01';
    case 'date-time':
      return '2025-01-01T00:00:00Z';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    default:
      return 'example';
  }
}

/** A value for `key` written in the prompt, as text (quotes removed), or undefined. */
function findHint(prompt: string, key: string): string | undefined {
  const k = escapeRegExp(key);
  const json = new RegExp(
    `"${k}"\\s*:\\s*(?:("(?:[^"\\\\]|\\\\.)*")|(-?\\d+(?:\\.\\d+)?|true|false|null))`,
  ).exec(prompt);
  if (json?.[1] !== undefined) return unquote(json[1]);
  if (json) return json[2];
  const assignment = new RegExp(
    `(?<![\\w.-])${k}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|(\\[[^\\]]*\\]|\\{[^}]*\\}|[^\\s,;]+))`,
  ).exec(prompt);
  if (!assignment) return undefined;
  // an unquoted value ends before sentence punctuation: "city=Paris." is Paris
  return assignment[1] ?? assignment[2] ?? assignment[3]?.replace(/[.!?)]+$/, '');
}

function unquote(jsonString: string): string {
  try {
    return JSON.parse(jsonString) as string;
  } catch {
    return jsonString.slice(1, -1);
  }
}

/** Converts hint text to the property's type (numbers, booleans, JSON for arrays/objects). */
function coerce(text: string, schema: Record<string, unknown>): unknown {
  switch (schema['type']) {
    case 'number':
    case 'integer':
      return Number.isNaN(Number(text)) ? text : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
    case 'object':
      try {
        return JSON.parse(text);
      } catch {
        return schema['type'] === 'array' ? text.split(',') : text;
      }
    case 'null':
      return null;
    default:
      return text;
  }
}
