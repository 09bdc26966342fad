/**
 * Periodic clean-up: tool execution records past their retention, and authorization requests
 * (links and flows) long expired. Idempotent, so several gateways running it together is harmless.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../ops/log.ts';
import type { Store } from '../store/store.ts';
import type { ToolExecution } from './tool-execution.ts';

const EVERY_MS = 60 * 60 * 1000;
const AUTH_REQUEST_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export function createHousekeeping(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  execution: ToolExecution;
  executionRetentionDays: number;
}) {
  let timer: NodeJS.Timeout | undefined;

  async function run(): Promise<{ executions: number; authRequests: number }> {
    const executions = await deps.execution.prune(deps.executionRetentionDays);
    const r = await deps.store.db
      .deleteFrom('auth_requests')
      .where('expires_at', '<', deps.clock.now() - AUTH_REQUEST_KEEP_MS)
      .where('status', 'in', ['created', 'completed', 'failed'])
      .executeTakeFirst();
    const authRequests = Number(r.numDeletedRows);
    if (executions + authRequests > 0)
      deps.logger.info({ executions, authRequests }, 'housekeeping removed old records');
    return { executions, authRequests };
  }

  return {
    run,
    start() {
      timer = setInterval(() => {
        run().catch((e) => deps.logger.warn({ err: (e as Error).message }, 'housekeeping failed'));
      }, EVERY_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
