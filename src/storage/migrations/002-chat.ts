import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('rooms')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cover', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('room_type', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('managers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('room_tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('webhook', 'text')
    .addColumn('bot_mode', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bot_state', 'text')
    .addColumn('encrypted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('service_status', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('opening', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('ext_params', 'text')
    .addColumn('last_message_id', 'text')
    .addColumn('last_message_seq', 'bigint')
    .addColumn('message_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pinned_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rooms_pk', ['app_id', 'id'])
    .execute();
  await db.schema.createIndex('rooms_created').on('rooms').columns(['app_id', 'created_at']).execute();

  await cascadeFromRoom(`room_members_room`)(
    db.schema
      .createTable('room_members')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('joined_at', 'bigint', (c) => c.notNull())
      // Keeps members added together in the order they were given.
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('room_members_pk', ['app_id', 'room_id', 'user_id']),
  ).execute();
  await db.schema.createIndex('room_members_user').on('room_members').columns(['app_id', 'user_id', 'room_id']).execute();

  // Per user and room: read position and personal preferences, whether a member directly or through a group.
  await cascadeFromRoom('room_user_state_room')(
    db.schema
      .createTable('room_user_state')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('last_read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_read_id', 'text')
      // Unread messages, kept on every write so that reading a badge never counts messages.
      .addColumn('badge', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pref', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('room_user_state_pk', ['app_id', 'room_id', 'user_id']),
  ).execute();
  await db.schema.createIndex('room_user_state_user').on('room_user_state').columns(['app_id', 'user_id']).execute();

  await cascadeFromRoom('room_invitations_room')(
    db.schema
      .createTable('room_invitations')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('inviter', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('room_invitations_pk', ['app_id', 'room_id', 'user_id']),
  ).execute();
  await db.schema.createIndex('room_invitations_user').on('room_invitations').columns(['app_id', 'user_id']).execute();

  await cascadeFromRoom('messages_room')(
    db.schema
      .createTable('messages')
      // Insertion order: total within a room, used for read positions, badges and tie-breaks.
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('sender_id', 'text')
      .addColumn('message_type', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('batch_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('messages_id').unique().on('messages').columns(['app_id', 'id']).execute();
  await db.schema.createIndex('messages_room_seq').on('messages').columns(['app_id', 'room_id', 'seq']).execute();
  await db.schema.createIndex('messages_room_updated').on('messages').columns(['app_id', 'room_id', 'updated_at', 'seq']).execute();
  await db.schema.createIndex('messages_app_created').on('messages').columns(['app_id', 'created_at']).execute();
  await db.schema.createIndex('messages_room_created').on('messages').columns(['app_id', 'room_id', 'created_at', 'seq']).execute();

  await db.schema
    .createTable('message_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('next_index', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_batches_status').on('message_batches').columns(['status', 'locked_until']).execute();

  if (dialect === 'sqlite') await sqliteSearchIndex(db);
  else await postgresSearchIndex(db);
}

/** FTS5 with the trigram tokenizer: case-insensitive substring search, kept in step by triggers. */
async function sqliteSearchIndex(db: Kysely<any>): Promise<void> {
  await sql`create virtual table messages_fts using fts5(search_text, content='messages', content_rowid='seq', tokenize='trigram')`.execute(db);
  await sql`create trigger messages_fts_insert after insert on messages begin
    insert into messages_fts(rowid, search_text) values (new.seq, new.search_text); end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages begin
    insert into messages_fts(messages_fts, rowid, search_text) values ('delete', old.seq, old.search_text); end`.execute(db);
  await sql`create trigger messages_fts_update after update of search_text on messages begin
    insert into messages_fts(messages_fts, rowid, search_text) values ('delete', old.seq, old.search_text);
    insert into messages_fts(rowid, search_text) values (new.seq, new.search_text); end`.execute(db);
}

/** A pg_trgm GIN index serves `ILIKE '%keyword%'`. The extension is database-wide; reuse it where it is. */
async function postgresSearchIndex(db: Kysely<any>): Promise<void> {
  const schema = await trigramSchema(db);
  await sql`create index messages_search_trgm on messages using gin (search_text ${sql.raw(`"${schema}".gin_trgm_ops`)})`.execute(db);
}

/** The schema of pg_trgm, created there when missing (also used by later migrations). */
export async function trigramSchema(db: Kysely<any>): Promise<string> {
  const find = async () =>
    (await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)).rows[0]?.schema;
  const existing = await find();
  if (existing) return existing;
  try {
    await sql`savepoint parley_trgm`.execute(db);
    await sql`create extension if not exists pg_trgm schema public`.execute(db);
    await sql`release savepoint parley_trgm`.execute(db);
  } catch (error) {
    await sql`rollback to savepoint parley_trgm`.execute(db);
    // Another migration created it at the same moment: use it. Anything else is an operator's job.
    const raced = await find();
    if (raced) return raced;
    throw new Error(`Parley needs the PostgreSQL extension pg_trgm for message search; run "create extension pg_trgm" as a superuser (${(error as Error).message})`);
  }
  return (await find()) ?? 'public';
}

/** Rows that belong to a room go with it. */
function cascadeFromRoom(name: string) {
  return <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
    table.addForeignKeyConstraint(name, ['app_id', 'room_id'] as C[], 'rooms', ['app_id', 'id'], (fk) => fk.onDelete('cascade'));
}
