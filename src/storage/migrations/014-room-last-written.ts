import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // The createdAt of the newest message written in the room (issue 11): a new message is never
  // earlier, so that time order and the room's delivery order (seq) agree even when the message's
  // time is taken before the room's lock (PostgreSQL's single-statement write) or a clock steps back.
  await db.schema
    .alterTable('rooms')
    .addColumn('last_written_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update rooms set last_written_at = coalesce((select max(messages.created_at) from messages
    where messages.app_id = rooms.app_id and messages.room_id = rooms.id), 0)`.execute(db);
}
