/**
 * GitHub. API: GitHub REST API (shared/specs/github/api.github.com.json), base https://api.github.com.
 * OAuth app: scopes `repo` (private and public repositories, issues) and `read:user`.
 * Quirks: the token endpoint answers form-encoded unless sent `Accept: application/json`; OAuth app
 * tokens do not expire (GitHub App user tokens do, 8 h, with a refresh token); revocation is
 * GitHub's own `DELETE /applications/{client_id}/grant` with client basic auth, declared as data.
 */
import type { ConnectorInput } from '../model/connector.ts';
import { CREATES, num, objectSchema, READ_ONLY, str, strArray } from './schema.ts';

const SCOPES = [
  'admin:gpg_key',
  'admin:org',
  'admin:org_hook',
  'admin:public_key',
  'admin:repo_hook',
  'codespace',
  'delete_repo',
  'delete:packages',
  'gist',
  'notifications',
  'project',
  'public_repo',
  'read:gpg_key',
  'read:org',
  'read:packages',
  'read:project',
  'read:public_key',
  'read:repo_hook',
  'read:user',
  'repo',
  'repo:invite',
  'repo:status',
  'repo_deployment',
  'security_events',
  'user',
  'user:email',
  'user:follow',
  'workflow',
  'write:gpg_key',
  'write:org',
  'write:packages',
  'write:public_key',
  'write:repo_hook',
];

const ISSUES = '/repos/{owner}/{repo}/issues';
const owner = str('Account (user or organization) owning the repository, e.g. "octocat".');
const repo = str('Repository name without the owner, e.g. "hello-world".');
const page = num('Page number, from 1.', { minimum: 1 });
const perPage = num('Results per page (default 30, max 100).', { minimum: 1, maximum: 100 });
const direction = str('"asc" or "desc".', { enum: ['asc', 'desc'] });

