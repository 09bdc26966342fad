// Notion API imitation (base https://api.notion.com, version 2025-09-03): POST /v1/search,
// GET /v1/pages/{page_id}, POST /v1/pages, GET /v1/users/me. Errors `{object:"error", status, code, message}`.
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bearerFrom, type TokenVerifier } from '../../auth/verify.ts';
import {
  type NotionDataSource,
  type NotionPage,
  type NotionParent,
  type NotionState,
  type NotionWorkspace,
  normalizeId,
} from './state.ts';

type Status = 400 | 401 | 404;
export const notionError = (c: Context, status: Status, code: string, message: string) =>
  c.json({ object: 'error', status, code, message, request_id: randomUUID() }, status);

export function richText(content: string): Record<string, unknown> {
  return {
    type: 'text',
    text: { content, link: null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: 'default',
    },
    plain_text: content,
    href: null,
  };
}

const slug = (title: string) => title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function pageObject(p: NotionPage): Record<string, unknown> {
  return {
    object: 'page',
    id: p.id,
    created_time: p.createdTime,
    last_edited_time: p.lastEditedTime,
    created_by: { object: 'user', id: p.createdBy },
    last_edited_by: { object: 'user', id: p.createdBy },
    cover: null,
    icon: p.icon,
    parent: p.parent,
    archived: false,
    in_trash: false,
    is_locked: false,
    properties: {
      ...p.properties,
      [p.titleProperty]: { id: 'title', type: 'title', title: [richText(p.title)] },
    },
    url: `https://www.notion.so/${slug(p.title)}-${p.id.replace(/-/g, '')}`,
    public_url: null,
  };
}

function dataSourceObject(d: NotionDataSource): Record<string, unknown> {
  return {
    object: 'data_source',
    id: d.id,
    created_time: d.createdTime,
    last_edited_time: d.lastEditedTime,
    title: [richText(d.title)],
    description: [],
    parent: { type: 'database_id', database_id: d.databaseId },
    database_parent: { type: 'workspace', workspace: true },
    archived: false,
    in_trash: false,
    is_inline: false,
    icon: null,
    cover: null,
    properties: {
      Name: { id: 'title', name: 'Name', type: 'title', title: {} },
      Status: { id: 'stat', name: 'Status', type: 'status', status: { options: [], groups: [] } },
    },
    url: `https://www.notion.so/${d.databaseId.replace(/-/g, '')}`,
    public_url: null,
  };
}

function plainTitle(value: unknown): string | undefined {
  const list = (value as { title?: unknown })?.title ?? value;
  if (!Array.isArray(list)) return undefined;
  return list
    .map((t) => (t as { text?: { content?: unknown }; plain_text?: unknown })?.text?.content ?? '')
    .join('');
}

