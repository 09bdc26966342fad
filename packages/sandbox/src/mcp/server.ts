// The upstream MCP server (a Sanity-like vendor's remote MCP server): Streamable HTTP with the official MCP
// server SDK (v2, stateless), protected per the MCP authorization spec: RFC 9728 metadata, a
// `WWW-Authenticate: Bearer resource_metadata=...` challenge, tokens from the sandbox authorization server
// checked by introspection with the audience (resource) compared.
import {
  type AuthInfo,
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  McpServer,
  OAuthError,
  requireBearerAuth,
} from '@modelcontextprotocol/server';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ResourceDefinition } from '../auth/resources.ts';
import type { TokenVerifier } from '../auth/verify.ts';
import { GroqError, runGroq } from './groq.ts';
import type { SanityProject, SanityState } from './state.ts';

const text = (value: unknown) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }],
  structuredContent: value as Record<string, unknown>,
});
const failure = (message: string) => ({ content: [{ type: 'text' as const, text: message }], isError: true });

function buildServer(state: SanityState, user: string): McpServer {
  const server = new McpServer(
    { name: 'sanity-mcp-sandbox', version: '1.0.0' },
    { capabilities: { tools: {} } },
  );
  const projectOrFail = (id: string): SanityProject | string =>
    state.project(user, id) ??
    `Project not found or not accessible: ${id}. Call list_projects to see your projects.`;
  const dataset = (p: SanityProject, name: string) => p.datasets[name];

  server.registerTool(
    'list_projects',
    {
      title: 'List projects',
      description: 'Lists the Sanity projects you can access, with their datasets.',
      inputSchema: z.object({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () =>
      text({
        projects: state.projects(user).map((p) => ({
          id: p.id,
          displayName: p.displayName,
          organizationId: p.organizationId,
          studioHost: p.studioHost,
          createdAt: p.createdAt,
          datasets: Object.keys(p.datasets),
        })),
      }),
  );

  server.registerTool(
    'query_documents',
    {
      title: 'Query documents',
      description:
        'Runs a GROQ query against a dataset, e.g. *[_type == "post" && status == "draft"] | order(_updatedAt desc) [0...10] {title, status}. Supports == != < <= > >= in match && || !, defined(), $params, order(), slices and projections.',
      inputSchema: z.object({
        projectId: z.string().describe('Project id from list_projects'),
        dataset: z.string().default('production').describe('Dataset name'),
        query: z.string().describe('GROQ query'),
        params: z.record(z.string(), z.unknown()).optional().describe('Values for $parameters in the query'),
        limit: z.number().int().min(1).max(500).default(100).describe('Maximum number of documents returned'),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ projectId, dataset: name, query, params, limit }) => {
      const project = projectOrFail(projectId);
      if (typeof project === 'string') return failure(project);
      const ds = dataset(project, name);
      if (!ds) return failure(`Dataset "${name}" not found in project ${projectId}.`);
      try {
        const result = runGroq(query, ds.documents, params ?? {});
        const documents = Array.isArray(result) ? result.slice(0, limit) : result;
        return text({
          query,
          count: Array.isArray(result) ? result.length : result === null ? 0 : 1,
          result: documents,
        });
      } catch (err) {
        if (err instanceof GroqError) return failure(`GROQ query error: ${err.message}`);
        throw err;
      }
    },
  );

  server.registerTool(
    'list_releases',
    {
      title: 'List releases',
      description: 'Lists content releases of a dataset (optionally only those in one state).',
      inputSchema: z.object({
        projectId: z.string(),
        dataset: z.string().default('production'),
        state: z.enum(['active', 'scheduled', 'published', 'archived']).optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ projectId, dataset: name, state: wanted }) => {
      const project = projectOrFail(projectId);
      if (typeof project === 'string') return failure(project);
      const ds = dataset(project, name);
      if (!ds) return failure(`Dataset "${name}" not found in project ${projectId}.`);
      return text({ releases: ds.releases.filter((r) => !wanted || r.state === wanted) });
    },
  );
  return server;
}

export function createMcpApp(input: {
  state: SanityState;
  verify: TokenVerifier;
  def: ResourceDefinition;
  issuer: string;
}): { app: Hono; close: () => Promise<void> } {
  const { state, verify, def, issuer } = input;
  const resource = new URL(def.resource);
  const metadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
  const metadata = {
    resource: def.resource,
    authorization_servers: [issuer],
    scopes_supported: def.scopesSupported,
    bearer_methods_supported: ['header'],
    resource_name: 'Sanity MCP (Latchkey sandbox)',
  };
  const gate = requireBearerAuth({
    resourceMetadataUrl: metadataUrl,
    expectedResource: resource,
    verifier: {
      async verifyAccessToken(token: string): Promise<AuthInfo> {
        const check = await verify(token);
        if (!check.ok) {
          const reason =
            check.reason === 'wrong_audience' ? 'token audience is not this server' : `token ${check.reason}`;
          throw new OAuthError('invalid_token', reason);
        }
        return {
          token,
          clientId: check.clientId,
          scopes: [...check.scopes],
          expiresAt: check.exp,
          resource,
          extra: { user: check.user },
        };
      },
    },
  });
  const handler = createMcpHandler(
    ({ authInfo }) => buildServer(state, String(authInfo?.extra?.['user'] ?? '')),
    {
      legacy: 'stateless',
    },
  );

  const app = new Hono();
  const serveMetadata = () =>
    new Response(JSON.stringify(metadata), {
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
    });
  app.get(new URL(metadataUrl).pathname, serveMetadata);
  app.get('/.well-known/oauth-protected-resource', serveMetadata);
  app.all(resource.pathname, async (c) => {
    const rejected = hostHeaderValidationResponse(c.req.raw, localhostAllowedHostnames());
    if (rejected) return rejected;
    const auth = await gate(c.req.raw);
    if (auth instanceof Response) return auth;
    return handler.fetch(c.req.raw, { authInfo: auth });
  });
  return { app, close: () => handler.close() };
}
