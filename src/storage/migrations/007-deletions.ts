import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Tombstones of moderator deletions, so that a reconnecting client learns what vanished (`sync`).
  await db.schema
    .createTable('message_deletions')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    /** A message id, or "_all" for every message of the room */
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_deletions_pk', ['app_id', 'room_id', 'message_id', 'deleted_at'])
    .execute();
  await db.schema.createIndex('message_deletions_time').on('message_deletions').columns(['app_id', 'deleted_at']).execute();
}
