/**
 * The HTTP application (Hono): request ids, access log + metrics, error mapping, ops routes,
 * the token endpoint and JWKS. Transports (compat REST, proxy, MCP, hosted pages) are mounted
 * by the composition root.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { isLatchkeyError } from '../errors.ts';
import { type Logger, safePath } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Store } from '../store/store.ts';
import { httpStatusOf } from './http-errors.ts';

export interface AppEnv {
  Variables: { requestId: string };
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  store: Store;
  /** Extra readiness checks (name → throws when not ready). */
  readiness?: Record<string, () => Promise<void>>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(header: string | undefined | null): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { logger, metrics } = deps;
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    const route = c.req.routePath && c.req.routePath !== '/*' ? safePath(c.req.routePath) : 'unmatched';
    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    if (route !== '/healthz' && route !== '/metrics') {
      logger.info(
        {
          reqId: requestId,
          method: c.req.method,
          path: safePath(c.req.path),
          status,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    }
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId');
    if (isLatchkeyError(err)) {
      return c.json({ error: err.code, message: err.message, request_id: requestId }, httpStatusOf(err.code));
    }
    logger.error({ reqId: requestId, err }, 'unhandled error');
    return c.json({ error: 'internal', message: 'internal error', request_id: requestId }, 500);
  });

  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route for ${c.req.method} ${safePath(c.req.path)}` }, 404),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await deps.store.ping();
      checks['store'] = 'ok';
      const pending = await deps.store.pendingMigrations();
      checks['migrations'] = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
      if (pending.length > 0) ready = false;
    } catch (e) {
      ready = false;
      checks['store'] = `unreachable: ${(e as Error).message}`;
    }
    for (const [name, check] of Object.entries(deps.readiness ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (e) {
        ready = false;
        checks[name] = (e as Error).message;
      }
    }
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });

  return app;
}
