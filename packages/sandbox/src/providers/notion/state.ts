// Each seeded user has a Notion workspace shared with the integration: pages (some nested) and a
// "Tasks" data source with entries.
import { uuidFrom } from '../../ids.ts';
import type { SandboxUser, UserDirectory } from '../../users.ts';

export type NotionParent =
  | { type: 'workspace'; workspace: true }
  | { type: 'page_id'; page_id: string }
  | { type: 'data_source_id'; data_source_id: string; database_id: string };

export interface NotionPage {
  id: string;
  title: string;
  /** Property values other than the title, in Notion's page-property shape. */
  properties: Record<string, unknown>;
  titleProperty: string;
  icon: unknown;
  parent: NotionParent;
  createdTime: string;
  lastEditedTime: string;
  createdBy: string;
  children: unknown[];
}

export interface NotionDataSource {
  id: string;
  databaseId: string;
  title: string;
  createdTime: string;
  lastEditedTime: string;
}

export interface NotionWorkspace {
  user: SandboxUser;
  id: string;
  name: string;
  botId: string;
  personId: string;
  pages: NotionPage[];
  dataSources: NotionDataSource[];
}

export interface NotionState {
  workspace(user: string): NotionWorkspace;
  pages(user: string): NotionPage[];
  page(user: string, id: string): NotionPage | undefined;
  createPage(user: string, page: Omit<NotionPage, 'id' | 'createdTime' | 'lastEditedTime'>): NotionPage;
}

/** Notion timestamps are minute-precise ISO strings with milliseconds. */
export const notionTime = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

export function normalizeId(id: string): string | undefined {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createNotionState(users: UserDirectory, now: number): NotionState {
  const spaces = new Map<string, NotionWorkspace>();
  let seq = 0;
  const DAY = 86_400_000;
  for (const user of users.all) {
    const personId = uuidFrom('notion-person', user.name);
    const page = (
      key: string,
      title: string,
      ageDays: number,
      parent: NotionParent,
      extra: Partial<NotionPage> = {},
    ): NotionPage => ({
      id: uuidFrom('notion-page', user.name, key),
      title,
      properties: {},
      titleProperty: 'title',
      icon: null,
      parent,
      createdTime: notionTime(now - ageDays * DAY),
      lastEditedTime: notionTime(now - (ageDays / 2) * DAY),
      createdBy: personId,
      children: [],
      ...extra,
    });
    const ws: NotionParent = { type: 'workspace', workspace: true };
    const roadmap = page('roadmap', 'Project Roadmap', 40, ws, { icon: { type: 'emoji', emoji: '🗺️' } });
    const ds: NotionDataSource = {
      id: uuidFrom('notion-ds', user.name, 'tasks'),
      databaseId: uuidFrom('notion-db', user.name, 'tasks'),
      title: 'Tasks',
      createdTime: notionTime(now - 30 * DAY),
      lastEditedTime: notionTime(now - 1 * DAY),
    };
    const inTasks: NotionParent = {
      type: 'data_source_id',
      data_source_id: ds.id,
      database_id: ds.databaseId,
    };
    const status = (name: string) => ({
      Status: {
        id: 'stat',
        type: 'status',
        status: { id: `s-${name.length}`, name, color: name === 'Done' ? 'green' : 'blue' },
      },
    });
    spaces.set(user.name, {
      user,
      id: uuidFrom('notion-workspace', user.name),
      name: `${user.givenName}'s Notion`,
      botId: uuidFrom('notion-bot', user.name),
      personId,
      dataSources: [ds],
      pages: [
        page('getting-started', 'Getting Started', 60, ws, { icon: { type: 'emoji', emoji: '👋' } }),
        roadmap,
        page('q3-launch', 'Q3 Launch Plan', 20, { type: 'page_id', page_id: roadmap.id }),
        page('meeting-notes', 'Meeting Notes', 10, ws, { icon: { type: 'emoji', emoji: '📝' } }),
        page('reading-list', 'Reading List', 5, ws),
        page('task-blog', 'Write launch blog post', 3, inTasks, {
          titleProperty: 'Name',
          properties: status('In progress'),
        }),
        page('task-pricing', 'Update pricing page', 2, inTasks, {
          titleProperty: 'Name',
          properties: status('Done'),
        }),
      ],
    });
  }
  const workspace = (name: string): NotionWorkspace => {
    const ws = spaces.get(users.find(name)?.name ?? name);
    if (!ws) throw new Error(`no Notion workspace for ${name}`);
    return ws;
  };
  return {
    workspace,
    pages: (user) => [...workspace(user).pages],
    page: (user, id) => {
      const normalized = normalizeId(id);
      return workspace(user).pages.find((p) => p.id === normalized);
    },
    createPage(user, input) {
      const ws = workspace(user);
      const at = notionTime(Date.now());
      const created: NotionPage = {
        ...input,
        id: uuidFrom('notion-new', user, Date.now(), ++seq),
        createdTime: at,
        lastEditedTime: at,
      };
      ws.pages.push(created);
      return created;
    },
  };
}
