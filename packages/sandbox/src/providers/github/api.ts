// GitHub REST imitation (base https://api.github.com): GET /user, GET /user/repos,
// GET|POST /repos/{owner}/{repo}/issues. Errors as `{message, documentation_url, status}`.
import type { Context, Hono } from 'hono';
import { bearerFrom, type TokenVerifier } from '../../auth/verify.ts';
import { issueObject, privateUser, repositoryObject } from './shapes.ts';
import type { GithubAccount, GithubRepo, GithubState } from './state.ts';

const DOCS = 'https://docs.github.com/rest';
const DOC = {
  user: `${DOCS}/users/users#get-the-authenticated-user`,
  repos: `${DOCS}/repos/repos#list-repositories-for-the-authenticated-user`,
  createIssue: `${DOCS}/issues/issues#create-an-issue`,
  listIssues: `${DOCS}/issues/issues#list-repository-issues`,
};

type Status = 401 | 403 | 404 | 422;
export const githubError = (
  c: Context,
  status: Status,
  message: string,
  documentationUrl: string,
  extra: Record<string, unknown> = {},
) => c.json({ message, ...extra, documentation_url: documentationUrl, status: String(status) }, status);

const validationFailed = (c: Context, doc: string, errors: Array<Record<string, unknown>>) =>
  githubError(c, 422, 'Validation Failed', doc, { errors });

export interface Viewer {
  account: GithubAccount | undefined;
  scopes: Set<string>;
}
export type GithubEnv = { Variables: { viewer: Viewer } };
type Ctx = Context<GithubEnv>;

