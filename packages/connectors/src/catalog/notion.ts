/**
 * Notion. API: Notion API version 2025-09-03 (shared/specs/notion/notion-openapi.json, partial),
 * base https://api.notion.com. Public-integration OAuth: no scopes (access is chosen by the user on
 * the consent page), client basic auth and a JSON body at the token endpoint, `owner=user`.
 * Revocation: POST /v1/oauth/revoke (basic auth, JSON {token}); not in the partial spec, from
 * Notion's API reference.
 */
import { ToolInputError } from '../errors.ts';
import type { ConnectorInput } from '../model/connector.ts';
import type { ToolContext } from '../runtime/types.ts';
import { CREATES, int, obj, objectSchema, READ_ONLY, str } from './schema.ts';

const NOTION_VERSION = '2025-09-03';
const VERSION_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

async function createPage(ctx: ToolContext): Promise<Record<string, unknown>> {
  const i = ctx.input;
  const given = (k: string): boolean => i[k] !== undefined && i[k] !== null && i[k] !== '';
  const targets = ['database_id', 'parent_page_id', '_parent'].filter(given);
  if (targets.length !== 1) {
    throw new ToolInputError(
      'parent_page_id',
      'give exactly one of database_id, parent_page_id (or _parent)',
    );
  }
  if (given('database_id') && !given('properties')) {
    throw new ToolInputError('properties', 'are required for a database row (the title property at least)');
  }
  const parent = given('database_id')
    ? { database_id: i['database_id'] }
    : given('parent_page_id')
      ? { page_id: i['parent_page_id'] }
      : i['_parent'];
  const body: Record<string, unknown> = { parent, properties: i['properties'] ?? {} };
  if (Array.isArray(i['child_blocks']) && i['child_blocks'].length > 0) body['children'] = i['child_blocks'];
  if (given('icon')) body['icon'] = i['icon'];
  if (given('cover')) body['cover'] = i['cover'];
  const version = typeof i['notion_version'] === 'string' ? i['notion_version'] : undefined;
  if (version !== undefined && !new RegExp(VERSION_PATTERN).test(version)) {
    throw new ToolInputError('notion_version', 'must look like 2025-09-03');
  }
  const res = await ctx.call({
    method: 'POST',
    path: '/v1/pages',
    body: { json: body },
    ...(version === undefined ? {} : { headers: { 'Notion-Version': version } }),
  });
  return res.body as Record<string, unknown>;
}

