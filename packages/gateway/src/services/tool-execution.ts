/**
 * ExecuteTool (DESIGN §5 "Execute tool"): resolve the account → validate the input → run the
 * executor through a ToolRuntime that injects the account's credentials (one refresh and retry on
 * a provider 401) → `{data, execution_id}`. Provider failures become TOOL_ERROR with the provider's
 * status, code and message. Every execution is recorded without inputs, outputs or secrets.
 */

import { isProviderError, isToolInputError, type ProviderError, runTool } from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { newSortableId } from '../crypto/secrets.ts';
import type { Egress } from '../egress/egress.ts';
import { type ErrorCode, invalidArgument, isLatchkeyError, LatchkeyError } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import { type ExecutionRow, executionsRepo } from '../store/repos/executions.ts';
import type { Store } from '../store/store.ts';
import type { AccountAccess, UpstreamTarget } from './account-access.ts';
import type { Accounts } from './accounts.ts';
import type { Principal } from './api-access.ts';
import type { Connections } from './connections.ts';
import type { HttpFetch } from './oauth.ts';
import { createToolRuntime } from './tool-runtime.ts';
import type { ToolEntry, Tools } from './tools.ts';

export interface ExecuteRequest {
  toolName: string;
  params: Record<string, unknown>;
  identifier?: string | undefined;
  connectedAccountId?: string | undefined;
  /** Connection name, or connector slug. */
  connector?: string | undefined;
}

export interface ExecuteResult {
  data: Record<string, unknown>;
  executionId: string;
}

/** Calls a tool on an upstream MCP server as the account (implemented by the upstream MCP client). */
export type UpstreamCaller = (
  target: UpstreamTarget,
  name: string,
  args: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

const MAX_ERROR_CHARS = 500;
const RECORD_BATCH = 500;

/** gRPC-style code for a provider's HTTP status (TOOL_ERROR keeps the SDK from retrying). */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 409) return 'aborted';
  if (status === 429) return 'resource_exhausted';
  if (status === 400 || status === 422) return 'invalid_argument';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'internal';
}

