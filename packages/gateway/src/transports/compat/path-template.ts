/**
 * google.api.http path templates: parsing and matching.
 *
 *   Template = "/" Segments [ ":" Verb ]      Segment  = "*" | "**" | LITERAL | Variable
 *   Variable = "{" FieldPath [ "=" Segments ] "}"
 *
 * Examples: `/api/v1/tools/{id}`, `/api/v1/connected_accounts/{id}:disconnect`,
 * `/api/v1/tools:set_default`, `/v1/{name=projects/*}/files/{path=**}`.
 * Hono's router treats `:` as a parameter marker, so the transcoder matches with this instead.
 */

export type SegmentPattern = { kind: 'literal'; value: string } | { kind: 'one' } | { kind: 'rest' };

export interface TemplateVariable {
  /** Field path, e.g. ['connection', 'id']. */
  fieldPath: string[];
  /** Index of the first segment it covers, and the number covered (-1 = up to the end). */
  start: number;
  count: number;
}

export interface PathTemplate {
  source: string;
  segments: SegmentPattern[];
  variables: TemplateVariable[];
  verb: string | undefined;
}

export class TemplateSyntaxError extends Error {}

/** Parses a template; throws TemplateSyntaxError on anything outside the grammar. */
export function parseTemplate(source: string): PathTemplate {
  if (!source.startsWith('/')) throw new TemplateSyntaxError(`template must start with "/": ${source}`);
  let body = source.slice(1);
  let verb: string | undefined;
  const lastClose = body.lastIndexOf('}');
  const colon = body.indexOf(':', Math.max(lastClose, body.lastIndexOf('/')) + 1);
  if (colon >= 0) {
    verb = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (verb === '' || /[/{}*]/.test(verb)) throw new TemplateSyntaxError(`bad verb in ${source}`);
  }
  const segments: SegmentPattern[] = [];
  const variables: TemplateVariable[] = [];
  for (const part of splitTopLevel(body, source)) {
    if (part.startsWith('{')) {
      if (!part.endsWith('}')) throw new TemplateSyntaxError(`unclosed variable in ${source}`);
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      const path = eq < 0 ? inner : inner.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) {
        throw new TemplateSyntaxError(`bad field path "${path}" in ${source}`);
      }
      const sub =
        eq < 0
          ? [{ kind: 'one' } as const]
          : inner
              .slice(eq + 1)
              .split('/')
              .map(segmentOf(source));
      const start = segments.length;
      segments.push(...sub);
      variables.push({
        fieldPath: path.split('.'),
        start,
        count: sub.some((s) => s.kind === 'rest') ? -1 : sub.length,
      });
    } else {
      segments.push(segmentOf(source)(part));
    }
  }
  const restAt = segments.findIndex((s) => s.kind === 'rest');
  if (restAt >= 0 && restAt !== segments.length - 1) {
    throw new TemplateSyntaxError(`"**" must be the last segment in ${source}`);
  }
  return { source, segments, variables, verb };
}

function segmentOf(source: string): (part: string) => SegmentPattern {
  return (part) => {
    if (part === '*') return { kind: 'one' };
    if (part === '**') return { kind: 'rest' };
    if (part === '' || /[{}*:]/.test(part))
      throw new TemplateSyntaxError(`bad segment "${part}" in ${source}`);
    return { kind: 'literal', value: part };
  };
}

/** Splits on "/" outside braces. */
function splitTopLevel(body: string, source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (depth < 0 || depth > 1) throw new TemplateSyntaxError(`unbalanced braces in ${source}`);
    if (ch === '/' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new TemplateSyntaxError(`unbalanced braces in ${source}`);
  parts.push(current);
  return parts;
}

export interface TemplateMatch {
  /** Decoded variable values by dotted field path. */
  values: Map<string, string>;
}

/**
 * Matches a raw (still percent-encoded) URL path. Returns undefined when it does not match;
 * throws URIError on malformed percent-encoding.
 */
export function matchTemplate(template: PathTemplate, rawPath: string): TemplateMatch | undefined {
  let path = rawPath;
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!path.endsWith(suffix)) return undefined;
    path = path.slice(0, -suffix.length);
  }
  if (!path.startsWith('/')) return undefined;
  const raw = path.slice(1).split('/');
  const { segments } = template;
  const hasRest = segments.at(-1)?.kind === 'rest';
  if (hasRest ? raw.length < segments.length : raw.length !== segments.length) return undefined;
  const decoded = raw.map((s) => decodeURIComponent(s));
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === 'literal' && decoded[i] !== seg.value) return undefined;
    if (seg.kind === 'one' && decoded[i] === '') return undefined;
  }
  const values = new Map<string, string>();
  for (const v of template.variables) {
    const end = v.count < 0 ? decoded.length : v.start + v.count;
    values.set(v.fieldPath.join('.'), decoded.slice(v.start, end).join('/'));
  }
  return { values };
}

/**
 * Orders templates most specific first: segment by segment literal > "*" > "**", then a
 * template with a verb before one without. So `/connected_accounts/this` beats `/{id}`, and
 * `/connections/app` beats `/connections/{connection_id}` whatever the declaration order.
 */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: SegmentPattern | undefined): number =>
    s === undefined ? -1 : s.kind === 'literal' ? 2 : s.kind === 'one' ? 1 : 0;
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = rank(b.segments[i]) - rank(a.segments[i]);
    if (d !== 0) return d;
  }
  return (b.verb === undefined ? 0 : 1) - (a.verb === undefined ? 0 : 1);
}

/** The template as an OpenAPI path: `{field=**}` → `{field}`, verbs kept (`/x/{id}:disconnect`). */
export function openapiPath(template: PathTemplate): string {
  const out: string[] = [];
  let i = 0;
  while (i < template.segments.length) {
    const v = template.variables.find((x) => x.start === i);
    if (v) {
      out.push(`{${v.fieldPath.join('.')}}`);
      i = v.count < 0 ? template.segments.length : i + v.count;
      continue;
    }
    const s = template.segments[i]!;
    out.push(s.kind === 'literal' ? s.value : s.kind === 'one' ? '*' : '**');
    i++;
  }
  return `/${out.join('/')}${template.verb === undefined ? '' : `:${template.verb}`}`;
}
