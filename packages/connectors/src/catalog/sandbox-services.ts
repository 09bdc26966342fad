/**
 * Two sandbox-only services that exercise the non-OAuth credential forms against the Latchkey
 * sandbox (packages/sandbox). Their base URLs are placeholders under the reserved `.invalid` TLD:
 * they only work through sandboxConnector(def, { apiBaseUrl }).
 *
 * The sandbox imitation is expected to serve, relative to its base URL:
 *   sandbox_apikey: GET /me, GET /items?limit=  — key in header `X-API-Key`
 *   sandbox_basic:  GET /me, GET /items?limit=  — HTTP Basic username/password
 * answering 200 JSON, and 401 `{"error": {"code": "unauthorized", "message": "..."}}` on bad
 * credentials. (Names and paths to be aligned with the sandbox branch by the lead.)
 */
import type { ConnectorInput } from '../model/connector.ts';
import { int, objectSchema, READ_ONLY } from './schema.ts';

const errors = { code: ['error.code', 'code'], message: ['error.message', 'message'] };
const itemsSchema = objectSchema({
  limit: int('How many items to return (default 10).', { minimum: 1, maximum: 100 }),
});
const testCall = { method: 'GET' as const, path: '/me', expect_status: [200] };

function tools(slug: string): ConnectorInput['tools'] {
  return [
    {
      name: `${slug}_get_profile`,
      display_name: 'Get profile',
      description: 'Get the profile of the account the stored credentials belong to. Returns {id, name, …}.',
      input_schema: objectSchema({}),
      annotations: READ_ONLY,
      executor: { type: 'http', method: 'GET', path: '/me' },
    },
    {
      name: `${slug}_list_items`,
      display_name: 'List items',
      description: "List the account's items, newest first. Returns {items: [{id, name, …}]}.",
      input_schema: itemsSchema,
      annotations: READ_ONLY,
      executor: { type: 'http', method: 'GET', path: '/items', query: { limit: { from: 'limit' } } },
    },
  ];
}

export const sandboxApiKey: ConnectorInput = {
  slug: 'sandbox_apikey',
  display_name: 'Sandbox API-key service',
  description: 'A sandbox service authenticated by an API key in the X-API-Key header.',
  categories: ['Developer Tools'],
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
        hint: 'Any key the sandbox issued, e.g. sk_test_…',
        required: true,
        pattern: '^\\S{8,}$',
      },
    ],
    test_call: testCall,
  },
  api: { base_url: 'https://sandbox-apikey.latchkey.invalid' },
  errors,
  tools: tools('sandbox_apikey'),
};

export const sandboxBasic: ConnectorInput = {
  slug: 'sandbox_basic',
  display_name: 'Sandbox basic-auth service',
  description: 'A sandbox service authenticated by HTTP Basic username and password.',
  categories: ['Developer Tools'],
  kind: 'rest',
  sandbox_only: true,
  auth: {
    type: 'basic',
    username_field: 'username',
    password_field: 'password',
    fields: [
      { name: 'username', label: 'Username', type: 'text', required: true },
      { name: 'password', label: 'Password', type: 'password', required: true },
    ],
    test_call: testCall,
  },
  api: { base_url: 'https://sandbox-basic.latchkey.invalid' },
  errors,
  tools: tools('sandbox_basic'),
};
