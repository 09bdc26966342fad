/**
 * Field-path helpers of the REST transcoder: resolving `filter.tool_name`-style paths against
 * descriptors (proto names and lowerCamel JSON names), turning URL strings (path variables,
 * query parameters) into protobuf JSON values, and finding unknown keys in a JSON body.
 */
import { type DescField, type DescMessage, fromJson, type JsonValue, ScalarType } from '@bufbuild/protobuf';
import { invalidArgument } from '../../errors.ts';

/** Well-known types whose JSON form is a string or a plain scalar (usable in paths and queries). */
const SCALAR_LIKE_WKT: Record<string, ScalarType | 'string'> = {
  'google.protobuf.BoolValue': ScalarType.BOOL,
  'google.protobuf.StringValue': ScalarType.STRING,
  'google.protobuf.BytesValue': ScalarType.BYTES,
  'google.protobuf.Int32Value': ScalarType.INT32,
  'google.protobuf.UInt32Value': ScalarType.UINT32,
  'google.protobuf.Int64Value': ScalarType.INT64,
  'google.protobuf.UInt64Value': ScalarType.UINT64,
  'google.protobuf.FloatValue': ScalarType.FLOAT,
  'google.protobuf.DoubleValue': ScalarType.DOUBLE,
  'google.protobuf.Timestamp': 'string',
  'google.protobuf.Duration': 'string',
  'google.protobuf.FieldMask': 'string',
};

/** Well-known types with a free-form JSON mapping: never walked for unknown keys. */
const FREE_FORM_WKT = new Set([
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);

export function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Resolves a dotted path; undefined when a segment is unknown or crosses a non-message field. */
export function resolvePath(message: DescMessage, path: string[]): DescField[] | undefined {
  const out: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const name of path) {
    if (current === undefined) return undefined;
    const field = findField(current, name);
    if (field === undefined) return undefined;
    out.push(field);
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return out;
}

const TRUE = new Set(['true', 'True', 'TRUE', 't', 'T', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'f', 'F', '0']);

function urlKind(field: DescField): ScalarType | 'string' | 'enum' | undefined {
  let scalar: ScalarType | 'string' | 'enum' | undefined;
  if (field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar')) {
    scalar = field.scalar;
  } else if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) {
    scalar = 'enum';
  } else if (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')) {
    scalar = SCALAR_LIKE_WKT[field.message.typeName];
  }
  return scalar;
}

/** Whether a path variable or query parameter can set this field (scalars, enums, scalar-like WKTs). */
export const isUrlSettable = (field: DescField): boolean => urlKind(field) !== undefined;

/**
 * Converts one URL string to the JSON value protobuf's JSON parser expects for `field`'s
 * element type. Throws an invalid_argument LatchkeyError naming `name` when impossible.
 */
export function urlValueToJson(field: DescField, raw: string, name: string): unknown {
  const scalar = urlKind(field);
  if (scalar === undefined) {
    throw invalidArgument(name, 'this field cannot be set from the URL (message, map or struct)');
  }
  if (scalar === ScalarType.BOOL) {
    if (TRUE.has(raw)) return true;
    if (FALSE.has(raw)) return false;
    throw invalidArgument(name, `invalid boolean "${raw}"`);
  }
  if (scalar === 'enum') {
    if (/^-?\d+$/.test(raw)) return Number(raw);
    const values = field.fieldKind === 'enum' || field.fieldKind === 'list' ? field.enum?.values : undefined;
    if (!values?.some((v) => v.name === raw)) throw invalidArgument(name, `unknown enum value "${raw}"`);
    return raw;
  }
  // Numbers stay strings: protobuf JSON accepts quoted numbers for every numeric type.
  return raw;
}

/** Sets `value` at `path` (proto names) inside a plain JSON object, creating objects on the way. */
export function setJsonPath(target: Record<string, unknown>, fields: DescField[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < fields.length - 1; i++) {
    const name = fields[i]!.name;
    const next = obj[name];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      obj = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      obj[name] = created;
      obj = created;
    }
  }
  obj[fields.at(-1)!.name] = value;
}

/**
 * First unknown key in a JSON value read as `message`, as a dotted path with proto names
 * (`connected_account.authorization_details.oauth_tokn`), or undefined. Struct/Value/ListValue
 * contents and `@type` keys of Any are free-form; type errors are left to the JSON parser.
 */
export function findUnknownField(message: DescMessage, json: unknown, prefix = ''): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  if (FREE_FORM_WKT.has(message.typeName) || message.typeName in SCALAR_LIKE_WKT) return undefined;
  if (message.typeName === 'google.protobuf.Any') return undefined;
  for (const [key, value] of Object.entries(json)) {
    const field = findField(message, key);
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (field === undefined) return path;
    const at = prefix === '' ? field.name : `${prefix}.${field.name}`;
    let found: string | undefined;
    if (field.fieldKind === 'message') {
      found = findUnknownField(field.message, value, at);
    } else if (field.fieldKind === 'list' && field.listKind === 'message' && Array.isArray(value)) {
      for (let i = 0; i < value.length && found === undefined; i++) {
        found = findUnknownField(field.message, value[i], `${at}[${i}]`);
      }
    } else if (field.fieldKind === 'map' && field.mapKind === 'message' && isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        found = findUnknownField(field.message, v, `${at}[${k}]`);
        if (found !== undefined) break;
      }
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * After the JSON parser rejected `json` as `message`: the dotted path (proto names) of the
 * innermost field whose value it rejects, found by parsing fields one at a time. Only runs on
 * the error path.
 */
export function locateJsonError(message: DescMessage, json: unknown, prefix = ''): string | undefined {
  if (!isObject(json)) return undefined;
  for (const [key, value] of Object.entries(json)) {
    const field = findField(message, key);
    if (field === undefined) continue;
    const at = prefix === '' ? field.name : `${prefix}.${field.name}`;
    try {
      fromJson(message, { [key]: value } as JsonValue);
      continue;
    } catch {
      // this field is the culprit; look deeper when it is a message
    }
    if (field.fieldKind === 'message') return locateJsonError(field.message, value, at) ?? at;
    if (field.fieldKind === 'list' && field.listKind === 'message' && Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        try {
          fromJson(field.message, value[i] as JsonValue);
        } catch {
          return locateJsonError(field.message, value[i], `${at}[${i}]`) ?? `${at}[${i}]`;
        }
      }
    }
    return at;
  }
  return undefined;
}
