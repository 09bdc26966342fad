/**
 * The API-neutral view of a model request that the script and the default behaviour reason about.
 * Each wire format (Anthropic Messages, OpenAI Chat Completions, OpenAI Responses) parses its request
 * into a Conversation and renders a Reply back in its own shapes.
 */
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ToolSpec {
  name: string;
  description: string;
  /** The tool's JSON Schema (`input_schema` / `parameters`), always `type: "object"`. */
  inputSchema: JsonObject;
}

export interface CallEntry {
  id: string;
  name: string;
  arguments: unknown;
}

export type Entry =
  /** A user message carrying text: starts a new user turn. */
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string; calls: CallEntry[] }
  | { kind: 'tool_result'; callId: string; content: string; isError: boolean };

export type ToolChoice = 'auto' | 'none' | 'any' | { name: string };

export interface Conversation {
  system: string;
  entries: Entry[];
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  /** False when the client disabled parallel tool calls: at most one call per reply. */
  parallelToolCalls: boolean;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What the model says: optional text, then tool calls (none = a final answer). */
export interface Reply {
  text: string;
  toolCalls: ToolCall[];
}

export interface ToolResult {
  callId: string;
  /** The called tool's name, found through the matching call; '' when the call is not in the history. */
  name: string;
  content: string;
  isError: boolean;
}

/** The entries since the last user text message: what the model has done in answer to it. */
export interface CurrentTurn {
  userText: string;
  /** Assistant messages since the user text message. */
  assistantReplies: number;
  toolResults: ToolResult[];
}

export function currentTurn(conversation: Conversation): CurrentTurn {
  const entries = conversation.entries;
  let start = entries.length;
  while (start > 0 && entries[start - 1]?.kind !== 'user') start--;
  const userEntry = entries[start - 1];
  const calls = new Map<string, string>();
  const turn: CurrentTurn = {
    userText: userEntry?.kind === 'user' ? userEntry.text : '',
    assistantReplies: 0,
    toolResults: [],
  };
  for (const entry of entries.slice(start)) {
    if (entry.kind === 'assistant') {
      turn.assistantReplies++;
      for (const call of entry.calls) calls.set(call.id, call.name);
    } else if (entry.kind === 'tool_result') {
      turn.toolResults.push({ ...entry, name: calls.get(entry.callId) ?? '' });
    }
  }
  return turn;
}

export function firstUserText(conversation: Conversation): string {
  for (const entry of conversation.entries) if (entry.kind === 'user') return entry.text;
  return '';
}

/** A rough, deterministic token count (about four characters per token). */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function conversationText(conversation: Conversation): string {
  return JSON.stringify([conversation.system, conversation.entries, conversation.tools]);
}

export function replyText(reply: Reply): string {
  return reply.text + JSON.stringify(reply.toolCalls);
}

/**
 * Ids derived from the request body, so the same request yields the same reply, ids included.
 * `next('toolu_')` returns a fresh id for each call.
 */
export function idMaker(seed: string): (prefix: string) => string {
  let counter = 0;
  return (prefix) => {
    const digest = createHash('sha256').update(`${seed}\n${counter++}`).digest('base64url');
    return prefix + digest.replace(/[-_]/g, '').slice(0, 24);
  };
}

/** Cuts text into small pieces for streaming (each piece at most `size` characters). */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
