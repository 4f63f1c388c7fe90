import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import type { UserDirectory } from '../users/index.js';
import type { ReadStatesRepository, StoredPref } from './read-states.repository.js';
import type { Actor, RoomAccess, RoomContext } from './room-access.js';
import { mergedPref, ROOM_PREF_FIELDS } from './room-pref-view.js';
import type { RoomsRepository } from './rooms.repository.js';

const MAX_PREF_BYTES = 64 * 1024;
/** An unset array field is answered empty rather than absent ([hist] 4.6). */
const ARRAY_FIELDS: ReadonlySet<string> = new Set(['tags']);

/** A room preference as the API answers it: `{room, ...pref}`. */
export type RoomPref = Record<string, unknown> & { room: string };

export interface RoomPrefList {
  totalCount: number;
  data: RoomPref[];
}

type Pref = Record<string, unknown>;

/**
 * Room preferences ([hist] 4): a user's own for each room they can read, and a user group's for
 * the rooms the group is a member of. Both live in the room's read states (a group is a pseudo-user,
 * spec 3.6); a member's view — `pref` on their rooms, `GET /roomPrefs`, the `roomPref` push — is
 * their groups' preferences under their own.
 */
export class RoomPrefsService {
  constructor(
    private readonly deps: {
      rooms: RoomsRepository;
      readStates: ReadStatesRepository;
      access: RoomAccess;
      users: UserDirectory;
      bus: EventBus;
    },
  ) {}

  /** `POST /roomPrefs/:room`: merges the known fields sent into the user's preference; answers it as stored. */
  async set(appId: string, userId: string, roomId: string, changes: Pref): Promise<RoomPref> {
    const result = await this.change(appId, roomId, userId, mayReadRoom(userId), (stored) => ({
      ...stored,
      ...knownFields(changes),
    }));
    await this.announce(appId, result.room, [userId]);
    return { room: result.room, ...result.pref };
  }

  /** `DELETE /roomPrefs/:room/:key`: the preference without that field (an absent field is no error). */
  async unset(appId: string, userId: string, roomId: string, key: string): Promise<RoomPref> {
    const result = await this.change(appId, roomId, userId, mayReadRoom(userId), (stored) => without(stored, key));
    if (result.changed) await this.announce(appId, result.room, [userId]);
    return unsetAnswer(result.room, result.pref, key);
  }

  /** `GET /roomPrefs`: the user's view of their preference in each of their rooms that has one. */
  async list(appId: string, userId: string): Promise<RoomPrefList> {
    const principals = await this.deps.access.principals(appId, userId);
    const byRoom = new Map<string, { own: Pref | null; groups: Array<{ owner: string; pref: Pref }> }>();
    for (const stored of await this.deps.readStates.prefsOf(appId, principals)) {
      const entry = byRoom.get(stored.roomId) ?? { own: null, groups: [] };
      if (stored.userId === userId) entry.own = stored.pref;
      else entry.groups.push({ owner: stored.userId, pref: stored.pref });
      byRoom.set(stored.roomId, entry);
    }
    const data = [...byRoom].map(([room, entry]) => ({ room, ...mergedPref(entry.groups, entry.own) }));
    return { totalCount: data.length, data };
  }

  /** `POST /roomPrefs/:room/group/:group`: merges the fields into the group's preference; its members are told. */
  async setForGroup(appId: string, actor: Actor, groupId: string, roomId: string, changes: Pref): Promise<RoomPref> {
    const members = await this.groupMembers(appId, actor, groupId);
    const result = await this.change(appId, roomId, groupId, groupInRoom(groupId), (stored) => ({
      ...stored,
      ...knownFields(changes),
    }));
    await this.announce(appId, result.room, members);
    return { room: result.room, ...result.pref };
  }

  /** `DELETE /roomPrefs/:room/group/:group/:key`. */
  async unsetForGroup(appId: string, actor: Actor, groupId: string, roomId: string, key: string): Promise<RoomPref> {
    const members = await this.groupMembers(appId, actor, groupId);
    const result = await this.change(appId, roomId, groupId, groupInRoom(groupId), (stored) => without(stored, key));
    if (result.changed) await this.announce(appId, result.room, members);
    return unsetAnswer(result.room, result.pref, key);
  }

