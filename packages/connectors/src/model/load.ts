/**
 * Loading a connector definition: every definition, shipped or created through the API, passes
 * here, so a broken one fails at load time naming the connector and the field.
 */
import type { z } from 'zod';
import { isRecord } from '../json-path.ts';
import { type ConnectorDefinition, connectorSchema } from './connector.ts';

export interface DefinitionIssue {
  /** `tools[2](gmail_send_message).executor.path` */
  path: string;
  message: string;
}

export class ConnectorValidationError extends Error {
  /** The slug as given, or `(unknown)` when absent. */
  readonly slug: string;
  readonly issues: DefinitionIssue[];

  constructor(slug: string, issues: DefinitionIssue[]) {
    const lines = issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`);
    super(`connector "${slug}" is invalid:\n${lines.join('\n')}`);
    this.name = 'ConnectorValidationError';
    this.slug = slug;
    this.issues = issues;
  }
}

function formatPath(input: unknown, path: readonly PropertyKey[]): string {
  let out = '';
  let node: unknown = input;
  let parentKey: PropertyKey | undefined;
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      // Name the tool a tools[i] index refers to: it is what an author looks for.
      if (parentKey === 'tools' && isRecord(node) && typeof node['name'] === 'string')
        out += `(${node['name']})`;
    } else {
      const k = String(key);
      out += out === '' ? k : `.${k}`;
      node = isRecord(node) ? node[k] : undefined;
    }
    parentKey = key;
  }
  return out;
}

function slugOf(input: unknown): string {
  return isRecord(input) && typeof input['slug'] === 'string' && input['slug'] !== ''
    ? input['slug']
    : '(unknown)';
}

export function issuesOf(input: unknown, error: z.ZodError): DefinitionIssue[] {
  return error.issues.map((i) => {
    const path = formatPath(input, i.path);
    if (i.code === 'unrecognized_keys') return { path, message: `unknown field(s) ${i.keys.join(', ')}` };
    return { path, message: i.message };
  });
}

/** Validates a definition (a catalog module's object, or parsed JSON of a custom connector). */
export function loadConnector(input: unknown): ConnectorDefinition {
  const result = connectorSchema.safeParse(input);
  if (!result.success) throw new ConnectorValidationError(slugOf(input), issuesOf(input, result.error));
  return result.data;
}

/** Validates several definitions and the rules between them (unique slugs and tool names). */
export function loadConnectors(inputs: readonly unknown[]): ConnectorDefinition[] {
  const loaded = inputs.map(loadConnector);
  const slugs = new Set<string>();
  const tools = new Map<string, string>();
  for (const c of loaded) {
    if (slugs.has(c.slug))
      throw new ConnectorValidationError(c.slug, [{ path: 'slug', message: 'is used twice' }]);
    slugs.add(c.slug);
    for (const t of c.tools) {
      for (const name of [t.name, ...(t.aliases ?? [])]) {
        const other = tools.get(name);
        if (other !== undefined) {
          throw new ConnectorValidationError(c.slug, [
            { path: `tools(${t.name})`, message: `${name} is also a tool of ${other}` },
          ]);
        }
        tools.set(name, c.slug);
      }
    }
  }
  return loaded;
}
