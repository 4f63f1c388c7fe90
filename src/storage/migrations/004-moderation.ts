import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Room bans (spec 7.1-7.3): the banned member stays, reads, and writes nothing in the room.
  await db.schema
    .createTable('room_bans')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('blocker', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_bans_pk', ['app_id', 'room_id', 'user_id'])
    .addForeignKeyConstraint('room_bans_room', ['app_id', 'room_id'], 'rooms', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();

  // Personal blocks (spec 7.4): they close the pair's direct room in both directions.
  await db.schema
    .createTable('user_blocks')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('blocker', 'text', (c) => c.notNull())
    .addColumn('blockee', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_blocks_pk', ['app_id', 'blocker', 'blockee'])
    .addForeignKeyConstraint('user_blocks_blocker', ['app_id', 'blocker'], 'users', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('user_blocks_blockee', ['app_id', 'blockee'], 'users', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('user_blocks_room').on('user_blocks').columns(['app_id', 'room_id']).execute();

  // Runtime configuration (spec 8): one JSON value per top-level key.
  await db.schema
    .createTable('app_config')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_config_pk', ['app_id', 'key'])
    .execute();
}
