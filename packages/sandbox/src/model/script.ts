/**
 * Scripts: what the model answers, turn by turn. See README.md in this folder for the format.
 *
 *   [ { "tool_calls": [{ "name": "get_weather", "arguments": { "city": "Paris" } }] },
 *     { "text": "It is {{last_tool_result.temp}} degrees." } ]
 *
 * or keyed, so one server serves several programs:
 *
 *   { "scripts": [ { "match": "#weather-demo", "turns": [...] }, { "turns": [...] } ] }
 */
import { readFileSync } from 'node:fs';
import { type Conversation, type CurrentTurn, currentTurn, firstUserText, isObject } from './conversation.ts';

export interface ScriptToolCall {
  name: string;
  /** String values may hold templates, e.g. `"{{tool_result[0].id}}"`. */
  arguments?: Record<string, unknown>;
}

/** One model reply: text (a final answer unless tool calls follow), tool calls, or both. */
export interface ScriptTurn {
  text?: string;
  tool_calls?: ScriptToolCall[];
}

export interface ScriptEntry {
  /** Substring searched in the system prompt, the first and the last user message; absent = matches all. */
  match?: string;
  turns: ScriptTurn[];
}

export type Script = ScriptTurn[] | { scripts: ScriptEntry[] };

/** Reads a script file (a path) or checks an inline script; throws a precise error when malformed. */
export function loadScript(source: Script | string): ScriptEntry[] {
  let value: unknown = source;
  if (typeof source === 'string') {
    const text = readFileSync(source, 'utf8');
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`script ${source}: not JSON (${(error as Error).message})`);
    }
  }
  if (Array.isArray(value)) return [{ turns: checkTurns(value, 'script') }];
  if (!isObject(value) || !Array.isArray(value['scripts'])) {
    throw new Error('script: expected an array of turns or {"scripts": [{"match"?, "turns"}]}');
  }
  return value['scripts'].map((entry: unknown, i) => {
    const where = `scripts[${i}]`;
    if (!isObject(entry) || !Array.isArray(entry['turns']))
      throw new Error(`${where}: expected {"match"?, "turns": [...]}`);
    const match = entry['match'];
    if (match !== undefined && typeof match !== 'string')
      throw new Error(`${where}.match: expected a string`);
    const turns = checkTurns(entry['turns'], `${where}.turns`);
    return match === undefined ? { turns } : { match, turns };
  });
}

function checkTurns(turns: unknown[], where: string): ScriptTurn[] {
  return turns.map((turn, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(turn)) throw new Error(`${at}: expected {"text"} or {"tool_calls"}`);
    const { text, tool_calls: calls } = turn;
    if (text !== undefined && typeof text !== 'string') throw new Error(`${at}.text: expected a string`);
    if (calls !== undefined && !Array.isArray(calls)) throw new Error(`${at}.tool_calls: expected an array`);
    if (text === undefined && (calls === undefined || calls.length === 0)) {
      throw new Error(`${at}: a turn needs "text" or a non-empty "tool_calls"`);
    }
    for (const [j, call] of (calls ?? []).entries()) {
      if (!isObject(call) || typeof call['name'] !== 'string')
        throw new Error(`${at}.tool_calls[${j}].name: expected a string`);
      if (call['arguments'] !== undefined && !isObject(call['arguments'])) {
        throw new Error(`${at}.tool_calls[${j}].arguments: expected an object`);
      }
    }
    return turn as ScriptTurn;
  });
}

export interface ScriptPosition {
  /** Index of the chosen entry in `scripts` (0 for a plain list of turns). */
  script: number;
  /** Turn index: the number of assistant replies since the last user text message. */
  turn: number;
  value: ScriptTurn;
}

/** The scripted turn for this conversation, or undefined (no entry matches, or its turns are used up). */
export function selectTurn(conversation: Conversation, entries: ScriptEntry[]): ScriptPosition | undefined {
  const haystacks = [conversation.system, firstUserText(conversation), currentTurn(conversation).userText];
  const script = entries.findIndex(
    (e) => e.match === undefined || haystacks.some((h) => h.includes(e.match!)),
  );
  if (script < 0) return undefined;
  const turn = currentTurn(conversation).assistantReplies;
  const value = entries[script]?.turns[turn];
  return value && { script, turn, value };
}

/**
 * Fills `{{...}}` placeholders from the current turn:
 * `{{tool_result[N]}}` (N-th result since the last user message, 0-based), `{{last_tool_result}}`,
 * `{{tool_results}}` (all, one per line), `{{user}}` (the last user message). A result that is JSON can
 * be dug into: `{{last_tool_result.items[0].id}}`. Unknown or missing values render as ''.
 */
export function renderTemplate(template: string, turn: CurrentTurn): string {
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_, expression: string) => resolve(expression, turn));
}

function resolve(expression: string, turn: CurrentTurn): string {
  const results = turn.toolResults.map((r) => r.content);
  if (expression === 'user') return turn.userText;
  if (expression === 'tool_results') return results.join('\n');
  const head = /^(?:last_tool_result|tool_result\[(\d+)\])/.exec(expression);
  if (!head) return '';
  const content = head[1] === undefined ? results.at(-1) : results[Number(head[1])];
  const path = expression.slice(head[0].length);
  if (content === undefined || path === '') return content ?? '';
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return '';
  }
  for (const [, key, index] of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    const step = key ?? Number(index);
    value =
      isObject(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[step] : undefined;
  }
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Renders templates in every string inside tool-call arguments. */
export function renderArguments(value: unknown, turn: CurrentTurn): unknown {
  if (typeof value === 'string') return renderTemplate(value, turn);
  if (Array.isArray(value)) return value.map((v) => renderArguments(v, turn));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderArguments(v, turn)]));
  return value;
}
