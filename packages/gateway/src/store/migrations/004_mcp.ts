import type { Kysely } from 'kysely';

/**
 * MCP configs (which connections and tools an MCP server exposes), their connection mappings, and
 * per-user MCP instances. An instance URL is stored only as a SHA-256 hash; the nonce and key id
 * let the gateway derive it again (HMAC under a key-ring key), so a database dump reveals no URL.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are schema-agnostic by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mcp_configs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('mcp_configs_environment_name', ['environment_id', 'name'])
    .execute();

  await db.schema
    .createTable('mcp_config_connections')
    .addColumn('config_id', 'text', (c) => c.notNull().references('mcp_configs.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    /** JSON array of tool names; empty = every tool of the connection. */
    .addColumn('tools', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mcp_config_connections_pk', ['config_id', 'connection_id'])
    .execute();
  await db.schema
    .createIndex('mcp_config_connections_connection')
    .on('mcp_config_connections')
    .column('connection_id')
    .execute();

  await db.schema
    .createTable('mcp_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('config_id', 'text', (c) => c.notNull().references('mcp_configs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    /** SHA-256 of the URL token; null once the URL was revoked. */
    .addColumn('url_hash', 'text', (c) => c.unique())
    .addColumn('url_nonce', 'text')
    .addColumn('url_key_id', 'text')
    .addColumn('last_used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('mcp_instances_config_identifier', ['config_id', 'identifier'])
    .execute();
  await db.schema
    .createIndex('mcp_instances_environment')
    .on('mcp_instances')
    .columns(['environment_id', 'created_at'])
    .execute();
}
