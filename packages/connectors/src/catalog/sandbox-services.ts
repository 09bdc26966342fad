/**
 * Two sandbox-only services that exercise the non-OAuth credential forms against the Latchkey
 * sandbox (packages/sandbox): AcmeCRM (a Stripe-like API, key in the `X-API-Key` header) and
 * TicketDesk (a Zendesk-like API, HTTP Basic with the user's e-mail and an API token). Their base
 * URLs are the fictional hosts the sandbox stands in for; they only work through
 * sandboxConnector(def, { apiBaseUrl }).
 */
import type { ConnectorInput } from '../model/connector.ts';
import { CREATES, int, objectSchema, READ_ONLY, str } from './schema.ts';

export const acmecrm: ConnectorInput = {
  slug: 'acmecrm',
  display_name: 'AcmeCRM (sandbox)',
  description:
    'A sandbox CRM authenticated by an API key in the X-API-Key header: contacts and account info.',
  categories: ['CRM'],
  kind: 'rest',
  sandbox_only: true,
  auth: {
    type: 'api_key',
    placement: 'header',
    name: 'X-API-Key',
    field: 'api_key',
    fields: [
      {
        name: 'api_key',
        label: 'API key',
        type: 'password',
        hint: 'Your AcmeCRM secret key, e.g. acme_sk_…',
        required: true,
        pattern: '^acme_sk_[A-Za-z0-9_]{8,}$',
      },
    ],
    test_call: { method: 'GET', path: '/v1/me', expect_status: [200] },
  },
  api: { base_url: 'https://api.acmecrm.example' },
  errors: { code: ['error.code'], message: ['error.message'] },
  tools: [
    {
      name: 'acmecrm_get_account',
      display_name: 'Get account',
      description: 'Get the AcmeCRM account the stored API key belongs to. Returns {id, name, email}.',
      input_schema: objectSchema({}),
      annotations: READ_ONLY,
      executor: { type: 'http', method: 'GET', path: '/v1/me' },
    },
    {
      name: 'acmecrm_list_contacts',
      display_name: 'List contacts',
      description:
        'List contacts in the AcmeCRM address book, optionally only the one with an e-mail address. ' +
        'Returns {data: [{id, email, name, company, phone}], has_more}.',
      input_schema: objectSchema({
        limit: int('How many contacts to return (1-100, default 10).', { minimum: 1, maximum: 100 }),
        email: str('Only the contact with this e-mail address.'),
      }),
      annotations: READ_ONLY,
      executor: {
        type: 'http',
        method: 'GET',
        path: '/v1/contacts',
        query: { limit: { from: 'limit' }, email: { from: 'email' } },
        response: { omit: ['object', 'url'] },
      },
    },
    {
      name: 'acmecrm_create_contact',
      display_name: 'Create contact',
      description: 'Add a contact to the AcmeCRM address book. Returns the new contact {id, email, name, …}.',
      input_schema: objectSchema(
        {
          email: str('E-mail address of the contact.'),
          name: str('Full name.'),
          company: str('Company name.'),
          phone: str('Phone number.'),
        },
        ['email'],
      ),
      annotations: CREATES,
      executor: {
        type: 'http',
        method: 'POST',
        path: '/v1/contacts',
        body: {
          encoding: 'json',
          fields: {
            email: { from: 'email' },
            name: { from: 'name' },
            company: { from: 'company' },
            phone: { from: 'phone' },
          },
        },
      },
    },
  ],
};

export const ticketdesk: ConnectorInput = {
  slug: 'ticketdesk',
  display_name: 'TicketDesk (sandbox)',
  description: 'A sandbox help desk authenticated by HTTP Basic (e-mail and API token): tickets.',
  categories: ['Customer Support'],
  kind: 'rest',
  sandbox_only: true,
  auth: {
    type: 'basic',
    username_field: 'email',
    password_field: 'api_token',
    fields: [
      { name: 'email', label: 'E-mail', type: 'text', required: true, pattern: '^[^\\s@]+@[^\\s@]+$' },
      { name: 'api_token', label: 'API token', type: 'password', hint: 'e.g. tdk_…', required: true },
    ],
    test_call: { method: 'GET', path: '/api/v2/users/me', expect_status: [200] },
  },
  api: { base_url: 'https://example.ticketdesk.example' },
  errors: { code: ['error'], message: ['description', 'error'] },
  tools: [
    {
      name: 'ticketdesk_list_tickets',
      display_name: 'List tickets',
      description:
        'List help-desk tickets, oldest first, a page at a time. Returns {tickets: [...], count, next_page}.',
      input_schema: objectSchema({
        per_page: int('Tickets per page (1-100, default 100).', { minimum: 1, maximum: 100 }),
        page: int('Page number, from 1.', { minimum: 1 }),
      }),
      annotations: READ_ONLY,
      executor: {
        type: 'http',
        method: 'GET',
        path: '/api/v2/tickets',
        query: { per_page: { from: 'per_page' }, page: { from: 'page' } },
      },
    },
    {
      name: 'ticketdesk_create_ticket',
      display_name: 'Create ticket',
      description:
        'Open a help-desk ticket with a subject and a first comment. Returns {ticket: {id, status, …}}.',
      input_schema: objectSchema(
        {
          subject: str('Ticket subject.'),
          body: str('The first comment (the problem description).'),
          priority: str('Priority.', { enum: ['low', 'normal', 'high', 'urgent'] }),
        },
        ['body'],
      ),
      annotations: CREATES,
      executor: {
        type: 'http',
        method: 'POST',
        path: '/api/v2/tickets',
        body: {
          encoding: 'json',
          fields: {
            'ticket.subject': { from: 'subject' },
            'ticket.comment.body': { from: 'body' },
            'ticket.priority': { from: 'priority' },
          },
        },
      },
    },
  ],
};
