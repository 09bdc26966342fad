/**
 * The scripted model server: one node:http server on loopback speaking the Anthropic Messages API and
 * the OpenAI Chat Completions and Responses APIs. Every request is answered by decideReply (script or
 * default behaviour) and recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicError,
  anthropicEvents,
  anthropicMessage,
  anthropicModels,
  parseAnthropicRequest,
} from './anthropic.ts';
import { type Conversation, conversationText, countTokens, idMaker, replyText } from './conversation.ts';
import { invalidRequest, ModelApiError } from './errors.ts';
import { readBody, sendEvents, sendJson } from './http.ts';
import { chatChunks, chatCompletion, parseChatRequest } from './openai-chat.ts';
import {
  buildResponse,
  createResponsesStore,
  parseResponsesRequest,
  remember,
  responseEvents,
} from './openai-responses.ts';
import { openaiError, openaiModel, openaiModels } from './openai-shared.ts';
import { type Decision, decideReply } from './reply.ts';
import { loadScript, type Script, type ScriptEntry } from './script.ts';

export interface ModelServerOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A script, or the path of a JSON script file. Without one: the default behaviour. */
  script?: Script | string;
  /** When set, requests must carry exactly this key; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Model ids listed by `GET /v1/models` (any model id is accepted in requests). */
  models?: string[];
}

export type ModelApi = 'anthropic' | 'openai-chat' | 'openai-responses' | 'models' | 'unknown';

export interface RecordedRequest {
  api: ModelApi;
  method: string;
  path: string;
  /** The parsed JSON body (undefined for GET or unparseable bodies). */
  body: unknown;
  status: number;
  stream: boolean;
  /** The reply and where it came from, for model calls that were answered. */
  decision?: Decision;
  /** The API error returned, for refused requests. */
  error?: { type: string; message: string };
}

