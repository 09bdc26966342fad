/**
 * MCP instances: an MCP config instantiated for one identifier, with its own unguessable URL
 * `<public URL>/mcp/i/lkm_<token>`. The token is HMAC-SHA256 (under a key-ring key) of the
 * instance id and a 128-bit random nonce: the database holds the nonce, the key id and the
 * token's SHA-256 only, so a dump reveals no usable URL, while the gateway can show the URL again
 * (EnsureMcpInstance is idempotent and safe on every login). Rotating draws a new nonce; revoking
 * clears the hash. Either way the old URL answers 404 on every gateway process at once, because
 * each MCP request looks the hash up in the store.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { hashSecret, newId } from '../crypto/secrets.ts';
import { invalidArgument } from '../errors.ts';
import type { Logger } from '../ops/log.ts';
import { NotFoundError } from '../store/errors.ts';
import { pageOf, pageTokens } from '../store/pagination.ts';
import { type McpInstanceRow, mcpInstancesRepo } from '../store/repos/mcp-instances.ts';
import type { Store } from '../store/store.ts';
import type { Accounts } from './accounts.ts';
import type { McpAuthStates, McpConnectionState } from './mcp-auth-state.ts';
import type { McpConfig, McpConfigs } from './mcp-configs.ts';

export interface McpInstance {
  id: string;
  environmentId: string;
  name: string;
  identifier: string;
  config: McpConfig;
  /** The user's account per connection id of the config. */
  accounts: Map<string, { id: string; status: string }>;
  /** Empty when revoked (or when the key it was derived with left the key ring). */
  url: string;
  lastUsedAt: number | undefined;
  createdAt: number;
  updatedAt: number;
}

const URL_PURPOSE = 'mcp-instance-url';
const TOKEN = /^lkm_[A-Za-z0-9_-]{43}$/;
const MAX_NAME = 100;
const TOUCH_FLUSH_MS = 2000;

