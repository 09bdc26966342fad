/**
 * OpenAPI 3.1 document of the REST API, generated from the same descriptors and bindings the
 * transcoder serves, so documentation and behaviour cannot drift. Property names are the proto
 * (snake_case) names the API emits; components are named by full protobuf type name.
 */
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescMethod,
  ScalarType,
} from '@bufbuild/protobuf';
import { isUrlSettable } from './fields.ts';
import type { RestBinding } from './http-rules.ts';
import { openapiPath } from './path-template.ts';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
}

export interface OpenApiInfo {
  title?: string;
  version?: string;
  description?: string;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const STATUS_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Error (google.rpc.Status); details hold a scalekit.v1.errdetails.ErrorInfo.',
  properties: {
    code: { type: 'integer', format: 'int32', description: 'gRPC status code' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: { type: 'object', properties: { '@type': { type: 'string' } }, additionalProperties: true },
    },
  },
};

function scalarSchema(t: ScalarType): JsonSchema {
  switch (t) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.DOUBLE:
      return { type: 'number', format: 'double' };
    case ScalarType.FLOAT:
      return { type: 'number', format: 'float' };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', format: 'int32' };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', format: 'int64', minimum: 0, maximum: 4294967295 };
    default:
      // 64-bit integers are JSON strings in protobuf JSON.
      return { type: 'string', format: 'int64' };
  }
}

const WKT: Record<string, JsonSchema> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$', examples: ['3600s'] },
  'google.protobuf.FieldMask': { type: 'string' },
  'google.protobuf.Struct': { type: 'object', additionalProperties: true },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array', items: {} },
  'google.protobuf.Empty': { type: 'object' },
  'google.protobuf.Any': {
    type: 'object',
    properties: { '@type': { type: 'string' } },
    additionalProperties: true,
  },
  'google.protobuf.BoolValue': { type: 'boolean' },
  'google.protobuf.StringValue': { type: 'string' },
  'google.protobuf.BytesValue': { type: 'string', contentEncoding: 'base64' },
  'google.protobuf.Int32Value': { type: 'integer', format: 'int32' },
  'google.protobuf.UInt32Value': { type: 'integer', format: 'int64', minimum: 0 },
  'google.protobuf.Int64Value': { type: 'string', format: 'int64' },
  'google.protobuf.UInt64Value': { type: 'string', format: 'int64' },
  'google.protobuf.FloatValue': { type: 'number', format: 'float' },
  'google.protobuf.DoubleValue': { type: 'number', format: 'double' },
};

const enumSchema = (e: DescEnum): JsonSchema => ({ type: 'string', enum: e.values.map((v) => v.name) });

class SchemaBuilder {
  readonly schemas: Record<string, JsonSchema> = { 'google.rpc.Status': STATUS_SCHEMA };

  message(m: DescMessage): JsonSchema {
    const wkt = WKT[m.typeName];
    if (wkt !== undefined) return wkt;
    if (!(m.typeName in this.schemas)) {
      this.schemas[m.typeName] = {}; // placeholder first: messages may be recursive
      this.schemas[m.typeName] = this.object(m.fields);
    }
    return ref(m.typeName);
  }

  object(fields: readonly DescField[]): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const f of fields) properties[f.name] = this.field(f);
    return { type: 'object', properties };
  }

  field(f: DescField): JsonSchema {
    switch (f.fieldKind) {
      case 'scalar':
        return scalarSchema(f.scalar);
      case 'enum':
        return enumSchema(f.enum);
      case 'message':
        return this.message(f.message);
      case 'list': {
        const items =
          f.listKind === 'scalar'
            ? scalarSchema(f.scalar)
            : f.listKind === 'enum'
              ? enumSchema(f.enum)
              : this.message(f.message);
        return { type: 'array', items };
      }
      case 'map': {
        const value =
          f.mapKind === 'scalar'
            ? scalarSchema(f.scalar)
            : f.mapKind === 'enum'
              ? enumSchema(f.enum)
              : this.message(f.message);
        return { type: 'object', additionalProperties: value };
      }
    }
  }
}

