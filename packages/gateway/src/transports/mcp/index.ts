/**
 * The MCP transport: Streamable HTTP with the v2 SDK's `createMcpHandler`, serving the
 * 2026-07-28 revision and 2025-era clients (stateless legacy) from one factory.
 *
 *   /mcp/i/<token>                     per-user MCP instance (the URL is the credential)
 *   /mcp/v3/servers/<server id>        a config's static URL, `Authorization: Bearer <session token>`
 *   /mcp/v3/connections/<connection>   one connection's static URL, same tokens (minted with key_id)
 *
 * In front of the SDK: Origin validation (the public URL's origin, LATCHKEY_MCP_ALLOWED_ORIGINS,
 * and localhost when bound to loopback; requests without Origin pass), Host validation on loopback
 * binds (DNS rebinding), then the credential, looked up in the store on every request: an unknown,
 * rotated or revoked instance URL answers 404, a missing, expired, wrong-audience or orphaned
 * session token 401, on every process at once. Instance URLs never reach a log (`safePath`).
 */
import { type AuthInfo, createMcpHandler, hostHeaderValidationResponse } from '@modelcontextprotocol/server';
import type { Context, Hono } from 'hono';
import type { Logger } from '../../ops/log.ts';
import type { AppEnv } from '../../server/app.ts';
import type { McpScope, McpServing } from '../../services/mcp-serving.ts';
import { buildServer } from './server.ts';

export interface McpTransportOptions {
  serving: McpServing;
  logger: Logger;
  publicUrl: () => string;
  /** Extra allowed browser origins (`*` = any). */
  allowedOrigins: string[];
  /** The gateway listens on a loopback interface: localhost origins allowed, Host checked. */
  loopback: boolean;
  maxBodyBytes: number;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

const jsonRpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** `{body}` for a JSON POST, a JSON-RPC error Response when it is too large or not JSON, else undefined. */
async function parseJsonPost(req: Request, max: number): Promise<{ body: unknown } | Response | undefined> {
  if (req.method !== 'POST' || !/^application\/json\b/i.test(req.headers.get('content-type') ?? ''))
    return undefined;
  const tooLarge = () => jsonRpcError(413, -32000, `Request body exceeds the ${max}-byte limit`);
  if (Number(req.headers.get('content-length') ?? 0) > max) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > max) {
      await reader?.cancel();
      return tooLarge();
    }
    chunks.push(next.value);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return jsonRpcError(400, -32700, 'Parse error: the request body is not valid JSON');
  }
}

export const isLoopbackHost = (host: string) =>
  LOOPBACK_HOSTS.includes(host) || /^127(\.\d{1,3}){3}$/.test(host);

export function mountMcp(app: Hono<AppEnv>, opts: McpTransportOptions): { close(): Promise<void> } {
  const { serving, logger } = opts;
  const scopes = new WeakMap<AuthInfo, McpScope>();
  const handler = createMcpHandler(
    ({ authInfo }) => {
      const scope = authInfo ? scopes.get(authInfo) : undefined;
      if (!scope) throw new Error('MCP request without a resolved scope');
      return buildServer(scope, serving, logger);
    },
    {
      legacy: 'stateless',
      maxRequestBodySize: opts.maxBodyBytes,
      onerror: (e) => logger.debug({ err: e.message }, 'MCP request rejected'),
    },
  );

  function originAllowed(origin: string): boolean {
    if (opts.allowedOrigins.includes('*') || opts.allowedOrigins.includes(origin)) return true;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    if (u.origin === new URL(opts.publicUrl()).origin) return true;
    return opts.loopback && isLoopbackHost(u.hostname);
  }

  /** Origin, then (loopback binds) Host: a response when the request is refused. */
  function guard(req: Request): Response | undefined {
    const origin = req.headers.get('origin');
    if (origin !== null && !originAllowed(origin))
      return jsonRpcError(403, -32600, 'Forbidden: this Origin may not call this MCP server');
    if (opts.loopback) {
      const publicHost = new URL(opts.publicUrl()).hostname;
      return hostHeaderValidationResponse(req, [...LOOPBACK_HOSTS, publicHost]);
    }
    return undefined;
  }

  const serve = async (req: Request, scope: McpScope): Promise<Response> => {
    const authInfo: AuthInfo = { token: '', clientId: scope.id, scopes: [] };
    scopes.set(authInfo, scope);
    // A JSON POST body is read and parsed here once, so the SDK neither clones the request nor
    // reads it again (its `parsedBody` option); anything else is the SDK's to judge.
    const parsed = await parseJsonPost(req, opts.maxBodyBytes);
    if (parsed instanceof Response) return parsed;
    return handler.fetch(req, parsed === undefined ? { authInfo } : { authInfo, parsedBody: parsed.body });
  };

  const unauthorized = (description: string) =>
    jsonRpcError(401, -32001, `Unauthorized: ${description}`, {
      'www-authenticate': `Bearer realm="latchkey-mcp", error="invalid_token", error_description="${description}"`,
    });

  const bearer = (c: Context<AppEnv>) => {
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(c.req.header('authorization') ?? '');
    return m?.[1];
  };

  app.all('/mcp/i/:token', async (c) => {
    const refused = guard(c.req.raw);
    if (refused) return refused;
    const scope = await serving.resolveInstance(c.req.param('token'));
    if (!scope)
      return jsonRpcError(404, -32001, 'Unknown MCP server URL: it was rotated, revoked or never existed');
    return serve(c.req.raw, scope);
  });

  const sessionRoute =
    (at: (c: Context<AppEnv>) => { serverId: string } | { connectionName: string }) =>
    async (c: Context<AppEnv>) => {
      const refused = guard(c.req.raw);
      if (refused) return refused;
      const token = bearer(c);
      if (!token) {
        return jsonRpcError(401, -32001, 'Unauthorized: send Authorization: Bearer <MCP session token>', {
          'www-authenticate': 'Bearer realm="latchkey-mcp"',
        });
      }
      const scope = await serving.resolveSession(token, at(c));
      if (!scope) return unauthorized('the session token is invalid, expired, or not for this server');
      return serve(c.req.raw, scope);
    };

  app.all(
    '/mcp/v3/servers/:serverId',
    sessionRoute((c) => ({ serverId: c.req.param('serverId') ?? '' })),
  );
  app.all(
    '/mcp/v3/connections/:connectionName',
    sessionRoute((c) => ({ connectionName: c.req.param('connectionName') ?? '' })),
  );

  return { close: () => handler.close() };
}
