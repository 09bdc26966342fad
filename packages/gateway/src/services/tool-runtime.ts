/**
 * The ToolRuntime executors run against: the account's API base URL, default headers and injected
 * credentials, one refresh and retry on a provider 401; provider calls through the egress (undici
 * pools, SSRF guard) when given, else through `fetch`. Responses are read up to 10 MB.
 */
import type { Readable } from 'node:stream';
import type { ToolRequest, ToolResponse, ToolRuntime } from '@latchkey/connectors';
import { type Egress, EgressError } from '../egress/egress.ts';
import { LatchkeyError } from '../errors.ts';
import type { AccountAccess, UpstreamAuth, UpstreamTarget } from './account-access.ts';
import { type HttpFetch, USER_AGENT } from './oauth.ts';
import type { UpstreamCaller } from './tool-execution.ts';

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 60_000;

export interface ToolRuntimeDeps {
  access: AccountAccess;
  fetch: HttpFetch;
  egress?: Egress | undefined;
  upstream?: UpstreamCaller | undefined;
}

/** The runtime executors use: base URL + credentials + default headers, one refresh on 401. */
export function createToolRuntime(deps: ToolRuntimeDeps, target: UpstreamTarget): ToolRuntime {
  const { access } = deps;
  const send = async (req: ToolRequest, auth: UpstreamAuth): Promise<ToolResponse> => {
    if (!req.path.startsWith('/')) throw new LatchkeyError('internal', 'tool request path must start with /');
    const url = new URL(target.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    }
    for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...lower(target.connector.api?.default_headers),
      ...lower(req.headers),
      ...auth.headers,
    };
    let body: string | Uint8Array | undefined;
    if (req.body && 'json' in req.body) {
      body = JSON.stringify(req.body.json);
      headers['content-type'] = 'application/json';
    } else if (req.body && 'form' in req.body) {
      body = new URLSearchParams(req.body.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (req.body && 'raw' in req.body) {
      body = req.body.raw;
      headers['content-type'] = req.body.contentType;
    }
    if (deps.egress) return sendByEgress(deps.egress, url, req.method, headers, body);
    // A timer cleared on completion, not AbortSignal.timeout: that one keeps its signal and
    // timer alive for the whole timeout after the call ended (60 s of them at thousands of calls/s).
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException('the provider did not answer in time', 'TimeoutError')),
      REQUEST_TIMEOUT_MS,
    );
    let res: Response;
    let text: string;
    try {
      try {
        res = await deps.fetch(url.toString(), {
          method: req.method,
          headers,
          ...(body === undefined ? {} : { body }),
          redirect: 'manual',
          signal: abort.signal,
        });
      } catch (e) {
        const timeout = (e as Error).name === 'TimeoutError';
        throw new LatchkeyError(
          timeout ? 'deadline_exceeded' : 'unavailable',
          `${target.connector.display_name} ${timeout ? 'did not answer in time' : `is unreachable: ${(e as Error).message}`}`,
        );
      }
      text = await readLimited(res, MAX_RESPONSE_BYTES);
    } finally {
      clearTimeout(timer);
    }
    const out: ToolResponse = { status: res.status, headers: {}, body: text };
    res.headers.forEach((v, k) => {
      out.headers[k] = v;
    });
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        out.body = JSON.parse(text);
      } catch {
        out.body = text;
      }
    }
    return out;
  };
  async function sendByEgress(
    egress: Egress,
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<ToolResponse> {
    let res: Awaited<ReturnType<Egress['request']>>;
    try {
      res = await egress.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        body: body === undefined ? undefined : Buffer.from(body),
        headersTimeoutMs: REQUEST_TIMEOUT_MS,
        bodyTimeoutMs: REQUEST_TIMEOUT_MS,
      });
    } catch (e) {
      const kind = e instanceof EgressError ? e.kind : 'unreachable';
      const name = target.connector.display_name;
      if (kind === 'blocked')
        throw new LatchkeyError('permission_denied', `${name}: ${(e as Error).message}`);
      throw new LatchkeyError(
        kind === 'timeout' ? 'deadline_exceeded' : 'unavailable',
        `${name} ${kind === 'timeout' ? 'did not answer in time' : `is unreachable: ${(e as Error).message}`}`,
      );
    }
    const out: ToolResponse = { status: res.status, headers: {}, body: '' };
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) out.headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const text = await readStreamLimited(res.body, out.headers['content-length'], MAX_RESPONSE_BYTES);
    out.body = text;
    if ((out.headers['content-type'] ?? '').includes('json') && text !== '') {
      try {
        out.body = JSON.parse(text);
      } catch {
        out.body = text;
      }
    }
    return out;
  }

  return {
    async request(req) {
      const auth = await access.credentials(target);
      const res = await send(req, auth);
      if (res.status !== 401) return res;
      const retry = await access.afterUnauthorized(target, auth);
      return retry ? send(req, retry) : res;
    },
    ...(deps.upstream
      ? {
          callUpstreamTool: (name: string, args: Record<string, unknown>) =>
            deps.upstream!(target, name, args),
        }
      : {}),
  };
}

function lower(h: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

const tooLarge = (max: number) =>
  new LatchkeyError('resource_exhausted', `the provider's response is larger than ${max} bytes`);

async function readStreamLimited(body: Readable, declared: string | undefined, max: number): Promise<string> {
  if (Number(declared ?? '0') > max) {
    body.on('error', () => {}).destroy();
    throw tooLarge(max);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new LatchkeyError('resource_exhausted', `the provider's response is larger than ${max} bytes`);
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new LatchkeyError('resource_exhausted', `the provider's response is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
