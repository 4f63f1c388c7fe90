import type { Kysely } from 'kysely';

const PAGE = 500;
const FILE_PATH = /\/files\/[A-Za-z0-9_.-]{1,64}\/([0-9a-f]{24})(?![0-9A-Za-z])/g;

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // The rooms a file was shared in: their members may read it (besides its uploader and the API key).
  await db.schema
    .createTable('file_shares')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_shares_pk', ['app_id', 'file_id', 'room_id'])
    .execute();
  await backfill(db);
}

/**
 * Files were readable by every user of their application before. A room keeps reading a file that
 * one of its messages already carries when the message was sent by the file's uploader (or the
 * file has none), or by a current member of a room that already had it — the rule of new messages.
 */
async function backfill(db: Kysely<any>): Promise<void> {
  const shared = new Map<string, Set<string>>();
  let after = 0;
  for (;;) {
    const rows: Array<{ seq: number; app_id: string; room_id: string; sender_id: string | null; content: string; created_at: number }> = await db
      .selectFrom('messages')
      .select(['seq', 'app_id', 'room_id', 'sender_id', 'content', 'created_at'])
      .where('seq', '>', after)
      .where('content', 'like', '%/files/%')
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.seq);
    for (const row of rows) {
      for (const match of row.content.matchAll(FILE_PATH)) {
        const fileId = match[1]!;
        const key = `${row.app_id}\n${fileId}`;
        const rooms = shared.get(key) ?? new Set<string>();
        if (rooms.has(row.room_id)) continue;
        const file = await db.selectFrom('files').select('owner_id').where('app_id', '=', row.app_id).where('id', '=', fileId).executeTakeFirst();
        if (!file) continue;
        let allowed = file.owner_id === null || file.owner_id === row.sender_id;
        if (!allowed && row.sender_id !== null && rooms.size > 0) {
          const member = await db.selectFrom('room_members').select('room_id').where('app_id', '=', row.app_id).where('user_id', '=', row.sender_id)
            .where('room_id', 'in', [...rooms].slice(0, 500)).executeTakeFirst();
          allowed = member !== undefined;
        }
        if (!allowed) continue;
        rooms.add(row.room_id);
        shared.set(key, rooms);
        await db.insertInto('file_shares').values({ app_id: row.app_id, file_id: fileId, room_id: row.room_id, created_at: Number(row.created_at) })
          .onConflict((oc) => oc.doNothing()).execute();
      }
    }
  }
}
