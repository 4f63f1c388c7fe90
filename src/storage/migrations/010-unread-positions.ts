import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Unread counts as positions (issue 11): a message adds one to its room's count of messages ever
  // written, and a member's unread is that count minus the member's base. Writing a message then
  // touches no member's row, whatever the room's size.
  await db.schema
    .alterTable('rooms')
    .addColumn('messages_written', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('room_user_state')
    .addColumn('unread_base', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // Any starting count will do, since only differences are read; `base = written - badge` keeps every badge.
  await sql`update rooms set messages_written = message_count`.execute(db);
  await sql`update room_user_state set unread_base = coalesce((select r.messages_written from rooms r
      where r.app_id = room_user_state.app_id and r.id = room_user_state.room_id), 0) - badge`.execute(db);
  await db.schema.alterTable('room_user_state').dropColumn('badge').execute();
}
