/**
 * Which headers cross the proxy (RFC 9110 §7.6.1). Hop-by-hop headers, and every header the
 * `Connection` header names, stop at the gateway in both directions; so does `transfer-encoding`,
 * so a message never carries it together with `content-length` (each side frames its own hop).
 * Towards the provider the caller's `authorization` (its Latchkey token), the routing headers and
 * the SDK's own headers are dropped too; the account's credentials are added by the proxy.
 */

export type HeaderMap = Record<string, string | string[] | undefined>;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Never sent upstream: ours, or recomputed for the upstream hop. */
const REQUEST_ONLY = new Set([
  'host',
  'authorization',
  'content-length',
  'expect',
  'connection_name',
  'identifier',
  'x-sdk-version',
  'x-api-version',
]);

/** Header names listed in `Connection` (also hop-by-hop). */
function connectionTokens(headers: HeaderMap): Set<string> | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  const out = new Set<string>();
  for (const v of Array.isArray(value) ? value : [value]) {
    for (const token of v.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) out.add(t);
    }
  }
  return out;
}

function filter(headers: HeaderMap, drop: (name: string) => boolean): Record<string, string | string[]> {
  const named = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.charCodeAt(0) === 58 /* ':' HTTP/2 pseudo-header */) continue;
    if (HOP_BY_HOP.has(name) || drop(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The caller's headers (lowercase names, as Node parses them) that go to the provider. */
export function upstreamRequestHeaders(headers: HeaderMap): Record<string, string | string[]> {
  return filter(headers, (name) => REQUEST_ONLY.has(name));
}

/** The provider's response headers that go back to the caller. */
export function downstreamResponseHeaders(headers: HeaderMap): Record<string, string | string[]> {
  return filter(headers, () => false);
}
