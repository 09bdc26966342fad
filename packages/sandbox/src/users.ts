// The seeded people of the sandbox. Every imitation derives its per-user data from this list.

export interface SandboxUser {
  /** Login name, also the OAuth `sub` (accountId) and the value of `login_hint`. */
  name: string;
  displayName: string;
  givenName: string;
  familyName: string;
  email: string;
  timeZone: string;
}

/** Password accepted on the interactive login page for every seeded user. */
export const SANDBOX_PASSWORD = 'sandbox';

export const SEEDED_USERS: readonly SandboxUser[] = [
  {
    name: 'alice',
    displayName: 'Alice Nguyen',
    givenName: 'Alice',
    familyName: 'Nguyen',
    email: 'alice@example.com',
    timeZone: 'Europe/Paris',
  },
  {
    name: 'bob',
    displayName: 'Bob Martin',
    givenName: 'Bob',
    familyName: 'Martin',
    email: 'bob@example.com',
    timeZone: 'America/New_York',
  },
  {
    name: 'john-doe',
    displayName: 'John Doe',
    givenName: 'John',
    familyName: 'Doe',
    email: 'john.doe@example.com',
    timeZone: 'UTC',
  },
];

export interface UserDirectory {
  all: readonly SandboxUser[];
  names: string[];
  defaultUser: SandboxUser;
  /** Finds a user by login name or e-mail address (case-insensitive). */
  find(nameOrEmail: string | undefined): SandboxUser | undefined;
  get(name: string): SandboxUser;
}

export function createUserDirectory(users: readonly SandboxUser[] = SEEDED_USERS): UserDirectory {
  const first = users[0];
  if (!first) throw new Error('the sandbox needs at least one user');
  const find = (nameOrEmail: string | undefined): SandboxUser | undefined => {
    if (!nameOrEmail) return undefined;
    const key = nameOrEmail.trim().toLowerCase();
    return users.find((u) => u.name === key || u.email === key);
  };
  return {
    all: users,
    names: users.map((u) => u.name),
    defaultUser: first,
    find,
    get(name) {
      const user = find(name);
      if (!user) throw new Error(`unknown sandbox user: ${name}`);
      return user;
    },
  };
}
