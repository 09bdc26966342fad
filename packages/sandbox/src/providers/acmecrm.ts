// "Acme CRM": an API-key service. The key travels in `X-API-Key`; errors look like Stripe's
// (`{error:{type, code, message, param?}}`). Each seeded user has an account with its own key and contacts.

import type { Context } from 'hono';
import { Hono } from 'hono';
import { hexId, numericId } from '../ids.ts';
import type { SandboxUser, UserDirectory } from '../users.ts';

export interface AcmeContact {
  id: string;
  object: 'contact';
  email: string;
  name: string | null;
  company: string | null;
  phone: string | null;
  created: number;
}

export interface AcmeCrmState {
  keyOf(user: string): string;
  contacts(user: string): AcmeContact[];
}

export const ACME_HEADER = 'X-API-Key';

export function createAcmeCrm(users: UserDirectory, now: number): { state: AcmeCrmState; app: Hono } {
  const keys = new Map<string, SandboxUser>();
  const books = new Map<string, AcmeContact[]>();
  const created = Math.floor(now / 1000);
  for (const user of users.all) {
    keys.set(`acme_sk_${hexId(24, 'acmecrm-key', user.name)}`, user);
    const contact = (i: number, name: string, email: string, company: string | null): AcmeContact => ({
      id: `cont_${hexId(14, 'acme-contact', user.name, i)}`,
      object: 'contact',
      email,
      name,
      company,
      phone: null,
      created: created - (10 - i) * 86_400,
    });
    books.set(user.name, [
      contact(1, 'Dana Scully', 'dana@fbi.example', 'FBI'),
      contact(2, 'Grace Hopper', 'grace@navy.example', 'US Navy'),
      contact(3, 'Ada Lovelace', 'ada@engines.example', 'Analytical Engines'),
      ...users.all
        .filter((u) => u !== user)
        .map((u, i) => contact(4 + i, u.displayName, u.email, 'Latchkey')),
    ]);
  }
  const state: AcmeCrmState = {
    keyOf: (user) => [...keys].find(([, u]) => u.name === user)?.[0] ?? '',
    contacts: (user) => [...(books.get(users.find(user)?.name ?? user) ?? [])],
  };

  type Status = 400 | 401 | 404 | 409;
  const fail = (c: Context, status: Status, type: string, code: string, message: string, param?: string) =>
    c.json({ error: { type, code, message, ...(param ? { param } : {}) } }, status);

  const app = new Hono<{ Variables: { user: SandboxUser } }>();
  app.use('/v1/*', async (c, next) => {
    const key = c.req.header(ACME_HEADER);
    if (!key)
      return fail(
        c,
        401,
        'authentication_error',
        'missing_api_key',
        `No API key provided. Send your key in the ${ACME_HEADER} header.`,
      );
    const user = keys.get(key);
    if (!user)
      return fail(
        c,
        401,
        'authentication_error',
        'invalid_api_key',
        `Invalid API key provided: ${key.slice(0, 12)}****`,
      );
    c.set('user', user);
    return next();
  });
  const book = (c: Context<{ Variables: { user: SandboxUser } }>) => books.get(c.get('user').name) ?? [];

  app.get('/v1/me', (c) => {
    const u = c.get('user');
    return c.json({
      object: 'account',
      id: `acct_${numericId('acme-account', u.name)}`,
      name: `${u.displayName}'s CRM`,
      email: u.email,
    });
  });
  app.get('/v1/contacts', (c) => {
    const limit = Number(c.req.query('limit') ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return fail(
        c,
        400,
        'invalid_request_error',
        'parameter_invalid_integer',
        'Invalid integer: limit must be between 1 and 100.',
        'limit',
      );
    }
    const email = c.req.query('email')?.toLowerCase();
    const after = c.req.query('starting_after');
    let list = book(c).filter((x) => !email || x.email === email);
    if (after) {
      const index = list.findIndex((x) => x.id === after);
      if (index < 0)
        return fail(
          c,
          400,
          'invalid_request_error',
          'resource_missing',
          `No such contact: '${after}'`,
          'starting_after',
        );
      list = list.slice(index + 1);
    }
    return c.json({
      object: 'list',
      url: '/v1/contacts',
      has_more: list.length > limit,
      data: list.slice(0, limit),
    });
  });
  app.get('/v1/contacts/:id', (c) => {
    const found = book(c).find((x) => x.id === c.req.param('id'));
    if (!found)
      return fail(
        c,
        404,
        'invalid_request_error',
        'resource_missing',
        `No such contact: '${c.req.param('id')}'`,
        'id',
      );
    return c.json(found);
  });
  app.post('/v1/contacts', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object')
      return fail(
        c,
        400,
        'invalid_request_error',
        'parameter_missing',
        'Missing required param: email.',
        'email',
      );
    const email = typeof body['email'] === 'string' ? body['email'].trim().toLowerCase() : '';
    if (!email)
      return fail(
        c,
        400,
        'invalid_request_error',
        'parameter_missing',
        'Missing required param: email.',
        'email',
      );
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      return fail(
        c,
        400,
        'invalid_request_error',
        'email_invalid',
        `Invalid email address: ${email}`,
        'email',
      );
    const list = book(c);
    if (list.some((x) => x.email === email)) {
      return fail(
        c,
        409,
        'invalid_request_error',
        'resource_already_exists',
        `A contact with email ${email} already exists.`,
        'email',
      );
    }
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : null);
    const contact: AcmeContact = {
      id: `cont_${hexId(14, 'acme-contact-new', c.get('user').name, Date.now(), list.length)}`,
      object: 'contact',
      email,
      name: str('name'),
      company: str('company'),
      phone: str('phone'),
      created: Math.floor(Date.now() / 1000),
    };
    list.push(contact);
    return c.json(contact, 201);
  });
  app.notFound((c) =>
    fail(
      c,
      404,
      'invalid_request_error',
      'url_invalid',
      `Unrecognized request URL (${c.req.method}: ${c.req.path}).`,
    ),
  );
  return { state, app: app as unknown as Hono };
}
