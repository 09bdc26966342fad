/**
 * REST endpoints Latchkey adds beside the Scalekit-compatible API (not in the proto files):
 *   GET /api/v1/connected_accounts/{id}/events   account history (created, authorized, refreshed, …)
 *   GET /api/v1/executions                       tool executions (filters: tool, identifier, connected_account_id)
 *   GET /api/v1/executions/{id}
 * Same authentication and error JSON as the compatible API.
 */
import type { Context, Hono } from 'hono';
import { invalidArgument, LatchkeyError } from '../../errors.ts';
import type { AppEnv } from '../../server/app.ts';
import type { Principal } from '../../services/api-access.ts';
import type { Services } from '../../services/index.ts';
import { toRestError, toRpcStatus } from '../compat/status.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function mountApiExtensions(
  app: Hono<AppEnv>,
  services: Services,
  report: (err: unknown) => void,
): void {
  const handle =
    (fn: (c: Context<AppEnv>, principal: Principal) => Promise<Response>) =>
    async (c: Context<AppEnv>): Promise<Response> => {
      try {
        const principal = await services.apiAccess.authenticate(c.req.header('authorization'));
        return await fn(c, principal);
      } catch (e) {
        const { httpStatus, body } = toRestError(toRpcStatus(e, c.get('requestId'), report));
        return c.json(body, httpStatus as 400);
      }
    };

  app.get(
    '/api/v1/connected_accounts/:id/events',
    handle(async (c, p) => {
      const events = await services.accounts.events(p.environmentId, { id: c.req.param('id') ?? '' });
      return c.json({
        events: events.map((e) => ({ id: e.id, type: e.type, reason: e.reason, at: iso(e.at) })),
      });
    }),
  );

  app.get(
    '/api/v1/executions',
    handle(async (c, p) => {
      const size = Number(c.req.query('page_size') ?? '50');
      if (!Number.isInteger(size) || size < 1 || size > 500)
        throw invalidArgument('page_size', 'must be an integer from 1 to 500');
      const rows = await services.execution.listExecutions(
        p.environmentId,
        {
          tool: c.req.query('tool'),
          identifier: c.req.query('identifier'),
          accountId: c.req.query('connected_account_id'),
        },
        size + 1,
        c.req.query('page_token') || undefined,
      );
      const page = rows.slice(0, size);
      return c.json({
        executions: page.map(view),
        next_page_token: rows.length > size ? page.at(-1)!.id : '',
      });
    }),
  );

  app.get(
    '/api/v1/executions/:id',
    handle(async (c, p) => {
      const id = c.req.param('id') ?? '';
      const row = await services.execution.getExecution(p.environmentId, id);
      if (!row) throw new LatchkeyError('not_found', `execution ${id} not found`);
      return c.json({ execution: view(row) });
    }),
  );
}

function view(r: {
  id: string;
  tool: string;
  status: string;
  account_id: string | null;
  connection_name: string | null;
  identifier: string | null;
  error_code: string | null;
  error_message: string | null;
  duration_ms: number;
  input_bytes: number;
  output_bytes: number;
  created_at: number;
}) {
  return {
    id: r.id,
    tool: r.tool,
    status: r.status,
    connected_account_id: r.account_id,
    connection_name: r.connection_name,
    identifier: r.identifier,
    error_code: r.error_code,
    error_message: r.error_message,
    duration_ms: r.duration_ms,
    input_bytes: r.input_bytes,
    output_bytes: r.output_bytes,
    created_at: iso(r.created_at),
  };
}