export function registerNotionApi(app: Hono, deps: { state: NotionState; verify: TokenVerifier }): void {
  const { state } = deps;

  const guard = async (c: Context): Promise<NotionWorkspace | Response> => {
    const check = await deps.verify(bearerFrom(c.req.header('authorization')));
    if (!check.ok) return notionError(c, 401, 'unauthorized', 'API token is invalid.');
    const version = c.req.header('notion-version');
    if (!version) {
      return notionError(
        c,
        400,
        'missing_version',
        'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
      );
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
      return notionError(
        c,
        400,
        'invalid_request_url',
        `Notion-Version header failed validation: Notion-Version header should be a valid version, instead was \`"${version}"\`.`,
      );
    }
    return state.workspace(check.user);
  };
  const json = async (c: Context): Promise<Record<string, unknown> | Response> => {
    const text = await c.req.text();
    if (!text) return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {}
    return notionError(c, 400, 'invalid_json', 'Error parsing JSON body.');
  };

  app.get('/v1/users/me', async (c) => {
    const ws = await guard(c);
    if (ws instanceof Response) return ws;
    return c.json({
      object: 'user',
      id: ws.botId,
      name: 'Latchkey',
      avatar_url: null,
      type: 'bot',
      bot: {
        owner: {
          type: 'user',
          user: {
            object: 'user',
            id: ws.personId,
            name: ws.user.displayName,
            avatar_url: null,
            type: 'person',
            person: { email: ws.user.email },
          },
        },
        workspace_name: ws.name,
      },
      request_id: randomUUID(),
    });
  });

  app.post('/v1/search', async (c) => {
    const ws = await guard(c);
    if (ws instanceof Response) return ws;
    const body = await json(c);
    if (body instanceof Response) return body;
    const filter = body['filter'] as { property?: unknown; value?: unknown } | undefined;
    if (filter !== undefined) {
      if (filter?.property !== 'object') {
        return notionError(
          c,
          400,
          'validation_error',
          `body failed validation: body.filter.property should be \`"object"\`, instead was \`${JSON.stringify(filter?.property)}\`.`,
        );
      }
      if (filter.value !== 'page' && filter.value !== 'data_source') {
        return notionError(
          c,
          400,
          'validation_error',
          `body failed validation: body.filter.value should be \`"page"\` or \`"data_source"\`, instead was \`${JSON.stringify(filter.value)}\`.`,
        );
      }
    }
    const pageSize = body['page_size'] === undefined ? 100 : Number(body['page_size']);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      return notionError(
        c,
        400,
        'validation_error',
        `body failed validation: body.page_size should be a number between 1 and 100, instead was \`${JSON.stringify(body['page_size'])}\`.`,
      );
    }
    const query = typeof body['query'] === 'string' ? body['query'].toLowerCase() : '';
    const sort = body['sort'] as { direction?: unknown } | undefined;
    const entries: Array<{ title: string; edited: string; object: Record<string, unknown> }> = [];
    if (filter?.value !== 'data_source')
      for (const p of ws.pages)
        entries.push({ title: p.title, edited: p.lastEditedTime, object: pageObject(p) });
    if (filter?.value !== 'page')
      for (const d of ws.dataSources)
        entries.push({ title: d.title, edited: d.lastEditedTime, object: dataSourceObject(d) });
    const sign = sort?.direction === 'ascending' ? 1 : -1;
    const matches = entries
      .filter((e) => !query || e.title.toLowerCase().includes(query))
      .sort((a, b) => (a.edited < b.edited ? -1 : a.edited > b.edited ? 1 : 0) * sign);
    const start =
      typeof body['start_cursor'] === 'string'
        ? matches.findIndex((e) => e.object['id'] === body['start_cursor'])
        : 0;
    if (start < 0)
      return notionError(
        c,
        400,
        'validation_error',
        'body failed validation: body.start_cursor should be a valid cursor.',
      );
    const page = matches.slice(start, start + pageSize);
    const next = matches[start + pageSize];
    return c.json({
      object: 'list',
      results: page.map((e) => e.object),
      next_cursor: next ? next.object['id'] : null,
      has_more: Boolean(next),
      type: 'page_or_data_source',
      page_or_data_source: {},
      request_id: randomUUID(),
    });
  });

  app.get('/v1/pages/:page_id', async (c) => {
    const ws = await guard(c);
    if (ws instanceof Response) return ws;
    const raw = c.req.param('page_id');
    if (!normalizeId(raw)) {
      return notionError(
        c,
        400,
        'validation_error',
        `path failed validation: path.page_id should be a valid uuid, instead was \`"${raw}"\`.`,
      );
    }
    const page = state.page(ws.user.name, raw);
    if (!page) {
      return notionError(
        c,
        404,
        'object_not_found',
        `Could not find page with ID: ${normalizeId(raw)}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    }
    return c.json({ ...pageObject(page), request_id: randomUUID() });
  });

  app.post('/v1/pages', async (c) => {
    const ws = await guard(c);
    if (ws instanceof Response) return ws;
    const body = await json(c);
    if (body instanceof Response) return body;
    const parentIn = body['parent'] as Record<string, unknown> | undefined;
    if (!parentIn || typeof parentIn !== 'object') {
      return notionError(
        c,
        400,
        'validation_error',
        'body failed validation: body.parent should be defined, instead was `undefined`.',
      );
    }
    const props = (body['properties'] ?? {}) as Record<string, unknown>;
    let parent: NotionParent;
    let titleProperty = 'title';
    const idOf = (key: string) =>
      typeof parentIn[key] === 'string' ? normalizeId(parentIn[key]) : undefined;
    if (parentIn['page_id'] !== undefined) {
      const id = idOf('page_id');
      if (!id || !state.page(ws.user.name, id)) {
        return notionError(
          c,
          404,
          'object_not_found',
          `Could not find page with ID: ${id ?? String(parentIn['page_id'])}. Make sure the relevant pages and databases are shared with your integration.`,
        );
      }
      parent = { type: 'page_id', page_id: id };
    } else if (parentIn['database_id'] !== undefined || parentIn['data_source_id'] !== undefined) {
      const id = idOf('data_source_id') ?? idOf('database_id');
      const ds = ws.dataSources.find((d) => d.id === id || d.databaseId === id);
      if (!ds) {
        return notionError(
          c,
          404,
          'object_not_found',
          `Could not find database with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
        );
      }
      parent = { type: 'data_source_id', data_source_id: ds.id, database_id: ds.databaseId };
      titleProperty = 'Name';
    } else if (parentIn['workspace'] === true || parentIn['type'] === 'workspace') {
      return notionError(
        c,
        400,
        'validation_error',
        'body failed validation: Public integrations cannot create pages at the workspace level. Provide a page_id or database_id parent.',
      );
    } else {
      return notionError(
        c,
        400,
        'validation_error',
        'body failed validation: body.parent.page_id should be defined, instead was `undefined`.',
      );
    }
    const title = plainTitle(props[titleProperty] ?? props['title']);
    if (title === undefined) {
      return notionError(
        c,
        400,
        'validation_error',
        `body failed validation: body.properties.${titleProperty}.title should be defined, instead was \`undefined\`.`,
      );
    }
    const { [titleProperty]: _t, title: _t2, ...rest } = props;
    const page = state.createPage(ws.user.name, {
      title,
      properties: rest,
      titleProperty,
      icon: body['icon'] ?? null,
      parent,
      createdBy: ws.botId,
      children: Array.isArray(body['children']) ? body['children'] : [],
    });
    return c.json({ ...pageObject(page), request_id: randomUUID() });
  });
}
