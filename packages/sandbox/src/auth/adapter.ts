// In-memory storage for oidc-provider, one per sandbox (oidc-provider's bundled memory adapter shares
// a module-level LRU between every provider in the process and evicts after 1,000 entries).
// It also answers the sandbox's own questions: which grants a user holds, and why a token stopped working.

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; exp?: number };

interface Entry {
  payload: Payload;
  /** Epoch ms after which the entry may be purged (kept a while so "expired" can be told from "unknown"). */
  purgeAt: number;
}

export type TokenEndReason = 'revoked' | 'expired' | 'unknown';

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);
const TRACKED = new Set(['AccessToken', 'RefreshToken']);
const KEEP_AFTER_EXPIRY_MS = 60 * 60 * 1000;

export interface GrantSummary {
  grantId: string;
  accountId: string;
  clientId: string;
}

export interface OidcStore {
  /** Factory handed to oidc-provider's `adapter` option. */
  adapterFor(model: string): OidcAdapter;
  grants(): GrantSummary[];
  /** Why a token (by its value/jti) no longer works. */
  tokenEndReason(model: 'AccessToken' | 'RefreshToken', id: string): TokenEndReason;
  /** The stored payload of a token, even if expired. */
  peek(model: string, id: string): Payload | undefined;
}

export interface OidcAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export function createOidcStore(): OidcStore {
  const entries = new Map<string, Entry>();
  const uidIndex = new Map<string, string>();
  const userCodeIndex = new Map<string, string>();
  const grantMembers = new Map<string, Set<string>>();
  const revoked = new Map<string, number>();
  let writes = 0;

  const sweep = (): void => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.purgeAt <= now) remove(key, false);
    for (const [key, at] of revoked) if (at + 24 * KEEP_AFTER_EXPIRY_MS <= now) revoked.delete(key);
  };

  function remove(key: string, asRevocation: boolean): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const { payload } = entry;
    if (payload.uid && uidIndex.get(payload.uid) === key) uidIndex.delete(payload.uid);
    if (payload.userCode && userCodeIndex.get(payload.userCode) === key)
      userCodeIndex.delete(payload.userCode);
    if (payload.grantId) grantMembers.get(payload.grantId)?.delete(key);
    const model = key.slice(0, key.indexOf(':'));
    if (asRevocation && TRACKED.has(model)) revoked.set(key, Date.now());
  }

  const adapterFor = (model: string): OidcAdapter => {
    const key = (id: string) => `${model}:${id}`;
    const get = (id: string): Payload | undefined => entries.get(key(id))?.payload;
    return {
      async upsert(id, payload, expiresIn) {
        const k = key(id);
        const previous = entries.get(k);
        if (previous) remove(k, false);
        const expiresAt =
          typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        entries.set(k, { payload, purgeAt: expiresAt + KEEP_AFTER_EXPIRY_MS });
        if (model === 'Session' && payload.uid) uidIndex.set(payload.uid, k);
        if (payload.userCode) userCodeIndex.set(payload.userCode, k);
        if (GRANTABLE.has(model) && payload.grantId) {
          let members = grantMembers.get(payload.grantId);
          if (!members) {
            members = new Set();
            grantMembers.set(payload.grantId, members);
          }
          members.add(k);
        }
        if (++writes % 200 === 0) sweep();
      },
      async find(id) {
        return get(id);
      },
      async findByUid(uid) {
        const k = uidIndex.get(uid);
        return k ? entries.get(k)?.payload : undefined;
      },
      async findByUserCode(userCode) {
        const k = userCodeIndex.get(userCode);
        return k ? entries.get(k)?.payload : undefined;
      },
      async consume(id) {
        const payload = get(id);
        if (payload) payload['consumed'] = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        remove(key(id), true);
      },
      async revokeByGrantId(grantId) {
        const members = grantMembers.get(grantId);
        if (!members) return;
        for (const k of [...members]) if (k.startsWith(`${model}:`)) remove(k, true);
        if (members.size === 0) grantMembers.delete(grantId);
      },
    };
  };

  return {
    adapterFor,
    grants() {
      const out: GrantSummary[] = [];
      for (const [k, entry] of entries) {
        if (!k.startsWith('Grant:')) continue;
        const { accountId, clientId } = entry.payload;
        if (typeof accountId === 'string' && typeof clientId === 'string') {
          out.push({ grantId: k.slice('Grant:'.length), accountId, clientId });
        }
      }
      return out;
    },
    tokenEndReason(model, id) {
      const k = `${model}:${id}`;
      if (revoked.has(k)) return 'revoked';
      const entry = entries.get(k);
      if (!entry) return 'unknown';
      const exp = entry.payload.exp;
      if (typeof exp === 'number' && exp * 1000 <= Date.now()) return 'expired';
      // Stored and not expired, yet refused: its grant is gone (revoked) or it was consumed.
      return 'revoked';
    },
    peek(model, id) {
      return entries.get(`${model}:${id}`)?.payload;
    },
  };
}
