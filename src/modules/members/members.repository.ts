import type { Storage } from '../../storage/database.js';
import type { Db } from '../rooms/rooms.repository.js';

export interface Member {
  roomId: string;
  userId: string;
  role: 'admin' | 'member' | null;
  properties: Record<string, unknown>;
  joinedAt: number;
}

export interface ReadState {
  roomId: string;
  userId: string;
  lastReadSeq: number;
  lastReadId: string | null;
  pref: Record<string, unknown> | null;
}

/** Counting unread messages stops here: a badge shows "9999" rather than scan a huge backlog. */
export const BADGE_CAP = 9999;

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
      .where('room_id', 'in', [...roomIds])
      .orderBy('room_id')
      .orderBy('joined_at')
      .orderBy('position')
      .orderBy('user_id')
      .execute();
    for (const row of rows) {
      let list = byRoom.get(row.room_id);
      if (!list) byRoom.set(row.room_id, (list = []));
      list.push({
        roomId: row.room_id,
        userId: row.user_id,
        role: row.role === 'admin' || row.role === 'member' ? row.role : null,
        properties: JSON.parse(row.properties) as Record<string, unknown>,
        joinedAt: row.joined_at,
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

  /** True when any of `principals` is a member of the room. */
  async isMember(appId: string, roomId: string, principals: readonly string[], db: Db = this.storage.db): Promise<boolean> {
    const row = await db
      .selectFrom('room_members')
      .select('user_id')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', 'in', [...principals])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Adds members (skipping existing ones); each starts with nothing unread (spec 4.6). */
  async add(appId: string, roomId: string, userIds: readonly string[], readUpTo: number, now: number, db: Db): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .insertInto('room_members')
      .values(userIds.map((userId, position) => ({ app_id: appId, room_id: roomId, user_id: userId, role: null, properties: '{}', joined_at: now, position })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('room_user_state')
      .values(userIds.map((userId) => ({ app_id: appId, room_id: roomId, user_id: userId, last_read_seq: readUpTo, last_read_id: null, pref: null, updated_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Removes members with their read positions and preferences (spec 4.7). */
  async remove(appId: string, roomId: string, userIds: readonly string[], db: Db): Promise<void> {
    if (userIds.length === 0) return;
    await db.deleteFrom('room_members').where('app_id', '=', appId).where('room_id', '=', roomId).where('user_id', 'in', [...userIds]).execute();
    await db.deleteFrom('room_user_state').where('app_id', '=', appId).where('room_id', '=', roomId).where('user_id', 'in', [...userIds]).execute();
  }

  async setRole(appId: string, roomId: string, userId: string, role: 'admin' | 'member', db: Db): Promise<void> {
    await db.updateTable('room_members').set({ role }).where('app_id', '=', appId).where('room_id', '=', roomId).where('user_id', '=', userId).execute();
  }

  async setProperties(appId: string, roomId: string, userId: string, properties: Record<string, unknown>, db: Db): Promise<void> {
    await db
      .updateTable('room_members')
      .set({ properties: JSON.stringify(properties) })
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
  }

  async readStates(appId: string, roomIds: readonly string[], userId: string): Promise<Map<string, ReadState>> {
    if (roomIds.length === 0) return new Map();
    const rows = await this.storage.db
      .selectFrom('room_user_state')
      .selectAll()
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('room_id', 'in', [...roomIds])
      .execute();
    return new Map(rows.map((row) => [row.room_id, {
      roomId: row.room_id,
      userId: row.user_id,
      lastReadSeq: row.last_read_seq,
      lastReadId: row.last_read_id,
      pref: row.pref === null ? null : (JSON.parse(row.pref) as Record<string, unknown>),
    }]));
  }

  async roomStates(appId: string, roomId: string): Promise<ReadState[]> {
    const rows = await this.storage.db.selectFrom('room_user_state').selectAll().where('app_id', '=', appId).where('room_id', '=', roomId).execute();
    return rows.map((row) => ({
      roomId: row.room_id,
      userId: row.user_id,
      lastReadSeq: row.last_read_seq,
      lastReadId: row.last_read_id,
      pref: row.pref === null ? null : (JSON.parse(row.pref) as Record<string, unknown>),
    }));
  }

  /**
   * Moves a read position forward only: a late or repeated report never brings unread messages back.
   * `onlyExisting`: leave users without a state row (non-members) alone.
   */
  async markRead(
    appId: string, roomId: string, userId: string, seq: number, messageId: string, now: number,
    db: Db = this.storage.db, options: { onlyExisting?: boolean } = {},
  ): Promise<void> {
    if (options.onlyExisting) {
      await db
        .updateTable('room_user_state')
        .set({ last_read_seq: seq, last_read_id: messageId, updated_at: now })
        .where('app_id', '=', appId)
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .where('last_read_seq', '<', seq)
        .execute();
      return;
    }
    await db
      .insertInto('room_user_state')
      .values({ app_id: appId, room_id: roomId, user_id: userId, last_read_seq: seq, last_read_id: messageId, pref: null, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['app_id', 'room_id', 'user_id']).doUpdateSet({ last_read_seq: seq, last_read_id: messageId, updated_at: now })
          .where('room_user_state.last_read_seq', '<', seq),
      )
      .execute();
  }

  async setPref(appId: string, roomId: string, userId: string, pref: Record<string, unknown> | null, now: number): Promise<void> {
    const text = pref === null ? null : JSON.stringify(pref);
    await this.storage.db
      .insertInto('room_user_state')
      .values({ app_id: appId, room_id: roomId, user_id: userId, last_read_seq: 0, last_read_id: null, pref: text, updated_at: now })
      .onConflict((oc) => oc.columns(['app_id', 'room_id', 'user_id']).doUpdateSet({ pref: text, updated_at: now }))
      .execute();
  }

  /**
   * Unread messages per (room, user): messages after the read position, not sent by that user,
   * counted up to BADGE_CAP through the room's (room_id, seq) index.
   */
  async badges(appId: string, pairs: ReadonlyArray<{ roomId: string; userId: string; lastReadSeq: number }>): Promise<number[]> {
    if (pairs.length === 0) return [];
    const db = this.storage.db;
    const counts = await Promise.all(
      chunk(pairs, 200).map(async (part) => {
        const query = part
          .map((pair, index) =>
            db
              .selectFrom(
                db.selectFrom('messages')
                  .select((eb) => eb.lit(1).as('one'))
                  .where('app_id', '=', appId)
                  .where('room_id', '=', pair.roomId)
                  .where('seq', '>', pair.lastReadSeq)
                  .where((eb) => eb.or([eb('sender_id', 'is', null), eb('sender_id', '<>', pair.userId)]))
                  .limit(BADGE_CAP)
                  .as('unread'),
              )
              .select((eb) => [eb.lit(index).as('position'), eb.fn.countAll<number>().as('count')]),
          )
          .reduce((all, next) => all.unionAll(next));
        const rows = await query.execute();
        const result = new Array<number>(part.length).fill(0);
        for (const row of rows) result[Number(row.position)] = Number(row.count);
        return result;
      }),
    );
    return counts.flat();
  }

  async invite(appId: string, roomId: string, userIds: readonly string[], inviter: string | null, now: number, db: Db): Promise<void> {
    if (userIds.length === 0) return;
    await db
      .insertInto('room_invitations')
      .values(userIds.map((userId) => ({ app_id: appId, room_id: roomId, user_id: userId, inviter, created_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async invitations(appId: string, roomId: string, db: Db = this.storage.db): Promise<string[]> {
    const rows = await db.selectFrom('room_invitations').select('user_id').where('app_id', '=', appId).where('room_id', '=', roomId).orderBy('created_at').execute();
    return rows.map((row) => row.user_id);
  }

  async removeInvitations(appId: string, roomId: string, userIds: readonly string[], db: Db): Promise<void> {
    if (userIds.length === 0) return;
    await db.deleteFrom('room_invitations').where('app_id', '=', appId).where('room_id', '=', roomId).where('user_id', 'in', [...userIds]).execute();
  }

  async invitationsFor(appId: string, userId: string): Promise<Array<{ roomId: string; inviter: string | null; createdAt: number }>> {
    const rows = await this.storage.db.selectFrom('room_invitations').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((row) => ({ roomId: row.room_id, inviter: row.inviter, createdAt: row.created_at }));
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}
