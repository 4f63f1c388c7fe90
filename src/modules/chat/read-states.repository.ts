import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Database, RoomUserStateTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import { preparedQuery } from '../../storage/prepared-query.js';
import { mergedPref } from './room-pref-view.js';
import { deletedFor } from './user-deletions.repository.js';

/** A read position: the message read up to (its seq and id), and when. */
export interface ReadPosition {
  seq: number;
  messageId: string;
  now: number;
}

export interface ReadState {
  roomId: string;
  userId: string;
  lastReadSeq: number;
  lastReadId: string | null;
  /** Unread messages (spec 6): the room's messages written since the user's unread base. */
  badge: number;
  pref: Record<string, unknown> | null;
}

type StateRow = Selectable<RoomUserStateTable> & { messages_written: number | string };

const toState = (row: StateRow): ReadState => ({
  roomId: row.room_id,
  userId: row.user_id,
  lastReadSeq: Number(row.last_read_seq),
  lastReadId: row.last_read_id,
  badge: Math.max(0, Number(row.messages_written) - Number(row.unread_base)),
  pref: row.pref === null ? null : (JSON.parse(row.pref) as Record<string, unknown>),
});

/** A room preference as stored: of a user, or of a group (`userId` is then the group's id). */
export interface StoredPref {
  roomId: string;
  userId: string;
  pref: Record<string, unknown>;
}

const toStoredPref = (row: { room_id: string; user_id: string; pref: string | null }): StoredPref => ({
  roomId: row.room_id,
  userId: row.user_id,
  pref: JSON.parse(row.pref ?? '{}') as Record<string, unknown>,
});

/** Once per message written (the sender has read up to it): built once (see preparedQuery). */
const markSentQuery = preparedQuery(
  (
    db,
    values: {
      appId: string;
      roomId: string;
      userId: string;
      seq: number;
      messageId: string;
      messagesWritten: number;
      now: number;
    },
  ) =>
    db
      .updateTable('room_user_state')
      .set({
        last_read_seq: values.seq,
        last_read_id: values.messageId,
        unread_base: values.messagesWritten,
        updated_at: values.now,
      })
      .where('app_id', '=', values.appId)
      .where('room_id', '=', values.roomId)
      .where('user_id', '=', values.userId),
);

/**
 * Each member's read position in a room and what it leaves unread (spec 6): the room's count of
 * messages written minus the member's unread base, so that a new message writes no member's row.
 * Also where a member's room preferences are kept (the same row).
 */
export class ReadStatesRepository {
  constructor(private readonly storage: Storage) {}

  /**
   * The user's states in these rooms. With the ids of the user's groups, each state's `pref` is the
   * user's view: the groups' room preferences under the user's own (see `mergedPref`).
   */
  async readStates(
    appId: string,
    roomIds: readonly string[],
    userId: string,
    groupIds: readonly string[] = [],
  ): Promise<Map<string, ReadState>> {
    if (roomIds.length === 0) return new Map();
    const rows = await this.statesWithRooms()
      .where('state.app_id', '=', appId)
      .where((eb) =>
        groupIds.length === 0
          ? eb('state.user_id', '=', userId)
          : this.storage.dialect.inList('state.user_id', [userId, ...groupIds]),
      )
      .where(this.storage.dialect.inList('state.room_id', roomIds))
      .execute();
    const states = new Map(rows.filter((row) => row.user_id === userId).map((row) => [row.room_id, toState(row)]));
    if (groupIds.length === 0) return states;
    const groupPrefs = new Map<string, Array<{ owner: string; pref: Record<string, unknown> }>>();
    for (const row of rows) {
      if (row.user_id === userId || row.pref === null) continue;
      const prefs = groupPrefs.get(row.room_id) ?? [];
      prefs.push({ owner: row.user_id, pref: JSON.parse(row.pref) as Record<string, unknown> });
      groupPrefs.set(row.room_id, prefs);
    }
    for (const state of states.values()) state.pref = mergedPref(groupPrefs.get(state.roomId) ?? [], state.pref);
    return states;
  }

