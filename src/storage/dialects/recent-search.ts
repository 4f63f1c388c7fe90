import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema/tables.js';
import { SHORT_KEYWORD_WINDOW, type MessageHit, type MessageSearch } from './dialect.js';

const ROOMS_PER_STATEMENT = 200;
const MIN_PER_ROOM = 50;

/**
 * For keywords too short for a trigram index: the newest messages of each room, read backwards
 * through the (room, seq) index, are matched; the work is bounded by the window, not by the table.
 */
export async function searchRecent(
  db: Kysely<Database>,
  { appId, roomIds, limit, messageTypes }: MessageSearch,
  contains: RawBuilder<SqlBool>,
): Promise<MessageHit[]> {
  const perRoom = Math.max(MIN_PER_ROOM, Math.ceil(SHORT_KEYWORD_WINDOW / roomIds.length));
  // Filtered after the window, so that a room without such messages still costs only its window.
  const ofType = !messageTypes
    ? sql<boolean>`1 = 1`
    : messageTypes.length === 0
      ? sql<boolean>`1 = 0`
      : sql<boolean>`message_type in (${sql.join(messageTypes.map((type) => sql`${type}`))})`;
  const hits: MessageHit[] = [];
  for (let start = 0; start < roomIds.length; start += ROOMS_PER_STATEMENT) {
    const branches = roomIds.slice(start, start + ROOMS_PER_STATEMENT).map(
      (roomId) => sql`select id, room_id, seq from (select id, room_id, seq, search_text, message_type from messages
        where app_id = ${appId} and room_id = ${roomId} order by seq desc limit ${perRoom}) as recent
        where ${contains} and ${ofType}`,
    );
    const union = sql.join(branches, sql` union all `);
    const statement = sql<MessageHit>`select id as "id", room_id as "roomId", seq as "seq" from (${union}) as hits
      order by seq desc limit ${limit}`;
    hits.push(...(await statement.execute(db)).rows.map((row) => ({ ...row, seq: Number(row.seq) })));
  }
  return hits.sort((a, b) => b.seq - a.seq).slice(0, limit);
}
