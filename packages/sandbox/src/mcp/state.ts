// Sanity-like content per user: projects with datasets of documents (posts, authors, categories) and
// content releases.
import { hexId } from '../ids.ts';
import type { SandboxUser, UserDirectory } from '../users.ts';

export type SanityDocument = Record<string, unknown> & { _id: string; _type: string };

export interface SanityRelease {
  _id: string;
  _type: 'system.release';
  name: string;
  state: 'active' | 'scheduled' | 'published' | 'archived';
  metadata: {
    title: string;
    releaseType: 'asap' | 'scheduled' | 'undecided';
    intendedPublishAt?: string;
    description?: string;
  };
  _createdAt: string;
  _updatedAt: string;
}

export interface SanityProject {
  id: string;
  displayName: string;
  organizationId: string;
  studioHost: string;
  createdAt: string;
  datasets: Record<string, { documents: SanityDocument[]; releases: SanityRelease[] }>;
}

export interface SanityState {
  projects(user: string): SanityProject[];
  project(user: string, id: string): SanityProject | undefined;
}

export function createSanityState(users: UserDirectory, now: number): SanityState {
  const iso = (daysAgo: number) =>
    new Date(now - daysAgo * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const byUser = new Map<string, SanityProject[]>();
  for (const user of users.all) {
    const org = `o${hexId(9, 'sanity-org', user.name)}`;
    const project = (
      key: string,
      name: string,
      docs: SanityDocument[],
      releases: SanityRelease[],
    ): SanityProject => ({
      id: hexId(8, 'sanity-project', user.name, key).replace(/^[0-9]/, 'p'),
      displayName: name,
      organizationId: org,
      studioHost: `${user.name}-${key}`,
      createdAt: iso(200),
      datasets: {
        production: { documents: docs, releases },
        staging: { documents: docs.slice(0, 2), releases: [] },
      },
    });
    byUser.set(user.name, [
      project('blog', `${user.givenName}'s Blog`, blogDocs(user, iso), blogReleases(user, iso, now)),
      project('docs', 'Product Docs', docsDocs(iso), []),
    ]);
  }
  const projects = (name: string) => byUser.get(users.find(name)?.name ?? name) ?? [];
  return { projects, project: (user, id) => projects(user).find((p) => p.id === id) };
}

function blogDocs(user: SandboxUser, iso: (d: number) => string): SanityDocument[] {
  const author = {
    _id: `author-${user.name}`,
    _type: 'author',
    name: user.displayName,
    slug: { _type: 'slug', current: user.name },
    _createdAt: iso(180),
    _updatedAt: iso(90),
    _rev: 'a1',
  };
  const cat = (slug: string, title: string) => ({
    _id: `category-${slug}`,
    _type: 'category',
    title,
    slug: { _type: 'slug', current: slug },
    _createdAt: iso(170),
    _updatedAt: iso(170),
    _rev: 'c1',
  });
  const post = (
    slug: string,
    title: string,
    status: 'draft' | 'published' | 'in_review',
    days: number,
    categories: string[],
    excerpt: string,
  ) => ({
    _id: status === 'draft' ? `drafts.post-${slug}` : `post-${slug}`,
    _type: 'post',
    title,
    slug: { _type: 'slug', current: slug },
    status,
    excerpt,
    author: { _type: 'reference', _ref: author._id },
    categories: categories.map((c) => ({ _type: 'reference', _ref: `category-${c}`, _key: c })),
    publishedAt: status === 'published' ? iso(days) : null,
    _createdAt: iso(days + 3),
    _updatedAt: iso(days),
    _rev: hexId(6, 'rev', slug),
  });
  return [
    author,
    cat('engineering', 'Engineering'),
    cat('product', 'Product'),
    post('hello-world', 'Hello, world', 'published', 60, ['product'], 'Why we started this blog.'),
    post(
      'scaling-postgres',
      'Scaling PostgreSQL to a billion rows',
      'published',
      20,
      ['engineering'],
      'Partitioning, indexes and a few surprises.',
    ),
    post(
      'q3-launch',
      'Announcing our Q3 launch',
      'draft',
      2,
      ['product'],
      'Everything that ships this quarter.',
    ),
    post(
      'agent-auth',
      'How our agents authenticate',
      'draft',
      5,
      ['engineering'],
      'OAuth for AI agents, explained.',
    ),
    post(
      'pricing-update',
      'A simpler pricing page',
      'in_review',
      1,
      ['product'],
      'Fewer tiers, clearer limits.',
    ),
  ];
}

function blogReleases(user: SandboxUser, iso: (d: number) => string, now: number): SanityRelease[] {
  const release = (
    name: string,
    title: string,
    state: SanityRelease['state'],
    type: SanityRelease['metadata']['releaseType'],
    days: number,
    at?: number,
  ): SanityRelease => ({
    _id: `_.releases.${name}`,
    _type: 'system.release',
    name,
    state,
    metadata: {
      title,
      releaseType: type,
      ...(at ? { intendedPublishAt: new Date(at).toISOString() } : {}),
      description: `Prepared by ${user.givenName}`,
    },
    _createdAt: iso(days),
    _updatedAt: iso(Math.max(0, days - 1)),
  });
  return [
    release('rQ3launch', 'Q3 launch', 'scheduled', 'scheduled', 4, now + 7 * 86_400_000),
    release('rPricing', 'Pricing refresh', 'active', 'asap', 2),
    release('rWinter', 'Winter campaign', 'published', 'undecided', 90),
  ];
}

function docsDocs(iso: (d: number) => string): SanityDocument[] {
  const page = (slug: string, title: string, status: string, days: number) => ({
    _id: `doc-${slug}`,
    _type: 'docPage',
    title,
    slug: { _type: 'slug', current: slug },
    status,
    _createdAt: iso(days + 10),
    _updatedAt: iso(days),
    _rev: hexId(6, 'rev', slug),
  });
  return [
    page('getting-started', 'Getting started', 'published', 30),
    page('authentication', 'Authentication', 'published', 12),
    page('webhooks', 'Webhooks', 'draft', 3),
  ];
}