export const notion: ConnectorInput = {
  slug: 'notion',
  display_name: 'Notion',
  description:
    'Search, read and create pages in the Notion workspace pages the user shared with the integration.',
  categories: ['Project Management', 'Files & Documents', 'Collaboration'],
  docs_url: 'https://developers.notion.com/reference',
  kind: 'rest',
  auth: {
    type: 'oauth2',
    grant_type: 'authorization_code',
    authorization_url: 'https://api.notion.com/v1/oauth/authorize',
    token_url: 'https://api.notion.com/v1/oauth/token',
    pkce: false,
    client_auth: 'client_secret_basic',
    scopes: { default: [], available: [], separator: ' ', param: 'scope' },
    authorization_params: { owner: 'user' },
    token_request: { body_encoding: 'json', accept_json: true },
    token_response: {
      access_token: 'access_token',
      refresh_token: 'refresh_token',
      expires_in: 'expires_in',
      token_type: 'token_type',
      account_id: ['owner.user.id', 'bot_id'],
      metadata: { workspace_id: 'workspace_id', workspace_name: 'workspace_name', bot_id: 'bot_id' },
    },
    refresh: { supported: true, rotates_refresh_token: true },
    revocation: {
      type: 'http',
      method: 'POST',
      url: 'https://api.notion.com/v1/oauth/revoke',
      auth: 'client_basic',
      headers: { 'Notion-Version': NOTION_VERSION },
      body: { encoding: 'json', fields: { token: '{{access_token}}' } },
      expect_status: [200],
    },
    token_lifetime: {
      access_token_seconds: null,
      refresh_token_seconds: null,
      note: 'Access tokens are long-lived; a refresh returns a new access token and a new refresh token.',
    },
  },
  api: { base_url: 'https://api.notion.com', default_headers: { 'Notion-Version': NOTION_VERSION } },
  // {"object": "error", "status": 404, "code": "object_not_found", "message": "..."}
  errors: { code: 'code', message: 'message' },
  tools: [
    {
      name: 'notion_page_search',
      display_name: 'Search pages',
      description:
        'Find pages by title among those shared with the integration (an empty query lists them all), most recently edited first by default. Returns {results: [page…], next_cursor, has_more}; each page has id, url, parent, properties (the title is in the property of type "title") and last_edited_time. Pass next_cursor as start_cursor for more. Only titles are matched, not page content.',
      input_schema: objectSchema({
        query: str('Text matched against page titles.'),
        page_size: int('Results per page (max 100).', { minimum: 1, maximum: 100 }),
        start_cursor: str('next_cursor from the previous call.'),
        sort_direction: str('Order by last edit: "descending" (default) or "ascending".', {
          enum: ['ascending', 'descending'],
        }),
        sort_timestamp: str('Timestamp to sort on; Notion supports only last_edited_time.', {
          enum: ['last_edited_time'],
        }),
      }),
      annotations: READ_ONLY,
      operations: [{ id: 'post-search', method: 'POST', path: '/v1/search' }],
      executor: {
        type: 'http',
        method: 'POST',
        path: '/v1/search',
        body: {
          encoding: 'json',
          fields: {
            query: { from: 'query' },
            'filter.property': { const: 'object' },
            'filter.value': { const: 'page' },
            'sort.direction': { from: 'sort_direction', default: 'descending' },
            'sort.timestamp': { from: 'sort_timestamp', default: 'last_edited_time' },
            page_size: { from: 'page_size' },
            start_cursor: { from: 'start_cursor' },
          },
        },
      },
    },
    {
      name: 'notion_page_get',
      display_name: 'Get page',
      description:
        "Get a page's properties and metadata by ID (a UUID, with or without hyphens, e.g. from notion_page_search or the end of a page URL): title and other properties, parent, url, icon, cover, created/edited times, archived state. Page content (blocks) is not included.",
      input_schema: objectSchema({ page_id: str('The page ID.') }, ['page_id']),
      annotations: READ_ONLY,
      operations: [{ id: 'retrieve-a-page', method: 'GET', path: '/v1/pages/{page_id}' }],
      executor: { type: 'http', method: 'GET', path: '/v1/pages/{page_id}' },
    },
    {
      name: 'notion_page_create',
      display_name: 'Create page',
      description:
        'Create a page under a parent page (parent_page_id) or as a row of a database (database_id) — exactly one of them. For a child page, set the title with properties {"title": {"title": [{"text": {"content": "My page"}}]}}. For a database row, properties are required and use the database\'s property names and Notion property value shapes (title, rich_text, select, date, …). child_blocks adds content blocks, e.g. [{"object": "block", "type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "Hello"}}]}}]. Returns the created page (id, url, properties).',
      input_schema: objectSchema({
        parent_page_id: str('Create the page inside this page (ID from its URL).'),
        database_id: str('Create the page as a row of this database.'),
        properties: obj(
          'Property values keyed by property name; the title property of a child page is "title".',
        ),
        child_blocks: {
          type: 'array',
          items: { type: 'object' },
          description: 'Block objects for the page content.',
        },
        icon: obj('Icon: {"type": "emoji", "emoji": "📝"} or an external file object.'),
        cover: obj('Cover: {"type": "external", "external": {"url": "https://…"}}.'),
        _parent: obj(
          'A raw Notion parent object, used only when neither parent_page_id nor database_id is given.',
        ),
        notion_version: str('Notion-Version header override (default 2025-09-03).', {
          pattern: VERSION_PATTERN,
        }),
      }),
      annotations: CREATES,
      operations: [{ id: 'post-page', method: 'POST', path: '/v1/pages' }],
      executor: { type: 'function', run: createPage },
    },
  ],
};
