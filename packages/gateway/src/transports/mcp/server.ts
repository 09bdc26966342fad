/**
 * The MCP server one request gets: a low-level `Server` (no McpServer, no zod schemas) answering
 * tools/list from the precomputed JSON of the scope's tool set, and tools/call through the MCP
 * service (the ExecuteTool executor). Results: `structuredContent` = the tool's `data` plus the
 * same JSON as text; upstream MCP tools' results pass through unchanged. A call on an account
 * that is not ACTIVE, and every tool failure, is an `isError` result the model can read (the
 * authorization link is in the text and in `_meta["latchkey/authorization"]`); an unknown tool is
 * a JSON-RPC invalid-params error.
 */
import {
  type CallToolResult,
  isCallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
} from '@modelcontextprotocol/server';
import type { Logger } from '../../ops/log.ts';
import type { McpScope, McpServing } from '../../services/mcp-serving.ts';
import { outputSchemaOf, toolsJson } from './tools-json.ts';

export const SERVER_INFO = { name: 'latchkey', title: 'Latchkey MCP gateway', version: '0.1.0' };

const OPTIONS = {
  capabilities: { tools: { listChanged: false } },
  // tools/list answers depend on the caller: never in a shared cache
  cacheHints: { 'tools/list': { ttlMs: 0, cacheScope: 'private' as const } },
};

const text = (s: string) => [{ type: 'text' as const, text: s }];

export function buildServer(scope: McpScope, serving: McpServing, logger: Logger): Server {
  const server = new Server(SERVER_INFO, OPTIONS);
  const set = scope.toolSet;

  server.setRequestHandler('tools/list', async () => {
    const upstream = set.upstream.length > 0 ? await serving.upstreamTools(scope) : [];
    return { tools: toolsJson(set, upstream) };
  });

  server.setRequestHandler('tools/call', async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    let outcome: Awaited<ReturnType<McpServing['call']>>;
    try {
      outcome = await serving.call(scope, name, args);
    } catch (e) {
      logger.error({ err: e, tool: name, scope: scope.kind }, 'MCP tool call failed');
      return { isError: true, content: text(`the ${name} tool failed with an internal error`) };
    }
    switch (outcome.kind) {
      case 'unknown_tool':
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
      case 'result': {
        if (outcome.upstream && isCallToolResult(outcome.data)) return outcome.data;
        const result: CallToolResult = {
          content: text(JSON.stringify(outcome.data)),
          structuredContent: outcome.data,
          _meta: { 'latchkey/execution_id': outcome.executionId },
        };
        return server.projectCallToolResult(result, outputSchemaOf(set, name));
      }
      case 'authorize':
        return {
          isError: true,
          content: text(outcome.message),
          _meta: {
            'latchkey/authorization': {
              connection_name: outcome.connectionName,
              connected_account_status: outcome.status,
              authorization_link: outcome.link,
            },
          },
        };
      case 'error':
        return {
          isError: true,
          content: text(outcome.message),
          _meta: {
            'latchkey/error': {
              code: outcome.code,
              ...(outcome.executionId ? { execution_id: outcome.executionId } : {}),
            },
          },
        };
    }
  });
  return server;
}
