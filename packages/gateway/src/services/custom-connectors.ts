/**
 * Custom connectors: connectors an environment defines for itself, today upstream MCP servers
 * (a URL and how to authenticate: MCP OAuth with dynamic registration, a bearer token, an API-key
 * header, or nothing). Each is a full connector definition validated by loadConnector like the
 * shipped ones, stored per environment; its tools are discovered from the server at runtime and
 * named `<slug>_<tool>`. Nothing here knows the wire (ProviderService and the CLI adapt to it).
 */
import {
  type ConnectorDefinition,
  type ConnectorInput,
  ConnectorValidationError,
  loadConnector,
} from '@latchkey/connectors';
import type { Clock } from '../clock.ts';
import { newId } from '../crypto/secrets.ts';
import { type FieldViolation, invalidArgument, LatchkeyError } from '../errors.ts';
import { type CustomConnectorRow, customConnectorsRepo } from '../store/repos/custom-connectors.ts';
import type { Store } from '../store/store.ts';
import type { Catalog } from './catalog.ts';

export type CustomMcpAuth =
  | {
      type: 'oauth';
      scopes?: string[] | undefined;
      /** How the gateway becomes a client of the server's authorization server (default dynamic). */
      registration?: 'dynamic' | 'client_id_metadata_document' | undefined;
    }
  | { type: 'bearer' }
  | { type: 'api_key'; header?: string | undefined }
  | { type: 'none' };

