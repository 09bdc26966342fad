// Each seeded user has a GitHub account with a few repositories (one private) and issues with labels.
import { numericId } from '../../ids.ts';
import type { SandboxUser, UserDirectory } from '../../users.ts';

export interface GithubAccount {
  user: SandboxUser;
  login: string;
  id: number;
  createdAt: string;
}

export interface GithubLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface GithubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | null;
  author: string;
  assignees: string[];
  labels: string[];
  comments: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface GithubRepo {
  id: number;
  owner: GithubAccount;
  name: string;
  description: string | null;
  private: boolean;
  language: string | null;
  homepage: string | null;
  topics: string[];
  stars: number;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
  size: number;
  labels: GithubLabel[];
  issues: GithubIssue[];
}

export interface GithubState {
  account(user: string): GithubAccount;
  accountByLogin(login: string): GithubAccount | undefined;
  repos(user: string): GithubRepo[];
  repo(owner: string, name: string): GithubRepo | undefined;
  createIssue(
    repo: GithubRepo,
    input: { title: string; body: string | null; author: string; assignees: string[]; labels: string[] },
  ): GithubIssue;
}

const DAY = 86_400_000;
const DEFAULT_LABELS: Array<[string, string, string]> = [
  ['bug', 'd73a4a', "Something isn't working"],
  ['documentation', '0075ca', 'Improvements or additions to documentation'],
  ['enhancement', 'a2eeef', 'New feature or request'],
  ['good first issue', '7057ff', 'Good for newcomers'],
  ['question', 'd876e3', 'Further information is requested'],
];

export function createGithubState(users: UserDirectory, now: number): GithubState {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const accounts = new Map<string, GithubAccount>();
  const repos: GithubRepo[] = [];
  for (const user of users.all) {
    const account: GithubAccount = {
      user,
      login: user.name,
      id: numericId('github-user', user.name) % 200_000_000,
      createdAt: iso(now - 900 * DAY),
    };
    accounts.set(user.name, account);
    const repo = (
      name: string,
      opts: Partial<GithubRepo>,
      ageDays: number,
      issues: Array<Partial<GithubIssue> & { title: string }>,
    ): GithubRepo => {
      const id = numericId('github-repo', user.name, name) % 900_000_000;
      const labels = DEFAULT_LABELS.map(([n, color, description]) => ({
        id: numericId('github-label', id, n),
        name: n,
        color,
        description,
        default: true,
      }));
      return {
        id,
        owner: account,
        name,
        description: null,
        private: false,
        language: null,
        homepage: null,
        topics: [],
        stars: 0,
        createdAt: iso(now - ageDays * DAY),
        updatedAt: iso(now - 2 * DAY),
        pushedAt: iso(now - 2 * DAY),
        size: 120,
        labels,
        ...opts,
        issues: issues.map((i, index) => ({
          id: numericId('github-issue', id, index + 1),
          number: index + 1,
          body: null,
          state: 'open',
          stateReason: null,
          author: user.name,
          assignees: [],
          labels: [],
          comments: 0,
          createdAt: iso(now - (ageDays - index * 3) * DAY),
          updatedAt: iso(now - (index + 1) * DAY),
          closedAt: null,
          ...i,
        })),
      };
    };
    repos.push(
      repo(
        'api-server',
        {
          description: 'HTTP API for the demo app',
          language: 'TypeScript',
          topics: ['api', 'demo'],
          stars: 12,
          size: 2048,
        },
        300,
        [
          {
            title: 'Rate limiter returns 500 instead of 429',
            body: 'Steps to reproduce: send 200 requests in a second.',
            labels: ['bug'],
            assignees: [user.name],
            comments: 2,
          },
          {
            title: 'Add OpenAPI description',
            body: 'Generate it from the route definitions.',
            labels: ['documentation', 'enhancement'],
          },
          {
            title: 'Upgrade to Node 24',
            body: 'Done in #4.',
            state: 'closed',
            stateReason: 'completed',
            closedAt: iso(now - 5 * DAY),
          },
        ],
      ),
      repo(
        'website',
        {
          description: `${user.displayName}'s personal website`,
          language: 'JavaScript',
          homepage: `https://${user.name}.example.com`,
          size: 512,
        },
        500,
        [
          {
            title: 'Dark mode',
            body: 'Respect prefers-color-scheme.',
            labels: ['enhancement', 'good first issue'],
          },
        ],
      ),
      repo('notes', { description: 'Private notes', private: true, size: 64 }, 120, [
        { title: 'Write up Q3 planning notes', body: null },
      ]),
    );
  }
  const account = (name: string): GithubAccount => {
    const found = accounts.get(users.find(name)?.name ?? name);
    if (!found) throw new Error(`no GitHub account for ${name}`);
    return found;
  };
  return {
    account,
    accountByLogin: (login) =>
      [...accounts.values()].find((a) => a.login.toLowerCase() === login.toLowerCase()),
    repos: (user) => repos.filter((r) => r.owner === account(user)),
    repo: (owner, name) =>
      repos.find(
        (r) =>
          r.owner.login.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
      ),
    createIssue(repo, input) {
      const at = iso(Date.now());
      for (const name of input.labels) {
        if (!repo.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
          repo.labels.push({
            id: numericId('github-label', repo.id, name),
            name,
            color: 'ededed',
            description: null,
            default: false,
          });
        }
      }
      const number = Math.max(0, ...repo.issues.map((i) => i.number)) + 1;
      const issue: GithubIssue = {
        id: numericId('github-issue', repo.id, number, at),
        number,
        title: input.title,
        body: input.body,
        state: 'open',
        stateReason: null,
        author: input.author,
        assignees: input.assignees,
        labels: input.labels.map(
          (n) => repo.labels.find((l) => l.name.toLowerCase() === n.toLowerCase())?.name ?? n,
        ),
        comments: 0,
        createdAt: at,
        updatedAt: at,
        closedAt: null,
      };
      repo.issues.push(issue);
      repo.updatedAt = at;
      return issue;
    },
  };
}
