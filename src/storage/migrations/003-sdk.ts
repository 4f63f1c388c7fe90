import type { Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // Personal preferences of IMKitUI (`/me/pref/:key`), e.g. its folder list.
  await db.schema
    .createTable('user_prefs')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_prefs_pk', ['app_id', 'user_id', 'key'])
    .addForeignKeyConstraint('user_prefs_user', ['app_id', 'user_id'], 'users', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();

  // Push device registrations (`/me/subscribe`, spec 10.2 [hist]); a device token belongs to one user at a time.
  await db.schema
    .createTable('push_devices')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('push_devices_pk', ['app_id', 'type', 'token'])
    .addForeignKeyConstraint('push_devices_user', ['app_id', 'user_id'], 'users', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('push_devices_user').on('push_devices').columns(['app_id', 'user_id']).execute();

  // Uploaded files (`/files/:bucket`), in the database so that every node serves them.
  await db.schema
    .createTable('files')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('extra', 'text')
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('files_pk', ['app_id', 'id'])
    .execute();
}
