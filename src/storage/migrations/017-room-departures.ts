import type { Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  // Rooms a user left or was removed from ([hist] 5.6): their room preference as it was, and when.
  // Joining again removes the row; deleting the room removes it with the room.
  await db.schema
    .createTable('room_departures')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('pref', 'text')
    .addColumn('quitted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_departures_pk', ['app_id', 'room_id', 'user_id'])
    .addForeignKeyConstraint('room_departures_room', ['app_id', 'room_id'], 'rooms', ['app_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('room_departures_user')
    .on('room_departures')
    .columns(['app_id', 'user_id', 'quitted_at'])
    .execute();
}
