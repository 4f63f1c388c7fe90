import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // A fresh random value on every change of a room's members (issue 11): a node may keep the member
  // list it read for as long as the room's stamp is the one it was read at, and a message need not
  // read a room of thousands again. Random, so that no rolled-back change or re-created room reuses one.
  await db.schema
    .alterTable('rooms')
    .addColumn('members_stamp', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const random =
    dialect === 'postgres' ? sql`md5(random()::text || clock_timestamp()::text || id)` : sql`lower(hex(randomblob(16)))`;
  await sql`update rooms set members_stamp = ${random}`.execute(db);
}
