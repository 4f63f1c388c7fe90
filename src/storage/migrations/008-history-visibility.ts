import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Whether members read messages from before they joined: 'shared' (all) or 'joined'.
  await db.schema.alterTable('rooms').addColumn('history_visibility', 'text', (c) => c.notNull().defaultTo('shared')).execute();
  // The room's last message sequence when the member joined: in a 'joined' room they read only later ones.
  await db.schema.alterTable('room_members').addColumn('history_from_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
