/**
 * Running a tool: the one entry point the gateway calls after validating the input (Ajv).
 */
import type { ConnectorDefinition } from '../model/connector.ts';
import type { ToolDefinition } from '../model/tool.ts';
import { expandPath } from '../path-template.ts';
import { asObject, buildHttpRequest, shapeResponse } from './http-executor.ts';
import { detectProviderError } from './provider-errors.ts';
import type { ToolContext, ToolRequest, ToolResponse, ToolRuntime } from './types.ts';

/**
 * Executes `tool` of `connector` with `input` through `runtime`. Returns the tool's `data` (always a
 * JSON object). Throws ProviderError when the provider answers with an error (per the connector's
 * declared error shape), ToolInputError when the input cannot make a safe request.
 */
export async function runTool(
  connector: ConnectorDefinition,
  tool: ToolDefinition,
  input: Readonly<Record<string, unknown>>,
  runtime: ToolRuntime,
): Promise<Record<string, unknown>> {
  const errorOf = (res: ToolResponse) => detectProviderError(res, connector.errors, connector.slug);
  const checked = async (req: ToolRequest): Promise<ToolResponse> => {
    const res = await runtime.request(req);
    const error = errorOf(res);
    if (error !== undefined) throw error;
    return res;
  };
  const ex = tool.executor;
  switch (ex.type) {
    case 'http': {
      const res = await checked(buildHttpRequest(ex, input));
      return shapeResponse(res.body, ex.response);
    }
    case 'function': {
      const ctx: ToolContext = {
        input,
        call: checked,
        request: (req) => runtime.request(req),
        errorOf,
        path: expandPath,
      };
      return asObject(await ex.run(ctx));
    }
    case 'mcp': {
      if (runtime.callUpstreamTool === undefined) {
        throw new Error(`tool ${tool.name} runs on an upstream MCP server; this runtime cannot call one`);
      }
      return asObject(await runtime.callUpstreamTool(ex.upstream_name, { ...input }));
    }
  }
}