export function createMcpInstances(deps: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  accounts: Accounts;
  configs: McpConfigs;
  authStates: McpAuthStates;
  publicUrl: () => string;
}) {
  const { keyring, clock, configs, accounts } = deps;
  const repo = mcpInstancesRepo(deps.store.db);
  const touched = new Set<string>();
  let flushScheduled = false;

  const tokenOf = (id: string, nonce: string, kid?: string) => {
    const m = keyring.mac(URL_PURPOSE, `${id}.${nonce}`, kid);
    return m ? { kid: m.kid, token: `lkm_${m.mac.toString('base64url')}` } : undefined;
  };
  const urlOf = (token: string) => `${deps.publicUrl()}/mcp/i/${token}`;

  function currentUrl(row: McpInstanceRow): string {
    if (!row.url_hash || !row.url_nonce || !row.url_key_id) return '';
    const t = tokenOf(row.id, row.url_nonce, row.url_key_id);
    return t && hashSecret(t.token) === row.url_hash ? urlOf(t.token) : '';
  }

  /** Columns of a fresh URL (new nonce, the primary key). */
  function freshUrl(id: string): Pick<McpInstanceRow, 'url_hash' | 'url_nonce' | 'url_key_id'> {
    const nonce = randomBytes(16).toString('base64url');
    const t = tokenOf(id, nonce)!;
    return { url_hash: hashSecret(t.token), url_nonce: nonce, url_key_id: t.kid };
  }

  async function view(row: McpInstanceRow, config?: McpConfig): Promise<McpInstance> {
    const cfg = config ?? (await configs.get(row.environment_id, row.config_id));
    return {
      id: row.id,
      environmentId: row.environment_id,
      name: row.name,
      identifier: row.identifier,
      config: cfg,
      accounts: await deps.authStates.accountsOf(row.environment_id, row.identifier),
      url: currentUrl(row),
      lastUsedAt: row.last_used_at ?? undefined,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  function checkName(name: string, field: string): string {
    const n = name.trim();
    if (n.length > MAX_NAME) throw invalidArgument(field, `is longer than ${MAX_NAME} characters`);
    return n;
  }

  const requireId = (id: string) => {
    if (!id) throw invalidArgument('instance_id', 'is required');
    return id;
  };

  return {
    repo,

    /** EnsureMcpInstance: the user's instance of the config, created when missing, with a working URL. */
    async ensure(
      environmentId: string,
      input: { configName: string; identifier: string; name?: string | undefined },
    ): Promise<McpInstance> {
      if (!input.configName) throw invalidArgument('config_name', 'is required');
      const identifier = accounts.checkIdentifier(input.identifier);
      const name = input.name ? checkName(input.name, 'name') : '';
      const config = await configs.get(environmentId, input.configName, 'config_name');
      let row = await repo.findByUser(environmentId, config.id, identifier);
      if (!row) {
        const id = newId('mcpi');
        const now = clock.now();
        const fresh: McpInstanceRow = {
          id,
          environment_id: environmentId,
          config_id: config.id,
          name: name || `${config.name}-${identifier}`.slice(0, MAX_NAME),
          identifier,
          ...freshUrl(id),
          last_used_at: null,
          created_at: now,
          updated_at: now,
        };
        try {
          await repo.insert(fresh);
          row = fresh;
        } catch (e) {
          // created concurrently (two logins at once): use that one
          row = await repo.findByUser(environmentId, config.id, identifier);
          if (!row) throw e;
        }
      }
      if (currentUrl(row) === '') {
        // revoked, or derived with a key that left the key ring: give the user a new URL
        row = await repo.update(environmentId, row.id, { ...freshUrl(row.id), updated_at: clock.now() });
      }
      return view(row, config);
    },

    async get(environmentId: string, id: string): Promise<McpInstance> {
      return view(await repo.get(environmentId, requireId(id)));
    },

    async list(
      environmentId: string,
      f: {
        id?: string | undefined;
        name?: string | undefined;
        configName?: string | undefined;
        identifier?: string | undefined;
        search?: string | undefined;
        pageSize?: number | undefined;
        pageToken?: string | undefined;
      },
    ) {
      const page = pageOf(f.pageSize, f.pageToken, 100, 30);
      let configId: string | undefined;
      if (f.configName) {
        const cfg = await configs.repo.findByName(environmentId, f.configName);
        if (!cfg) return { instances: [], total: 0, nextPageToken: '', prevPageToken: '' };
        configId = cfg.id;
      }
      const { rows, total } = await repo.list(
        environmentId,
        { id: f.id, name: f.name, configId, identifier: f.identifier, search: f.search },
        page,
      );
      const byConfig = new Map<string, McpConfig>();
      const instances: McpInstance[] = [];
      for (const row of rows) {
        let cfg = byConfig.get(row.config_id);
        if (!cfg) {
          cfg = await configs.get(environmentId, row.config_id);
          byConfig.set(row.config_id, cfg);
        }
        instances.push(await view(row, cfg));
      }
      return { instances, total, ...pageTokens(page, total) };
    },

    /** Renames, and/or moves the instance to another config (the URL stays). */
    async update(
      environmentId: string,
      id: string,
      patch: { name?: string | undefined; configName?: string | undefined },
    ): Promise<McpInstance> {
      const row = await repo.get(environmentId, requireId(id));
      const set: Partial<McpInstanceRow> = { updated_at: clock.now() };
      if (patch.name) set.name = checkName(patch.name, 'name');
      let config: McpConfig | undefined;
      if (patch.configName) {
        config = await configs.get(environmentId, patch.configName, 'config_name');
        set.config_id = config.id;
      }
      return view(await repo.update(environmentId, row.id, set), config);
    },

    /** Deletes the instance; its URL answers 404 at once. */
    async delete(environmentId: string, id: string): Promise<void> {
      if (!(await repo.delete(environmentId, requireId(id))))
        throw new NotFoundError(`MCP instance ${id} not found`);
    },

    /** A new URL for the instance; the old one answers 404 at once. */
    async rotateUrl(environmentId: string, id: string): Promise<McpInstance> {
      const row = await repo.get(environmentId, requireId(id));
      return view(await repo.update(environmentId, row.id, { ...freshUrl(row.id), updated_at: clock.now() }));
    },

    /** Revokes the URL (404 at once) and keeps the instance; EnsureMcpInstance or a rotation gives a new one. */
    async revokeUrl(environmentId: string, id: string): Promise<McpInstance> {
      const row = await repo.get(environmentId, requireId(id));
      return view(
        await repo.update(environmentId, row.id, {
          url_hash: null,
          url_nonce: null,
          url_key_id: null,
          updated_at: clock.now(),
        }),
      );
    },

    /** GetMcpInstanceAuthState. */
    async authState(environmentId: string, id: string, withLinks: boolean): Promise<McpConnectionState[]> {
      const row = await repo.get(environmentId, requireId(id));
      const config = await configs.get(environmentId, row.config_id);
      return deps.authStates.states(environmentId, config.mappings, row.identifier, withLinks);
    },

    /** The instance, config and mapped connections of a URL token; undefined: unknown, revoked or rotated. */
    async resolveToken(token: string) {
      if (!TOKEN.test(token)) return undefined;
      return repo.findScopeByUrlHash(hashSecret(token));
    },

    /** Records that an instance was used (last_used_at), batched. */
    touch(instanceId: string): void {
      touched.add(instanceId);
      if (flushScheduled) return;
      flushScheduled = true;
      setTimeout(() => {
        flushScheduled = false;
        const ids = [...touched];
        touched.clear();
        repo.touch(ids, clock.now()).catch((e: Error) => {
          deps.logger.warn({ err: e.message }, 'could not record MCP instance use');
        });
      }, TOUCH_FLUSH_MS).unref();
    },
  };
}

export type McpInstances = ReturnType<typeof createMcpInstances>;
