/**
 * Sanity MCP: an upstream MCP server (kind mcp). Its URL is deployment configuration (the gateway
 * passes it, e.g. the sandbox's MCP server in development); tools are discovered at runtime and
 * exposed as `sanitymcp_<upstream name>` (e.g. sanitymcp_whoami). Authorization follows the MCP
 * authorization spec: protected resource metadata discovery, dynamic client registration, PKCE.
 */
import type { ConnectorInput } from '../model/connector.ts';

export const sanitymcp: ConnectorInput = {
  slug: 'sanitymcp',
  display_name: 'Sanity MCP',
  description: "Query and edit Sanity content, schemas and projects through Sanity's MCP server.",
  categories: ['Developer Tools', 'Files & Documents', 'Productivity'],
  kind: 'mcp',
  auth: { type: 'mcp_oauth2', registration: 'dynamic' },
  mcp: { tool_prefix: 'sanitymcp', transport: 'streamable_http' },
  tools: [],
};
