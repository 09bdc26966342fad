/**
 * The background refresher: keeps long-lived OAuth accounts fresh. Each round takes accounts whose
 * token expires before the next round (plus the margin) and refreshes each under a lease, so with
 * many gateways on one PostgreSQL database exactly one process handles each account.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../ops/log.ts';
import type { accountsRepo } from '../store/repos/accounts.ts';
import type { CredentialsService } from './credentials.ts';

const BATCH = 50;
const LEASE_MS = 60_000;

export function createRefresher(deps: {
  repo: ReturnType<typeof accountsRepo>;
  credentials: CredentialsService;
  clock: Clock;
  logger: Logger;
  intervalSeconds: number;
  marginSeconds: number;
}) {
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  /** One round; returns how many accounts it refreshed. */
  async function round(): Promise<number> {
    const now = deps.clock.now();
    const before = now + (deps.marginSeconds + deps.intervalSeconds) * 1000;
    const due = await deps.repo.dueForRefresh(before, now, BATCH);
    let refreshed = 0;
    for (const row of due) {
      if (stopped) break;
      if (!(await deps.repo.takeLease(row.id, owner, now, now + LEASE_MS))) continue;
      try {
        // Not forced: refreshes only if still due (another process may have done it).
        const outcome = await deps.credentials.refresh(row.id);
        if (outcome === 'refreshed') refreshed++;
      } catch (e) {
        deps.logger.warn({ account: row.id, err: (e as Error).message }, 'background refresh failed');
      } finally {
        await deps.repo.releaseLease(row.id, owner).catch(() => {});
      }
    }
    return refreshed;
  }

  function schedule() {
    if (stopped || deps.intervalSeconds <= 0) return;
    timer = setTimeout(() => {
      running = round()
        .catch((e) => {
          deps.logger.warn({ err: (e as Error).message }, 'background refresh round failed');
          return 0;
        })
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, deps.intervalSeconds * 1000);
    timer.unref();
  }

  return {
    round,
    start: schedule,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type Refresher = ReturnType<typeof createRefresher>;
