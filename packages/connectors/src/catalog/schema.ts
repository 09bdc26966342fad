/** Small builders for tool input schemas (plain JSON Schema, 2020-12 compatible, no $ref). */

export type Json = Record<string, unknown>;

/** A root object schema; unknown properties are refused so typos fail fast. */
export function objectSchema(properties: Record<string, Json>, required: string[] = []): Json {
  const schema: Json = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema['required'] = required;
  return schema;
}

export const str = (description: string, extra: Json = {}): Json => ({
  type: 'string',
  description,
  ...extra,
});
export const int = (description: string, extra: Json = {}): Json => ({
  type: 'integer',
  description,
  ...extra,
});
export const num = (description: string, extra: Json = {}): Json => ({
  type: 'number',
  description,
  ...extra,
});
export const bool = (description: string, extra: Json = {}): Json => ({
  type: 'boolean',
  description,
  ...extra,
});
export const strArray = (description: string, extra: Json = {}): Json => ({
  type: 'array',
  items: { type: 'string' },
  description,
  ...extra,
});
export const obj = (description: string, extra: Json = {}): Json => ({
  type: 'object',
  description,
  ...extra,
});

export const READ_ONLY = {
  read_only_hint: true,
  destructive_hint: false,
  idempotent_hint: true,
  open_world_hint: true,
} as const;

/** Creates something new each call (a message, an event, an issue). */
export const CREATES = {
  read_only_hint: false,
  destructive_hint: false,
  idempotent_hint: false,
  open_world_hint: true,
} as const;
