/**
 * Cross-field rules of a connector definition that a shape alone cannot express. Each problem is
 * reported with the path of the offending field.
 */
import type { z } from 'zod';
import { BaseUrlError, checkHttpUrl, resolveBaseUrlTemplate, templateVariables } from '../base-url.ts';
import { isRecord } from '../json-path.ts';
import { checkPathTemplate, pathPlaceholders } from '../path-template.ts';
import type { AuthScheme } from './auth.ts';
import type { BaseUrlVariableDef } from './connector.ts';
import type { ToolDefinition, ValueSource } from './tool.ts';

interface ConnectorShape {
  slug: string;
  kind: 'rest' | 'mcp';
  auth: AuthScheme;
  api?: { base_url: string; variables?: BaseUrlVariableDef[] | undefined } | undefined;
  mcp?: { tool_prefix: string } | undefined;
  tools: ToolDefinition[];
}

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

const issue = (ctx: Ctx, path: Path, message: string): void => {
  ctx.addIssue({ code: 'custom', message, path });
};

function checkBaseUrl(c: ConnectorShape, ctx: Ctx): void {
  if (c.api === undefined) return;
  const declared = c.api.variables ?? [];
  const samples: Record<string, string> = {};
  for (const v of declared) samples[v.name] = v.kind === 'url' ? 'https://example.com' : 'example.com';
  for (const name of templateVariables(c.api.base_url)) {
    if (!declared.some((v) => v.name === name))
      issue(ctx, ['api', 'base_url'], `uses undeclared variable ${name}`);
  }
  try {
    resolveBaseUrlTemplate(c.api.base_url, declared, samples);
  } catch (e) {
    if (e instanceof BaseUrlError) issue(ctx, ['api', 'base_url'], e.message);
    else throw e;
  }
}

function checkAuth(c: ConnectorShape, ctx: Ctx): void {
  const a = c.auth;
  if (a.type === 'mcp_oauth2' && c.kind !== 'mcp')
    issue(ctx, ['auth', 'type'], 'mcp_oauth2 is for kind mcp only');
  if (a.type === 'oauth2' && a.revocation.type === 'http') {
    const sample = a.revocation.url.replace(/\{\{\s*(client_id|access_token|refresh_token)\s*\}\}/g, 'x');
    try {
      if (sample.includes('{{')) {
        issue(
          ctx,
          ['auth', 'revocation', 'url'],
          'may use only {{client_id}}, {{access_token}}, {{refresh_token}}',
        );
      } else checkHttpUrl(sample, 'revocation URL');
    } catch (e) {
      if (e instanceof BaseUrlError) issue(ctx, ['auth', 'revocation', 'url'], e.message);
      else throw e;
    }
  }
  if (a.type === 'oauth2') {
    const available = new Set(a.scopes.available);
    if (available.size > 0) {
      a.scopes.default.forEach((s, i) => {
        if (!available.has(s))
          issue(ctx, ['auth', 'scopes', 'default', i], `${s} is not in scopes.available`);
      });
      c.tools.forEach((t, ti) => {
        (t.scopes ?? []).forEach((s, si) => {
          if (!available.has(s))
            issue(ctx, ['tools', ti, 'scopes', si], `${s} is not in auth.scopes.available`);
        });
      });
    }
  }
  if (a.type === 'api_key' || a.type === 'bearer' || a.type === 'basic') {
    const names = a.fields.map((f) => f.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) issue(ctx, ['auth', 'fields', i, 'name'], `duplicate field ${n}`);
    });
    const refs: [string, string][] =
      a.type === 'basic'
        ? [
            ['username_field', a.username_field],
            ['password_field', a.password_field],
          ]
        : [['field', a.field]];
    for (const [key, name] of refs) {
      if (!names.includes(name)) issue(ctx, ['auth', key], `names no credential field (${name})`);
    }
  }
}

