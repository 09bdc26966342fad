// The sandbox: the outside world on loopback. One call starts a real OAuth 2.0/OIDC authorization server,
// imitations of provider APIs (Gmail, Google Calendar, Slack, GitHub, Notion, an API-key and a Basic-auth
// service) and an upstream MCP server, each on its own 127.0.0.1 port.
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { countTokenRequests } from './auth/controls.ts';
import type { AuthSettings } from './auth/oidc.ts';
import { resourceDefinitions } from './auth/resources.ts';
import { createAuthServer } from './auth/server.ts';
import { createTokenVerifier } from './auth/verify.ts';
import { type LateServer, listenLate } from './http/node.ts';
import { createMcpApp } from './mcp/server.ts';
import { createSanityState } from './mcp/state.ts';
import { startModelServer } from './model/index.ts';
import { ACME_HEADER, createAcmeCrm } from './providers/acmecrm.ts';
import { createGithubApp } from './providers/github/index.ts';
import { createGithubState } from './providers/github/state.ts';
import { createCalendarApp } from './providers/google/calendar.ts';
import { createCalendarState } from './providers/google/calendar-state.ts';
import { createGmailApp } from './providers/google/gmail.ts';
import { createGmailState } from './providers/google/gmail-state.ts';
import { createNotionApp } from './providers/notion/index.ts';
import { createNotionState } from './providers/notion/state.ts';
import { createSlackApp } from './providers/slack/index.ts';
import { createSlackState } from './providers/slack/state.ts';
import { createTicketDesk } from './providers/ticketdesk.ts';
import { buildProviders } from './providers.ts';
import type { SandboxState } from './state.ts';
import type { Sandbox, SandboxOptions } from './types.ts';
import { createUserDirectory } from './users.ts';

export { DENY_HINT } from './auth/interactions.ts';
export { type ModelServer, type Script, startModelServer } from './model/index.ts';
export type { SandboxState } from './state.ts';
export type * from './types.ts';
export { SANDBOX_PASSWORD, type SandboxUser, SEEDED_USERS } from './users.ts';

