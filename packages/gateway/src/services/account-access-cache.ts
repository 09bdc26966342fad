/**
 * A short-lived cache in front of an AccountAccess, for the hot paths (proxy, tool execution):
 * resolving an account costs several store reads and credentials a read plus a decryption, on
 * every call. Resolved targets and credentials are kept for `ttlMs` (default 2 s):
 *  - a change made elsewhere (account disconnected, deleted, re-authorized, a refresh by another
 *    process) is seen within `ttlMs`; a provider 401 drops the account's entry at once and asks
 *    the inner access for fresh credentials (refreshing if needed), so rotated tokens are never
 *    retried stale;
 *  - credentials are refreshed by the inner access before they expire (its margin is minutes,
 *    the cache holds them for seconds);
 *  - failures are never cached; the cache is bounded and cleared when full.
 */
import type { Clock } from '../clock.ts';
import type { AccountAccess, AccountRef, UpstreamAuth, UpstreamTarget } from './account-access.ts';
import type { Principal } from './api-access.ts';

const MAX_ENTRIES = 10_000;

interface Entry<T> {
  value: T;
  until: number;
}

export function cachedAccountAccess(
  inner: AccountAccess,
  opts: { clock: Clock; ttlMs?: number },
): AccountAccess & { invalidate(accountId?: string): void } {
  const ttl = opts.ttlMs ?? 2000;
  const { clock } = opts;
  const targets = new Map<string, Entry<UpstreamTarget>>();
  const auths = new Map<string, Entry<UpstreamAuth>>();
  const put = <T>(map: Map<string, Entry<T>>, key: string, value: T) => {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { value, until: clock.now() + ttl });
  };
  const fresh = <T>(map: Map<string, Entry<T>>, key: string): T | undefined => {
    const e = map.get(key);
    if (e === undefined) return undefined;
    if (e.until > clock.now()) return e.value;
    map.delete(key);
    return undefined;
  };
  const refKey = (p: Principal, r: AccountRef) =>
    `${p.environmentId}\u0000${r.accountId ?? ''}\u0000${r.connectionName ?? ''}\u0000${r.connector ?? ''}\u0000${r.identifier ?? ''}`;

  return {
    async resolve(principal, ref) {
      const key = refKey(principal, ref);
      const hit = fresh(targets, key);
      if (hit) return hit;
      const target = await inner.resolve(principal, ref);
      put(targets, key, target);
      return target;
    },
    async credentials(target) {
      const hit = fresh(auths, target.accountId);
      if (hit) return hit;
      const auth = await inner.credentials(target);
      put(auths, target.accountId, auth);
      return auth;
    },
    async afterUnauthorized(target, rejected) {
      auths.delete(target.accountId);
      const next = await inner.afterUnauthorized(target, rejected);
      if (next) put(auths, target.accountId, next);
      else for (const [k, e] of targets) if (e.value.accountId === target.accountId) targets.delete(k);
      return next;
    },
    touch: (target) => inner.touch(target),
    invalidate(accountId) {
      if (accountId === undefined) {
        targets.clear();
        auths.clear();
        return;
      }
      auths.delete(accountId);
      for (const [k, e] of targets) if (e.value.accountId === accountId) targets.delete(k);
    },
  };
}
