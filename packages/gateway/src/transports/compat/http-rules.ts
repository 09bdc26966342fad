/**
 * Reads the REST bindings of every RPC from the generated descriptors (`google.api.http`
 * method option, including additional_bindings) and validates them once at startup.
 */
import { type DescField, type DescMethod, type DescService, getOption, hasOption } from '@bufbuild/protobuf';
import { http } from '../../gen/google/api/annotations_pb.js';
import type { HttpRule } from '../../gen/google/api/http_pb.js';
import { isUrlSettable, resolvePath } from './fields.ts';
import { compareSpecificity, type PathTemplate, parseTemplate } from './path-template.ts';

export type HttpVerb = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | (string & {});

export interface RestBinding {
  service: DescService;
  method: DescMethod;
  verb: HttpVerb;
  template: PathTemplate;
  /** '' (no body: non-path fields come from the query), '*' (whole request) or a field name. */
  body: string;
  /** The request field carried by the body when `body` names one. */
  bodyField: DescField | undefined;
  /** '' or the response field to send instead of the whole response. */
  responseBody: string;
  /** Path variables resolved to fields. */
  pathFields: Map<string, DescField[]>;
  /** 0 = the main binding, 1.. = additional_bindings. */
  index: number;
}

export class BindingError extends Error {}

function patternOf(rule: HttpRule): { verb: HttpVerb; path: string } | undefined {
  const p = rule.pattern;
  switch (p.case) {
    case 'get':
      return { verb: 'GET', path: p.value };
    case 'put':
      return { verb: 'PUT', path: p.value };
    case 'post':
      return { verb: 'POST', path: p.value };
    case 'delete':
      return { verb: 'DELETE', path: p.value };
    case 'patch':
      return { verb: 'PATCH', path: p.value };
    case 'custom':
      return { verb: p.value.kind.toUpperCase(), path: p.value.path };
    default:
      return undefined;
  }
}

function bindingOf(service: DescService, method: DescMethod, rule: HttpRule, index: number): RestBinding {
  const where = `${service.typeName}.${method.name}`;
  const pattern = patternOf(rule);
  if (pattern === undefined) throw new BindingError(`${where}: http rule without a pattern`);
  let template: PathTemplate;
  try {
    template = parseTemplate(pattern.path);
  } catch (e) {
    throw new BindingError(`${where}: ${(e as Error).message}`);
  }
  const pathFields = new Map<string, DescField[]>();
  for (const v of template.variables) {
    const fields = resolvePath(method.input, v.fieldPath);
    const leaf = fields?.at(-1);
    if (fields === undefined || leaf === undefined || leaf.fieldKind === 'list' || !isUrlSettable(leaf)) {
      throw new BindingError(`${where}: path variable ${v.fieldPath.join('.')} is not a singular field`);
    }
    pathFields.set(v.fieldPath.join('.'), fields);
  }
  let bodyField: DescField | undefined;
  if (rule.body !== '' && rule.body !== '*') {
    bodyField = method.input.fields.find((f) => f.name === rule.body);
    if (bodyField === undefined) throw new BindingError(`${where}: body field ${rule.body} does not exist`);
  }
  if (rule.responseBody !== '' && !method.output.fields.some((f) => f.name === rule.responseBody)) {
    throw new BindingError(`${where}: response_body field ${rule.responseBody} does not exist`);
  }
  return {
    service,
    method,
    verb: pattern.verb,
    template,
    body: rule.body,
    bodyField,
    responseBody: rule.responseBody,
    pathFields,
    index,
  };
}

/** Every binding of every annotated unary RPC of `services`, most specific template first. */
export function collectBindings(services: DescService[]): RestBinding[] {
  const out: RestBinding[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (method.methodKind !== 'unary' || !hasOption(method, http)) continue;
      const rule = getOption(method, http);
      out.push(bindingOf(service, method, rule, 0));
      rule.additionalBindings.forEach((extra, i) => {
        out.push(bindingOf(service, method, extra, i + 1));
      });
    }
  }
  // Stable sort: equally specific templates keep declaration order.
  return out.sort((a, b) => compareSpecificity(a.template, b.template));
}