export interface ModelServer {
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** For `new Anthropic({ baseURL })` (and `@ai-sdk/anthropic`'s `baseURL` + '/v1'): the origin. */
  anthropicBaseUrl: string;
  /** For `new OpenAI({ baseURL })` and `createOpenAI({ baseURL })`: the origin + `/v1`. */
  openaiBaseUrl: string;
  /**
   * Environment variables that point the official SDKs and the AI SDK providers at this server:
   * ANTHROPIC_BASE_URL, OPENAI_BASE_URL, and API keys (the configured one, or a placeholder).
   */
  env: Record<string, string>;
  /** Replaces the script (a script or a file path); undefined returns to the default behaviour. */
  setScript(script: Script | string | undefined): void;
  /** Every request so far, oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['claude-sonnet-5', 'claude-haiku-4-5', 'claude-opus-5', 'gpt-5.5', 'gpt-5.4-mini'];

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  let script: ScriptEntry[] | undefined =
    options.script === undefined ? undefined : loadScript(options.script);
  const recorded: RecordedRequest[] = [];
  const store = createResponsesStore();
  const models = options.models ?? DEFAULT_MODELS;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { error: { message: String(error), type: 'api_error' } });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = normalisePath(request.url ?? '/');
    const method = request.method ?? 'GET';
    const api = apiOf(method, path);
    const anthropicStyle =
      api === 'anthropic' ||
      (api !== 'openai-chat' && api !== 'openai-responses' && isAnthropicClient(request));
    const requestId = anthropicStyle ? `req_${randomUUID().replaceAll('-', '')}` : randomUUID();
    const headers: Record<string, string> = anthropicStyle
      ? { 'request-id': requestId }
      : { 'x-request-id': requestId };
    const record: RecordedRequest = { api, method, path, body: undefined, status: 200, stream: false };
    recorded.push(record);
    const fail = (error: ModelApiError) => {
      record.status = error.status;
      record.error = { type: error.type, message: error.message };
      sendJson(
        response,
        error.status,
        anthropicStyle ? anthropicError(error, requestId) : openaiError(error),
        headers,
      );
    };
    try {
      if (method === 'GET' && (path === '' || path === '/')) {
        sendJson(response, 200, describe());
        return;
      }
      checkKey(request, anthropicStyle, options.apiKey);
      if (api === 'models') {
        sendJson(response, 200, listModels(path, anthropicStyle, models), headers);
        return;
      }
      if (api === 'unknown') {
        throw new ModelApiError(
          404,
          anthropicStyle ? 'not_found_error' : 'invalid_request_error',
          `Unknown request URL: ${method} ${path}.`,
        );
      }
      const text = await readBody(request);
      if (text === undefined)
        throw new ModelApiError(
          413,
          'request_too_large',
          'Request exceeds the maximum allowed number of bytes.',
        );
      try {
        record.body = JSON.parse(text);
      } catch {
        throw invalidRequest(
          anthropicStyle
            ? 'There was an error parsing the body of your request'
            : 'We could not parse the JSON body of your request.',
        );
      }
      answer(api, path, record, response, headers);
    } catch (error) {
      if (error instanceof ModelApiError) fail(error);
      else throw error;
    }
  }

  function answer(
    api: ModelApi,
    path: string,
    record: RecordedRequest,
    response: ServerResponse,
    headers: Record<string, string>,
  ): void {
    const body = record.body;
    const created = Math.floor(Date.now() / 1000);
    /** Decides the reply and the facts every rendering needs (ids derive from the body: deterministic). */
    const decide = (parsed: { conversation: Conversation; model: string; stream: boolean }) => {
      record.stream = parsed.stream;
      const decision = decideReply(parsed.conversation, script);
      record.decision = decision;
      const meta = {
        model: parsed.model,
        nextId: idMaker(JSON.stringify(body)),
        inputTokens: countTokens(conversationText(parsed.conversation)),
        outputTokens: countTokens(replyText(decision.reply)),
        created,
      };
      return { reply: decision.reply, meta };
    };
    if (api === 'anthropic' && path === '/v1/messages/count_tokens') {
      const { conversation } = parseAnthropicRequest(body, { countTokens: true });
      sendJson(response, 200, { input_tokens: countTokens(conversationText(conversation)) }, headers);
    } else if (api === 'anthropic') {
      const parsed = parseAnthropicRequest(body);
      const { reply, meta } = decide(parsed);
      if (parsed.stream) sendEvents(response, anthropicEvents(reply, meta), headers);
      else sendJson(response, 200, anthropicMessage(reply, meta), headers);
    } else if (api === 'openai-chat') {
      const parsed = parseChatRequest(body);
      const { reply, meta } = decide(parsed);
      const chunks = (): Array<[undefined, unknown]> =>
        chatChunks(reply, meta, parsed.includeUsage).map((chunk) => [undefined, chunk]);
      if (parsed.stream) sendEvents(response, chunks(), headers);
      else sendJson(response, 200, chatCompletion(reply, meta), headers);
    } else {
      const parsed = parseResponsesRequest(body, store);
      const { reply, meta } = decide(parsed);
      const result = buildResponse(reply, meta, parsed);
      remember(store, result, parsed);
      if (parsed.stream) sendEvents(response, responseEvents(result), headers);
      else sendJson(response, 200, result, headers);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  function describe() {
    return {
      name: 'latchkey scripted model',
      anthropicBaseUrl: url,
      openaiBaseUrl: `${url}/v1`,
      endpoints: [
        'POST /v1/messages',
        'POST /v1/messages/count_tokens',
        'POST /v1/chat/completions',
        'POST /v1/responses',
        'GET /v1/models',
      ],
      script: script === undefined ? 'none (default behaviour)' : `${script.length} script(s)`,
    };
  }

  return {
    url,
    anthropicBaseUrl: url,
    openaiBaseUrl: `${url}/v1`,
    env: {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: options.apiKey ?? 'sk-ant-sandbox',
      OPENAI_BASE_URL: `${url}/v1`,
      OPENAI_API_KEY: options.apiKey ?? 'sk-sandbox',
    },
    setScript(next) {
      script = next === undefined ? undefined : loadScript(next);
    },
    requests: () => [...recorded],
    clearRequests() {
      recorded.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `GET /v1/models[/{id}]` in the caller's dialect (any id exists: the server accepts every model). */
function listModels(path: string, anthropicStyle: boolean, models: string[]): unknown {
  const id = path.startsWith('/v1/models/')
    ? decodeURIComponent(path.slice('/v1/models/'.length))
    : undefined;
  if (anthropicStyle) return id === undefined ? anthropicModels(models) : anthropicModels([id]).data[0];
  return id === undefined ? openaiModels(models) : openaiModel(id);
}

/**
 * Without its trailing slash, and with `/v1` added when missing: clients configured with the origin where
 * they expect `.../v1` (or the reverse, e.g. one ANTHROPIC_BASE_URL shared by the official SDK and
 * `@ai-sdk/anthropic`) still reach the API.
 */
function normalisePath(url: string): string {
  const path = new URL(url, 'http://localhost').pathname.replace(/\/+$/, '');
  return path === '' || path === '/v1' || path.startsWith('/v1/') ? path : `/v1${path}`;
}

function apiOf(method: string, path: string): ModelApi {
  if (method === 'POST' && (path === '/v1/messages' || path === '/v1/messages/count_tokens'))
    return 'anthropic';
  if (method === 'POST' && path === '/v1/chat/completions') return 'openai-chat';
  if (method === 'POST' && path === '/v1/responses') return 'openai-responses';
  if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) return 'models';
  return 'unknown';
}

/** Anthropic clients send `anthropic-version` (and usually `x-api-key`); used where paths are shared. */
function isAnthropicClient(request: IncomingMessage): boolean {
  return request.headers['anthropic-version'] !== undefined || request.headers['x-api-key'] !== undefined;
}

function checkKey(request: IncomingMessage, anthropicStyle: boolean, expected: string | undefined): void {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const header = request.headers['x-api-key'];
  const key = (typeof header === 'string' ? header : undefined) ?? bearer;
  if (anthropicStyle) {
    if (!key) throw new ModelApiError(401, 'authentication_error', 'x-api-key header is required');
    if (expected !== undefined && key !== expected)
      throw new ModelApiError(401, 'authentication_error', 'invalid x-api-key');
    return;
  }
  if (!bearer) {
    throw new ModelApiError(
      401,
      'invalid_request_error',
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  if (expected !== undefined && bearer !== expected) {
    throw new ModelApiError(
      401,
      'invalid_request_error',
      'Incorrect API key provided.',
      null,
      'invalid_api_key',
    );
  }
}
