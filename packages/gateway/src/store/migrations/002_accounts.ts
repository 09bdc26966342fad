import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are schema-agnostic by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('scopes', 'text')
    .addColumn('oauth_client_id', 'text')
    .addColumn('oauth_client_secret_enc', 'text')
    .addColumn('use_platform_credentials', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('connections_environment_name', ['environment_id', 'name'])
    .execute();

  await db.schema
    .createTable('connected_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('credentials_enc', 'text')
    .addColumn('token_expires_at', 'bigint')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('api_config', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('connected_accounts_connection_identifier', ['connection_id', 'identifier'])
    .execute();
  await db.schema
    .createIndex('connected_accounts_environment_identifier')
    .on('connected_accounts')
    .columns(['environment_id', 'identifier'])
    .execute();
  await db.schema
    .createIndex('connected_accounts_refresh')
    .on('connected_accounts')
    .columns(['status', 'token_expires_at'])
    .execute();

  await db.schema
    .createTable('auth_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('connected_accounts.id').onDelete('cascade'),
    )
    .addColumn('link_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('app_state', 'text')
    .addColumn('user_verify_url', 'text')
    .addColumn('flow_state_hash', 'text', (c) => c.unique())
    .addColumn('flow_secret_enc', 'text')
    .addColumn('pending_credentials_enc', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_requests_account').on('auth_requests').column('account_id').execute();

  await db.schema
    .createTable('account_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('environment_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('account_events_account')
    .on('account_events')
    .columns(['account_id', 'at'])
    .execute();
}
