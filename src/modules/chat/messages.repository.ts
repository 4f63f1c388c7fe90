import { sql, type Insertable, type Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { MessagesTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import type { MessageHit, MessageSearch } from '../../storage/dialects/dialect.js';
import { preparedQuery } from '../../storage/prepared-query.js';
import { deletedFor } from './user-deletions.repository.js';

export interface StoredMessage {
  seq: number;
  appId: string;
  id: string;
  roomId: string;
  senderId: string | null;
  messageType: string;
  /** `message` and every other field the sender supplied. */
  content: Record<string, unknown>;
  pinned: boolean;
  /** Hidden by a moderator (history 7.8). */
  hidden: boolean;
  batchId: string | null;
  createdAt: number;
  updatedAt: number;
  /** Set on a message just written: the room's previous last message, for ordered delivery across nodes. */
  previousSeq?: number | null;
}

export type NewMessage = Omit<StoredMessage, 'seq' | 'pinned' | 'hidden'> & { searchText: string };

/** Which time the message-list cursors compare (spec 5.4 `timeRangeField`). */
export type TimeField = 'updated_at' | 'created_at';

export interface Cursor {
  time: number;
  /** Breaks ties between messages of the same millisecond; absent for a bare time. */
  seq?: number;
  /** The cursor's own message belongs to the page (a message cursor with `sortOrder`). */
  inclusive?: boolean;
}

export interface ListOptions {
  field: TimeField;
  before?: Cursor;
  after?: Cursor;
  limit: number;
  /** Only messages with a greater seq (where a late joiner's history starts). */
  fromSeq?: number;
  /** How the page is answered: newest first (`desc`, the default) or oldest first. */
  order?: 'asc' | 'desc';
}

export const toMessage = (row: Selectable<MessagesTable>): StoredMessage => ({
  seq: Number(row.seq),
  appId: row.app_id,
  id: row.id,
  roomId: row.room_id,
  senderId: row.sender_id,
  messageType: row.message_type,
  content: JSON.parse(row.content) as Record<string, unknown>,
  pinned: row.pinned === 1,
  hidden: Number(row.hidden) === 1,
  batchId: row.batch_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Every message written goes through here: built once (see preparedQuery). */
const insertMessage = preparedQuery((db, values: Omit<Insertable<MessagesTable>, 'seq' | 'pinned'>) =>
  db
    .insertInto('messages')
    .values({
      app_id: values.app_id,
      id: values.id,
      room_id: values.room_id,
      sender_id: values.sender_id,
      message_type: values.message_type,
      content: values.content,
      search_text: values.search_text,
      pinned: 0,
      batch_id: values.batch_id,
      created_at: values.created_at,
      updated_at: values.updated_at,
    })
    .onConflict((conflict) => conflict.columns(['app_id', 'id']).doNothing())
    // Only what the database chose: the rest is what was written.
    .returning('seq'),
);

export class MessagesRepository {
  constructor(private readonly storage: Storage) {}

  /** The stored message, or undefined when its id is taken (nothing is written then). */
  async insert(message: NewMessage, db: Db): Promise<StoredMessage | undefined> {
    const row = {
      app_id: message.appId,
      id: message.id,
      room_id: message.roomId,
      sender_id: message.senderId,
      message_type: message.messageType,
      content: JSON.stringify(message.content),
      search_text: message.searchText,
      batch_id: message.batchId,
      created_at: message.createdAt,
      updated_at: message.updatedAt,
    };
    const inserted = (await insertMessage(db, row)).rows[0];
    return inserted && toMessage({ ...row, seq: inserted.seq, pinned: 0, hidden: 0 });
  }

  /** Messages of these rooms whose text contains `keyword`, through the dialect's text index. */
  search(query: MessageSearch): Promise<MessageHit[]> {
    return this.storage.dialect.searchMessages(this.storage.db, query);
  }

  async find(appId: string, id: string, db: Db = this.storage.db): Promise<StoredMessage | undefined> {
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async findMany(appId: string, ids: readonly string[]): Promise<StoredMessage[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('id', ids))
      .execute();
    return rows.map(toMessage);
  }

  async replaceContent(
    appId: string,
    id: string,
    change: { messageType: string; content: Record<string, unknown>; searchText: string },
    now: number,
    db: Db,
  ): Promise<void> {
    await db
      .updateTable('messages')
      .set({
        message_type: change.messageType,
        content: JSON.stringify(change.content),
        search_text: change.searchText,
        updated_at: now,
      })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async setPinned(appId: string, id: string, pinned: boolean, now: number, db: Db): Promise<void> {
    await db
      .updateTable('messages')
      .set({ pinned: pinned ? 1 : 0, updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async setHidden(appId: string, id: string, hidden: boolean, now: number, db: Db): Promise<void> {
    await db
      .updateTable('messages')
      .set({ hidden: hidden ? 1 : 0, updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  /** Hides or shows every message of `senderId` in the room; answers the ids of those that changed. */
  async setHiddenBySender(
    appId: string,
    roomId: string,
    senderId: string,
    hidden: boolean,
    now: number,
    db: Db,
  ): Promise<string[]> {
    const rows = await db
      .selectFrom('messages')
      .select('id')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('sender_id', '=', senderId)
      .where('hidden', '=', hidden ? 0 : 1)
      .orderBy('seq')
      .execute();
    if (rows.length === 0) return [];
    await db
      .updateTable('messages')
      .set({ hidden: hidden ? 1 : 0, updated_at: now })
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('sender_id', '=', senderId)
      .where('hidden', '=', hidden ? 0 : 1)
      .execute();
    return rows.map((row) => row.id);
  }

  /** A change that is not the content's (a reaction): only the message's update time moves. */
  async touch(appId: string, id: string, now: number, db: Db): Promise<void> {
    await db
      .updateTable('messages')
      .set({ updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async delete(appId: string, roomId: string, id: string, db: Db): Promise<number> {
    const result = await db
      .deleteFrom('messages')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteAll(appId: string, roomId: string, db: Db): Promise<number> {
    const result = await db
      .deleteFrom('messages')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Remembers a moderator deletion (a message id, or "_all") for clients catching up; forgets those past `keepMs`. */
  async recordDeletion(
    appId: string,
    roomId: string,
    messageId: string,
    now: number,
    keepMs: number,
    db: Db,
  ): Promise<void> {
    await db
      .insertInto('message_deletions')
      .values({ app_id: appId, room_id: roomId, message_id: messageId, deleted_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .deleteFrom('message_deletions')
      .where('app_id', '=', appId)
      .where('deleted_at', '<', now - keepMs)
      .execute();
  }

  /** Deletions in these rooms after a time, oldest first. */
  async deletionsSince(
    appId: string,
    roomIds: readonly string[],
    since: number,
    limit: number,
  ): Promise<Array<{ roomId: string; messageId: string; deletedAt: number }>> {
    if (roomIds.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('message_deletions')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('room_id', roomIds))
      .where('deleted_at', '>', since)
      .orderBy('deleted_at')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ roomId: row.room_id, messageId: row.message_id, deletedAt: Number(row.deleted_at) }));
  }

  /** The newest message of a room (after a deletion moved the room's last message back). */
  async latest(
    appId: string,
    roomId: string,
    db: Db = this.storage.db,
  ): Promise<{ id: string; seq: number } | undefined> {
    const row = await db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { id: row.id, seq: Number(row.seq) };
  }

  /** Messages of the app (or of one room), optionally those created between `since` and `until`. */
  async count(appId: string, roomId?: string, since?: number, until?: number): Promise<number> {
    let query = this.storage.db.selectFrom('messages').where('app_id', '=', appId);
    if (roomId !== undefined) query = query.where('room_id', '=', roomId);
    if (since !== undefined) query = query.where('created_at', '>=', since);
    if (until !== undefined) query = query.where('created_at', '<=', until);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** A room's pinned messages (after `fromSeq`, a late joiner's history floor), the latest pin first. */
  async pinned(appId: string, roomId: string, fromSeq: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('pinned', '=', 1)
      .where('seq', '>', fromSeq)
      .orderBy('updated_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /**
   * The newest messages of these rooms, newest first; a room with `fromSeq` only after it
   * (a late joiner's history floor). Those `viewerId` deleted for themselves (history 7.9) are left out.
   */
  async recentIn(
    appId: string,
    viewerId: string,
    rooms: ReadonlyArray<{ id: string; fromSeq: number }>,
    limit: number,
  ): Promise<StoredMessage[]> {
    if (rooms.length === 0) return [];
    const open = rooms.filter((room) => room.fromSeq === 0).map((room) => room.id);
    const floored = rooms.filter((room) => room.fromSeq > 0);
    const rows = await this.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where((eb) =>
        eb.or([
          ...(open.length > 0 ? [this.storage.dialect.inList('room_id', open)] : []),
          ...floored.map((room) => eb.and([eb('room_id', '=', room.id), eb('seq', '>', room.fromSeq)])),
        ]),
      )
      .where((eb) => eb.not(eb.exists(deletedFor(eb, viewerId))))
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** A page of the messages batch `batchId` sent, in send order, looked for among those created in `window`. */
  async ofBatch(
    appId: string,
    batchId: string,
    window: { since: number; until?: number },
    page: { skip: number; limit: number },
  ): Promise<StoredMessage[]> {
    const rows = await this.batchQuery(appId, batchId, window)
      .selectAll()
      .orderBy('seq')
      .offset(page.skip)
      .limit(page.limit)
      .execute();
    return rows.map(toMessage);
  }

  async countOfBatch(appId: string, batchId: string, window: { since: number; until?: number }): Promise<number> {
    const row = await this.batchQuery(appId, batchId, window)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private batchQuery(appId: string, batchId: string, window: { since: number; until?: number }) {
    let query = this.storage.db
      .selectFrom('messages')
      .where('app_id', '=', appId)
      .where('created_at', '>=', window.since)
      .where('batch_id', '=', batchId);
    if (window.until !== undefined) query = query.where('created_at', '<=', window.until);
    return query;
  }

  /**
   * Per room, the messages others sent at or after `since` past a read position (`afterSeq`), less
   * those the user deleted for themselves: what of a member's unread count is that recent. Rooms
   * without any are left out.
   */
  async othersSince(
    appId: string,
    userId: string,
    rooms: ReadonlyArray<{ id: string; afterSeq: number }>,
    since: number,
  ): Promise<Map<string, number>> {
    if (rooms.length === 0) return new Map();
    const rows = await this.storage.db
      .selectFrom('messages')
      .select((eb) => ['room_id', eb.fn.countAll<number>().as('count')])
      .where('app_id', '=', appId)
      .where('created_at', '>=', since)
      .where((eb) => eb.or([eb('sender_id', 'is', null), eb('sender_id', '<>', userId)]))
      .where((eb) => eb.or(rooms.map((room) => eb.and([eb('room_id', '=', room.id), eb('seq', '>', room.afterSeq)]))))
      .where((eb) => eb.not(eb.exists(deletedFor(eb, userId))))
      .groupBy('room_id')
      .execute();
    return new Map(rows.map((row) => [row.room_id, Number(row.count)]));
  }

  /** A page of the app's messages created in `[since, until)`, newest first, by the (app, created_at) index. */
  async inRange(
    appId: string,
    range: { since?: number; until?: number },
    page: { skip: number; limit: number },
  ): Promise<StoredMessage[]> {
    let query = this.storage.db.selectFrom('messages').selectAll().where('app_id', '=', appId);
    if (range.since !== undefined) query = query.where('created_at', '>=', range.since);
    if (range.until !== undefined) query = query.where('created_at', '<', range.until);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .offset(page.skip)
      .limit(page.limit)
      .execute();
    return rows.map(toMessage);
  }

  /** How many of the app's messages were created in `[since, until)`. */
  async countInRange(appId: string, range: { since?: number; until?: number }): Promise<number> {
    let query = this.storage.db.selectFrom('messages').where('app_id', '=', appId);
    if (range.since !== undefined) query = query.where('created_at', '>=', range.since);
    if (range.until !== undefined) query = query.where('created_at', '<', range.until);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Messages sent per minute in `[since, until]`: the busy minutes only, oldest first. */
  async perMinute(appId: string, since: number, until: number): Promise<Array<{ minute: number; count: number }>> {
    const minute = sql<number>`(created_at / 60000) * 60000`;
    const rows = await this.storage.db
      .selectFrom('messages')
      .select((eb) => [minute.as('minute'), eb.fn.countAll<number>().as('count')])
      .where('app_id', '=', appId)
      .where('created_at', '>=', since)
      .where('created_at', '<=', until)
      .groupBy(minute)
      .orderBy(minute)
      .execute();
    return rows.map((row) => ({ minute: Number(row.minute), count: Number(row.count) }));
  }

  /**
   * One page of a room's messages by the (time, seq) index, newest first unless `order` is `asc`
   * (spec 5.4): the `limit` closest after an "after" cursor, otherwise the `limit` newest before the
   * "before" cursor.
   */
  async list(appId: string, roomId: string, options: ListOptions): Promise<StoredMessage[]> {
    const messages = (await this.listQuery(appId, roomId, options).execute()).map(toMessage);
    const fetched = options.after ? 'asc' : 'desc';
    return fetched === (options.order ?? 'desc') ? messages : messages.reverse();
  }

  /**
   * Messages of several rooms changed after a cursor, oldest change first: what a reconnecting
   * client missed (new, edited, recalled or pinned), by the (room, updated_at, seq) index.
   */
  async changedSince(
    appId: string,
    roomIds: readonly string[],
    after: Cursor,
    limit: number,
  ): Promise<StoredMessage[]> {
    if (roomIds.length === 0) return [];
    let query = this.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('room_id', roomIds));
    query =
      after.seq === undefined
        ? query.where('updated_at', '>', after.time)
        : query.where((eb) => eb(eb.refTuple('updated_at', 'seq'), '>', eb.tuple(after.time, after.seq ?? 0)));
    const rows = await query.orderBy('updated_at').orderBy('seq').limit(limit).execute();
    return rows.map(toMessage);
  }

  /** The query `list` runs (exposed so that tests can check its plan uses the (room, time, seq) index). */
  listQuery(appId: string, roomId: string, options: ListOptions) {
    const { field, before, after, limit, fromSeq } = options;
    let query = this.storage.db
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId);
    if (fromSeq) query = query.where('seq', '>', fromSeq);
    if (before) {
      const below = before.inclusive ? '<=' : '<';
      query =
        before.seq === undefined
          ? query.where(field, below, before.time)
          : query.where((eb) => eb(eb.refTuple(field, 'seq'), below, eb.tuple(before.time, before.seq ?? 0)));
    }
    if (after) {
      const above = after.inclusive ? '>=' : '>';
      query =
        after.seq === undefined
          ? query.where(field, above, after.time)
          : query.where((eb) => eb(eb.refTuple(field, 'seq'), above, eb.tuple(after.time, after.seq ?? 0)));
    }
    const direction = after ? 'asc' : 'desc';
    return query.orderBy(field, direction).orderBy('seq', direction).limit(limit);
  }
}
