/**
 * REST ⇄ protobuf for one binding: builds the request message from body, query and path
 * (grpc-gateway rules) and renders the response as JSON.
 *
 * Input: protobuf JSON, proto names and lowerCamel names both accepted; unknown body keys are
 * rejected naming the field; unknown query parameters are ignored (grpc-gateway does the same,
 * so scripts written against Scalekit keep working). Output: proto (snake_case) names, enums as
 * names, fields with implicit presence always emitted (grpc-gateway's default marshaler), unset
 * message and `optional` fields omitted.
 */
import {
  create,
  type DescMessage,
  isMessage,
  type JsonValue,
  type Message,
  type MessageInitShape,
  mergeFromJson,
  toJson,
} from '@bufbuild/protobuf';
import { invalidArgument, LatchkeyError } from '../../errors.ts';
import { findUnknownField, locateJsonError, resolvePath, setJsonPath, urlValueToJson } from './fields.ts';
import type { RestBinding } from './http-rules.ts';
import type { TemplateMatch } from './path-template.ts';
import { type Runtime, TransportError } from './runtime.ts';

export const JSON_WRITE = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads at most `max` bytes; TransportError 413 beyond. */
export async function readBody(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
  if (req.body === null) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export const tooLarge = (max: number) =>
  new TransportError(413, 'resource_exhausted', `request body exceeds the limit of ${max} bytes`);

/**
 * JSON bodies only. `text/plain` and a missing type are accepted because grpc-gateway ignores
 * the content type and `fetch(url, {body: JSON.stringify(x)})` sends text/plain.
 */
function checkContentType(value: string | null): void {
  if (value === null) return;
  const type = value.split(';')[0]!.trim().toLowerCase();
  if (type === '' || type === 'application/json' || type === 'text/plain' || type.endsWith('+json')) return;
  throw new TransportError(
    415,
    'invalid_argument',
    `unsupported content type "${type}": send application/json`,
  );
}

/** mergeFromJson with parser errors turned into invalid_argument naming the offending field. */
function merge(schema: DescMessage, target: Message, json: unknown, ignoreUnknownFields = false): void {
  try {
    mergeFromJson(schema, target, json as JsonValue, { ignoreUnknownFields });
  } catch (e) {
    const detail = (e as Error).message;
    const field = locateJsonError(schema, json);
    if (field === undefined) throw new LatchkeyError('invalid_argument', detail);
    throw new LatchkeyError('invalid_argument', `invalid value for field "${field}": ${detail}`, {
      violations: [{ field, description: detail }],
    });
  }
}

/** Renames documented alternative spellings of body keys; the field's own name wins when both are sent. */
function unalias(body: Record<string, unknown>, aliases: Record<string, string> | undefined): unknown {
  if (!aliases) return body;
  const out = { ...body };
  for (const [alias, field] of Object.entries(aliases)) {
    if (!(alias in out)) continue;
    if (!(field in out)) out[field] = out[alias];
    delete out[alias];
  }
  return out;
}

export async function buildRequest(
  binding: RestBinding,
  req: Request,
  url: URL,
  match: TemplateMatch,
  limits: Pick<Runtime, 'maxBodyBytes' | 'rejectUnknownJsonFields' | 'bodyAliases'>,
): Promise<Message> {
  const bytes = binding.body === '' ? new Uint8Array() : await readBody(req, limits.maxBodyBytes);
  return buildRequestFrom(binding, bytes, req.headers.get('content-type'), url.searchParams, match, limits);
}

/** buildRequest from a body already read (at most maxBodyBytes) and its content type. */
export function buildRequestFrom(
  binding: RestBinding,
  bytes: Uint8Array,
  contentType: string | null,
  searchParams: URLSearchParams,
  match: TemplateMatch,
  limits: Pick<Runtime, 'rejectUnknownJsonFields' | 'bodyAliases'>,
): Message {
  const schema = binding.method.input;
  const message = create(schema);
  if (binding.body !== '') {
    if (bytes.byteLength > 0) {
      checkContentType(contentType);
      let json: unknown;
      try {
        json = JSON.parse(utf8.decode(bytes));
      } catch (e) {
        throw new LatchkeyError('invalid_argument', `invalid JSON body: ${(e as Error).message}`);
      }
      if (binding.body === '*' && (typeof json !== 'object' || json === null || Array.isArray(json))) {
        throw new LatchkeyError('invalid_argument', 'the request body must be a JSON object');
      }
      if (binding.body === '*')
        json = unalias(json as Record<string, unknown>, limits.bodyAliases(binding.method));
      const wrapped = binding.bodyField === undefined ? json : { [binding.bodyField.name]: json };
      const unknown = limits.rejectUnknownJsonFields ? findUnknownField(schema, wrapped) : undefined;
      if (unknown !== undefined) {
        throw new LatchkeyError('invalid_argument', `unknown field "${unknown}" in the request body`, {
          violations: [{ field: unknown, description: 'unknown field' }],
        });
      }
      merge(schema, message, wrapped, !limits.rejectUnknownJsonFields);
    }
  }
  if (binding.body !== '*') merge(schema, message, queryJson(binding, searchParams));
  const path: Record<string, unknown> = {};
  for (const [name, fields] of binding.pathFields) {
    setJsonPath(path, fields, urlValueToJson(fields.at(-1)!, match.values.get(name) ?? '', name));
  }
  merge(schema, message, path);
  return message;
}

/** Query parameters → JSON object (proto names); skips unknown ones, path fields and the body field. */
function queryJson(binding: RestBinding, params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pathRoots = new Set([...binding.pathFields.values()].map((f) => f[0]!.name));
  for (const key of new Set(params.keys())) {
    const fields = resolvePath(binding.method.input, key.split('.'));
    if (fields === undefined) continue;
    const root = fields[0]!.name;
    if (pathRoots.has(root) || root === binding.bodyField?.name) continue;
    const leaf = fields.at(-1)!;
    const values = params.getAll(key);
    if (leaf.fieldKind === 'list') {
      setJsonPath(
        out,
        fields,
        values.map((v) => urlValueToJson(leaf, v, key)),
      );
    } else if (values.length > 1) {
      throw invalidArgument(key, 'repeated query parameter for a singular field');
    } else {
      setJsonPath(out, fields, urlValueToJson(leaf, values[0]!, key));
    }
  }
  return out;
}

/** Response message (or init shape) → JSON value sent to REST clients. */
export function renderResponse(binding: RestBinding, output: unknown): unknown {
  const schema = binding.method.output;
  const message = isMessage(output, schema)
    ? output
    : create(schema, output as MessageInitShape<typeof schema>);
  const json = toJson(schema, message, JSON_WRITE) as Record<string, unknown>;
  return binding.responseBody === '' ? json : json[binding.responseBody];
}