export function createToolExecution(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  tools: Tools;
  accounts: Accounts;
  connections: Connections;
  access: AccountAccess;
  fetch: HttpFetch;
  /** Provider calls go through the egress (pools, SSRF guard) when given, else through `fetch`. */
  egress?: Egress | undefined;
  upstream?: UpstreamCaller | undefined;
  /** Record executions (false when the retention is 0 days). */
  record?: boolean;
}) {
  const { tools, access, clock, logger } = deps;
  const executions = executionsRepo(deps.store.db);

  /** The account the caller means, with a clear error when it is missing, ambiguous or inactive. */
  async function resolveTarget(
    principal: Principal,
    req: ExecuteRequest,
    entry?: ToolEntry,
  ): Promise<UpstreamTarget> {
    if (req.connectedAccountId) {
      return access.resolve(principal, { accountId: req.connectedAccountId, identifier: req.identifier });
    }
    if (!req.identifier) {
      throw new LatchkeyError(
        'invalid_argument',
        'name the user: identifier (with connector) or connected_account_id',
        {
          violations: [
            { field: 'identifier', description: 'is required when connected_account_id is not given' },
          ],
        },
      );
    }
    if (req.connector)
      return access.resolve(principal, { connectionName: req.connector, identifier: req.identifier });
    // Only the tool is named: find the user's accounts on connections of its connector.
    const slug = entry!.connector.slug;
    const { accounts } = await deps.accounts.list(principal.environmentId, {
      identifier: req.identifier,
      pageSize: 100,
    });
    const candidates = accounts.filter((a) => a.connection.connector.slug === slug);
    if (candidates.length === 0) {
      throw new LatchkeyError(
        'not_found',
        `"${req.identifier}" has no connected account for ${entry!.connector.display_name}; create an authorization link (GetMagicLinkForConnectedAccount / actions.getAuthorizationLink) for a ${slug} connection`,
        { errorCode: 'CONNECTED_ACCOUNT_NOT_FOUND' },
      );
    }
    if (candidates.length > 1) {
      throw new LatchkeyError(
        'invalid_argument',
        `"${req.identifier}" has accounts on several ${slug} connections (${candidates.map((a) => a.connection.name).join(', ')}); name one as connector`,
        {
          violations: [
            {
              field: 'connector',
              description: `one of ${candidates.map((a) => a.connection.name).join(', ')}`,
            },
          ],
        },
      );
    }
    return access.resolve(principal, { accountId: candidates[0]!.id });
  }

  // Execution records are written behind the answer, batched per event-loop turn: the caller never
  // waits for the insert, and under load one statement writes many rows. Reads flush first, and so
  // does shutdown; a process killed mid-turn loses that turn's records (observability, not state).
  const pending: ExecutionRow[] = [];
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();
  function flush(): Promise<void> {
    scheduled = false;
    if (pending.length === 0) return writing;
    const rows = pending.splice(0, pending.length);
    writing = writing.then(async () => {
      for (let i = 0; i < rows.length; i += RECORD_BATCH) {
        const batch = rows.slice(i, i + RECORD_BATCH);
        try {
          await executions.insertMany(batch);
        } catch (e) {
          logger.warn({ err: (e as Error).message, count: batch.length }, 'could not record tool executions');
        }
      }
    });
    return writing;
  }
  function record(row: ExecutionRow): void {
    if (deps.record === false) return;
    pending.push(row);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  return {
    async execute(principal: Principal, req: ExecuteRequest): Promise<ExecuteResult> {
      if (!req.toolName) throw invalidArgument('tool_name', 'is required');
      const started = performance.now();
      const executionId = newSortableId('exec');
      const env = principal.environmentId;
      // Resolving the connection first lets an MCP connection name its discovered tools.
      let target: UpstreamTarget | undefined;
      let entry: ToolEntry;
      if (req.connector || req.connectedAccountId) {
        target = await resolveTarget(principal, req);
        if (target.connector.kind === 'mcp') {
          const connection = await deps.connections.get(env, target.connectionId);
          const account = await deps.accounts.get(env, { id: target.accountId });
          entry = await tools.find(env, req.toolName, connection, account);
        } else {
          // a catalog connector's tools are known without reading the connection and account again
          entry = tools.findOf(target.connector, req.toolName, target.connectionName);
        }
      } else {
        entry = await tools.find(env, req.toolName);
      }
      const input = tools.validate(entry.tool, req.params);
      target ??= await resolveTarget(principal, req, entry);
      if (target.connector.slug !== entry.connector.slug) {
        throw new LatchkeyError(
          'invalid_argument',
          `tool ${req.toolName} belongs to ${entry.connector.slug}, but connection "${target.connectionName}" is ${target.connector.slug}`,
          {
            violations: [{ field: 'connector', description: `must be a ${entry.connector.slug} connection` }],
          },
        );
      }
      const inputBytes = Buffer.byteLength(JSON.stringify(input));
      const base = {
        id: executionId,
        environment_id: env,
        account_id: target.accountId,
        connection_name: target.connectionName,
        identifier: target.identifier,
        tool: entry.tool.name,
        input_bytes: inputBytes,
        created_at: clock.now(),
      };
      try {
        const data = await runTool(entry.connector, entry.tool, input, createToolRuntime(deps, target));
        access.touch(target);
        record({
          ...base,
          status: 'success',
          error_code: null,
          error_message: null,
          duration_ms: Math.round(performance.now() - started),
          output_bytes: Buffer.byteLength(JSON.stringify(data)),
        });
        return { data, executionId };
      } catch (e) {
        const failure = toToolError(e, executionId, entry.connector.display_name);
        if (failure.code === 'internal')
          logger.error({ err: e, executionId, tool: entry.tool.name }, 'tool execution failed');
        record({
          ...base,
          status: 'error',
          error_code: failure.toolError?.code ?? failure.code,
          error_message: failure.message.slice(0, MAX_ERROR_CHARS),
          duration_ms: Math.round(performance.now() - started),
          output_bytes: 0,
        });
        throw failure;
      }
    },

    async listExecutions(...args: Parameters<typeof executions.list>) {
      await flush();
      return executions.list(...args);
    },
    async getExecution(...args: Parameters<typeof executions.get>) {
      await flush();
      return executions.get(...args);
    },
    /** Deletes execution records older than the retention; returns how many. */
    async prune(retentionDays: number) {
      await flush();
      return executions.prune(clock.now() - retentionDays * 86_400_000);
    },
    /** Writes pending execution records now (shutdown). */
    flush,
  };
}

/** Turns any execution failure into the LatchkeyError the transports send. */
function toToolError(e: unknown, executionId: string, service: string): LatchkeyError {
  if (isProviderError(e)) {
    const p = e as ProviderError;
    return new LatchkeyError(codeForStatus(p.status), `${service} error ${p.code}: ${p.providerMessage}`, {
      errorCode: 'TOOL_ERROR',
      toolError: { executionId, message: p.providerMessage, code: p.code },
    });
  }
  if (isToolInputError(e)) {
    const err = e as Error & { field?: string };
    return new LatchkeyError('invalid_argument', err.message, {
      violations: [{ field: `params.${err.field ?? ''}`, description: err.message }],
      toolError: { executionId, message: err.message, code: 'INVALID_INPUT' },
    });
  }
  if (isLatchkeyError(e)) {
    // Gateway-side failures (unreachable provider, refresh refused, too large) keep their code and
    // carry the execution id; they are tool errors when the provider side caused them.
    const providerSide =
      e.code === 'unavailable' || e.code === 'deadline_exceeded' || e.code === 'resource_exhausted';
    if (!providerSide) return e;
    return new LatchkeyError(e.code, e.message, {
      errorCode: 'TOOL_ERROR',
      toolError: { executionId, message: e.message, code: e.code.toUpperCase() },
    });
  }
  return new LatchkeyError(
    'internal',
    `the ${service} tool failed with an internal error (execution ${executionId})`,
    {
      errorCode: 'TOOL_ERROR',
      toolError: { executionId, message: 'internal error', code: 'INTERNAL' },
    },
  );
}

export type ToolExecution = ReturnType<typeof createToolExecution>;
