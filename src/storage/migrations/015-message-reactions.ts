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
}
