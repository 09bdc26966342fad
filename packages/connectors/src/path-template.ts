/**
 * Tool path templates, OpenAPI style: `/gmail/v1/users/{userId}/messages/{id}`.
 *
 * A template is a literal path relative to the connector's API base URL. Each `{name}` fills a
 * whole segment or part of one, and its value is percent-encoded as a path segment, so a value
 * can never add a segment (`/`), climb (`..`), start a query (`?`) or a fragment (`#`).
 */
import { ToolInputError } from './errors.ts';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Path characters allowed in a template's literal text (RFC 3986 pchar + `/`), no `?` or `#`. */
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/** Checks a template; returns a problem description or undefined when it is well formed. */
export function checkPathTemplate(template: string): string | undefined {
  if (!template.startsWith('/')) return 'must start with /';
  if (template.includes('//')) return 'must not contain an empty segment (//)';
  const literal = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(literal)) return 'has a malformed {placeholder}';
  if (!LITERAL.test(literal)) return 'has characters not allowed in a path (query and fragment go elsewhere)';
  for (const segment of template.split('/')) {
    if (segment === '.' || segment === '..') return 'must not contain . or .. segments';
  }
  return undefined;
}

export function pathPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Encodes one value as (part of) a path segment, refusing values that would be dot segments. */
export function encodePathValue(name: string, value: string): string {
  if (value.length === 0)
    throw new ToolInputError(name, 'must not be empty (it is part of the request path)');
  if (value === '.' || value === '..') throw new ToolInputError(name, 'must not be "." or ".."');
  // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) unescaped: none can split or climb.
  return encodeURIComponent(value);
}

/** Fills a template. Every placeholder must have a value. */
export function expandPath(template: string, values: Readonly<Record<string, string>>): string {
  const problem = checkPathTemplate(template);
  if (problem !== undefined) throw new Error(`path template ${template}: ${problem}`);
  const expanded = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ToolInputError(name, 'is required (it is part of the request path)');
    return encodePathValue(name, value);
  });
  // A value may be the whole segment or a part of one; check the result's segments once more.
  for (const segment of expanded.split('/')) {
    if (segment === '.' || segment === '..') throw new ToolInputError('path', 'would contain a dot segment');
  }
  return expanded;
}
