/**
 * Looking tools up by name or alias, and describing them for the wire (Scalekit `Tool.definition`,
 * MCP tools/list, Anthropic/OpenAI tool lists).
 */
import { BaseUrlError, checkHttpUrl, resolveBaseUrlTemplate } from './base-url.ts';
import type { ConnectorDefinition } from './model/connector.ts';
import type { ToolAnnotations, ToolDefinition } from './model/tool.ts';

export interface ToolMatch {
  connector: ConnectorDefinition;
  tool: ToolDefinition;
  /** The name asked for, when it was an alias. */
  alias?: string;
}

/**
 * Finds a tool by its name or one of its aliases. `connector` restricts the search to one slug.
 * Tool names are unique across a loaded catalog (loadConnectors checks it).
 */
export function findTool(
  connectors: readonly ConnectorDefinition[],
  name: string,
  options: { connector?: string } = {},
): ToolMatch | undefined {
  for (const connector of connectors) {
    if (options.connector !== undefined && connector.slug !== options.connector) continue;
    for (const tool of connector.tools) {
      if (tool.name === name) return { connector, tool };
      if (tool.aliases?.includes(name)) return { connector, tool, alias: name };
    }
  }
  return undefined;
}

/** The canonical name for a tool name or alias, or undefined when unknown. */
export function resolveToolName(
  connectors: readonly ConnectorDefinition[],
  name: string,
): string | undefined {
  return findTool(connectors, name)?.tool.name;
}

export function findConnector(
  connectors: readonly ConnectorDefinition[],
  slug: string,
): ConnectorDefinition | undefined {
  return connectors.find((c) => c.slug === slug);
}

/** The JSON-serializable description of a tool, as clients list it. */
export interface ToolDescriptor {
  name: string;
  display_name?: string;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema?: Record<string, unknown>;
  annotations: ToolAnnotations;
  provider: string;
}

export function toolDescriptor(
  connector: ConnectorDefinition,
  tool: ToolDefinition,
  name = tool.name,
): ToolDescriptor {
  const out: ToolDescriptor = {
    name,
    description: tool.description,
    input_schema: tool.input_schema,
    annotations: tool.annotations,
    provider: connector.slug,
  };
  if (tool.display_name !== undefined) out.display_name = tool.display_name;
  if (tool.output_schema !== undefined) out.output_schema = tool.output_schema;
  return out;
}

export interface ToolSchemaEntry {
  connector: string;
  /** Canonical tool name. */
  tool: string;
  /** Names the schema answers to: the tool's name and its aliases. */
  names: string[];
  input_schema: Record<string, unknown>;
}

/** Every tool's input schema once, for the gateway to compile (Ajv 2020-12) at startup. */
export function listToolSchemas(connectors: readonly ConnectorDefinition[]): ToolSchemaEntry[] {
  return connectors.flatMap((c) =>
    c.tools.map((t) => ({
      connector: c.slug,
      tool: t.name,
      names: [t.name, ...(t.aliases ?? [])],
      input_schema: t.input_schema,
    })),
  );
}

/**
 * The API base URL of a REST connector, with its declared variables resolved from `vars` (values from
 * the connection or the account). Throws BaseUrlError for a missing or unsafe value.
 */
export function resolveBaseUrl(
  def: ConnectorDefinition,
  vars: Readonly<Record<string, string | undefined>> = {},
): string {
  if (def.kind === 'mcp') {
    const url = vars['server_url'] ?? def.mcp?.server_url;
    if (url === undefined)
      throw new BaseUrlError(`connector ${def.slug}: its MCP server URL comes from configuration`);
    return checkHttpUrl(url, 'MCP server URL');
  }
  if (def.api === undefined) throw new BaseUrlError(`connector ${def.slug} has no API base URL`);
  return resolveBaseUrlTemplate(def.api.base_url, def.api.variables ?? [], vars);
}
