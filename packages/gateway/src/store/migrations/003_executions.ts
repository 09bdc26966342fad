import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are schema-agnostic by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('account_id', 'text')
    .addColumn('connection_name', 'text')
    .addColumn('identifier', 'text')
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('input_bytes', 'integer', (c) => c.notNull())
    .addColumn('output_bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('executions_environment_created')
    .on('executions')
    .columns(['environment_id', 'created_at'])
    .execute();
  await db.schema.createIndex('executions_account').on('executions').column('account_id').execute();
}
