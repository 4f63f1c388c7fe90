import type { Insertable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Database } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import { inStatements } from '../../storage/dialects/dialect.js';
import { newMembersStamp } from './rooms.repository.js';

/** The user ids of a list of members. */
export const userIdsOf = (members: readonly { userId: string }[]): string[] => members.map((member) => member.userId);

export interface Member {
  roomId: string;
  userId: string;
  role: 'admin' | 'member' | null;
  properties: Record<string, unknown>;
  joinedAt: number;
  /** The room's last message seq when this member joined. */
  historyFromSeq: number;
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

/** Transactions that changed some room's members: what they read of members is not committed yet. */
const changingMembers = new WeakSet<Db>();

/** True when `db` is a transaction that changed members: a member list it reads may never be committed. */
export const changesMembers = (db: Db): boolean => changingMembers.has(db);

export class MembersRepository {
  constructor(private readonly storage: Storage) {}

  async list(appId: string, roomId: string, db: Db = this.storage.db): Promise<Member[]> {
    return (await this.listMany(appId, [roomId], db)).get(roomId) ?? [];
  }

  /** Members of several rooms at once, by room, in the order they joined. */
  /** The user ids of a room's members. */
  async memberIds(appId: string, roomId: string): Promise<string[]> {
    return userIdsOf(await this.list(appId, roomId));
  }

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
    // Joining again: the room is no longer one they left ([hist] 5.6).
    await this.deleteUsers('room_departures', appId, roomId, userIds, db);
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

  /**
   * Removes members with their read positions and preferences (spec 4.7); each user keeps a record
   * of the departure with the preference they had ([hist] 5.6).
   */
  async remove(appId: string, roomId: string, userIds: readonly string[], db: Db, now = Date.now()): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .insertInto('room_departures')
      .columns(['app_id', 'room_id', 'user_id', 'pref', 'quitted_at'])
      .expression((eb) =>
        eb
          .selectFrom('room_user_state')
          .select((select) => ['app_id', 'room_id', 'user_id', 'pref', select.val(now).as('quitted_at')])
          .where('app_id', '=', appId)
          .where('room_id', '=', roomId)
          .where(this.storage.dialect.inList('user_id', userIds)),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['app_id', 'room_id', 'user_id'])
          .doUpdateSet((eb) => ({ pref: eb.ref('excluded.pref'), quitted_at: eb.ref('excluded.quitted_at') })),
      )
      .execute();
    await this.deleteUsers('room_members', appId, roomId, userIds, db);
    await this.deleteUsers('room_user_state', appId, roomId, userIds, db);
    await this.membersChanged(appId, roomId, db);
  }

  /** Rows of these users in one room of a per-room-and-user table. */
  private async deleteUsers(
    table: 'room_members' | 'room_user_state' | 'room_invitations' | 'room_departures',
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

  /** The rooms `userId` left ([hist] 5.6), most recent departure first. */
  async departures(
    appId: string,
    userId: string,
  ): Promise<Array<{ roomId: string; pref: Record<string, unknown> | null; quittedAt: number }>> {
    const rows = await this.storage.db
      .selectFrom('room_departures')
      .select(['room_id', 'pref', 'quitted_at'])
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .orderBy('quitted_at', 'desc')
      .orderBy('room_id')
      .execute();
    return rows.map((row) => ({
      roomId: row.room_id,
      pref: row.pref === null ? null : (JSON.parse(row.pref) as Record<string, unknown>),
      quittedAt: Number(row.quitted_at),
    }));
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
