/**
 * Upstream MCP failures as the errors ExecuteTool reports: a refused credential, a JSON-RPC error
 * or an HTTP failure of the server become a ProviderError (TOOL_ERROR with the upstream's code and
 * message); an unreachable or silent server becomes unavailable / deadline_exceeded.
 */
import { ProviderError } from '@latchkey/connectors';
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { type ErrorCode, isLatchkeyError, LatchkeyError } from '../errors.ts';
import type { Caller } from './target.ts';

/** The server answered 401 and no better credentials were available (raised by our fetch). */
export class UpstreamUnauthorized extends Error {
  readonly detail: string;
  constructor(detail: string) {
    super(detail);
    this.detail = detail;
    this.name = 'UpstreamUnauthorized';
  }
}

const JSON_RPC_STATUS: Record<number, { status: number; code: string }> = {
  [-32700]: { status: 502, code: 'PARSE_ERROR' },
  [-32600]: { status: 400, code: 'INVALID_REQUEST' },
  [-32601]: { status: 404, code: 'METHOD_NOT_FOUND' },
  [-32602]: { status: 400, code: 'INVALID_PARAMS' },
  [-32603]: { status: 502, code: 'INTERNAL_ERROR' },
};

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur: unknown = e; cur && out.length < 8; cur = (cur as { cause?: unknown }).cause) out.push(cur);
  return out;
}

/** True when the error means the session is gone (expired session id, closed stream): reconnect. */
export function isSessionLost(e: unknown): boolean {
  if (e instanceof SdkHttpError) return e.status === 404;
  return (
    e instanceof SdkError &&
    (e.code === SdkErrorCode.ConnectionClosed || e.code === SdkErrorCode.NotConnected)
  );
}

/** Maps any failure talking to an upstream MCP server to a LatchkeyError or ProviderError. */
export function upstreamError(e: unknown, caller: Caller, what: string): Error {
  if (isLatchkeyError(e) || e instanceof ProviderError) return e;
  const chain = causes(e);
  const refused = chain.find((c) => c instanceof UpstreamUnauthorized) as UpstreamUnauthorized | undefined;
  if (refused) {
    return new ProviderError({
      status: 401,
      code: 'UNAUTHENTICATED',
      providerMessage: refused.detail,
      connector: caller.service,
    });
  }
  if (e instanceof ProtocolError) {
    const known = JSON_RPC_STATUS[e.code] ?? { status: 502, code: `MCP_${e.code}` };
    return new ProviderError({
      status: known.status,
      code: known.code,
      providerMessage: e.message,
      connector: caller.service,
    });
  }
  if (e instanceof SdkHttpError && e.status > 0) {
    if (e.status === 401 || e.status === 403) {
      return new ProviderError({
        status: e.status,
        code: e.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        providerMessage: `the MCP server refused the request (HTTP ${e.status})`,
        connector: caller.service,
      });
    }
    return new ProviderError({
      status: e.status >= 500 ? 502 : e.status,
      code: `HTTP_${e.status}`,
      providerMessage: `the MCP server answered HTTP ${e.status} to ${what}`,
      httpStatus: e.status,
      connector: caller.service,
    });
  }
  if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout) {
    return new LatchkeyError(
      'deadline_exceeded',
      `${caller.service} MCP server did not answer ${what} in time`,
    );
  }
  const network = chain.find(
    (c) => c instanceof Error && ('code' in c || c.name === 'TypeError' || c.name === 'AbortError'),
  ) as (Error & { code?: string }) | undefined;
  const reason = network?.code ?? network?.message ?? (e as Error)?.message ?? String(e);
  return new LatchkeyError(
    'unavailable',
    `${caller.service} MCP server (${caller.serverUrl}) is unreachable for ${what}: ${reason}`,
  );
}

/** A discovery failure, marked TOOL_ERROR so SDKs report it instead of retrying blindly. */
export function discoveryError(e: Error, caller: Caller): LatchkeyError {
  if (isLatchkeyError(e) && e.code !== 'unavailable' && e.code !== 'deadline_exceeded') return e;
  let code: ErrorCode = isLatchkeyError(e) ? e.code : 'unavailable';
  if (e instanceof ProviderError && e.status === 401) code = 'unauthenticated';
  if (e instanceof ProviderError && e.status === 403) code = 'permission_denied';
  const detail = e instanceof ProviderError ? e.providerMessage : e.message;
  return new LatchkeyError(
    code,
    `could not list the tools of connection "${caller.connectionName}": ${detail}`,
    {
      errorCode: 'TOOL_ERROR',
      toolError: { executionId: '', message: detail, code: code.toUpperCase() },
    },
  );
}
