/**
 * The sandbox's scripted model: an HTTP server speaking the Anthropic Messages API and the OpenAI
 * Chat Completions and Responses APIs, answering from a script or with a deterministic default.
 * See README.md in this folder.
 */
export type { Conversation, Reply, ToolCall, ToolSpec } from './conversation.ts';
export { buildArguments, defaultReply } from './default.ts';
export { type Decision, decideReply } from './reply.ts';
export { loadScript, type Script, type ScriptEntry, type ScriptToolCall, type ScriptTurn } from './script.ts';
export {
  type ModelApi,
  type ModelServer,
  type ModelServerOptions,
  type RecordedRequest,
  startModelServer,
} from './server.ts';
