import type { Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // An application's credentials for one push platform (issue 15): `secret` is sealed with
  // SECRETS_KEY when it is set; `summary` holds what may be shown (project id, key id, public key…).
  await db.schema
    .createTable('push_credentials')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    /** 'fcm' | 'apns' | 'webpush' */
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('push_credentials_pk', ['app_id', 'provider'])
    .execute();
  // How an application's pushes are shaped, and IMKIT's external push services (history 11.4-11.5).
  await db.schema
    .createTable('push_settings')
    .addColumn('app_id', 'text', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('constant_badge', 'integer')
    .addColumn('sound_android', 'text')
    .addColumn('sound_ios', 'text')
    .addColumn('external_push_url', 'text')
    .addColumn('generic_push_url', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One notification's delivery to one target: a device, or an external push service's request.
  await db.schema
    .createTable('push_deliveries')
    .addColumn('push_id', 'text', (c) => c.notNull().references('push_notifications.id').onDelete('cascade'))
    /** sha256 of the device's type and token, or of the external request's target */
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    /** 'fcm' | 'apns' | 'webpush' | 'imkit-push' | 'imkit-generic' | the server-wide provider */
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('device_type', 'text')
    /** the token's last characters, to tell devices apart without storing it twice */
    .addColumn('token_tail', 'text')
    /** 'sent' | 'dead' | 'retry' | 'failed' */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('push_deliveries_pk', ['push_id', 'target'])
    .execute();
  await db.schema.createIndex('push_deliveries_app').on('push_deliveries').columns(['app_id', 'updated_at']).execute();
  // `POST /push/push2tokens`: the device type and tokens a notification goes to instead of users' devices.
  await db.schema.alterTable('push_notifications').addColumn('tokens', 'text').execute();
}
