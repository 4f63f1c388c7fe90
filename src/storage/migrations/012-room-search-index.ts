import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';
import { trigramSchema } from './002-chat.js';

// Frozen once released: later changes go into new migrations.
//
// Issue 11: a search walked the keyword's matches in every room, newest first, until `limit` of them
// fell in the caller's rooms; a word common only in rooms the caller is not in cost a walk over all of
// its matches. These indexes answer for the caller's rooms alone.
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') await sqliteRoomSearchIndex(db);
  else await postgresRoomSearchIndex(db);
}

/**
 * A second FTS5 trigram index of the same text whose rowids are grouped by room: each room owns a
 * range of 2^40 rowids (its partition, from a number given to the room) holding its messages newest
 * first, so that a search reads one room's matches through a rowid range. Room numbers beyond 2^22
 * share partitions (the search checks the room of each hit); seq must stay below 2^40.
 */
async function sqliteRoomSearchIndex(db: Kysely<any>): Promise<void> {
  await sql`create table room_search_keys (key integer primary key, app_id text not null, room_id text not null)`.execute(db);
  await sql`create unique index room_search_keys_room on room_search_keys (app_id, room_id)`.execute(db);
  await sql`insert into room_search_keys (app_id, room_id) select app_id, id from rooms order by app_id, id`.execute(db);
  // Kept for deleted rooms too: a room created again under the same id gets its number back.
  await sql`create trigger rooms_search_key after insert on rooms begin
    insert or ignore into room_search_keys (app_id, room_id) values (new.app_id, new.id); end`.execute(db);

  const rowid = (seq: string) => sql.raw(`(k.key % 4194304) * 1099511627776 + (1099511627775 - ${seq})`);
  const ofRoom = (row: string) => sql.raw(`k.app_id = ${row}.app_id and k.room_id = ${row}.room_id`);
  // The index's content, in rowid order: what 'rebuild' (below, and whenever an operator runs it) reads.
  await sql`create view messages_room_fts_rows as select ${rowid('m.seq')} as rowkey, m.search_text as search_text
    from messages m join room_search_keys k on ${ofRoom('m')} order by 1`.execute(db);
  await sql`create virtual table messages_room_fts using fts5(search_text, content='messages_room_fts_rows',
    content_rowid='rowkey', columnsize=0, tokenize='trigram')`.execute(db);
  await sql`insert into messages_room_fts(messages_room_fts) values ('rebuild')`.execute(db);

  const insertNew = sql`insert into messages_room_fts(rowid, search_text)
    select ${rowid('new.seq')}, new.search_text from room_search_keys k where ${ofRoom('new')};`;
  const deleteOld = sql`insert into messages_room_fts(messages_room_fts, rowid, search_text)
    select 'delete', ${rowid('old.seq')}, old.search_text from room_search_keys k where ${ofRoom('old')};`;
  await sql`create trigger messages_room_fts_insert after insert on messages begin ${insertNew} end`.execute(db);
  await sql`create trigger messages_room_fts_delete after delete on messages begin ${deleteOld} end`.execute(db);
  await sql`create trigger messages_room_fts_update after update of search_text on messages begin
    ${deleteOld} ${insertNew} end`.execute(db);
}

/**
 * One GIN index over the room and the text's trigrams: the caller's rooms and the keyword are
 * matched together inside the index, and only the caller's matches are read from the table. It
 * replaces the text-only index.
 */
async function postgresRoomSearchIndex(db: Kysely<any>): Promise<void> {
  const schema = await trigramSchema(db);
  await sql`create index messages_room_search on messages
    using gin ((array[room_id]), search_text ${sql.raw(`"${schema}".gin_trgm_ops`)})`.execute(db);
  await sql`drop index messages_search_trgm`.execute(db);
}
