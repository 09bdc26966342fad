// The GitHub imitation server: github.com's OAuth endpoints and api.github.com's REST API on one origin.
import { Hono } from 'hono';
import { createFacade } from '../../auth/facade.ts';
import type { ResourceDefinition } from '../../auth/resources.ts';
import type { AuthServer } from '../../auth/server.ts';
import { createTokenVerifier } from '../../auth/verify.ts';
import { type GithubEnv, registerGithubApi } from './api.ts';
import { registerGithubOAuth } from './oauth.ts';
import type { GithubState } from './state.ts';

export function createGithubApp(
  state: GithubState,
  auth: AuthServer,
  def: ResourceDefinition,
  base: string,
): Hono<GithubEnv> {
  const app = new Hono<GithubEnv>();
  registerGithubOAuth(app as unknown as Hono, { auth, facade: createFacade(auth, def) });
  registerGithubApi(app, { state, verify: createTokenVerifier(auth, def), base: () => base });
  app.notFound((c) =>
    c.json({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }, 404),
  );
  return app;
}
