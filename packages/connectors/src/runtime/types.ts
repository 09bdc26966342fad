/**
 * The contract between a tool executor (pure, in this package) and the gateway, which implements
 * ToolRuntime: it prefixes the connection's base URL, injects the account's credentials and the
 * connector's default headers, refreshes on 401, applies egress limits. Executors never fetch.
 */
import type { ProviderError } from '../errors.ts';

export interface ToolRequest {
  method: string;
  /** Path relative to the connector's API base URL, already encoded (starts with `/`). */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?:
    | { json: unknown }
    | { form: Record<string, string> }
    | { raw: string | Uint8Array; contentType: string };
}

export interface ToolResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else text ('' for an empty body). */
  body: unknown;
}

export interface ToolRuntime {
  request(req: ToolRequest): Promise<ToolResponse>;
  /**
   * Calls a tool on the connector's upstream MCP server as the account (kind `mcp`). Optional:
   * a runtime without it cannot run MCP tools.
   */
  callUpstreamTool?(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** What a function executor receives. */
export interface ToolContext {
  /** The validated tool input. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Sends a request; a response the connector's error shape flags becomes a ProviderError. */
  call(req: ToolRequest): Promise<ToolResponse>;
  /** Sends a request and returns whatever came back (no error mapping). */
  request(req: ToolRequest): Promise<ToolResponse>;
  /** The ProviderError a response represents under the connector's error shape, if any. */
  errorOf(res: ToolResponse): ProviderError | undefined;
  /** Fills a path template, percent-encoding each value (see path-template.ts). */
  path(template: string, values: Readonly<Record<string, string>>): string;
}

export type ToolFunction = (ctx: ToolContext) => Promise<Record<string, unknown>>;
