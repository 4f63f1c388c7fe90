import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import { queryRefusal } from '../../storage/dialects/query-errors.js';
import type { Database, UsersTable } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';
import { randomId } from '../../shared/ids.js';
import type { UserFilter } from './user-filter.js';
import { preparedQuery } from '../../storage/prepared-query.js';

export interface Address {
  port: number;
  family: string;
  address: string;
}

export interface User {
  appId: string;
  id: string;
  nickname: string;
  avatarUrl: string;
  email: string | null;
  description: string | null;
  isRobot: boolean;
  isGroup: boolean;
  groupMembers: string[] | null;
  custom: Record<string, unknown>;
  address: Address | null;
  userAgent: string | null;
  lastLoginTime: number;
  lastJoinOrCreateRoomTime: number | null;
  notificationEnabled: boolean;
  mute: string[];
  createdAt: number;
  updatedAt: number;
}

/** Fields an upsert may set; absent fields are kept. */
export type UserChanges = Partial<
  Pick<User, 'nickname' | 'avatarUrl' | 'email' | 'description' | 'isRobot' | 'notificationEnabled' | 'groupMembers'>
> & {
  custom?: Record<string, unknown>;
};

/** What a transaction came to: its value, or 'conflict' when a concurrent insert took a unique key first. */
export type Attempt<T> = { outcome: 'done'; value: T } | { outcome: 'conflict' };

/** A page of users, or why the database refused the filter. */
export type UserPage = { totalCount: number; data: User[] } | 'invalid-pattern' | 'timeout';

