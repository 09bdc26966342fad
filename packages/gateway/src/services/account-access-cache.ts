/**
 * A validated cache in front of an AccountAccess, for the hot paths (proxy, tool execution, MCP):
 * resolving an account costs several store reads and view building, credentials a read plus a
 * decryption. Here a call costs one indexed, precompiled read, the account's AccessStamp (status,
 * version, update time, ciphertext, token expiry, and its connection's and custom connector's
 * update times): the resolved target and the injected credentials are reused only while the stamp
 * is exactly the one they were built under. So any change, made by this process or another one on
 * the same database, is seen by the next call; nothing is served stale for a while.
 *  - credentials that expire within the refresh margin go to the inner access, which refreshes;
 *  - a provider 401 drops the account's entries and asks the inner access;
 *  - a name that stops meaning the cached account (the connection renamed) resolves afresh;
 *  - failures are never cached; the cache is bounded and cleared when full.
 */
import type { Clock } from '../clock.ts';
import type { AccessStamp } from '../store/repos/accounts.ts';
import type { AccountAccess, AccountRef, UpstreamAuth, UpstreamTarget } from './account-access.ts';
import type { Principal } from './api-access.ts';

const MAX_ENTRIES = 10_000;

interface Entry<T> {
  value: T;
  stamp: AccessStamp;
}

const sameStamp = (a: AccessStamp, b: AccessStamp): boolean =>
  a.status === b.status &&
  a.version === b.version &&
  a.updated_at === b.updated_at &&
  a.token_expires_at === b.token_expires_at &&
  a.credentials_enc === b.credentials_enc &&
  a.connection_name === b.connection_name &&
  a.connection_enabled === b.connection_enabled &&
  a.connection_updated_at === b.connection_updated_at &&
  a.connector_updated_at === b.connector_updated_at;

export function cachedAccountAccess(
  inner: AccountAccess,
  opts: {
    clock: Clock;
    /** The account's current stamp (undefined when it no longer exists). */
    stamp(accountId: string): Promise<AccessStamp | undefined>;
    /** Credentials expiring within this margin are never served from the cache. */
    refreshMarginMs: number;
  },
): AccountAccess {
  const { clock } = opts;
  const targets = new Map<string, Entry<UpstreamTarget>>();
  const auths = new Map<string, Entry<UpstreamAuth>>();
  const put = <T>(map: Map<string, Entry<T>>, key: string, value: T, stamp: AccessStamp) => {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { value, stamp });
  };
  const refKey = (p: Principal, r: AccountRef) =>
    `${p.environmentId}\u0000${r.accountId ?? ''}\u0000${r.connectionName ?? ''}\u0000${r.connector ?? ''}\u0000${r.identifier ?? ''}`;
  /** The name a reference uses for the connection, when it names one. */
  const nameOf = (r: AccountRef) => (r.accountId ? undefined : (r.connectionName ?? r.connector));

  /** The stamp read when `resolve` last returned a target: `credentials` right after needs no read. */
  const stampOf = new WeakMap<UpstreamTarget, AccessStamp>();

  function drop(accountId: string): void {
    auths.delete(accountId);
    for (const [k, e] of targets) if (e.value.accountId === accountId) targets.delete(k);
  }

  return {
    async resolve(principal, ref) {
      const key = refKey(principal, ref);
      const hit = targets.get(key);
      if (hit) {
        const now = await opts.stamp(hit.value.accountId);
        const name = nameOf(ref);
        if (now && sameStamp(now, hit.stamp) && (name === undefined || name === now.connection_name)) {
          stampOf.set(hit.value, now);
          return hit.value;
        }
        targets.delete(key);
      }
      const target = await inner.resolve(principal, ref);
      // Read after resolving: a change in between makes this stamp newer than the target, so the
      // next call resolves again (never the other way round).
      const stamp = await opts.stamp(target.accountId);
      // Only a reference by id or by the connection's own name is cached (a connector slug may come
      // to match several connections).
      const name = nameOf(ref);
      if (stamp && (name === undefined || name === stamp.connection_name)) put(targets, key, target, stamp);
      if (stamp) stampOf.set(target, stamp);
      return target;
    },
    async credentials(target) {
      // Taken by the resolve of this call (or a later one); a retry after a 401 reads it afresh.
      const now = stampOf.get(target) ?? (await opts.stamp(target.accountId));
      stampOf.delete(target);
      const hit = auths.get(target.accountId);
      const expiring =
        now?.token_expires_at !== null &&
        now?.token_expires_at !== undefined &&
        now.token_expires_at - clock.now() <= opts.refreshMarginMs;
      if (hit && now && !expiring && sameStamp(now, hit.stamp)) return hit.value;
      auths.delete(target.accountId);
      const auth = await inner.credentials(target);
      // The stamp read before the inner call: if it refreshed, the next call sees a new stamp.
      if (now && !expiring) put(auths, target.accountId, auth, now);
      return auth;
    },
    async afterUnauthorized(target, rejected) {
      drop(target.accountId);
      return inner.afterUnauthorized(target, rejected);
    },
    touch: (target) => inner.touch(target),
  };
}
