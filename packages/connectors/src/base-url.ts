/**
 * API base URL templates: `https://{{domain}}/api`, `{{instance_url}}/services/data/v60.0`.
 *
 * `{{name}}` refers to a variable declared on the connector (`api.variables`), whose kind says what
 * the value may be:
 * - `host`: a DNS name or IPv4 address, optionally with `:port` (nothing else: no `/`, `@`, `?`).
 * - `url`: a whole http(s) URL prefix (scheme, host, optional port and path); only at the start.
 * - `segment`: one path segment, percent-encoded.
 * The resolved URL must be an absolute http(s) URL without userinfo, query or fragment.
 */

export type BaseUrlVariableKind = 'host' | 'url' | 'segment';

export interface BaseUrlVariable {
  name: string;
  kind: BaseUrlVariableKind;
}

export class BaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseUrlError';
  }
}

const VARIABLE = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
const HOST =
  /^(?=.{1,253}(?::\d{1,5})?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;

export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1]!);
}

/** Parses and checks an absolute http(s) URL; returns it without a trailing slash. */
export function checkHttpUrl(raw: string, what = 'URL'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BaseUrlError(`${what} is not a valid absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new BaseUrlError(`${what} must use http or https`);
  if (url.username !== '' || url.password !== '')
    throw new BaseUrlError(`${what} must not contain credentials`);
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    throw new BaseUrlError(`${what} must not contain a query or fragment`);
  }
  if (url.hostname === '') throw new BaseUrlError(`${what} must have a host`);
  return url.href.replace(/\/+$/, '');
}

function substitute(variable: BaseUrlVariable, value: string, atStart: boolean): string {
  switch (variable.kind) {
    case 'host':
      if (!HOST.test(value))
        throw new BaseUrlError(`variable ${variable.name} must be a host name (optionally :port)`);
      return value;
    case 'segment':
      if (value === '' || value === '.' || value === '..') {
        throw new BaseUrlError(`variable ${variable.name} must be a non-empty path segment`);
      }
      return encodeURIComponent(value);
    case 'url':
      if (!atStart) throw new BaseUrlError(`variable ${variable.name} (a URL) may only start the template`);
      return checkHttpUrl(value, `variable ${variable.name}`);
  }
}

/**
 * Resolves a base URL template with the given variable values. Throws BaseUrlError when a variable
 * is undeclared or missing, a value does not fit its kind, or the result is not a safe http(s) URL.
 */
export function resolveBaseUrlTemplate(
  template: string,
  declared: readonly BaseUrlVariable[],
  values: Readonly<Record<string, string | undefined>>,
): string {
  const byName = new Map(declared.map((v) => [v.name, v]));
  const resolved = template.replace(VARIABLE, (match, name: string, offset: number) => {
    const variable = byName.get(name);
    if (variable === undefined) throw new BaseUrlError(`variable ${name} is not declared`);
    const value = values[name];
    if (value === undefined || value === '') throw new BaseUrlError(`variable ${name} has no value`);
    return substitute(variable, value, offset === 0 && match.length > 0);
  });
  if (resolved.includes('{{') || resolved.includes('}}'))
    throw new BaseUrlError('template has unresolved braces');
  return checkHttpUrl(resolved, 'base URL');
}