/** Fields settable from the query string, flattened with dotted names (nested messages included). */
function queryParameters(
  b: SchemaBuilder,
  m: DescMessage,
  exclude: Set<string>,
  prefix = '',
  seen = new Set<string>([m.typeName]),
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of m.fields) {
    if (prefix === '' && exclude.has(f.name)) continue;
    const name = prefix + f.name;
    if (isUrlSettable(f)) {
      const explode = f.fieldKind === 'list' ? { style: 'form', explode: true } : {};
      out.push({ name, in: 'query', required: false, schema: b.field(f), ...explode });
    } else if (
      f.fieldKind === 'message' &&
      WKT[f.message.typeName] === undefined &&
      !seen.has(f.message.typeName)
    ) {
      out.push(...queryParameters(b, f.message, exclude, `${name}.`, new Set([...seen, f.message.typeName])));
    }
  }
  return out;
}

function operation(
  b: SchemaBuilder,
  binding: RestBinding,
  successStatus: (m: DescMethod) => number,
): Record<string, unknown> {
  const { service, method } = binding;
  const parameters: Record<string, unknown>[] = [];
  for (const [name, fields] of binding.pathFields) {
    parameters.push({ name, in: 'path', required: true, schema: b.field(fields.at(-1)!) });
  }
  const pathRoots = new Set([...binding.pathFields.values()].map((f) => f[0]!.name));
  const op: Record<string, unknown> = {
    operationId: `${service.name}_${method.name}${binding.index === 0 ? '' : binding.index + 1}`,
    tags: [service.name],
    summary: `${service.typeName}.${method.name}`,
  };
  if (binding.body === '*') {
    if (pathRoots.size === 0) {
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: b.message(method.input) } },
      };
    } else {
      const name = `${service.name}${method.name}Body`;
      b.schemas[name] = b.object(method.input.fields.filter((f) => !pathRoots.has(f.name)));
      op['requestBody'] = { required: true, content: { 'application/json': { schema: ref(name) } } };
    }
  } else {
    if (binding.bodyField !== undefined) {
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: b.field(binding.bodyField) } },
      };
      pathRoots.add(binding.bodyField.name);
    }
    parameters.push(...queryParameters(b, method.input, pathRoots));
  }
  if (parameters.length > 0) op['parameters'] = parameters;
  const responseField = method.output.fields.find((f) => f.name === binding.responseBody);
  op['responses'] = {
    [String(successStatus(method))]: {
      description: 'OK',
      content: {
        'application/json': { schema: responseField ? b.field(responseField) : b.message(method.output) },
      },
    },
    default: { description: 'Error', content: { 'application/json': { schema: ref('google.rpc.Status') } } },
  };
  return op;
}

export function buildOpenApi(
  bindings: RestBinding[],
  info: OpenApiInfo = {},
  successStatus: (m: DescMethod) => number = () => 200,
): OpenApiDocument {
  const b = new SchemaBuilder();
  const paths: OpenApiDocument['paths'] = {};
  // Declaration order (service, method, binding) reads better than match order.
  const ordered = [...bindings].sort(
    (x, y) =>
      x.service.typeName.localeCompare(y.service.typeName) ||
      x.service.methods.indexOf(x.method) - y.service.methods.indexOf(y.method) ||
      x.index - y.index,
  );
  for (const binding of ordered) {
    const path = openapiPath(binding.template);
    paths[path] ??= {};
    paths[path][binding.verb.toLowerCase()] = operation(b, binding, successStatus);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Latchkey API',
      version: info.version ?? '1.0.0',
      description:
        info.description ??
        'Scalekit AgentKit-compatible REST API. Authenticate with a bearer token from POST /oauth/token (client credentials).',
    },
    paths,
    components: {
      schemas: b.schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearerAuth: [] }],
  };
}