const SERVERS = [
  'authServer',
  'gmail',
  'googlecalendar',
  'slack',
  'github',
  'notion',
  'acmecrm',
  'ticketdesk',
  'mcpServer',
] as const;
type ServerName = (typeof SERVERS)[number];

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const now = (options.now ?? new Date()).getTime();
  const users = createUserDirectory();
  const listening = await Promise.all(SERVERS.map((name) => listenLate(host, options.ports?.[name] ?? 0)));
  const servers = Object.fromEntries(SERVERS.map((name, i) => [name, listening[i]])) as Record<
    ServerName,
    LateServer
  >;
  const url = (name: ServerName) => servers[name].url;
  const closers: Array<() => Promise<void>> = [];
  try {
    const bases = {
      gmail: url('gmail'),
      googlecalendar: `${url('googlecalendar')}/calendar/v3`,
      slack: `${url('slack')}/api`,
      github: url('github'),
      notion: url('notion'),
      sanitymcp: `${url('mcpServer')}/mcp`,
    };
    const definitions = resourceDefinitions(bases);
    const def = (slug: string) => {
      const found = definitions.find((d) => d.slug === slug);
      if (!found) throw new Error(`no resource definition for ${slug}`);
      return found;
    };
    const settings: AuthSettings = {
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 14 * 24 * 3600,
      autoApprove: options.autoApprove ?? true,
      denyConsent: false,
      delayMs: options.tokenEndpointDelayMs ?? 0,
      delayPhase: 'before',
      extraRedirectUris: new Set(options.redirectUris ?? []),
      defaultUser: users.defaultUser.name,
    };
    const model = await startModelServer({ ...options.model, host });
    closers.push(() => model.close());
    const auth = await createAuthServer({ issuer: url('authServer'), definitions, users, settings });
    servers.authServer.setHandler(auth.handle);

    const acme = createAcmeCrm(users, now);
    const desk = createTicketDesk(users, now, () => url('ticketdesk'));
    const state: SandboxState = {
      gmail: createGmailState(users, now),
      googlecalendar: createCalendarState(users, now),
      slack: createSlackState(users, now),
      github: createGithubState(users, now),
      notion: createNotionState(users, now),
      acmecrm: acme.state,
      ticketdesk: desk.state,
      sanitymcp: createSanityState(users, now),
    };
    const mcp = createMcpApp({
      state: state.sanitymcp,
      verify: createTokenVerifier(auth, def('sanitymcp')),
      def: def('sanitymcp'),
      issuer: auth.issuer,
    });
    closers.push(mcp.close);
    let closing = false;
    const mount = (name: ServerName, app: Hono<never> | Hono) => {
      const hono = app as Hono;
      // No stack traces to clients; failures while closing (in-flight delayed requests) stay quiet.
      hono.onError((err, c) => {
        if (!closing) process.emitWarning(`sandbox ${name} failed: ${err.message}`);
        return c.json({ error: 'internal_error' }, 500);
      });
      servers[name].setHandler(getRequestListener(hono.fetch, { overrideGlobalObjects: false }));
    };
    mount('gmail', createGmailApp(state.gmail, createTokenVerifier(auth, def('gmail'))));
    mount(
      'googlecalendar',
      createCalendarApp(state.googlecalendar, createTokenVerifier(auth, def('googlecalendar'))),
    );
    mount('slack', createSlackApp(state.slack, auth, def('slack')));
    mount('github', createGithubApp(state.github, auth, def('github'), url('github')) as unknown as Hono);
    mount('notion', createNotionApp(state.notion, auth, def('notion')));
    mount('acmecrm', acme.app);
    mount('ticketdesk', desk.app);
    mount('mcpServer', mcp.app);

    const providers = buildProviders({
      auth,
      definitions,
      bases,
      urls: {
        slack: url('slack'),
        github: url('github'),
        notion: url('notion'),
        acmecrm: url('acmecrm'),
        ticketdesk: url('ticketdesk'),
      },
      users,
      acme: { header: ACME_HEADER, keyOf: (u) => acme.state.keyOf(u) },
      desk: desk.state,
    });

    let closed = false;
    return {
      urls: {
        authServer: auth.issuer,
        mcpServer: bases.sanitymcp,
        gmail: bases.gmail,
        googlecalendar: bases.googlecalendar,
        slack: bases.slack,
        github: bases.github,
        notion: bases.notion,
        acmecrm: url('acmecrm'),
        ticketdesk: url('ticketdesk'),
        control: `${auth.issuer}/_sandbox`,
        model: model.url,
      },
      model,
      providers,
      users: users.names,
      get defaultUser() {
        return settings.defaultUser;
      },
      setDefaultUser: (user) => {
        const found = users.find(user);
        if (!found) throw new Error(`unknown sandbox user: ${user}`);
        settings.defaultUser = found.name;
      },
      state,
      allowRedirectUri: (uri) => {
        settings.extraRedirectUris.add(uri);
      },
      tokenRequests: (clientId) => auth.tokenRequests(clientId),
      tokenRequestCounts: (clientId) => countTokenRequests(auth.tokenRequests(clientId)),
      resetTokenRequests: () => auth.resetTokenRequests(),
      revokeGrants: (user, clientId) => auth.revokeGrants(user, clientId),
      setAutoApprove: (on) => {
        settings.autoApprove = on;
      },
      setDenyConsent: (on) => {
        settings.denyConsent = on;
      },
      setTokenEndpointDelay: (ms, phase = 'before') => auth.setDelay(ms, phase),
      setAccessTokenTtl: (seconds) => {
        settings.accessTokenTtlSeconds = Math.max(1, Math.floor(seconds));
      },
      async close() {
        if (closed) return;
        closed = true;
        closing = true;
        await Promise.all([...closers.map((c) => c()), ...listening.map((s) => s.close())]);
      },
    };
  } catch (err) {
    await Promise.all([...closers.map((c) => c()), ...listening.map((s) => s.close())]);
    throw err;
  }
}
