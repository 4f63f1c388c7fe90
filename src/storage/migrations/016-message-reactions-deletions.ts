import type { Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // Reactions to messages (history 7.7): one row per user and reaction, so adding twice is a no-op.
  await db.schema
    .createTable('message_reactions')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_reactions_pk', ['app_id', 'message_id', 'user_id', 'reaction'])
    // Gone with their message (deleted, or its room deleted): a reused client-chosen id starts bare.
    .addForeignKeyConstraint('message_reactions_message', ['app_id', 'message_id'], 'messages', ['app_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  // Messages a user deleted for themselves (history 7.9): kept when they leave the room, gone with the message.
  await db.schema
    .createTable('user_deleted_messages')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_deleted_messages_pk', ['app_id', 'user_id', 'message_id'])
    .addForeignKeyConstraint('user_deleted_messages_message', ['app_id', 'message_id'], 'messages', ['app_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('user_deleted_messages_room')
    .on('user_deleted_messages')
    .columns(['app_id', 'user_id', 'room_id', 'created_at'])
    .execute();
  // Hidden by a moderator (history 7.8): still listed, flagged `isHidden`, for everyone.
  await db.schema
    .alterTable('messages')
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