const toUser = (row: Selectable<UsersTable>): User => ({
  appId: row.app_id,
  id: row.id,
  nickname: row.nickname,
  avatarUrl: row.avatar_url,
  email: row.email,
  description: row.description,
  isRobot: row.is_robot === 1,
  isGroup: row.is_group === 1,
  groupMembers: row.group_members === null ? null : (JSON.parse(row.group_members) as string[]),
  custom: JSON.parse(row.custom) as Record<string, unknown>,
  address: row.address === null ? null : (JSON.parse(row.address) as Address),
  userAgent: row.user_agent,
  lastLoginTime: row.last_login_time,
  lastJoinOrCreateRoomTime: row.last_join_or_create_room_time,
  notificationEnabled: row.notification_enabled === 1,
  mute: JSON.parse(row.mute) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A new user row: the fields `changes` sets, defaults for the others. */
const newUserRow = (
  appId: string,
  id: string,
  changes: UserChanges,
  isGroup: boolean,
  now: number,
): Insertable<UsersTable> => ({
  app_id: appId,
  id,
  nickname: changes.nickname ?? '',
  avatar_url: changes.avatarUrl ?? '',
  email: changes.email ?? null,
  description: changes.description ?? null,
  is_robot: changes.isRobot ? 1 : 0,
  is_group: isGroup ? 1 : 0,
  group_members: changes.groupMembers ? JSON.stringify(changes.groupMembers) : null,
  custom: JSON.stringify(changes.custom ?? {}),
  address: null,
  user_agent: null,
  last_login_time: 0,
  last_join_or_create_room_time: null,
  notification_enabled: changes.notificationEnabled === false ? 0 : 1,
  mute: '[]',
  created_at: now,
  updated_at: now,
});

/** One user by id: read for every message (its sender), so built once (see preparedQuery). */
const findUser = preparedQuery((db, values: { appId: string; id: string }) =>
  db.selectFrom('users').selectAll().where('app_id', '=', values.appId).where('id', '=', values.id),
);

export class UsersRepository {
  constructor(private readonly storage: Storage) {}

  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.storage.db.transaction().execute(work);
  }

  /** Like `transaction`, rolled back with 'conflict' on a unique violation (two requests creating one id). */
  async attempt<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<Attempt<T>> {
    try {
      return { outcome: 'done', value: await this.transaction(work) };
    } catch (error) {
      if (this.storage.dialect.isUniqueViolation(error)) return { outcome: 'conflict' };
      throw error;
    }
  }

  async find(appId: string, id: string, db: Db = this.storage.db): Promise<User | undefined> {
    const row = (await findUser(db, { appId, id })).rows[0];
    return row && toUser(row);
  }

  async findMany(appId: string, ids: readonly string[], db: Db = this.storage.db): Promise<User[]> {
    if (ids.length === 0) return [];
    // The sender of a message, a single member: the statement built once.
    if (ids.length === 1) {
      const user = await this.find(appId, ids[0] as string, db);
      return user ? [user] : [];
    }
    const rows = await this.rows(appId, db).selectAll().where(this.storage.dialect.inList('id', ids)).execute();
    return rows.map(toUser);
  }

  /** The app's rows of `users`. */
  private rows(appId: string, db: Db = this.storage.db) {
    return db.selectFrom('users').where('app_id', '=', appId);
  }

  /** Sets fields of one user. */
  private async set(appId: string, id: string, values: Updateable<UsersTable>, db: Db): Promise<void> {
    await db.updateTable('users').set(values).where('app_id', '=', appId).where('id', '=', id).execute();
  }

  /** Takes `value` out of the JSON list `column` of every row (of `rows`) that holds it; returns their ids. */
  private async removeFromLists(
    appId: string,
    column: 'group_members' | 'mute',
    value: string,
    db: Db,
    groupsOnly: boolean,
  ): Promise<string[]> {
    let query = this.rows(appId, db)
      .select(['id', 'group_members', 'mute'])
      .where(this.storage.dialect.jsonArrayContains(column, value));
    if (groupsOnly) query = query.where('is_group', '=', 1);
    const rows = await query.execute();
    for (const row of rows) {
      const list = (JSON.parse(row[column] ?? '[]') as string[]).filter((entry) => entry !== value);
      await this.set(appId, row.id, { [column]: JSON.stringify(list), updated_at: Date.now() }, db);
    }
    return rows.map((row) => row.id);
  }

  /** Creates the user, or applies `changes` to the existing one (spec 3.1: upsert keyed by `_id`). */
  async upsert(
    appId: string,
    id: string,
    changes: UserChanges,
    isGroup: boolean,
    db: Db,
    now = Date.now(),
  ): Promise<{ user: User; created: boolean }> {
    const existing = await this.findForUpdate(appId, id, db);
    if (!existing) {
      await db
        .insertInto('users')
        .values(newUserRow(appId, id, changes, isGroup, now))
        .execute();
      return { user: (await this.find(appId, id, db)) as User, created: true };
    }
    const values: Partial<UsersTable> = { updated_at: now };
    if (changes.nickname !== undefined) values.nickname = changes.nickname;
    if (changes.avatarUrl !== undefined) values.avatar_url = changes.avatarUrl;
    if (changes.email !== undefined) values.email = changes.email;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.isRobot !== undefined) values.is_robot = changes.isRobot ? 1 : 0;
    if (changes.notificationEnabled !== undefined) values.notification_enabled = changes.notificationEnabled ? 1 : 0;
    if (changes.groupMembers !== undefined) values.group_members = JSON.stringify(changes.groupMembers);
    if (changes.custom !== undefined && Object.keys(changes.custom).length > 0) {
      values.custom = JSON.stringify({ ...existing.custom, ...changes.custom });
    }
    await this.set(appId, id, values, db);
    return { user: (await this.find(appId, id, db)) as User, created: false };
  }

  /**
   * Reads the row an upsert merges into, locked until its transaction ends, so that concurrent
   * upserts do not lose each other's custom fields. SQLite runs one write transaction at a time.
   */
  private async findForUpdate(appId: string, id: string, db: Db): Promise<User | undefined> {
    let query = this.rows(appId, db).selectAll().where('id', '=', id);
    if (this.storage.dialect.name === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toUser(row);
  }

  /** Users (never groups) matching `filter`, by id. */
  async listUsers(appId: string, options: { filter?: UserFilter; skip: number; limit: number }): Promise<UserPage> {
    try {
      return await this.page(appId, false, options);
    } catch (error) {
      const refusal = queryRefusal(error);
      if (refusal === undefined) throw error;
      return refusal;
    }
  }

  listGroups(appId: string, options: { skip: number; limit: number }): Promise<{ totalCount: number; data: User[] }> {
    return this.page(appId, true, options);
  }

  private async page(
    appId: string,
    groups: boolean,
    options: { filter?: UserFilter; skip: number; limit: number },
  ): Promise<{ totalCount: number; data: User[] }> {
    let query = this.rows(appId).where('is_group', '=', groups ? 1 : 0);
    const { filter } = options;
    if (filter) query = query.where((eb) => filter(eb, this.storage.dialect));
    const [count, rows] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      query.selectAll().orderBy('id').offset(options.skip).limit(options.limit).execute(),
    ]);
    return { totalCount: Number(count.count), data: rows.map(toUser) };
  }

  async delete(appId: string, id: string, db: Db = this.storage.db): Promise<boolean> {
    const result = await db.deleteFrom('users').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Takes a user out of every group that lists them; returns the ids of those groups. */
  async removeFromGroups(appId: string, userId: string, db: Db): Promise<string[]> {
    return this.removeFromLists(appId, 'group_members', userId, db, true);
  }

  async anyGroup(appId: string): Promise<boolean> {
    return (await this.rows(appId).select('id').where('is_group', '=', 1).limit(1).executeTakeFirst()) !== undefined;
  }

  /** Ids of the groups that list `userId` among their members. */
  async groupsAmong(appId: string, ids: readonly string[], db: Db = this.storage.db): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    const rows = await this.rows(appId, db)
      .select(['id', 'group_members'])
      .where('is_group', '=', 1)
      .where(this.storage.dialect.inList('id', ids))
      .execute();
    return new Map(rows.map((row) => [row.id, JSON.parse(row.group_members ?? '[]') as string[]]));
  }

  async groupsContaining(appId: string, userId: string, db: Db = this.storage.db): Promise<string[]> {
    const rows = await this.rows(appId, db)
      .select('id')
      .where('is_group', '=', 1)
      .where(this.storage.dialect.jsonArrayContains('group_members', userId))
      .execute();
    return rows.map((row) => row.id);
  }

  /** Adds or removes a room in the user's `mute` list; returns the user as changed, or undefined if absent. */
  async setMuted(
    appId: string,
    userId: string,
    roomId: string,
    muted: boolean,
  ): Promise<{ user: User; changed: boolean } | undefined> {
    return this.transaction(async (tx) => {
      const user = await this.findForUpdate(appId, userId, tx);
      if (!user) return undefined;
      const has = user.mute.includes(roomId);
      if (has === muted) return { user, changed: false };
      const mute = muted ? [...user.mute, roomId] : user.mute.filter((id) => id !== roomId);
      await this.set(appId, userId, { mute: JSON.stringify(mute), updated_at: Date.now() }, tx);
      return { user: (await this.find(appId, userId, tx)) as User, changed: true };
    });
  }

  /** Takes a deleted room out of every user's `mute` list; returns the users changed. */
  async forgetMutedRoom(appId: string, roomId: string, db: Db): Promise<string[]> {
    return this.removeFromLists(appId, 'mute', roomId, db, false);
  }

  /** A user connected: when, from where and with what (spec 1.9 `address`, `userAgent`, `lastLoginTime`). */
  async recordLogin(
    appId: string,
    userId: string,
    login: { address: Address | null; userAgent: string | null },
    now = Date.now(),
  ): Promise<void> {
    const address = login.address ? JSON.stringify(login.address) : null;
    await this.set(appId, userId, { last_login_time: now, address, user_agent: login.userAgent }, this.storage.db);
  }

  /** Ensures a robot user exists (the sender of system and batch messages). */
  async ensureRobot(appId: string, id: string): Promise<void> {
    const robot = newUserRow(appId, id, { nickname: id, isRobot: true, notificationEnabled: false }, false, Date.now());
    await this.storage.db
      .insertInto('users')
      .values(robot)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Takes a deleted user or group out of every room, with their read state and invitations. */
  async removeFromRooms(appId: string, userId: string, db: Db): Promise<void> {
    // Their rooms' members change: a new members stamp, as chat's MembersRepository gives on every change.
    await db
      .updateTable('rooms')
      .set({ members_stamp: randomId('m', 16) })
      .where('app_id', '=', appId)
      .where('id', 'in', (eb) =>
        eb.selectFrom('room_members').select('room_id').where('app_id', '=', appId).where('user_id', '=', userId),
      )
      .execute();
    await db.deleteFrom('room_members').where('app_id', '=', appId).where('user_id', '=', userId).execute();
    await db.deleteFrom('room_user_state').where('app_id', '=', appId).where('user_id', '=', userId).execute();
    await db.deleteFrom('room_invitations').where('app_id', '=', appId).where('user_id', '=', userId).execute();
    await db.deleteFrom('room_departures').where('app_id', '=', appId).where('user_id', '=', userId).execute();
  }

  async count(appId: string, since?: number): Promise<number> {
    let query = this.rows(appId).where('is_group', '=', 0);
    if (since !== undefined) query = query.where('created_at', '>=', since);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async activeBetween(appId: string, from: number, to: number, limit: number): Promise<string[]> {
    const rows = await this.rows(appId)
      .select('id')
      .where('last_login_time', '>=', from)
      .where('last_login_time', '<=', to)
      .orderBy('last_login_time', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  async countActiveSince(appId: string, since: number): Promise<number> {
    const query = this.rows(appId).where('last_login_time', '>=', since);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