function paginate<T>(c: Context, items: T[]): T[] | Response {
  const perPage = Number(c.req.query('per_page') ?? 30);
  const page = Number(c.req.query('page') ?? 1);
  if (!Number.isInteger(perPage) || !Number.isInteger(page) || perPage < 1 || page < 1) {
    return githubError(c, 422, 'Validation Failed', DOCS, {
      errors: [{ resource: 'Search', field: 'per_page', code: 'invalid' }],
    });
  }
  const size = Math.min(perPage, 100);
  const last = Math.max(1, Math.ceil(items.length / size));
  const url = new URL(c.req.url);
  const link = (p: number, rel: string) => {
    url.searchParams.set('page', String(p));
    return `<${url}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (links.length) c.header('Link', links.join(', '));
  return items.slice((page - 1) * size, page * size);
}

export function registerGithubApi(
  app: Hono<GithubEnv>,
  deps: { state: GithubState; verify: TokenVerifier; base: () => string },
): void {
  const { state, verify } = deps;
  const canSee = (repo: GithubRepo, viewer: Viewer) =>
    !repo.private || (viewer.account === repo.owner && viewer.scopes.has('repo'));

  // Every API request: User-Agent required, credentials checked when present, usual headers set.
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/login/oauth/') || c.req.path.startsWith('/applications/')) return next();
    if (!c.req.header('user-agent')) {
      return c.text(
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n',
        403,
      );
    }
    c.header('X-GitHub-Media-Type', 'github.v3; format=json');
    c.header('X-GitHub-Api-Version-Selected', c.req.header('x-github-api-version') ?? '2022-11-28');
    c.header('X-RateLimit-Limit', '5000');
    c.header('X-RateLimit-Remaining', '4999');
    c.header('X-RateLimit-Used', '1');
    c.header('X-RateLimit-Resource', 'core');
    c.header('X-RateLimit-Reset', String(Math.floor(Date.now() / 1000) + 3600));
    const token = bearerFrom(c.req.header('authorization'), ['bearer', 'token']);
    if (!token && c.req.header('authorization')) return githubError(c, 401, 'Bad credentials', DOCS);
    if (!token) {
      c.set('viewer', { account: undefined, scopes: new Set<string>() });
      return next();
    }
    const check = await verify(token);
    if (!check.ok) return githubError(c, 401, 'Bad credentials', DOCS);
    const scopes = new Set([...check.scopes].filter((s) => s !== 'github.public'));
    c.header('X-OAuth-Scopes', [...scopes].join(', '));
    c.set('viewer', { account: state.account(check.user), scopes });
    return next();
  });
  const viewerOf = (c: Ctx) => c.get('viewer');

  app.get('/user', (c) => {
    const viewer = viewerOf(c);
    if (!viewer.account) return githubError(c, 401, 'Requires authentication', DOC.user);
    c.header('X-Accepted-OAuth-Scopes', '');
    const email = viewer.scopes.has('user') || viewer.scopes.has('user:email');
    return c.json(privateUser(viewer.account, state, deps.base(), email));
  });

  app.get('/user/repos', (c) => {
    const viewer = viewerOf(c);
    if (!viewer.account) return githubError(c, 401, 'Requires authentication', DOC.repos);
    const q = c.req.query();
    if (q['type'] && (q['visibility'] || q['affiliation'])) {
      return validationFailed(c, DOC.repos, [
        {
          resource: 'Repository',
          field: 'type',
          code: 'invalid',
          message: 'If you specify visibility or affiliation, you cannot specify type.',
        },
      ]);
    }
    const visibility =
      q['visibility'] ?? (q['type'] === 'public' || q['type'] === 'private' ? q['type'] : 'all');
    if (!['all', 'public', 'private'].includes(visibility)) {
      return validationFailed(c, DOC.repos, [
        { value: visibility, resource: 'Repository', field: 'visibility', code: 'invalid' },
      ]);
    }
    const sort = q['sort'] ?? 'full_name';
    if (!['created', 'updated', 'pushed', 'full_name'].includes(sort)) {
      return validationFailed(c, DOC.repos, [
        { value: sort, resource: 'Repository', field: 'sort', code: 'invalid' },
      ]);
    }
    const direction = q['direction'] ?? (sort === 'full_name' ? 'asc' : 'desc');
    const key: Record<string, (r: GithubRepo) => string> = {
      created: (r) => r.createdAt,
      updated: (r) => r.updatedAt,
      pushed: (r) => r.pushedAt,
      full_name: (r) => `${r.owner.login}/${r.name}`.toLowerCase(),
    };
    const get = key[sort] ?? ((r: GithubRepo) => r.name);
    const since = q['since'] ? Date.parse(q['since']) : undefined;
    const before = q['before'] ? Date.parse(q['before']) : undefined;
    const repos = state
      .repos(viewer.account.user.name)
      .filter((r) => canSee(r, viewer))
      .filter((r) => visibility === 'all' || (visibility === 'private') === r.private)
      .filter(
        (r) =>
          (since === undefined || Date.parse(r.updatedAt) > since) &&
          (before === undefined || Date.parse(r.updatedAt) < before),
      )
      .sort((a, b) => (get(a) < get(b) ? -1 : get(a) > get(b) ? 1 : 0) * (direction === 'asc' ? 1 : -1));
    const page = paginate(c, repos);
    if (page instanceof Response) return page;
    return c.json(page.map((r) => repositoryObject(r, deps.base(), true)));
  });

  app.get('/repos/:owner/:repo/issues', (c) => {
    const viewer = viewerOf(c);
    const repo = state.repo(c.req.param('owner'), c.req.param('repo'));
    if (!repo || !canSee(repo, viewer)) return githubError(c, 404, 'Not Found', DOC.listIssues);
    const q = c.req.query();
    const wanted = q['state'] ?? 'open';
    if (!['open', 'closed', 'all'].includes(wanted)) {
      return validationFailed(c, DOC.listIssues, [
        { value: wanted, resource: 'Issue', field: 'state', code: 'invalid' },
      ]);
    }
    const sort = q['sort'] ?? 'created';
    if (!['created', 'updated', 'comments'].includes(sort)) {
      return validationFailed(c, DOC.listIssues, [
        { value: sort, resource: 'Issue', field: 'sort', code: 'invalid' },
      ]);
    }
    const labels = (q['labels'] ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const since = q['since'] ? Date.parse(q['since']) : undefined;
    const sign = (q['direction'] ?? 'desc') === 'asc' ? 1 : -1;
    const value = (i: (typeof repo.issues)[number]) =>
      sort === 'comments'
        ? String(i.comments).padStart(8, '0')
        : sort === 'updated'
          ? i.updatedAt
          : i.createdAt;
    const issues = repo.issues
      .filter((i) => wanted === 'all' || i.state === wanted)
      .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)))
      .filter((i) => !q['creator'] || i.author === q['creator'])
      .filter(
        (i) =>
          !q['assignee'] ||
          (q['assignee'] === 'none'
            ? i.assignees.length === 0
            : q['assignee'] === '*'
              ? i.assignees.length > 0
              : i.assignees.includes(q['assignee'])),
      )
      .filter((i) => since === undefined || Date.parse(i.updatedAt) >= since)
      .sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0) * sign);
    const page = paginate(c, issues);
    if (page instanceof Response) return page;
    return c.json(page.map((i) => issueObject(repo, i, state, deps.base())));
  });

  app.post('/repos/:owner/:repo/issues', async (c) => {
    const viewer = viewerOf(c);
    if (!viewer.account) return githubError(c, 401, 'Requires authentication', DOC.createIssue);
    const repo = state.repo(c.req.param('owner'), c.req.param('repo'));
    const needed = repo?.private ? ['repo'] : ['repo', 'public_repo'];
    c.header('X-Accepted-OAuth-Scopes', needed.join(', '));
    if (!repo || !canSee(repo, viewer) || !needed.some((s) => viewer.scopes.has(s))) {
      return githubError(c, 404, 'Not Found', DOC.createIssue);
    }
    if (repo.owner !== viewer.account)
      return githubError(c, 403, 'Must have push access to repository', DOC.createIssue);
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return c.json(
        { message: 'Problems parsing JSON', documentation_url: DOC.createIssue, status: '400' },
        400,
      );
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return c.json(
        { message: 'Problems parsing JSON', documentation_url: DOC.createIssue, status: '400' },
        400,
      );
    }
    if (body['title'] === undefined || body['title'] === null) {
      return githubError(c, 422, 'Invalid request.\n\n"title" wasn\'t supplied.', DOC.createIssue);
    }
    const title = String(body['title']);
    if (!title.trim())
      return validationFailed(c, DOC.createIssue, [
        { resource: 'Issue', code: 'missing_field', field: 'title' },
      ]);
    const assignees = [
      ...(Array.isArray(body['assignees']) ? body['assignees'].map(String) : []),
      ...(typeof body['assignee'] === 'string' ? [body['assignee']] : []),
    ];
    const invalid = assignees.filter((a) => a.toLowerCase() !== repo.owner.login.toLowerCase());
    if (invalid.length) {
      return validationFailed(
        c,
        DOC.createIssue,
        invalid.map((value) => ({ value, resource: 'Issue', field: 'assignees', code: 'invalid' })),
      );
    }
    const labels = Array.isArray(body['labels'])
      ? body['labels']
          .map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown })?.name ?? '')))
          .filter(Boolean)
      : [];
    const issue = state.createIssue(repo, {
      title,
      body: typeof body['body'] === 'string' ? body['body'] : null,
      author: viewer.account.login,
      assignees: assignees.length ? [repo.owner.login] : [],
      labels,
    });
    const json = issueObject(repo, issue, state, deps.base());
    c.header('Location', String(json['url']));
    return c.json(json, 201);
  });
}
