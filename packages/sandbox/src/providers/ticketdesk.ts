// "TicketDesk": a help-desk API behind HTTP Basic auth (username = the user's e-mail, password = an API
// token), shaped like Zendesk's Support API (`/api/v2/tickets[.json]`, `{ticket}` / `{tickets, next_page}`).

import type { Context } from 'hono';
import { Hono } from 'hono';
import { hexId, numericId } from '../ids.ts';
import type { SandboxUser, UserDirectory } from '../users.ts';

export interface Ticket {
  id: number;
  subject: string;
  description: string;
  status: 'new' | 'open' | 'pending' | 'solved' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'urgent' | null;
  requesterEmail: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TicketDeskState {
  credentialsOf(user: string): { username: string; password: string };
  tickets(user: string): Ticket[];
}

type Env = { Variables: { user: SandboxUser } };

export function createTicketDesk(
  users: UserDirectory,
  now: number,
  base: () => string,
): { state: TicketDeskState; app: Hono } {
  const tokens = new Map<string, string>();
  const desks = new Map<string, Ticket[]>();
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let next = 1000;
  for (const user of users.all) {
    tokens.set(user.name, `tdk_${hexId(20, 'ticketdesk-token', user.name)}`);
    const t = (
      subject: string,
      description: string,
      status: Ticket['status'],
      priority: Ticket['priority'],
      from: string,
      days: number,
      tags: string[],
    ): Ticket => ({
      id: next++,
      subject,
      description,
      status,
      priority,
      requesterEmail: from,
      tags,
      createdAt: iso(now - days * 86_400_000),
      updatedAt: iso(now - (days / 2) * 86_400_000),
    });
    desks.set(user.name, [
      t(
        'Cannot reset my password',
        'The reset e-mail never arrives.',
        'open',
        'high',
        'carol@customer.example',
        3,
        ['login', 'email'],
      ),
      t(
        'Invoice shows the wrong VAT number',
        'Our VAT number is FR123456789.',
        'new',
        'normal',
        'billing@acme.example',
        1,
        ['billing'],
      ),
      t(
        'Feature request: dark mode',
        'Please add a dark theme.',
        'solved',
        'low',
        'dan@customer.example',
        12,
        ['feature_request'],
      ),
    ]);
  }
  const state: TicketDeskState = {
    credentialsOf: (user) => ({
      username: users.get(user).email,
      password: tokens.get(users.get(user).name) ?? '',
    }),
    tickets: (user) => [...(desks.get(users.find(user)?.name ?? user) ?? [])],
  };
  const ticketJson = (tk: Ticket, owner: SandboxUser) => ({
    url: `${base()}/api/v2/tickets/${tk.id}.json`,
    id: tk.id,
    external_id: null,
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    created_at: tk.createdAt,
    updated_at: tk.updatedAt,
    type: null,
    subject: tk.subject,
    raw_subject: tk.subject,
    description: tk.description,
    priority: tk.priority,
    status: tk.status,
    recipient: null,
    requester_id: numericId('ticketdesk-user', tk.requesterEmail),
    submitter_id: numericId('ticketdesk-user', tk.requesterEmail),
    assignee_id: numericId('ticketdesk-user', owner.email),
    organization_id: null,
    group_id: null,
    tags: tk.tags,
    custom_fields: [],
  });

  const app = new Hono<Env>();
  app.use('/api/v2/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const decoded = header.toLowerCase().startsWith('basic ')
      ? Buffer.from(header.slice(6), 'base64').toString('utf8')
      : '';
    const colon = decoded.indexOf(':');
    const email =
      colon > 0
        ? decoded
            .slice(0, colon)
            .replace(/\/token$/, '')
            .toLowerCase()
        : '';
    const user = users.all.find((u) => u.email === email);
    if (!user || decoded.slice(colon + 1) !== tokens.get(user.name)) {
      c.header('WWW-Authenticate', 'Basic realm="Web Password"');
      return c.json({ error: "Couldn't authenticate you" }, 401);
    }
    c.set('user', user);
    return next();
  });
  const desk = (c: Context<Env>) => desks.get(c.get('user').name) ?? [];
  const notFound = (c: Context) => c.json({ error: 'RecordNotFound', description: 'Not found' }, 404);

  const list = (c: Context<Env>) => {
    const perPage = Math.min(Math.max(Number(c.req.query('per_page') ?? 100) || 100, 1), 100);
    const page = Math.max(Number(c.req.query('page') ?? 1) || 1, 1);
    const all = desk(c);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => `${base()}/api/v2/tickets.json?page=${p}&per_page=${perPage}`;
    return c.json({
      tickets: slice.map((tk) => ticketJson(tk, c.get('user'))),
      next_page: page * perPage < all.length ? link(page + 1) : null,
      previous_page: page > 1 ? link(page - 1) : null,
      count: all.length,
    });
  };
  const show = (c: Context<Env>) => {
    const id = Number(c.req.param('id')?.replace(/\.json$/, ''));
    const tk = desk(c).find((x) => x.id === id);
    return tk ? c.json({ ticket: ticketJson(tk, c.get('user')) }) : notFound(c);
  };
  const create = async (c: Context<Env>) => {
    const body = (await c.req.json().catch(() => undefined)) as
      | { ticket?: Record<string, unknown> }
      | undefined;
    const input = body?.ticket;
    if (!input || typeof input !== 'object') {
      return c.json(
        {
          error: 'RecordInvalid',
          description: 'Record validation errors',
          details: { base: [{ description: 'Ticket is required', error: 'BlankValue' }] },
        },
        422,
      );
    }
    const comment = (input['comment'] as { body?: unknown } | undefined)?.body;
    if (typeof comment !== 'string' || !comment.trim()) {
      return c.json(
        {
          error: 'RecordInvalid',
          description: 'Record validation errors',
          details: { description: [{ description: 'Description: cannot be blank', error: 'BlankValue' }] },
        },
        422,
      );
    }
    const priority = ['low', 'normal', 'high', 'urgent'].includes(String(input['priority']))
      ? (input['priority'] as Ticket['priority'])
      : null;
    const at = iso(Date.now());
    const tk: Ticket = {
      id: next++,
      subject: typeof input['subject'] === 'string' ? input['subject'] : comment.slice(0, 60),
      description: comment,
      status: 'new',
      priority,
      requesterEmail: c.get('user').email,
      tags: Array.isArray(input['tags']) ? input['tags'].map(String) : [],
      createdAt: at,
      updatedAt: at,
    };
    desk(c).push(tk);
    c.header('Location', `${base()}/api/v2/tickets/${tk.id}.json`);
    return c.json({ ticket: ticketJson(tk, c.get('user')) }, 201);
  };
  app.get('/api/v2/users/me', (c) =>
    c.json({
      user: {
        id: numericId('ticketdesk-user', c.get('user').email),
        name: c.get('user').displayName,
        email: c.get('user').email,
        role: 'agent',
      },
    }),
  );
  app.get('/api/v2/users/me.json', (c) =>
    c.json({
      user: {
        id: numericId('ticketdesk-user', c.get('user').email),
        name: c.get('user').displayName,
        email: c.get('user').email,
        role: 'agent',
      },
    }),
  );
  app.get('/api/v2/tickets', list);
  app.get('/api/v2/tickets.json', list);
  app.post('/api/v2/tickets', create);
  app.post('/api/v2/tickets.json', create);
  app.get('/api/v2/tickets/:id', show);
  app.notFound((c) => c.json({ error: 'InvalidEndpoint', description: 'Not found' }, 404));
  return { state, app: app as unknown as Hono };
}