export const github: ConnectorInput = {
  slug: 'github',
  display_name: 'GitHub',
  description: 'Work with GitHub repositories and issues as the connected user.',
  categories: ['Developer Tools', 'Collaboration'],
  docs_url: 'https://docs.github.com/en/rest',
  kind: 'rest',
  auth: {
    type: 'oauth2',
    grant_type: 'authorization_code',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
    pkce: true,
    client_auth: 'client_secret_post',
    scopes: { default: ['repo', 'read:user'], available: SCOPES, separator: ' ', param: 'scope' },
    token_request: { body_encoding: 'form', accept_json: true },
    // GitHub reports token errors as HTTP 200 {"error": "bad_verification_code", ...}: the default RFC 6749 check catches it.
    refresh: { supported: true, rotates_refresh_token: true },
    revocation: {
      type: 'http',
      method: 'DELETE',
      url: 'https://api.github.com/applications/{{client_id}}/grant',
      auth: 'client_basic',
      body: { encoding: 'json', fields: { access_token: '{{access_token}}' } },
      expect_status: [204],
    },
    token_lifetime: {
      access_token_seconds: null,
      refresh_token_seconds: null,
      note: 'OAuth app tokens do not expire. GitHub App user tokens (if the connection uses a GitHub App) last 8 hours, refresh tokens 6 months.',
    },
  },
  api: {
    base_url: 'https://api.github.com',
    default_headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
  },
  // {"message": "Not Found", "documentation_url": ...}; 422 adds "errors": [{resource, field, code}].
  errors: { code: ['errors.0.code'], message: 'message', details: 'errors' },
  tools: [
    {
      name: 'github_user_get_authenticated',
      display_name: 'Get authenticated user',
      description:
        'Get the profile of the connected GitHub user: login, id, name, email (if public or granted), company, bio, public/private repo counts, html_url. Use it to learn who "me" is before other GitHub calls.',
      input_schema: objectSchema({}),
      annotations: READ_ONLY,
      scopes: ['read:user', 'user'],
      operations: [{ id: 'users/get-authenticated', method: 'GET', path: '/user' }],
      executor: { type: 'http', method: 'GET', path: '/user' },
    },
    {
      name: 'github_user_repos_list',
      display_name: 'List my repositories',
      description:
        'List repositories the connected user can access: owned, collaborating, and through organization membership. Filter by type, sort by created/updated/pushed/full_name. Returns {repositories: [{id, full_name, private, description, html_url, default_branch, updated_at, …}]}; fewer than per_page results means the last page.',
      input_schema: objectSchema({
        type: str('Which repositories: all (default), owner, public, private, member.', {
          enum: ['all', 'owner', 'public', 'private', 'member'],
        }),
        sort: str('Sort key; default full_name.', { enum: ['created', 'updated', 'pushed', 'full_name'] }),
        direction,
        per_page: perPage,
        page,
      }),
      annotations: READ_ONLY,
      scopes: ['repo', 'public_repo'],
      operations: [{ id: 'repos/list-for-authenticated-user', method: 'GET', path: '/user/repos' }],
      executor: {
        type: 'http',
        method: 'GET',
        path: '/user/repos',
        query: {
          type: { from: 'type' },
          sort: { from: 'sort' },
          direction: { from: 'direction' },
          per_page: { from: 'per_page' },
          page: { from: 'page' },
        },
        response: { wrap: 'repositories' },
      },
    },
    {
      name: 'github_issue_create',
      display_name: 'Create issue',
      description:
        'Open a new issue in a repository. Body is GitHub Markdown. Assignees, labels, milestone and type are applied only if the user has push access (otherwise GitHub silently drops them). Returns the issue: number, html_url, state, title, labels, assignees.',
      input_schema: objectSchema(
        {
          owner,
          repo,
          title: str('Issue title.'),
          body: str('Issue description (Markdown).'),
          assignees: strArray('Logins to assign.'),
          labels: strArray('Label names.'),
          milestone: num('Milestone number (not its title).'),
          type: str('Issue type name, e.g. "Bug", where the organization defines types.'),
        },
        ['owner', 'repo', 'title'],
      ),
      annotations: CREATES,
      scopes: ['repo', 'public_repo'],
      operations: [{ id: 'issues/create', method: 'POST', path: ISSUES }],
      executor: {
        type: 'http',
        method: 'POST',
        path: ISSUES,
        body: {
          encoding: 'json',
          fields: {
            title: { from: 'title' },
            body: { from: 'body' },
            assignees: { from: 'assignees' },
            labels: { from: 'labels' },
            milestone: { from: 'milestone' },
            type: { from: 'type' },
          },
        },
      },
    },
    {
      name: 'github_issues_list',
      display_name: 'List repository issues',
      description:
        'List issues of a repository (pull requests are included: they carry a pull_request key). Defaults to open issues, newest first. Filter by state, labels (comma-separated names), assignee or creator login ("none"/"*" for assignee), milestone, or updated since a time. Returns {issues: [{number, title, state, user, labels, assignees, comments, html_url, …}]}.',
      input_schema: objectSchema(
        {
          owner,
          repo,
          state: str('open (default), closed or all.', { enum: ['open', 'closed', 'all'] }),
          labels: str('Comma-separated label names; issues must have all of them.'),
          assignee: str('Login, "none" for unassigned, "*" for any.'),
          creator: str('Login of the issue author.'),
          milestone: str('Milestone number, "none" or "*".'),
          since: str('Only issues updated at or after this ISO 8601 time.'),
          sort: str('created (default), updated or comments.', { enum: ['created', 'updated', 'comments'] }),
          direction,
          per_page: perPage,
          page,
        },
        ['owner', 'repo'],
      ),
      annotations: READ_ONLY,
      scopes: ['repo', 'public_repo'],
      operations: [{ id: 'issues/list-for-repo', method: 'GET', path: ISSUES }],
      executor: {
        type: 'http',
        method: 'GET',
        path: ISSUES,
        query: {
          state: { from: 'state' },
          labels: { from: 'labels' },
          assignee: { from: 'assignee' },
          creator: { from: 'creator' },
          milestone: { from: 'milestone' },
          since: { from: 'since' },
          sort: { from: 'sort' },
          direction: { from: 'direction' },
          per_page: { from: 'per_page' },
          page: { from: 'page' },
        },
        response: { wrap: 'issues' },
      },
    },
  ],
};
