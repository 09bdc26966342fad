// The Slack imitation server: OAuth v2 facade + Web API under /api (real base https://slack.com/api).
import { Hono } from 'hono';
import { createFacade } from '../../auth/facade.ts';
import type { ResourceDefinition } from '../../auth/resources.ts';
import type { AuthServer } from '../../auth/server.ts';
import { createTokenVerifier } from '../../auth/verify.ts';
import { registerSlackApi } from './api.ts';
import { createSlackTokenInfo, registerSlackOAuth } from './oauth.ts';
import type { SlackState } from './state.ts';

export function createSlackApp(state: SlackState, auth: AuthServer, def: ResourceDefinition): Hono {
  const app = new Hono();
  const facade = createFacade(auth, def);
  registerSlackOAuth(app, { state, auth, facade });
  registerSlackApi(app, {
    state,
    verify: createTokenVerifier(auth, def),
    tokenInfo: createSlackTokenInfo(auth, facade),
    revokeGrant: (grantId) => facade.revokeGrant(grantId),
  });
  return app;
}
