import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Every push notification, recorded before it is handed to the provider (spec 10, issue 5).
  await db.schema
    .createTable('push_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    /** 'custom' (POST /push/push2clients) | 'message' (a new chat message) */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('users', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    /** 'pending' | 'sent' | 'failed' */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('devices', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('provider', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('push_notifications_due').on('push_notifications').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('push_notifications_app').on('push_notifications').columns(['app_id', 'created_at']).execute();
}
