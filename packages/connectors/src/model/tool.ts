import { z } from 'zod';
import type { ToolFunction } from '../runtime/types.ts';
import {
  fieldNameSchema,
  headerNameSchema,
  httpMethodSchema,
  jsonPathSchema,
  toolNameSchema,
} from './common.ts';
import { checkObjectSchema } from './json-schema.ts';

/** A JSON Schema document with root `type: "object"`. */
export const objectSchemaSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  for (const p of checkObjectSchema(schema))
    ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
});

/**
 * Where a request value comes from: an input field (`from`, with an optional default and, for
 * arrays, a `join` separator), or a constant.
 */
export const valueSourceSchema = z.union([
  z.strictObject({
    from: fieldNameSchema,
    default: z.json().optional(),
    join: z.string().min(1).max(8).optional(),
  }),
  z.strictObject({ const: z.json() }),
]);

/**
 * Turning the provider's answer into the tool result (`data`, always a JSON object):
 * `pick` a dot path, then drop `omit` keys and `rename` keys of an object; an array or scalar is
 * wrapped as `{ [wrap]: value }` (default key `items` for arrays, `value` otherwise).
 */
export const responseShapeSchema = z.strictObject({
  pick: jsonPathSchema.optional(),
  omit: z.array(z.string().min(1)).optional(),
  rename: z.record(z.string().min(1), z.string().min(1)).optional(),
  wrap: z.string().min(1).optional(),
});

export const httpExecutorSchema = z.strictObject({
  type: z.literal('http'),
  method: httpMethodSchema,
  /** Relative to the API base URL, `{name}` placeholders (see path-template.ts). */
  path: z.string().min(1),
  /** Sources of the placeholders; a placeholder without an entry takes the same-named input field. */
  path_params: z.record(fieldNameSchema, valueSourceSchema).optional(),
  /** Provider query parameter → source. Arrays become repeated parameters unless `join` is set. */
  query: z.record(z.string().min(1), valueSourceSchema).optional(),
  headers: z.record(headerNameSchema, valueSourceSchema).optional(),
  /** Body fields keyed by provider field (dot paths nest in JSON: `sort.direction`). */
  body: z
    .strictObject({
      encoding: z.enum(['json', 'form']),
      fields: z.record(z.string().min(1), valueSourceSchema),
    })
    .optional(),
  response: responseShapeSchema.optional(),
});

export const functionExecutorSchema = z.strictObject({
  type: z.literal('function'),
  run: z.custom<ToolFunction>((v) => typeof v === 'function', {
    message: 'must be a function (function executors exist only in code, never in JSON)',
  }),
});

export const mcpExecutorSchema = z.strictObject({
  type: z.literal('mcp'),
  /** The tool's name on the upstream server (our name is `<prefix>_<upstream name>`). */
  upstream_name: z.string().min(1),
});

/** The provider operation a tool calls, as named in the provider's own API description. */
export const operationRefSchema = z.strictObject({
  /** operationId (OpenAPI), method id (Google discovery). */
  id: z.string().min(1),
  method: httpMethodSchema,
  /** Relative to the connector's API base URL, with the spec's placeholder names. */
  path: z.string().regex(/^\//, 'must start with /'),
});

export const annotationsSchema = z.strictObject({
  read_only_hint: z.boolean(),
  destructive_hint: z.boolean(),
  idempotent_hint: z.boolean(),
  open_world_hint: z.boolean(),
});

export const toolSchema = z.strictObject({
  name: toolNameSchema,
  display_name: z.string().min(1).optional(),
  /** Written for a model: what it does, when to use it, what comes back. */
  description: z.string().min(1).max(4000),
  input_schema: objectSchemaSchema,
  output_schema: objectSchemaSchema.optional(),
  annotations: annotationsSchema,
  /** Other names the tool answers to (older or alternative names callers use). */
  aliases: z.array(toolNameSchema).optional(),
  /** OAuth scopes, any one of which lets the tool run. */
  scopes: z.array(z.string().min(1)).optional(),
  /** Provider operations the executor calls (checked against the provider specs by the tests). */
  operations: z.array(operationRefSchema).optional(),
  executor: z.discriminatedUnion('type', [httpExecutorSchema, functionExecutorSchema, mcpExecutorSchema]),
});

export type ToolDefinition = z.output<typeof toolSchema>;
export type ToolInput = z.input<typeof toolSchema>;
export type HttpExecutor = z.output<typeof httpExecutorSchema>;
export type ValueSource = z.output<typeof valueSourceSchema>;
export type ResponseShape = z.output<typeof responseShapeSchema>;
export type ToolAnnotations = z.output<typeof annotationsSchema>;
export type OperationRef = z.output<typeof operationRefSchema>;
