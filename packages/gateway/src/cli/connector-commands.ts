/** `latchkey connector …`: an environment's custom MCP connectors (the CLI face of ProviderService). */
import type { CustomMcpAuth } from '../services/custom-connectors.ts';
import { type Command, noPositionals, requireOne, UsageError, withRuntime } from './commands.ts';

const AUTH_TYPES = ['oauth', 'bearer', 'api-key', 'none'] as const;

function authFrom(values: Record<string, string | boolean | undefined>): CustomMcpAuth {
  const type = typeof values['auth'] === 'string' ? values['auth'] : 'oauth';
  const header = typeof values['header'] === 'string' ? values['header'] : undefined;
  const scopes =
    typeof values['scopes'] === 'string'
      ? values['scopes']
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  if (header !== undefined && type !== 'api-key') throw new UsageError('--header goes with --auth api-key');
  if (scopes !== undefined && type !== 'oauth') throw new UsageError('--scopes goes with --auth oauth');
  switch (type) {
    case 'oauth':
      return { type: 'oauth', scopes };
    case 'bearer':
      return { type: 'bearer' };
    case 'api-key':
      return { type: 'api_key', header };
    case 'none':
      return { type: 'none' };
    default:
      throw new UsageError(`--auth must be one of ${AUTH_TYPES.join(', ')}`);
  }
}

function envOf(values: Record<string, string | boolean | undefined>): string {
  const env = values['env'];
  if (typeof env !== 'string') throw new UsageError('--env NAME is required');
  return env;
}

const AUTH_LABEL: Record<string, string> = {
  mcp_oauth2: 'oauth (MCP authorization, dynamic registration)',
  bearer: 'bearer token',
  api_key: 'API key',
  none: 'none',
};

export const CONNECTOR_COMMANDS: Command[] = [
  {
    name: 'connector create-mcp',
    summary: 'Create a custom MCP connector (an upstream MCP server) in an environment',
    usage:
      '--env NAME --url URL [--slug SLUG] [--name DISPLAY_NAME] [--description TEXT] [--auth oauth|bearer|api-key|none] [--header NAME] [--scopes a,b] [--connection NAME]',
    help:
      'Registers an MCP server (Streamable HTTP) as a connector of the environment. Its tools are\n' +
      'discovered from the server and named <slug>_<tool>. --auth oauth (default) follows the MCP\n' +
      'authorization spec (protected-resource metadata, dynamic client registration, PKCE, resource\n' +
      'indicator); bearer and api-key ask each user for a token or key (--header, default X-API-Key);\n' +
      'none sends no credentials. --connection also creates a connection of that name.',
    options: {
      env: { type: 'string' },
      url: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      auth: { type: 'string' },
      header: { type: 'string' },
      scopes: { type: 'string' },
      connection: { type: 'string' },
    },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = envOf(values);
      const url = values['url'];
      if (typeof url !== 'string') throw new UsageError('--url URL is required: the MCP server endpoint');
      const slug = typeof values['slug'] === 'string' ? values['slug'] : undefined;
      const name = typeof values['name'] === 'string' ? values['name'] : slug;
      if (!name) throw new UsageError('give --slug or --name');
      const auth = authFrom(values);
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        const c = await rt.services.customConnectors.createMcp(env.id, {
          slug,
          displayName: name,
          description: typeof values['description'] === 'string' ? values['description'] : undefined,
          serverUrl: url,
          auth,
        });
        const slugOut = c.definition.slug;
        console.log(
          `created connector ${slugOut} (${c.id}): ${url}, auth ${AUTH_LABEL[c.definition.auth.type]}; tools are named ${slugOut}_<tool>`,
        );
        const connection = values['connection'];
        if (typeof connection === 'string') {
          const conn = await rt.services.connections.create(env.id, { connector: slugOut, name: connection });
          console.log(`created connection ${conn.name} (${conn.id})`);
        } else {
          console.log(
            `next: latchkey connection create --env ${envName} --connector ${slugOut} --name ${slugOut}`,
          );
        }
        return 0;
      });
    },
  },
  {
    name: 'connector list',
    summary: 'List the custom connectors of an environment',
    usage: '--env NAME',
    help: 'Lists slug, kind, server URL and auth of each custom connector of the environment.',
    options: { env: { type: 'string' } },
    async run(values, positionals) {
      noPositionals(positionals);
      const envName = envOf(values);
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        const list = await rt.services.customConnectors.list(env.id);
        if (list.length === 0)
          console.log('no custom connectors; create one with: latchkey connector create-mcp');
        for (const c of list) {
          const d = c.definition;
          console.log(
            `${d.slug}\t${d.kind}\t${d.mcp?.server_url ?? ''}\t${AUTH_LABEL[d.auth.type] ?? d.auth.type}`,
          );
        }
        return 0;
      });
    },
  },
  {
    name: 'connector delete',
    summary: 'Delete a custom connector (refused while connections use it)',
    usage: '--env NAME SLUG',
    help: 'Deletes the custom connector; delete the connections that use it first.',
    options: { env: { type: 'string' } },
    async run(values, positionals) {
      const slug = requireOne(positionals, 'SLUG');
      const envName = envOf(values);
      return withRuntime(values, async (rt) => {
        const env = await rt.apiAccess.getEnvironmentByName(envName);
        await rt.services.customConnectors.delete(env.id, slug);
        console.log(`deleted connector ${slug}`);
        return 0;
      });
    },
  },
];
