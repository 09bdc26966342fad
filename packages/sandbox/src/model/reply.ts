/**
 * Decides the model's reply: the scripted turn when a script applies, else the default behaviour.
 */
import { type Conversation, currentTurn, type Reply, type ToolCall, type ToolSpec } from './conversation.ts';
import { buildArguments, defaultReply } from './default.ts';
import { invalidRequest } from './errors.ts';
import { renderArguments, renderTemplate, type ScriptEntry, selectTurn } from './script.ts';

export interface Decision {
  reply: Reply;
  source: 'script' | 'default';
  /** Index of the script entry and of its turn, when source is 'script'. */
  script?: number;
  turn?: number;
}

export function decideReply(conversation: Conversation, script: ScriptEntry[] | undefined): Decision {
  const position = script && selectTurn(conversation, script);
  if (!position)
    return { reply: applyToolChoice(defaultReply(conversation), conversation), source: 'default' };
  const turn = currentTurn(conversation);
  const where = `script ${position.script} turn ${position.turn}`;
  const toolCalls = (position.value.tool_calls ?? []).map(
    (call): ToolCall => ({
      name: resolveToolName(conversation, call.name, where),
      arguments: renderArguments(call.arguments ?? {}, turn) as Record<string, unknown>,
    }),
  );
  const text = renderTemplate(position.value.text ?? '', turn);
  return { reply: { text, toolCalls }, source: 'script', script: position.script, turn: position.turn };
}

/**
 * A scripted tool name matches a request tool by exact name, else the one tool whose name ends with it
 * after a separator (`_`, `-`, `.`): frameworks prefix tool names, e.g. Mastra's `server_tool`.
 */
function resolveToolName(conversation: Conversation, name: string, where: string): string {
  const names = conversation.tools.map((t) => t.name);
  if (names.includes(name)) return name;
  const suffixed = names.filter((n) => n.endsWith(name) && /[_.-]$/.test(n.slice(0, -name.length)));
  if (suffixed.length === 1) return suffixed[0]!;
  throw invalidRequest(
    `scripted model: ${where} calls tool '${name}', which the request ${
      suffixed.length > 1
        ? `matches ambiguously (${suffixed.join(', ')})`
        : `does not offer (tools: ${names.join(', ') || 'none'})`
    }`,
  );
}

/** The default behaviour honours tool_choice and disabled parallel tool calls, as a real model would. */
function applyToolChoice(reply: Reply, conversation: Conversation): Reply {
  const choice = conversation.toolChoice;
  const answered = currentTurn(conversation).toolResults.length > 0;
  let toolCalls = reply.toolCalls;
  if (choice === 'none') toolCalls = [];
  else if (typeof choice === 'object' && !answered) {
    const forced = toolCalls.find((c) => c.name === choice.name);
    const tool = conversation.tools.find((t) => t.name === choice.name);
    if (forced) toolCalls = [forced];
    else if (tool) toolCalls = [forcedCall(conversation, tool)];
  } else if (choice === 'any' && !answered && toolCalls.length === 0 && conversation.tools[0]) {
    toolCalls = [forcedCall(conversation, conversation.tools[0])];
  }
  if (!conversation.parallelToolCalls) toolCalls = toolCalls.slice(0, 1);
  if (toolCalls.length === 0 && reply.toolCalls.length > 0) {
    return {
      text: `I would call ${reply.toolCalls.map((c) => c.name).join(', ')}, but tools are disabled.`,
      toolCalls,
    };
  }
  return { text: toolCalls.length > 0 ? '' : reply.text, toolCalls };
}

function forcedCall(conversation: Conversation, tool: ToolSpec): ToolCall {
  return {
    name: tool.name,
    arguments: buildArguments(tool, `${conversation.system}\n${currentTurn(conversation).userText}`),
  };
}
