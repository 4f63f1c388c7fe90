import type { Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_key', 'text', (c) => c.notNull().unique())
    .addColumn('client_key_created_at', 'bigint', (c) => c.notNull())
    .addColumn('token_secret', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('allowed_ips', 'text')
    .addColumn('rate_limit', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('last_used_ip', 'text')
    .addColumn('rolled_from', 'text')
    .addColumn('rolled_to', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_app').on('api_keys').columns(['app_id', 'created_at']).execute();

  await db.schema
    .createTable('users')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('nickname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('avatar_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text')
    .addColumn('description', 'text')
    .addColumn('is_robot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_group', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('group_members', 'text')
    .addColumn('custom', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('last_login_time', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_join_or_create_room_time', 'bigint')
    .addColumn('notification_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('mute', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['app_id', 'id'])
    .execute();
  await db.schema.createIndex('users_nickname').on('users').columns(['app_id', 'nickname']).execute();
  await db.schema.createIndex('users_email').on('users').columns(['app_id', 'email']).execute();
  await db.schema.createIndex('users_groups').on('users').columns(['app_id', 'is_group', 'id']).execute();

  await db.schema
    .createTable('user_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('user_tokens_user', ['app_id', 'user_id'], 'users', ['app_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('user_tokens_hash').unique().on('user_tokens').columns(['app_id', 'token_hash']).execute();
  await db.schema.createIndex('user_tokens_lookup').on('user_tokens').column('token_hash').execute();
  await db.schema.createIndex('user_tokens_user').on('user_tokens').columns(['app_id', 'user_id']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('key_name', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('target_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('audit_log_app_at').on('audit_log').columns(['app_id', 'at']).execute();
  await db.schema.createIndex('audit_log_key_at').on('audit_log').columns(['app_id', 'key_id', 'at']).execute();

  await db.schema
    .createTable('key_usage')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_limited', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('key_usage_pk', ['key_id', 'minute'])
    .execute();
}
