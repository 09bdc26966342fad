/**
 * The access log line and HTTP metrics of requests served outside the Hono app (raw Node hot
 * paths: proxy, REST RPCs), in the same shape as app.ts writes them: path through `safePath`,
 * never a query string, never headers.
 */
import { type Logger, safePath } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';

export interface AccessRecord {
  method: string;
  /** Route pattern for metrics (bounded set), e.g. `/proxy/*`, `/api/v1/execute_tool`. */
  route: string;
  /** Request path without the query. */
  path: string;
  status: number;
  seconds: number;
  requestId: string;
  /** Extra fields for the log line (e.g. the connection name). */
  extra?: Record<string, string>;
}

export function createAccessLog(logger: Logger, metrics: Metrics): (r: AccessRecord) => void {
  return (r) => {
    metrics.httpRequests.inc({ method: r.method, route: r.route, status: String(r.status) });
    metrics.httpDuration.observe({ method: r.method, route: r.route }, r.seconds);
    logger.info(
      {
        reqId: r.requestId,
        method: r.method,
        path: safePath(r.path),
        status: r.status,
        ms: Math.round(r.seconds * 1000),
        ...r.extra,
      },
      'request',
    );
  };
}
