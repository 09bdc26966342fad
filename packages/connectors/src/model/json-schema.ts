/**
 * Structural checks of a tool's input/output JSON Schema at load time. Full compilation happens in
 * the gateway (Ajv); here we enforce what every tool client needs: a root `type: "object"`, named
 * properties, `required` naming real properties, and no `$ref` leaving the document.
 */
import { isRecord } from '../json-path.ts';

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

function walkRefs(node: unknown, path: (string | number)[], out: SchemaProblem[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      walkRefs(item, [...path, i], out);
    });
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && (typeof value !== 'string' || !value.startsWith('#'))) {
      out.push({
        path: [...path, key],
        message: 'must be a local reference (#/...), never an external document',
      });
    }
    walkRefs(value, [...path, key], out);
  }
}

export function checkObjectSchema(schema: Record<string, unknown>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (schema['type'] !== 'object') problems.push({ path: ['type'], message: 'root type must be "object"' });
  for (const key of ['oneOf', 'anyOf', 'allOf', 'not', 'if']) {
    if (key in schema)
      problems.push({ path: [key], message: 'is not accepted at the root by tool-calling clients' });
  }
  const properties = schema['properties'];
  if (properties !== undefined && !isRecord(properties)) {
    problems.push({ path: ['properties'], message: 'must be an object' });
  }
  const props = isRecord(properties) ? properties : {};
  for (const [name, prop] of Object.entries(props)) {
    if (!isRecord(prop)) problems.push({ path: ['properties', name], message: 'must be a schema object' });
  }
  const required = schema['required'];
  if (required !== undefined) {
    if (!Array.isArray(required)) problems.push({ path: ['required'], message: 'must be an array' });
    else {
      required.forEach((r, i) => {
        if (typeof r !== 'string' || !(r in props)) {
          problems.push({ path: ['required', i], message: `names no property (${String(r)})` });
        }
      });
    }
  }
  const additional = schema['additionalProperties'];
  if (additional !== undefined && typeof additional !== 'boolean' && !isRecord(additional)) {
    problems.push({ path: ['additionalProperties'], message: 'must be a boolean or a schema' });
  }
  walkRefs(schema, [], problems);
  return problems;
}