function inputFields(tool: ToolDefinition): Set<string> {
  const props = tool.input_schema['properties'];
  return new Set(isRecord(props) ? Object.keys(props) : []);
}

function checkSource(source: ValueSource, fields: Set<string>, ctx: Ctx, path: Path): void {
  if ('from' in source && !fields.has(source.from)) {
    issue(ctx, [...path, 'from'], `names no input_schema property (${source.from})`);
  }
}

function checkHttpTool(tool: ToolDefinition, ti: number, ctx: Ctx): void {
  const ex = tool.executor;
  if (ex.type !== 'http') return;
  const base: Path = ['tools', ti, 'executor'];
  const problem = checkPathTemplate(ex.path);
  if (problem !== undefined) issue(ctx, [...base, 'path'], problem);
  const fields = inputFields(tool);
  const placeholders = pathPlaceholders(ex.path);
  for (const name of placeholders) {
    const source = ex.path_params?.[name];
    if (source === undefined && !fields.has(name)) {
      issue(ctx, [...base, 'path'], `placeholder {${name}} has no path_params entry and no same-named input`);
    }
  }
  for (const [name, source] of Object.entries(ex.path_params ?? {})) {
    if (!placeholders.includes(name))
      issue(ctx, [...base, 'path_params', name], 'is not a placeholder of path');
    checkSource(source, fields, ctx, [...base, 'path_params', name]);
  }
  for (const group of ['query', 'headers'] as const) {
    for (const [name, source] of Object.entries(ex[group] ?? {}))
      checkSource(source, fields, ctx, [...base, group, name]);
  }
  for (const [name, source] of Object.entries(ex.body?.fields ?? {})) {
    checkSource(source, fields, ctx, [...base, 'body', 'fields', name]);
  }
  if (ex.body !== undefined && (ex.method === 'GET' || ex.method === 'DELETE')) {
    issue(ctx, [...base, 'body'], `a ${ex.method} request carries no body here`);
  }
}

function checkTools(c: ConnectorShape, ctx: Ctx): void {
  const seen = new Map<string, string>();
  const claim = (name: string, path: Path, owner: string): void => {
    const prefix = c.kind === 'mcp' && c.mcp !== undefined ? c.mcp.tool_prefix : c.slug;
    if (!name.startsWith(`${prefix}_`)) issue(ctx, path, `${name} must start with ${prefix}_`);
    const previous = seen.get(name);
    if (previous !== undefined) issue(ctx, path, `${name} is already used by ${previous}`);
    else seen.set(name, owner);
  };
  // Names first, then aliases: an alias colliding with a tool name is the alias's fault.
  c.tools.forEach((tool, ti) => {
    claim(tool.name, ['tools', ti, 'name'], `tool ${tool.name}`);
  });
  c.tools.forEach((tool, ti) => {
    (tool.aliases ?? []).forEach((alias, ai) => {
      claim(alias, ['tools', ti, 'aliases', ai], `an alias of ${tool.name}`);
    });
    const wanted = c.kind === 'mcp' ? 'mcp' : 'http or function';
    const fits = c.kind === 'mcp' ? tool.executor.type === 'mcp' : tool.executor.type !== 'mcp';
    if (!fits)
      issue(ctx, ['tools', ti, 'executor', 'type'], `a ${c.kind} connector's tools use ${wanted} executors`);
    checkHttpTool(tool, ti, ctx);
  });
}

export function checkConnector(c: ConnectorShape, ctx: Ctx): void {
  if (c.kind === 'rest' && c.api === undefined) issue(ctx, ['api'], 'is required for kind rest');
  if (c.kind === 'mcp' && c.mcp === undefined) issue(ctx, ['mcp'], 'is required for kind mcp');
  if (c.kind === 'rest' && c.mcp !== undefined) issue(ctx, ['mcp'], 'is only for kind mcp');
  checkBaseUrl(c, ctx);
  checkAuth(c, ctx);
  checkTools(c, ctx);
}
