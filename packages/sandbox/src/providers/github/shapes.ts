// GitHub REST JSON shapes (components/schemas in github/api.github.com.json): simple-user, private-user,
// repository, issue, label. Hypermedia URLs point at the sandbox's own base URL.
import type { GithubAccount, GithubIssue, GithubLabel, GithubRepo, GithubState } from './state.ts';

const nodeId = (kind: string, id: number) => Buffer.from(`${kind}${id}`).toString('base64');

export function simpleUser(a: GithubAccount, base: string): Record<string, unknown> {
  const u = `${base}/users/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: nodeId('04:User', a.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `${base}/${a.login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

export function privateUser(
  a: GithubAccount,
  state: GithubState,
  base: string,
  withEmail: boolean,
): Record<string, unknown> {
  const repos = state.repos(a.user.name);
  const privateCount = repos.filter((r) => r.private).length;
  return {
    ...simpleUser(a, base),
    user_view_type: 'private',
    name: a.user.displayName,
    company: null,
    blog: '',
    location: null,
    email: withEmail ? a.user.email : null,
    notification_email: withEmail ? a.user.email : null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: repos.length - privateCount,
    public_gists: 0,
    followers: 3,
    following: 1,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    private_gists: 0,
    total_private_repos: privateCount,
    owned_private_repos: privateCount,
    disk_usage: repos.reduce((n, r) => n + r.size, 0),
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

export function labelObject(repo: GithubRepo, l: GithubLabel, base: string): Record<string, unknown> {
  return {
    id: l.id,
    node_id: nodeId('07:Label', l.id),
    url: `${base}/repos/${repo.owner.login}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

export function repositoryObject(r: GithubRepo, base: string, admin: boolean): Record<string, unknown> {
  const full = `${r.owner.login}/${r.name}`;
  const u = `${base}/repos/${full}`;
  const open = r.issues.filter((i) => i.state === 'open').length;
  return {
    id: r.id,
    node_id: nodeId('010:Repository', r.id),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: simpleUser(r.owner, base),
    html_url: `${base}/${full}`,
    description: r.description,
    fork: false,
    url: u,
    forks_url: `${u}/forks`,
    keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    teams_url: `${u}/teams`,
    hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`,
    events_url: `${u}/events`,
    assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`,
    tags_url: `${u}/tags`,
    blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`,
    languages_url: `${u}/languages`,
    stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`,
    git_commits_url: `${u}/git/commits{/sha}`,
    comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`,
    merges_url: `${u}/merges`,
    archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`,
    issues_url: `${u}/issues{/number}`,
    pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`,
    releases_url: `${u}/releases{/id}`,
    deployments_url: `${u}/deployments`,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    pushed_at: r.pushedAt,
    git_url: `${base.replace(/^http/, 'git')}/${full}.git`,
    ssh_url: `git@github.example:${full}.git`,
    clone_url: `${base}/${full}.git`,
    svn_url: `${base}/${full}`,
    homepage: r.homepage,
    size: r.size,
    stargazers_count: r.stars,
    watchers_count: r.stars,
    language: r.language,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: !r.private,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: open,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: r.topics,
    visibility: r.private ? 'private' : 'public',
    forks: 0,
    open_issues: open,
    watchers: r.stars,
    default_branch: 'main',
    permissions: { admin, maintain: admin, push: admin, triage: admin, pull: true },
  };
}

export function issueObject(
  repo: GithubRepo,
  i: GithubIssue,
  state: GithubState,
  base: string,
): Record<string, unknown> {
  const repoUrl = `${base}/repos/${repo.owner.login}/${repo.name}`;
  const u = `${repoUrl}/issues/${i.number}`;
  const person = (login: string) => {
    const account = state.accountByLogin(login);
    return account ? simpleUser(account, base) : null;
  };
  const assignees = i.assignees.map(person).filter((p) => p !== null);
  return {
    url: u,
    repository_url: repoUrl,
    labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`,
    events_url: `${u}/events`,
    html_url: `${base}/${repo.owner.login}/${repo.name}/issues/${i.number}`,
    id: i.id,
    node_id: nodeId('05:Issue', i.id),
    number: i.number,
    title: i.title,
    user: person(i.author),
    labels: i.labels
      .map((name) => repo.labels.find((l) => l.name === name))
      .filter((l) => l !== undefined)
      .map((l) => labelObject(repo, l, base)),
    state: i.state,
    locked: false,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: i.comments,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    author_association: i.author === repo.owner.login ? 'OWNER' : 'NONE',
    active_lock_reason: null,
    body: i.body,
    closed_by: i.state === 'closed' ? person(repo.owner.login) : null,
    reactions: {
      url: `${u}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${u}/timeline`,
    performed_via_github_app: null,
    state_reason: i.stateReason,
  };
}
