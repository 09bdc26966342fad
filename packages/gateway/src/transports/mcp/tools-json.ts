/**
 * MCP tool JSON, computed once: per tool definition (a WeakMap on the catalog's objects) and per
 * tool set (a WeakMap on the service's immutable McpToolSet, which the service replaces when the
 * config or the catalog changes). A tools/list answer is a new two-field object around a shared
 * array: no schema conversion, no validation, no copying per request.
 */
import type { ToolDefinition } from '@latchkey/connectors';
import type { Tool } from '@modelcontextprotocol/server';
import type { McpToolEntry, McpToolSet } from '../../services/mcp-serving.ts';

const byTool = new WeakMap<ToolDefinition, Tool>();
const bySet = new WeakMap<McpToolSet, Tool[]>();

/** A catalog tool as an MCP tool: schema as-is, annotations in MCP's names. */
export function mcpTool(t: ToolDefinition): Tool {
  let json = byTool.get(t);
  if (!json) {
    const a = t.annotations;
    json = {
      name: t.name,
      ...(t.display_name ? { title: t.display_name } : {}),
      description: t.description,
      inputSchema: t.input_schema as Tool['inputSchema'],
      ...(t.output_schema ? { outputSchema: t.output_schema as Tool['outputSchema'] } : {}),
      annotations: {
        ...(t.display_name ? { title: t.display_name } : {}),
        readOnlyHint: a.read_only_hint,
        destructiveHint: a.destructive_hint,
        idempotentHint: a.idempotent_hint,
        openWorldHint: a.open_world_hint,
      },
    };
    byTool.set(t, json);
  }
  return json;
}

/** The catalog part of a tool set's tools/list answer. */
export function toolSetJson(set: McpToolSet): Tool[] {
  let list = bySet.get(set);
  if (!list) {
    list = set.tools.map((e) => mcpTool(e.tool));
    bySet.set(set, list);
  }
  return list;
}

/** Catalog tools plus upstream MCP tools discovered for this request. */
export function toolsJson(set: McpToolSet, upstream: McpToolEntry[]): Tool[] {
  const list = toolSetJson(set);
  return upstream.length === 0 ? list : [...list, ...upstream.map((e) => mcpTool(e.tool))];
}

/** The output schema a tool advertises (for the result projection), if any. */
export function outputSchemaOf(set: McpToolSet, name: string): Record<string, unknown> | undefined {
  return set.byName.get(name)?.tool.output_schema;
}
