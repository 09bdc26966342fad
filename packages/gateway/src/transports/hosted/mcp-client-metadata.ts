/**
 * GET /mcp-clients/:connectionId/client.json: the OAuth client ID metadata document (MCP
 * authorization, SEP-991) of a connection whose MCP connector registers that way. The document's
 * URL is the client_id; authorization servers fetch it instead of dynamic registration. Public by
 * design: it holds no secret (a public client with PKCE).
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../server/app.ts';
import type { Connections } from '../../services/connections.ts';
import type { Store } from '../../store/store.ts';
import type { Upstream } from '../../upstream/index.ts';

export function mountMcpClientMetadata(
  app: Hono<AppEnv>,
  deps: { store: Store; connections: Connections; upstream: Upstream },
): void {
  app.get('/mcp-clients/:id/client.json', async (c) => {
    const id = c.req.param('id');
    const row = /^conn_[A-Za-z0-9_-]{1,64}$/.test(id)
      ? await deps.store.db
          .selectFrom('connections')
          .select('environment_id')
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    const connection = row
      ? await deps.connections.get(row.environment_id, id).catch(() => undefined)
      : undefined;
    const doc = connection ? deps.upstream.clientMetadata(connection) : undefined;
    if (!doc) return c.json({ error: 'not_found', message: 'no client metadata document here' }, 404);
    c.header('cache-control', 'public, max-age=300');
    return c.json(doc);
  });
}
