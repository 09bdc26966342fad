import { z } from 'zod';
import { authSchemeSchema } from './auth.ts';
import { checkConnector } from './checks.ts';
import {
  errorShapeSchema,
  headerNameSchema,
  headerValueSchema,
  httpUrlSchema,
  slugSchema,
} from './common.ts';
import { toolSchema } from './tool.ts';

export const baseUrlVariableSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase snake_case'),
  /** `host` (name[:port]), `url` (an http(s) URL prefix, template start only), `segment` (one path segment). */
  kind: z.enum(['host', 'url', 'segment']),
  /** Who supplies it: the connection's configuration, or the account (credential form, token response). */
  source: z.enum(['connection', 'account']),
  label: z.string().min(1),
  hint: z.string().optional(),
});

export const apiSchema = z.strictObject({
  /** `https://gmail.googleapis.com`, or a template such as `https://{{domain}}/api`. */
  base_url: z.string().min(1),
  variables: z.array(baseUrlVariableSchema).optional(),
  /** Sent with every request to the API (API version headers). */
  default_headers: z.record(headerNameSchema, headerValueSchema).optional(),
});

export const mcpServerSchema = z.strictObject({
  /** Streamable HTTP endpoint; absent when the deployment configures it per connection. */
  server_url: httpUrlSchema.optional(),
  /** Discovered tools are exposed as `<tool_prefix>_<upstream tool name>`. */
  tool_prefix: slugSchema,
  transport: z.literal('streamable_http'),
});

export const connectorObjectSchema = z.strictObject({
  slug: slugSchema,
  display_name: z.string().min(1),
  description: z.string().min(1),
  categories: z.array(z.string().min(1)).min(1),
  icon_url: httpUrlSchema.optional(),
  docs_url: httpUrlSchema.optional(),
  kind: z.enum(['rest', 'mcp']),
  /** Only meaningful against the Latchkey sandbox (not offered in production catalogs). */
  sandbox_only: z.boolean().optional(),
  /** Set by sandboxConnector() on a variant pointed at the sandbox. */
  variant: z.literal('sandbox').optional(),
  auth: authSchemeSchema,
  api: apiSchema.optional(),
  mcp: mcpServerSchema.optional(),
  /** How this provider reports errors (defaults: see runtime/provider-errors.ts). */
  errors: errorShapeSchema.optional(),
  tools: z.array(toolSchema),
});

export const connectorSchema = connectorObjectSchema.superRefine(checkConnector);

export type ConnectorDefinition = z.output<typeof connectorSchema>;
/** What a catalog module or a custom-connector API call provides (validated by loadConnector). */
export type ConnectorInput = z.input<typeof connectorSchema>;
export type BaseUrlVariableDef = z.output<typeof baseUrlVariableSchema>;