  /**
   * The stored room preferences of these users or groups, in the rooms one of them is a member of
   * (a preference kept after its user left through a group is not shown).
   */
  async prefsOf(appId: string, principals: readonly string[]): Promise<StoredPref[]> {
    if (principals.length === 0) return [];
    const rows = await this.storage.db
      .selectFrom('room_user_state as state')
      .select(['state.room_id', 'state.user_id', 'state.pref'])
      .where('state.app_id', '=', appId)
      .where(this.storage.dialect.inList('state.user_id', principals))
      .where('state.pref', 'is not', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('room_members as member')
            .select('member.user_id')
            .whereRef('member.app_id', '=', 'state.app_id')
            .whereRef('member.room_id', '=', 'state.room_id')
            .where(this.storage.dialect.inList('member.user_id', principals)),
        ),
      )
      .orderBy('state.room_id')
      .execute();
    return rows.map(toStoredPref);
  }

  /** Every stored room preference of one room, of users and groups alike. */
  async prefsIn(appId: string, roomId: string): Promise<StoredPref[]> {
    const rows = await this.storage.db
      .selectFrom('room_user_state')
      .select(['room_id', 'user_id', 'pref'])
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('pref', 'is not', null)
      .execute();
    return rows.map(toStoredPref);
  }

  /** One user's (or group's) stored preference for a room; null when none. */
  async storedPref(appId: string, roomId: string, userId: string, db: Db): Promise<Record<string, unknown> | null> {
    const row = await db
      .selectFrom('room_user_state')
      .select('pref')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.pref ? (JSON.parse(row.pref) as Record<string, unknown>) : null;
  }

  async roomStates(appId: string, roomId: string): Promise<ReadState[]> {
    const rows = await this.statesWithRooms()
      .where('state.app_id', '=', appId)
      .where('state.room_id', '=', roomId)
      .execute();
    return rows.map(toState);
  }

  /** Read states with their room's count of messages written (by the room's primary key). */
  private statesWithRooms() {
    return this.storage.db
      .selectFrom('room_user_state as state')
      .innerJoin('rooms as room', (join) =>
        join.onRef('room.app_id', '=', 'state.app_id').onRef('room.id', '=', 'state.room_id'),
      )
      .selectAll('state')
      .select('room.messages_written');
  }

  /**
   * Moves a read position forward only (a late or repeated report never brings unread messages
   * back) and recounts the unread messages after it: the base is set that far below the room's count.
   */
  async markRead(
    appId: string,
    roomId: string,
    userId: string,
    at: ReadPosition,
    db: Db = this.storage.db,
  ): Promise<void> {
    const { seq, messageId, now } = at;
    await db
      .insertInto('room_user_state')
      .values({
        app_id: appId,
        room_id: roomId,
        user_id: userId,
        last_read_seq: seq,
        last_read_id: messageId,
        unread_base: (eb) => this.messagesWritten(eb, appId, roomId),
        pref: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['app_id', 'room_id', 'user_id'])
          .doUpdateSet({
            last_read_seq: seq,
            last_read_id: messageId,
            updated_at: now,
            unread_base: (eb) =>
              sql<number>`(${this.messagesWritten(eb, appId, roomId)}) - (${this.unreadAfter(eb, appId, roomId, userId, seq)})`,
          })
          .where('room_user_state.last_read_seq', '<', seq),
      )
      .execute();
  }

  /**
   * The sender of the room's newest message has read the room up to it: nothing unread at the
   * room's count of messages written with it (known to the caller, which holds the room).
   */
  async markSent(
    appId: string,
    roomId: string,
    userId: string,
    at: ReadPosition & { messagesWritten: number },
    db: Db,
  ): Promise<void> {
    const { seq, messageId, now, messagesWritten } = at;
    await markSentQuery(db, { appId, roomId, userId, seq, messageId, messagesWritten, now });
  }

  /**
   * A deleted message no longer counts for those who had not read it (and did not send it). Called
   * before the message goes: those who had deleted it for themselves (their record goes with it) no
   * longer counted it.
   */
  async messageDeleted(
    appId: string,
    roomId: string,
    message: { id: string; seq: number; senderId: string | null },
    db: Db,
  ): Promise<void> {
    let query = db
      .updateTable('room_user_state')
      .set((eb) => ({ unread_base: eb('unread_base', '+', 1) }))
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('last_read_seq', '<', message.seq)
      .where((eb) => eb('unread_base', '<', this.messagesWritten(eb, appId, roomId)))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('user_deleted_messages as deleted')
              .select('deleted.message_id')
              .whereRef('deleted.app_id', '=', 'room_user_state.app_id')
              .whereRef('deleted.user_id', '=', 'room_user_state.user_id')
              .where('deleted.message_id', '=', message.id),
          ),
        ),
      );
    if (message.senderId !== null) query = query.where('user_id', '<>', message.senderId);
    await query.execute();
  }

  /**
   * Messages a user deletes for themselves (history 7.9: "badge of the room recomputed for that
   * user") no longer count as unread for them: those of `selection` they had not read, had not sent
   * and had not deleted already. Called before the deletions are recorded, in their transaction.
   */
  async deletedForUser(
    appId: string,
    roomId: string,
    userId: string,
    selection: { messageIds?: readonly string[]; fromSeq: number },
    db: Db,
  ): Promise<void> {
    await db
      .updateTable('room_user_state')
      .set((eb) => {
        let unread = eb
          .selectFrom('messages')
          .select((inner) => inner.fn.countAll<number>().as('unread'))
          .where('messages.app_id', '=', appId)
          .where('messages.room_id', '=', roomId)
          .where('messages.seq', '>', selection.fromSeq)
          .whereRef('messages.seq', '>', 'room_user_state.last_read_seq')
          .where((inner) =>
            inner.or([inner('messages.sender_id', 'is', null), inner('messages.sender_id', '<>', userId)]),
          )
          .where((inner) => inner.not(inner.exists(deletedFor(inner, userId))));
        if (selection.messageIds) unread = unread.where('messages.id', 'in', [...new Set(selection.messageIds)]);
        const written = this.messagesWritten(eb, appId, roomId);
        // Never past the room's count: the unread count stays at 0 or more.
        return {
          unread_base: sql<number>`case when unread_base + (${unread}) > (${written}) then (${written})
            else unread_base + (${unread}) end`,
        };
      })
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
  }

  async allMessagesDeleted(appId: string, roomId: string, db: Db): Promise<void> {
    await db
      .updateTable('room_user_state')
      .set((eb) => ({ unread_base: this.messagesWritten(eb, appId, roomId) }))
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .execute();
  }

  /** The room's count of messages written, as a subquery (its primary key). */
  private messagesWritten(eb: ExpressionBuilder<Database, 'room_user_state'>, appId: string, roomId: string) {
    return eb
      .selectFrom('rooms')
      .select('rooms.messages_written')
      .where('rooms.app_id', '=', appId)
      .where('rooms.id', '=', roomId);
  }

  private unreadAfter(
    eb: ExpressionBuilder<Database, 'room_user_state'>,
    appId: string,
    roomId: string,
    userId: string,
    seq: number,
  ) {
    return eb
      .selectFrom('messages')
      .select((inner) => inner.fn.countAll<number>().as('unread'))
      .where('messages.app_id', '=', appId)
      .where('messages.room_id', '=', roomId)
      .where('messages.seq', '>', seq)
      .where((inner) => inner.or([inner('messages.sender_id', 'is', null), inner('messages.sender_id', '<>', userId)]))
      .where((inner) => inner.not(inner.exists(deletedFor(inner, userId))));
  }

  async setPref(
    appId: string,
    roomId: string,
    userId: string,
    pref: Record<string, unknown> | null,
    now: number,
    db: Db = this.storage.db,
  ): Promise<void> {
    const text = pref === null ? null : JSON.stringify(pref);
    await db
      .insertInto('room_user_state')
      .values({
        app_id: appId,
        room_id: roomId,
        user_id: userId,
        last_read_seq: 0,
        last_read_id: null,
        unread_base: (eb) => this.messagesWritten(eb, appId, roomId),
        pref: text,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['app_id', 'room_id', 'user_id']).doUpdateSet({ pref: text, updated_at: now }))
      .execute();
  }
}
