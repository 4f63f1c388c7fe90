import { sql, type ExpressionBuilder, type Insertable, type Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Database, RoomUserStateTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import { inStatements } from '../../storage/dialects/dialect.js';
import { newMembersStamp } from './rooms.repository.js';
import { preparedQuery } from '../../storage/prepared-query.js';

/** A read position: the message read up to (its seq and id), and when. */
export interface ReadPosition {
  seq: number;
  messageId: string;
  now: number;
}

export interface Member {
  roomId: string;
  userId: string;
  role: 'admin' | 'member' | null;
  properties: Record<string, unknown>;
  joinedAt: number;
  /** The room's last message seq when this member joined. */
  historyFromSeq: number;
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

/**
 * Where a room stands when users get a read state in it: its last message, read already, and its
 * count of messages written, which becomes their unread base (nothing unread).
 */
export interface RoomPosition {
  lastSeq: number;
  messagesWritten: number;
}

/** A room created in this transaction. */
export const NEW_ROOM: RoomPosition = { lastSeq: 0, messagesWritten: 0 };

export const positionOf = (room: { lastMessageSeq: number | null; messagesWritten: number }): RoomPosition => ({
  lastSeq: room.lastMessageSeq ?? 0,
  messagesWritten: room.messagesWritten,
});

type StateRow = Selectable<RoomUserStateTable> & { messages_written: number | string };

const toState = (row: StateRow): ReadState => ({
  roomId: row.room_id,
  userId: row.user_id,
  lastReadSeq: Number(row.last_read_seq),
  lastReadId: row.last_read_id,
  badge: Math.max(0, Number(row.messages_written) - Number(row.unread_base)),
  pref: row.pref === null ? null : (JSON.parse(row.pref) as Record<string, unknown>),
});

/** Transactions that changed some room's members: what they read of members is not committed yet. */
const changingMembers = new WeakSet<Db>();

/** True when `db` is a transaction that changed members: a member list it reads may never be committed. */
export const changesMembers = (db: Db): boolean => changingMembers.has(db);

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

export class MembersRepository {
  constructor(private readonly storage: Storage) {}

  async list(appId: string, roomId: string, db: Db = this.storage.db): Promise<Member[]> {
    return (await this.listMany(appId, [roomId], db)).get(roomId) ?? [];
  }

  /** Members of several rooms at once, by room, in the order they joined. */
  async listMany(appId: string, roomIds: readonly string[], db: Db = this.storage.db): Promise<Map<string, Member[]>> {
    const byRoom = new Map<string, Member[]>();
    if (roomIds.length === 0) return byRoom;
    const rows = await db
      .selectFrom('room_members')
      .selectAll()
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('room_id', roomIds))
      .orderBy('room_id')
      .orderBy('joined_at')
      .orderBy('position')
      .orderBy('user_id')
      .execute();
    for (const row of rows) {
      let list = byRoom.get(row.room_id);
      if (!list) {
        list = [];
        byRoom.set(row.room_id, list);
      }
      list.push({
        roomId: row.room_id,
        userId: row.user_id,
        role: row.role === 'admin' || row.role === 'member' ? row.role : null,
        // Most members have no properties: skip parsing them (a room of thousands is read on every message).
        properties: row.properties === '{}' ? {} : (JSON.parse(row.properties) as Record<string, unknown>),
        joinedAt: row.joined_at,
        historyFromSeq: Number(row.history_from_seq),
      });
    }
    return byRoom;
  }

  async count(appId: string, roomId: string, db: Db = this.storage.db): Promise<number> {
    const row = await db
      .selectFrom('room_members')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Adds members (skipping existing ones); each starts with nothing unread (spec 4.6). The users of
   * a group added get their own read state, so that their unread counts are kept too (12 item 26).
   */
  async add(
    appId: string,
    roomId: string,
    userIds: readonly string[],
    from: RoomPosition,
    now: number,
    db: Db,
  ): Promise<void> {
    if (userIds.length === 0) return;
    const groups = await db
      .selectFrom('users')
      .select('group_members')
      .where('app_id', '=', appId)
      .where('is_group', '=', 1)
      .where(this.storage.dialect.inList('id', userIds))
      .execute();
    const stateUsers = [
      ...new Set([...userIds, ...groups.flatMap((group) => JSON.parse(group.group_members ?? '[]') as string[])]),
    ];
    const members = userIds.map((userId, position) => ({
      app_id: appId,
      room_id: roomId,
      user_id: userId,
      role: null,
      properties: '{}',
      joined_at: now,
      position,
      history_from_seq: from.lastSeq,
    }));
    await insertMissing(db, 'room_members', members);
    const states = stateUsers.map((userId) => ({
      app_id: appId,
      room_id: roomId,
      user_id: userId,
      last_read_seq: from.lastSeq,
      last_read_id: null,
      unread_base: from.messagesWritten,
      pref: null,
      updated_at: now,
    }));
    await insertMissing(db, 'room_user_state', states);
    await this.membersChanged(appId, roomId, db);
  }

  /** A change of the room's members (who, roles, properties): lists read before it are stale now. */
  private async membersChanged(appId: string, roomId: string, db: Db): Promise<void> {
    if (db !== this.storage.db) changingMembers.add(db);
    await db
      .updateTable('rooms')
      .set({ members_stamp: newMembersStamp() })
      .where('app_id', '=', appId)
      .where('id', '=', roomId)
      .execute();
  }

  /** Removes members with their read positions and preferences (spec 4.7). */
  async remove(appId: string, roomId: string, userIds: readonly string[], db: Db): Promise<void> {
    if (userIds.length === 0) return;
    await this.deleteUsers('room_members', appId, roomId, userIds, db);
    await this.deleteUsers('room_user_state', appId, roomId, userIds, db);
    await this.membersChanged(appId, roomId, db);
  }

  /** Rows of these users in one room of a per-room-and-user table. */
  private async deleteUsers(
    table: 'room_members' | 'room_user_state' | 'room_invitations',
    appId: string,
    roomId: string,
    userIds: readonly string[],
    db: Db,
  ): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .deleteFrom(table)
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where(this.storage.dialect.inList('user_id', userIds))
      .execute();
  }

  /** New users of a group get a read state in every room the group is a member of. */
  async seedGroupUsers(appId: string, groupId: string, userIds: readonly string[], now: number): Promise<void> {
    for (const userId of userIds) {
      await this.storage.db
        .insertInto('room_user_state')
        .columns(['app_id', 'room_id', 'user_id', 'last_read_seq', 'last_read_id', 'unread_base', 'pref', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('room_members as member')
            .innerJoin('rooms as room', (join) =>
              join.onRef('room.app_id', '=', 'member.app_id').onRef('room.id', '=', 'member.room_id'),
            )
            .select((select) => [
              'member.app_id',
              'member.room_id',
              select.val(userId).as('user_id'),
              select.fn.coalesce('room.last_message_seq', select.val(0)).as('last_read_seq'),
              select.val(null).as('last_read_id'),
              'room.messages_written as unread_base',
              select.val(null).as('pref'),
              select.val(now).as('updated_at'),
            ])
            .where('member.app_id', '=', appId)
            .where('member.user_id', '=', groupId),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  async setRole(appId: string, roomId: string, userId: string, role: 'admin' | 'member', db: Db): Promise<void> {
    await db
      .updateTable('room_members')
      .set({ role })
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
    await this.membersChanged(appId, roomId, db);
  }

  async setProperties(
    appId: string,
    roomId: string,
    userId: string,
    properties: Record<string, unknown>,
    db: Db,
  ): Promise<void> {
    await db
      .updateTable('room_members')
      .set({ properties: JSON.stringify(properties) })
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
    await this.membersChanged(appId, roomId, db);
  }

  async readStates(appId: string, roomIds: readonly string[], userId: string): Promise<Map<string, ReadState>> {
    if (roomIds.length === 0) return new Map();
    const rows = await this.statesWithRooms()
      .where('state.app_id', '=', appId)
      .where('state.user_id', '=', userId)
      .where(this.storage.dialect.inList('state.room_id', roomIds))
      .execute();
    return new Map(rows.map((row) => [row.room_id, toState(row)]));
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

  /** A deleted message no longer counts for those who had not read it (and did not send it). */
  async messageDeleted(
    appId: string,
    roomId: string,
    message: { seq: number; senderId: string | null },
    db: Db,
  ): Promise<void> {
    let query = db
      .updateTable('room_user_state')
      .set((eb) => ({ unread_base: eb('unread_base', '+', 1) }))
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('last_read_seq', '<', message.seq)
      .where((eb) => eb('unread_base', '<', this.messagesWritten(eb, appId, roomId)));
    if (message.senderId !== null) query = query.where('user_id', '<>', message.senderId);
    await query.execute();
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
      .where((inner) => inner.or([inner('messages.sender_id', 'is', null), inner('messages.sender_id', '<>', userId)]));
  }

  async setPref(
    appId: string,
    roomId: string,
    userId: string,
    pref: Record<string, unknown> | null,
    now: number,
  ): Promise<void> {
    const text = pref === null ? null : JSON.stringify(pref);
    await this.storage.db
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

  async invite(
    appId: string,
    roomId: string,
    userIds: readonly string[],
    inviter: string | null,
    now: number,
    db: Db,
  ): Promise<void> {
    if (userIds.length === 0) return;
    const invitations = userIds.map((userId) => ({
      app_id: appId,
      room_id: roomId,
      user_id: userId,
      inviter,
      created_at: now,
    }));
    await insertMissing(db, 'room_invitations', invitations);
  }

  async invitations(appId: string, roomId: string, db: Db = this.storage.db): Promise<string[]> {
    const rows = await db
      .selectFrom('room_invitations')
      .select('user_id')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => row.user_id);
  }

  removeInvitations(appId: string, roomId: string, userIds: readonly string[], db: Db): Promise<void> {
    return this.deleteUsers('room_invitations', appId, roomId, userIds, db);
  }
}

/** Inserts rows a statement at a time (within the driver's parameter limit), keeping any that exist. */
async function insertMissing<T extends 'room_members' | 'room_user_state' | 'room_invitations'>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (const chunk of inStatements(rows)) {
    await db
      .insertInto(table)
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
