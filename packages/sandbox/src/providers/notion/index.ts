// The Notion imitation server: OAuth endpoints and the REST API under /v1 (real base https://api.notion.com).
import { Hono } from 'hono';
import { createFacade } from '../../auth/facade.ts';
import type { ResourceDefinition } from '../../auth/resources.ts';
import type { AuthServer } from '../../auth/server.ts';
import { createTokenVerifier } from '../../auth/verify.ts';
import { notionError, registerNotionApi } from './api.ts';
import { registerNotionOAuth } from './oauth.ts';
import type { NotionState } from './state.ts';

export function createNotionApp(state: NotionState, auth: AuthServer, def: ResourceDefinition): Hono {
  const app = new Hono();
  registerNotionOAuth(app, { state, auth, facade: createFacade(auth, def) });
  registerNotionApi(app, { state, verify: createTokenVerifier(auth, def) });
  app.notFound((c) => notionError(c, 400, 'invalid_request_url', 'Invalid request URL.'));
  return app;
}
