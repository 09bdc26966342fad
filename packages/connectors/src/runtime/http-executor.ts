/**
 * The declarative HTTP executor: tool input → one provider request → shaped `data`.
 */
import { ToolInputError } from '../errors.ts';
import { getPath, isRecord, setPath } from '../json-path.ts';
import type { HttpExecutor, ResponseShape, ValueSource } from '../model/tool.ts';
import { expandPath, pathPlaceholders } from '../path-template.ts';
import type { ToolRequest } from './types.ts';

type Input = Readonly<Record<string, unknown>>;

/** The value a source yields for this input; undefined means "leave the parameter out". */
export function sourceValue(source: ValueSource, input: Input): unknown {
  if ('const' in source) return source.const;
  const given = input[source.from];
  const value = given === undefined || given === null ? source.default : given;
  if (value === undefined || value === null) return undefined;
  if (source.join !== undefined && Array.isArray(value))
    return value.map((v) => scalarText(v, source.from)).join(source.join);
  return value;
}

function scalarText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value);
  if (json === undefined) throw new ToolInputError(field, 'cannot be sent as text');
  return json;
}

const fieldOf = (source: ValueSource, fallback: string): string =>
  'from' in source ? source.from : fallback;

function headerText(value: unknown, field: string): string {
  const text = scalarText(value, field);
  if (/[\r\n\0]/.test(text)) throw new ToolInputError(field, 'must not contain line breaks');
  return text;
}

export function buildHttpRequest(ex: HttpExecutor, input: Input): ToolRequest {
  const pathValues: Record<string, string> = {};
  for (const name of pathPlaceholders(ex.path)) {
    const source: ValueSource = ex.path_params?.[name] ?? { from: name };
    const value = sourceValue(source, input);
    if (value !== undefined) pathValues[name] = scalarText(value, fieldOf(source, name));
  }
  const path = expandPath(ex.path, pathValues);
  const req: ToolRequest = { method: ex.method, path };

  const query: Record<string, string | string[]> = {};
  for (const [name, source] of Object.entries(ex.query ?? {})) {
    const value = sourceValue(source, input);
    if (value === undefined) continue;
    query[name] = Array.isArray(value)
      ? value.map((v) => scalarText(v, fieldOf(source, name)))
      : scalarText(value, fieldOf(source, name));
  }
  if (Object.keys(query).length > 0) req.query = query;

  const headers: Record<string, string> = {};
  for (const [name, source] of Object.entries(ex.headers ?? {})) {
    const value = sourceValue(source, input);
    if (value !== undefined) headers[name] = headerText(value, fieldOf(source, name));
  }
  if (Object.keys(headers).length > 0) req.headers = headers;

  if (ex.body !== undefined) {
    if (ex.body.encoding === 'json') {
      const json: Record<string, unknown> = {};
      for (const [name, source] of Object.entries(ex.body.fields)) {
        const value = sourceValue(source, input);
        if (value !== undefined) setPath(json, name, value);
      }
      req.body = { json };
    } else {
      const form: Record<string, string> = {};
      for (const [name, source] of Object.entries(ex.body.fields)) {
        const value = sourceValue(source, input);
        if (value !== undefined) form[name] = scalarText(value, fieldOf(source, name));
      }
      req.body = { form };
    }
  }
  return req;
}

/** Makes any result a JSON object: `data` is always an object for callers. */
export function asObject(value: unknown, wrap?: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (value === undefined || value === '') return {};
  if (Array.isArray(value)) return { [wrap ?? 'items']: value };
  if (typeof value === 'string') return { [wrap ?? 'text']: value };
  return { [wrap ?? 'value']: value };
}

export function shapeResponse(body: unknown, shape: ResponseShape | undefined): Record<string, unknown> {
  if (shape === undefined) return asObject(body);
  let value: unknown = body;
  if (shape.pick !== undefined) {
    value = getPath(value, shape.pick);
  }
  if (isRecord(value) && (shape.omit !== undefined || shape.rename !== undefined)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (shape.omit?.includes(k)) continue;
      out[shape.rename?.[k] ?? k] = v;
    }
    value = out;
  }
  return asObject(value, shape.wrap);
}
