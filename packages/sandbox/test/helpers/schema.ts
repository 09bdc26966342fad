// A small schema-conformance checker for the official API descriptions in /work/shared/specs:
// OpenAPI 3.x (GitHub, Notion), Swagger 2.0 (Slack) and Google Discovery documents (Gmail, Calendar).
// It checks types, required fields, enums, patterns, array items, and — where the description closes an
// object (additionalProperties: false, or any Discovery schema) — that no undeclared field is present.
import { readFileSync } from 'node:fs';

export const SPECS = process.env['LATCHKEY_SPECS_DIR'] ?? '/work/shared/specs';
type Schema = Record<string, unknown>;
const cache = new Map<string, Schema>();

export function loadSpec(relative: string): Schema {
  let spec = cache.get(relative);
  if (!spec) {
    spec = JSON.parse(readFileSync(`${SPECS}/${relative}`, 'utf8')) as Schema;
    cache.set(relative, spec);
  }
  return spec;
}

interface Options {
  spec: Schema;
  /** Discovery documents: every object schema is closed unless it declares additionalProperties. */
  discovery?: boolean;
}

function resolve(ref: string, o: Options): Schema {
  if (o.discovery) {
    const found = (o.spec['schemas'] as Record<string, Schema>)[ref];
    if (!found) throw new Error(`unknown discovery schema ${ref}`);
    return found;
  }
  let cur: unknown = o.spec;
  for (const part of ref.replace(/^#\//, '').split('/'))
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/')];
  if (!cur) throw new Error(`unresolvable $ref ${ref}`);
  return cur as Schema;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, type: string, schema: Schema, o: Options): boolean {
  const actual = typeOf(v);
  if (type === 'any') return true;
  if (type === 'number') return actual === 'number' || actual === 'integer';
  // Discovery encodes 64-bit integers as strings.
  if (o.discovery && type === 'string') return actual === 'string';
  if (o.discovery && type === 'integer' && (schema['format'] === 'int64' || schema['format'] === 'uint64'))
    return actual === 'string' || actual === 'integer';
  return actual === type;
}

/** Returns the list of violations (empty when the value conforms). */
export function conform(value: unknown, schemaIn: Schema, o: Options, path = '$'): string[] {
  let schema = schemaIn;
  while (typeof schema['$ref'] === 'string')
    schema = {
      ...resolve(schema['$ref'], o),
      ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')),
    };
  const errors: string[] = [];
  if ((value === null && schema['nullable'] === true) || (value === null && schema['x-nullable'] === true))
    return errors;
  for (const sub of (schema['allOf'] as Schema[] | undefined) ?? [])
    errors.push(...conform(value, sub, o, path));
  const alternatives = (schema['oneOf'] ??
    schema['anyOf'] ??
    (Array.isArray(schema['items']) && schema['type'] !== 'array' ? schema['items'] : undefined)) as
    | Schema[]
    | undefined;
  if (alternatives) {
    const results = alternatives.map((alt) => conform(value, alt, o, path));
    if (!results.some((r) => r.length === 0))
      errors.push(
        `${path}: matches none of ${alternatives.length} alternatives (${results.map((r) => r[0]).join(' | ')})`,
      );
    return errors;
  }
  const type = schema['type'];
  if (type !== undefined) {
    const types = Array.isArray(type) ? (type as string[]) : [type as string];
    if (!types.some((t) => typeMatches(value, t, schema, o))) {
      errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(value)}`);
      return errors;
    }
  }
  if ('const' in schema && value !== schema['const'])
    errors.push(`${path}: expected const ${JSON.stringify(schema['const'])}`);
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (
    typeof schema['pattern'] === 'string' &&
    typeof value === 'string' &&
    !new RegExp(schema['pattern']).test(value)
  ) {
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema['pattern']}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems'])
      errors.push(`${path}: fewer than ${schema['minItems']} items`);
    const items = schema['items'];
    if (items && !Array.isArray(items)) {
      for (const [i, v] of value.entries()) errors.push(...conform(v, items as Schema, o, `${path}[${i}]`));
    }
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] as string[] | undefined) ?? [])
      if (!(key in obj)) errors.push(`${path}: missing required "${key}"`);
    const additional = schema['additionalProperties'];
    const closed =
      additional === false ||
      (o.discovery === true && additional === undefined && schema['properties'] !== undefined);
    for (const [key, v] of Object.entries(obj)) {
      const prop = props[key];
      if (prop) errors.push(...conform(v, prop, o, `${path}.${key}`));
      else if (additional && typeof additional === 'object')
        errors.push(...conform(v, additional as Schema, o, `${path}.${key}`));
      else if (closed) errors.push(`${path}: "${key}" is not declared by the schema`);
    }
  }
  return errors;
}

// ---- locating response schemas -------------------------------------------------------------------

/** Discovery: a method such as `users.messages.list` (path, httpMethod, parameters, scopes, response). */
export function discoveryMethod(spec: Schema, method: string): Schema {
  const parts = method.split('.');
  let node: Schema = spec;
  for (const part of parts.slice(0, -1)) node = (node['resources'] as Record<string, Schema>)[part] as Schema;
  const m = (node['methods'] as Record<string, Schema>)[parts[parts.length - 1] ?? ''];
  if (!m) throw new Error(`no discovery method ${method}`);
  return m;
}

/** Discovery: the response schema of a method. */
export function discoveryResponse(spec: Schema, method: string): Schema {
  return discoveryMethod(spec, method)['response'] as Schema;
}

/** OpenAPI 3 / Swagger 2: the schema of `status` (or `default`) for an operation. */
export function operationResponse(spec: Schema, path: string, method: string, status: string): Schema {
  const op = ((spec['paths'] as Record<string, Schema>)[path] as Record<string, Schema>)[method];
  if (!op) throw new Error(`no operation ${method} ${path}`);
  let response = ((op['responses'] as Record<string, Schema>)[status] ??
    (op['responses'] as Record<string, Schema>)['default']) as Schema;
  if (!response) throw new Error(`no ${status} response for ${method} ${path}`);
  if (typeof response['$ref'] === 'string') response = resolve(response['$ref'], { spec });
  if (response['schema']) return response['schema'] as Schema;
  const content = response['content'] as Record<string, Schema> | undefined;
  const schema = content?.['application/json']?.['schema'];
  if (!schema) throw new Error(`no JSON schema for ${status} ${method} ${path}`);
  return schema as Schema;
}

export function assertConforms(value: unknown, schema: Schema, o: Options): void {
  const errors = conform(value, schema, o);
  if (errors.length)
    throw new Error(`response does not conform to the spec:\n  ${errors.slice(0, 20).join('\n  ')}`);
}
