import { AppError } from '../../core/errors.js';
import type { Actor } from '../../core/actor.js';
import type { Member, MembersRepository } from './members.repository.js';
import type { UserDirectory } from '../users/index.js';
import type { Db } from '../../storage/transaction.js';
import type { Room, RoomsRepository } from './rooms.repository.js';
import type { ActorRoomReader } from './actor-room-reader.js';
import type { MemberListCache } from './member-cache.js';

export type { Actor } from '../../core/actor.js';

/** A room as one actor sees it: the facts every permission decision needs. */
export interface RoomContext {
  room: Room;
  members: Member[];
  actor: Actor;
  /** The actor's user and the groups they belong to. */
  principals: string[];
  isMember: boolean;
  /** Owner, manager or member with role "admin" (spec 12 item 35). */
  isSuperuser: boolean;
  isOwner: boolean;
  /** Members, superusers (an owner or manager need not be a member) and the platform admin. */
  canAccess: boolean;
  /** The actor is banned in this room (spec 7.1): they read, but write nothing. */
  banned: boolean;
  /** A personal block closes this direct room in both directions (spec 7.4). */
  blocked: boolean;
  /** The actor reads only messages with a greater seq (a late joiner of a 'joined' room); 0 for all. */
  historyFloor: number;
}

/**
 * Where a reader's history starts: in a room whose `historyVisibility` is 'joined', a member reads
 * the messages after the one that was last when it (or its group) joined; superusers and the
 * platform admin read everything.
 */
export function historyFloor(
  room: Room,
  members: readonly Member[],
  principals: readonly string[],
  privileged: boolean,
): number {
  if (room.historyVisibility !== 'joined' || privileged) return 0;
  const own = members.filter((member) => principals.includes(member.userId));
  return own.length === 0 ? 0 : Math.min(...own.map((member) => member.historyFromSeq));
}

/** The room's owner, a manager or a member with role admin, through any of the actor's principals (spec 12 item 35). */
export function isSuperuserOf(room: Room, members: readonly Member[], principals: readonly string[]): boolean {
  return (
    (room.owner !== null && principals.includes(room.owner)) ||
    room.managers.some((id) => principals.includes(id)) ||
    members.some((member) => member.role === 'admin' && principals.includes(member.userId))
  );
}

/** The groups among a user's principals (whose room preferences lie under the user's own). */
export const groupsAmongPrincipals = (principals: readonly string[], userId: string): string[] =>
  principals.filter((id) => id !== userId);

export class RoomAccess {
  constructor(
    private readonly deps: {
      rooms: RoomsRepository;
      /** The room with the actor's facts, in one statement. */
      actorRooms: ActorRoomReader;
      users: UserDirectory;
      /** Member lists kept while the room's members stamp holds. */
      memberLists: MemberListCache;
    },
  ) {}

  /** The members of a room just read (under its lock inside a transaction: pass it as `db`). */
  membersOf(room: Room, db?: Db): Promise<Member[]> {
    return this.deps.memberLists.of(room, db);
  }

  /** A user and every group that contains them: a room member through any of them is a member. */
  async principals(appId: string, userId: string, db?: Db): Promise<string[]> {
    return [userId, ...(await this.deps.users.groupsContaining(appId, userId, db))];
  }

  /**
   * Loads the room for `actor`; 404 `ROOM_NOT_FOUND` when it does not exist in this application.
   * Inside a transaction, pass it as `tx`: the room row is then locked until it ends.
   */
  async load(appId: string, roomId: string, actor: Actor, tx?: Db): Promise<RoomContext> {
    // The room, the actor's ban, the room's blocks and whether the actor is in any group: one statement.
    const found = await this.deps.actorRooms.find(appId, roomId, actor, tx ?? this.deps.rooms.db, tx !== undefined);
    if (!found) throw new AppError('ROOM_NOT_FOUND');
    const { room, facts } = found;
    const members = await this.deps.memberLists.of(room, tx);
    const principals =
      actor.userId === null ? [] : facts.inGroups ? await this.principals(appId, actor.userId, tx) : [actor.userId];
    const memberIds = new Set(members.map((member) => member.userId));
    const isMember = principals.some((id) => memberIds.has(id));
    const isOwner = room.owner !== null && principals.includes(room.owner);
    const isSuperuser = isSuperuserOf(room, members, principals);
    // Bans are of the user (not of their groups); a block closes direct rooms only.
    const banned = !actor.admin && facts.banned;
    const blocked = room.roomType === 'direct' && !actor.admin && facts.blocked;
    return {
      room,
      members,
      actor,
      principals,
      isMember,
      isSuperuser,
      isOwner,
      canAccess: actor.admin || isMember || isSuperuser,
      banned,
      blocked,
      historyFloor: historyFloor(room, members, principals, actor.admin || isSuperuser),
    };
  }

  /** Members, superusers and the platform admin (spec 12 items 33, 35); otherwise 403 `NOT_ROOM_MEMBER`. */
  async loadReadable(appId: string, roomId: string, actor: Actor, tx?: Db): Promise<RoomContext> {
    const context = await this.load(appId, roomId, actor, tx);
    if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
    return context;
  }
}

/** `historyFloor` of each 'joined' room of the list for a user with these principals (others: 0, left out). */
export async function historyFloors(
  members: MembersRepository,
  appId: string,
  principals: readonly string[],
  rooms: readonly Room[],
): Promise<Map<string, number>> {
  const restricted = rooms.filter((room) => room.historyVisibility === 'joined');
  const floors = new Map<string, number>();
  if (restricted.length === 0) return floors;
  const lists = await members.listMany(
    appId,
    restricted.map((room) => room.id),
  );
  for (const room of restricted) {
    const list = lists.get(room.id) ?? [];
    floors.set(room.id, historyFloor(room, list, principals, isSuperuserOf(room, list, principals)));
  }
  return floors;
}

/** Superuser or platform admin, else 403 with the code and message the endpoint documents. */
export function requireSuperuser(
  context: RoomContext,
  message: string,
  code: 'NOT_PERMITTED' | 'FREEZE_NOT_PERMITTED' | 'INSUFFICIENT_PERMISSION' = 'NOT_PERMITTED',
): void {
  if (context.actor.admin || context.isSuperuser) return;
  throw new AppError(code, message);
}

/**
 * Writes into a room, for anyone but the platform admin: not while it is frozen (spec 12 item 36),
 * not by a banned member (12 item 61), not in a direct room a personal block closed (7.4).
 */
export function requireWritable(context: RoomContext): void {
  if (context.actor.admin) return;
  if (context.room.status === 0) throw new AppError('ROOM_FROZEN');
  if (context.banned) throw new AppError('USER_BLOCKED', 'You are banned from writing in this room');
  if (context.blocked) throw new AppError('USER_BLOCKED', 'A block between you closes this direct room');
}