  /** `GET /roomPrefs/group/:group`: the group's own preferences, room by room. */
  async listForGroup(appId: string, actor: Actor, groupId: string): Promise<RoomPrefList> {
    await this.groupMembers(appId, actor, groupId);
    const data = (await this.deps.readStates.prefsOf(appId, [groupId])).map((stored) => ({
      room: stored.roomId,
      ...stored.pref,
    }));
    return { totalCount: data.length, data };
  }

  /**
   * The members of a group whose preferences `actor` may read and change: any of its members, or the
   * platform admin. A user outside the group learns nothing of it, not even whether it exists.
   */
  private async groupMembers(appId: string, actor: Actor, groupId: string): Promise<string[]> {
    const members = (await this.deps.users.groupsAmong(appId, [groupId])).get(groupId);
    if (actor.admin) {
      if (!members) throw new AppError('GROUP_NOT_FOUND');
      return members;
    }
    if (!members || actor.userId === null || !members.includes(actor.userId))
      throw new AppError(
        'NOT_PERMITTED',
        "Only the group's members and the platform admin may use its room preferences",
      );
    return members;
  }

  /** Reads, changes and stores one owner's preference for a room, the room locked meanwhile. */
  private async change(
    appId: string,
    roomId: string,
    owner: string,
    check: { actor: Actor; allow: (context: RoomContext) => void },
    update: (stored: Pref) => Pref,
  ): Promise<{ room: string; pref: Pref; changed: boolean }> {
    return this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, check.actor, tx);
      check.allow(context);
      const room = context.room.id;
      const stored = await this.deps.readStates.storedPref(appId, room, owner, tx);
      const pref = update(stored ?? {});
      if (Buffer.byteLength(JSON.stringify(pref)) > MAX_PREF_BYTES)
        throw new AppError('INVALID_REQUEST', `A preference holds at most ${MAX_PREF_BYTES} bytes of JSON`);
      const changed = JSON.stringify(pref) !== JSON.stringify(stored ?? {});
      if (changed)
        await this.deps.readStates.setPref(appId, room, owner, Object.keys(pref).length ? pref : null, Date.now(), tx);
      return { room, pref, changed };
    });
  }

  /** `roomPref` to each of these users: their own view of the room's preference. */
  private async announce(appId: string, roomId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const stored = await this.deps.readStates.prefsIn(appId, roomId);
    const groups = await this.deps.users.groupsAmong(
      appId,
      stored.map((entry) => entry.userId),
    );
    const own = new Map(stored.filter((entry) => !groups.has(entry.userId)).map((entry) => [entry.userId, entry.pref]));
    const groupPrefs = stored.filter((entry) => groups.has(entry.userId));
    for (const userId of userIds) {
      const mine = groupPrefs.filter((entry: StoredPref) => groups.get(entry.userId)?.includes(userId));
      const view = mergedPref(
        mine.map((entry) => ({ owner: entry.userId, pref: entry.pref })),
        own.get(userId) ?? null,
      );
      this.deps.bus.publish('room.pref', { appId, roomId, userId, pref: view ?? {} });
    }
  }
}

/** A user's own preference: for rooms they can read ([hist] 4.1: 403 `NOT_ROOM_MEMBER`, 404 `ROOM_NOT_FOUND`). */
const mayReadRoom = (userId: string) => ({
  actor: { admin: false, userId },
  allow: (context: RoomContext) => {
    if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
  },
});

/** A group's preference: for rooms the group is a member of (its members read them through it). */
const groupInRoom = (groupId: string) => ({
  actor: { admin: true, userId: null },
  allow: (context: RoomContext) => {
    if (!context.members.some((member) => member.userId === groupId))
      throw new AppError('NOT_ROOM_MEMBER', 'The group is not a member of this room');
  },
});

const knownFields = (changes: Pref): Pref =>
  Object.fromEntries(Object.entries(changes).filter(([name]) => ROOM_PREF_FIELDS.has(name)));

const without = (pref: Pref, key: string): Pref =>
  Object.fromEntries(Object.entries(pref).filter(([name]) => name !== key));

const unsetAnswer = (room: string, pref: Pref, key: string): RoomPref =>
  ARRAY_FIELDS.has(key) ? { room, ...pref, [key]: [] } : { room, ...pref };
