import { sql, type RawBuilder } from 'kysely';
import { RECENT_SEARCH_WINDOW, type MessageHit, type MessageSearch, type SearchStatements } from './dialect.js';
import { sqliteInList } from './sqlite-in-list.js';

/**
 * Past this many rooms, looking each one up costs more than walking the keyword's matches in every
 * room is likely to (a caller in that many rooms is usually in a good share of them): the walk answers.
 */
const PER_ROOM_MAX_ROOMS = 500;
/** Rooms per statement of the per-room search: one branch each, well below SQLite's 500 per compound select. */
const ROOMS_PER_STATEMENT = 200;
/**
 * Looking one room up costs about what walking 100 matches does: up to that many matches per room
 * of the caller (and FEW_MATCHES_MIN in any case), walking them all is the cheaper complete answer.
 */
const FEW_MATCHES_PER_ROOM = 100;
const FEW_MATCHES_MIN = 2_000;
/** messages_room_fts (migration 012): room number `key` owns the rowids of partition `key % 2^22`, 2^40 of them. */
const PARTITIONS = 4_194_304;
const PARTITION_SPAN = 1_099_511_627_776;

/**
 * The statements of a search through FTS5 (see `runSearch`): messages_fts (rowid = seq) walked newest
 * first for the recent messages and for a keyword of few matches; otherwise messages_room_fts, one
 * lookup per room of the caller.
 */
export function sqliteSearchStatements(search: MessageSearch): SearchStatements {
  const { roomIds, limit } = search;
  const all = walk(search);
  // A literal: better-sqlite3 binds every number as a double, and FTS5 narrows its walk for integer bounds only.
  const recent = walk(search, sql`(select max(seq) from messages) - ${sql.lit(RECENT_SEARCH_WINDOW)}`);
  if (roomIds.length > PER_ROOM_MAX_ROOMS) return { recent, complete: [all] };
  const few = Math.max(FEW_MATCHES_MIN, FEW_MATCHES_PER_ROOM * roomIds.length);
  const count = sql<{ matches: number }>`select count(*) as "matches"
    from (select 1 from messages_fts where messages_fts match ${phrase(search.keyword)} limit ${few + 1})`;
  const complete = [];
  for (let start = 0; start < roomIds.length; start += ROOMS_PER_STATEMENT) {
    const branches = roomIds
      .slice(start, start + ROOMS_PER_STATEMENT)
      .map((roomId) => sql`select * from (${roomMatches(search, roomId)})`);
    complete.push(sql<MessageHit>`select id as "id", room_id as "roomId", seq as "seq"
      from (${sql.join(branches, sql` union all `)}) order by seq desc limit ${limit}`);
  }
  return { recent, fewMatches: { count, few, all }, complete };
}

/** The keyword's matches in every room newest first, newer than `after` if given, kept when in the caller's rooms. */
function walk({ appId, roomIds, keyword, limit, messageTypes }: MessageSearch, after?: RawBuilder<unknown>) {
  return sql<MessageHit>`select m.id as "id", m.room_id as "roomId", m.seq as "seq"
    from messages_fts join messages m on m.seq = messages_fts.rowid
    where messages_fts match ${phrase(keyword)} and ${after ? sql`messages_fts.rowid > ${after}` : sql`1 = 1`}
      and m.app_id = ${appId} and ${sqliteInList(sql.ref('m.room_id'), roomIds)} and ${ofTypes(messageTypes)}
    order by messages_fts.rowid desc limit ${limit}`;
}

/**
 * The newest `limit` matches of one room, from its partition of messages_room_fts: rowids
 * `partition * 2^40 + (2^40 - 1 - seq)`, so that FTS5 reads them in ascending order (its fast
 * direction) newest first. A partition may hold other rooms too: each hit's room is checked.
 */
function roomMatches({ appId, keyword, limit, messageTypes }: MessageSearch, roomId: string) {
  const first = sql.raw(`(k.key % ${PARTITIONS}) * ${PARTITION_SPAN}`);
  const last = sql.raw(`(k.key % ${PARTITIONS}) * ${PARTITION_SPAN} + ${PARTITION_SPAN - 1}`);
  // CROSS JOIN keeps this order: SQLite otherwise reads the keyword's whole match list, not the room's range.
  return sql`select m.id, m.room_id, m.seq from room_search_keys k
    cross join messages_room_fts f cross join messages m
    where k.app_id = ${appId} and k.room_id = ${roomId}
      and f.messages_room_fts match ${roomPhrase(keyword, first, last)} and f.rowid between ${first} and ${last}
      and m.seq = ${last} - f.rowid and m.app_id = k.app_id and m.room_id = k.room_id and ${ofTypes(messageTypes)}
    order by f.rowid limit ${limit}`;
}

/**
 * FTS5 pays each trigram of a phrase a lookup per index segment, found or not, for every room. A room
 * without the keyword mostly lacks its first or last trigram: a keyword of three trigrams or more is
 * looked up whole only where both are found (elsewhere the empty phrase, answered without a lookup).
 */
function roomPhrase(keyword: string, first: RawBuilder<unknown>, last: RawBuilder<unknown>) {
  const characters = [...keyword];
  const trigrams = characters.slice(2).map((_, index) => characters.slice(index, index + 3).join(''));
  const [head] = trigrams;
  const tail = trigrams.at(-1);
  if (trigrams.length < 3 || head === undefined || tail === undefined) return sql`${phrase(keyword)}`;
  const inRoom = (text: string) => sql`exists (select 1 from messages_room_fts g
    where g.messages_room_fts match ${phrase(text)} and g.rowid between ${first} and ${last})`;
  return sql`(case when ${inRoom(head)} and ${inRoom(tail)} then ${phrase(keyword)} else '""' end)`;
}

/** An FTS5 query for `text` as one phrase: with the trigram tokenizer, `text` as a substring, in any case. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

const ofTypes = (messageTypes: readonly string[] | undefined) =>
  messageTypes ? sqliteInList(sql.ref('m.message_type'), messageTypes) : sql<boolean>`1 = 1`;