export interface CustomMcpInput {
  /** Default: derived from the display name (`Acme Docs` → `acme_docs`). */
  slug?: string | undefined;
  displayName: string;
  description?: string | undefined;
  serverUrl: string;
  auth: CustomMcpAuth;
  iconUrl?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** Fields to change; undefined ones stay as they are. */
export type CustomMcpPatch = { [K in keyof Omit<CustomMcpInput, 'slug'>]?: CustomMcpInput[K] | undefined };

export interface CustomConnector {
  id: string;
  definition: ConnectorDefinition;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

const SLUG = /^[a-z][a-z0-9_]{1,63}$/;

/** `Acme Docs (beta)` → `acme_docs_beta`. */
export function slugFrom(displayName: string): string {
  const s = displayName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 48);
  return s.length >= 2 ? s : `mcp_${s}`;
}

function authScheme(auth: CustomMcpAuth): ConnectorInput['auth'] {
  switch (auth.type) {
    case 'oauth':
      return {
        type: 'mcp_oauth2',
        registration: auth.registration ?? 'dynamic',
        ...(auth.scopes?.length ? { scopes: auth.scopes } : {}),
      };
    case 'bearer':
      return {
        type: 'bearer',
        field: 'token',
        fields: [{ name: 'token', label: 'Access token', type: 'password', required: true }],
      };
    case 'api_key':
      return {
        type: 'api_key',
        placement: 'header',
        name: auth.header ?? 'X-API-Key',
        field: 'api_key',
        fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
      };
    case 'none':
      return { type: 'none' };
  }
}

/** Which input field a definition path comes from, for error messages naming the caller's field. */
function fieldOf(path: string): string {
  if (path.startsWith('mcp.server_url')) return 'server_url';
  if (path.startsWith('display_name')) return 'display_name';
  if (path.startsWith('description')) return 'description';
  if (path.startsWith('icon_url')) return 'icon_url';
  if (path.startsWith('auth.name')) return 'auth.header';
  if (path.startsWith('auth')) return 'auth';
  return path === 'slug' || path.startsWith('mcp.tool_prefix') ? 'slug' : path;
}

export function createCustomConnectors(deps: { store: Store; clock: Clock; catalog: Catalog }) {
  const { clock, catalog } = deps;
  const repo = customConnectorsRepo(deps.store.db);
  const parsed = new Map<string, { version: number; def: ConnectorDefinition }>();

  function build(slug: string, input: CustomMcpInput): ConnectorDefinition {
    const def: ConnectorInput = {
      slug,
      display_name: input.displayName,
      description: input.description || `${input.displayName} (custom MCP connector)`,
      categories: ['Custom'],
      ...(input.iconUrl ? { icon_url: input.iconUrl } : {}),
      kind: 'mcp',
      auth: authScheme(input.auth),
      mcp: { server_url: input.serverUrl, tool_prefix: slug, transport: 'streamable_http' },
      tools: [],
    };
    try {
      return loadConnector(def);
    } catch (e) {
      if (!(e instanceof ConnectorValidationError)) throw e;
      const violations: FieldViolation[] = e.issues.map((i) => ({
        field: fieldOf(i.path),
        description: i.message,
      }));
      throw new LatchkeyError(
        'invalid_argument',
        `invalid custom connector: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
        { violations },
      );
    }
  }

  function view(row: CustomConnectorRow): CustomConnector {
    let hit = parsed.get(row.id);
    if (!hit || hit.version !== row.updated_at) {
      hit = { version: row.updated_at, def: loadConnector(JSON.parse(row.definition)) };
      parsed.set(row.id, hit);
    }
    return {
      id: row.id,
      definition: hit.def,
      metadata: JSON.parse(row.metadata) as Record<string, string>,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Input of an existing definition, for updates. */
  function inputOf(def: ConnectorDefinition): CustomMcpInput {
    const a = def.auth;
    const auth: CustomMcpAuth =
      a.type === 'mcp_oauth2'
        ? {
            type: 'oauth',
            scopes: a.scopes,
            registration: a.registration === 'preregistered' ? undefined : a.registration,
          }
        : a.type === 'api_key'
          ? { type: 'api_key', header: a.name }
          : a.type === 'bearer'
            ? { type: 'bearer' }
            : { type: 'none' };
    return {
      displayName: def.display_name,
      description: def.description,
      serverUrl: def.mcp?.server_url ?? '',
      auth,
      iconUrl: def.icon_url,
    };
  }

  async function connectionsUsing(environmentId: string, slug: string): Promise<string[]> {
    const rows = await deps.store.db
      .selectFrom('connections')
      .select('name')
      .where('environment_id', '=', environmentId)
      .where('connector', '=', slug)
      .execute();
    return rows.map((r) => r.name);
  }

  return {
    /** The environment's custom connector with this slug (any case), if any. */
    async find(environmentId: string, slug: string): Promise<ConnectorDefinition | undefined> {
      const row = await repo.find(environmentId, slug.toLowerCase());
      return row ? view(row).definition : undefined;
    },

    async get(environmentId: string, slug: string): Promise<CustomConnector> {
      return view(await repo.get(environmentId, slug.toLowerCase()));
    },

    async list(environmentId: string): Promise<CustomConnector[]> {
      return (await repo.list(environmentId)).map(view);
    },

    async createMcp(environmentId: string, input: CustomMcpInput): Promise<CustomConnector> {
      if (!input.displayName?.trim()) throw invalidArgument('display_name', 'is required');
      if (!input.serverUrl)
        throw invalidArgument('server_url', 'is required: the MCP server (Streamable HTTP) URL');
      let slug = input.slug ?? slugFrom(input.displayName);
      if (!SLUG.test(slug)) {
        throw invalidArgument(
          'slug',
          'must be 2-64 characters: lowercase letters, digits, _; starting with a letter',
        );
      }
      if (input.slug !== undefined && (catalog.find(slug) || (await repo.find(environmentId, slug)))) {
        throw new LatchkeyError(
          'already_exists',
          `a connector "${slug}" already exists; choose another slug`,
        );
      }
      // A derived slug steps aside for shipped and existing connectors: acme, acme_2, …
      const base = slug;
      for (let n = 2; catalog.find(slug) || (await repo.find(environmentId, slug)); n++)
        slug = `${base}_${n}`;
      const definition = build(slug, input);
      const now = clock.now();
      const row: CustomConnectorRow = {
        id: newId('cc'),
        environment_id: environmentId,
        slug,
        definition: JSON.stringify(definition),
        metadata: JSON.stringify(input.metadata ?? {}),
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row);
      return view(row);
    },

    async update(environmentId: string, slug: string, patch: CustomMcpPatch): Promise<CustomConnector> {
      const row = await repo.get(environmentId, slug.toLowerCase());
      const current = view(row);
      const next = {
        ...inputOf(current.definition),
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      } as CustomMcpInput;
      if (patch.auth && patch.auth.type !== inputOf(current.definition).auth.type) {
        const users = await connectionsUsing(environmentId, row.slug);
        if (users.length > 0) {
          throw new LatchkeyError(
            'failed_precondition',
            `connector "${row.slug}" is used by connection(s) ${users.join(', ')}; their accounts hold credentials of the current auth type, so delete them before changing it`,
          );
        }
      }
      const definition = build(row.slug, next);
      const updatedAt = Math.max(clock.now(), row.updated_at + 1);
      await repo.update(environmentId, row.slug, {
        definition: JSON.stringify(definition),
        metadata: JSON.stringify(patch.metadata ?? current.metadata),
        updated_at: updatedAt,
      });
      return view({
        ...row,
        definition: JSON.stringify(definition),
        metadata: JSON.stringify(patch.metadata ?? current.metadata),
        updated_at: updatedAt,
      });
    },

    async delete(environmentId: string, slug: string): Promise<void> {
      const row = await repo.get(environmentId, slug.toLowerCase());
      const users = await connectionsUsing(environmentId, row.slug);
      if (users.length > 0) {
        throw new LatchkeyError(
          'failed_precondition',
          `connector "${row.slug}" is used by connection(s) ${users.join(', ')}; delete them first`,
        );
      }
      await repo.delete(environmentId, row.slug);
      parsed.delete(row.id);
    },
  };
}

export type CustomConnectors = ReturnType<typeof createCustomConnectors>;
