/**
 * Hosted connect pages: GET /connect/:token (authorization link landing), POST /connect/form
 * (credential form), GET /oauth/callback (provider redirect), GET /connect/verified/:id.
 * Link tokens are secrets: these responses forbid caching, framing and referrers.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../server/app.ts';
import type { Authorization, AuthStep } from '../../services/authorization.ts';
import { page, renderStep } from './pages.ts';

const MAX_FORM_BYTES = 16 * 1024;

function respond(c: Context<AppEnv>, step: AuthStep): Response {
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  );
  if (step.kind === 'redirect') return c.redirect(step.location, 302);
  const { status, html } = renderStep(step);
  return c.html(html, status as 200);
}

export function mountHostedPages(app: Hono<AppEnv>, authorization: Authorization): void {
  app.get('/connect/verified/:id', async (c) =>
    respond(c, await authorization.verifiedPage(c.req.param('id'))),
  );

  app.get('/connect/:token', async (c) => respond(c, await authorization.openLink(c.req.param('token'))));

  app.post('/connect/form', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const text = await c.req.text();
    if (!type.startsWith('application/x-www-form-urlencoded') || text.length > MAX_FORM_BYTES) {
      return respond(c, {
        kind: 'error',
        status: 400,
        title: 'Invalid form',
        reason: 'the form could not be read; start again from the link',
      });
    }
    const form = new URLSearchParams(text);
    const values: Record<string, string> = {};
    for (const [k, v] of form) if (k !== 'flow') values[k] = v;
    return respond(c, await authorization.submitForm(form.get('flow') ?? undefined, values));
  });

  app.get('/oauth/callback', async (c) =>
    respond(c, await authorization.callback(new URL(c.req.url).searchParams)),
  );

  app.get('/connect', (c) =>
    c.html(page('Latchkey', '<p>Open the authorization link your app gave you.</p>'), 404),
  );
}
