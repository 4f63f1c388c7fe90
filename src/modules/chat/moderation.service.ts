import type { EventBus } from '../../events/event-bus.js';
import type { ChatReads } from './chat-reads.js';
import type { Actor } from '../../core/actor.js';
import { AppError } from '../../core/errors.js';
import { iso } from '../../shared/time.js';
import { ensureDirectRoom } from './direct-room.js';
import type { RoomContext } from './room-access.js';
import type { Room } from './rooms.repository.js';
import { userSummary, type UserSummary } from '../users/index.js';
import { userView, type UserView } from '../users/index.js';
import type { Ban, Block, ModerationRepository } from './moderation.repository.js';

/** A ban or block as spec 7 answers it: `blocker` and `room` are ids, or summaries in the room ban list. */
export interface ModerationRecord {
  appID: string;
  blockee: UserSummary;
  blocker: string | UserSummary;
  room: string | RoomSummary;
  createdAt: string;
  updatedAt: string;
}

interface RoomSummary {
  _id: string;
  id: string;
  roomType: string;
  createdTimeMS?: number;
}

const roomSummary = (room: Room): RoomSummary => ({
  _id: room.id,
  id: room.id,
  roomType: room.roomType,
  createdTimeMS: room.createdAt,
});

/** Bans, personal blocks and the admin's notification mute (spec 7, 12 items 60-64). */
export class ModerationService {
  constructor(
    private readonly deps: ChatReads & {
      moderation: ModerationRepository;
      bus: EventBus;
    },
  ) {}

  /** `POST /blockStatus/room/:roomID/:blockee` (7.1). */
  async ban(appId: string, actor: Actor, roomId: string, blockee: string): Promise<ModerationRecord> {
    const user = await this.deps.users.find(appId, blockee);
    const now = Date.now();
    const ban = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') throw new AppError('ROOM_OR_USER_NOT_FOUND');
        throw error;
      });
      this.requireModerator(context, 'Only platform admin and room owner can block users in group chat rooms');
      if (!user) throw new AppError('ROOM_OR_USER_NOT_FOUND');
      if (blockee === context.room.owner || blockee === actor.userId)
        throw new AppError('INVALID_USER_ID', 'The room owner and yourself cannot be banned');
      if (await this.deps.moderation.findBan(appId, roomId, blockee, tx)) throw new AppError('USER_ALREADY_BLOCKED');
      const record: Ban = { roomId, userId: blockee, blocker: actor.userId ?? 'admin', createdAt: now, updatedAt: now };
      await this.deps.moderation.ban(appId, record, tx);
      return { record, members: context.members.map((member) => member.userId) };
    });
    this.deps.bus.publish('room.banned', { appId, roomId, userId: blockee, banned: true, members: ban.members });
    return banView(appId, ban.record, userSummary(blockee, user));
  }

  /** `DELETE /blockStatus/room/:roomID/:blockee` (7.2): the record removed, `updatedAt` now (12 item 64). */
  async unban(appId: string, actor: Actor, roomId: string, blockee: string): Promise<ModerationRecord> {
    const result = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      this.requireModerator(context, 'Only room owner can unblock users in group chat rooms');
      const record = await this.deps.moderation.findBan(appId, roomId, blockee, tx);
      if (!record) throw new AppError('BLOCK_NOT_FOUND');
      await this.deps.moderation.unban(appId, roomId, blockee, tx);
      return { record: { ...record, updatedAt: Date.now() }, members: context.members.map((member) => member.userId) };
    });
    this.deps.bus.publish('room.banned', { appId, roomId, userId: blockee, banned: false, members: result.members });
    return banView(appId, result.record, userSummary(blockee, await this.deps.users.find(appId, blockee)));
  }

  /** `GET /blockStatus/room/:roomID` (7.3), newest first. */
  async bans(appId: string, actor: Actor, roomId: string): Promise<{ data: ModerationRecord[] }> {
    const context = await this.deps.access.load(appId, roomId, actor);
    this.requireModerator(context, 'Only room owner can view blocklist in group chat rooms');
    const bans = await this.deps.moderation.bans(appId, roomId);
    const users = await this.deps.presenter.usersById(
      appId,
      bans.flatMap((ban) => [ban.userId, ban.blocker]),
    );
    return {
      data: bans.map((ban) => ({
        ...banView(appId, ban, userSummary(ban.userId, users.get(ban.userId))),
        blocker: userSummary(ban.blocker, users.get(ban.blocker)),
        room: roomSummary(context.room),
      })),
    };
  }

  /** `POST /blockStatus/my/:blockee` (7.4.1): closes the pair's direct room, created if needed. */
  async block(appId: string, blocker: string, blockee: string): Promise<ModerationRecord> {
    if (blockee === blocker) throw new AppError('SELF_BLOCK_FORBIDDEN');
    const user = await this.deps.users.find(appId, blockee);
    if (!user || user.isGroup) throw new AppError('USER_NOT_FOUND');
    const now = Date.now();
    const outcome = await this.deps.rooms.transaction(async (tx) => {
      if (await this.deps.moderation.findBlock(appId, blocker, blockee, tx))
        throw new AppError('USER_ALREADY_BLOCKED', 'This user is already in your block list');
      const direct = await ensureDirectRoom(
        { rooms: this.deps.rooms, members: this.deps.members },
        appId,
        blocker,
        blockee,
        tx,
      );
      const record: Block = { blocker, blockee, roomId: direct.room.id, createdAt: now, updatedAt: now };
      await this.deps.moderation.block(appId, record, tx);
      return { record, room: direct.room, created: direct.created };
    });
    const members = [blocker, blockee];
    if (outcome.created)
      this.deps.bus.publish('room.created', { appId, roomId: outcome.room.id, members, actor: blocker });
    else this.deps.bus.publish('room.updated', { appId, roomId: outcome.room.id, members, actor: blocker });
    return blockView(appId, outcome.record, userSummary(blockee, user), outcome.record.roomId);
  }

  /** `DELETE /blockStatus/my/:blockee` (7.4.2): the direct room and its history stay. */
  async unblock(appId: string, blocker: string, blockee: string): Promise<ModerationRecord> {
    const record = await this.deps.rooms.transaction(async (tx) => {
      const found = await this.deps.moderation.findBlock(appId, blocker, blockee, tx);
      if (!found) throw new AppError('BLOCK_NOT_FOUND', 'No block relationship exists with this user');
      await this.deps.moderation.unblock(appId, blocker, blockee, tx);
      return { ...found, updatedAt: Date.now() };
    });
    this.deps.bus.publish('room.updated', {
      appId,
      roomId: record.roomId,
      members: [blocker, blockee],
      actor: blocker,
    });
    return blockView(appId, record, userSummary(blockee, await this.deps.users.find(appId, blockee)), record.roomId);
  }

  /** `GET /blockStatus/my` (7.4.3). */
  async blocks(appId: string, blocker: string): Promise<{ data: ModerationRecord[] }> {
    const blocks = await this.deps.moderation.blocksBy(appId, blocker);
    const users = await this.deps.presenter.usersById(
      appId,
      blocks.map((block) => block.blockee),
    );
    const rooms = new Map<string, Room>();
    for (const block of blocks) {
      const room = await this.deps.rooms.find(appId, block.roomId);
      if (room) rooms.set(room.id, room);
    }
    return {
      data: blocks.map((block) => {
        const room = rooms.get(block.roomId);
        return blockView(
          appId,
          block,
          userSummary(block.blockee, users.get(block.blockee)),
          room ? roomSummary(room) : { _id: block.roomId, id: block.roomId, roomType: 'direct' },
        );
      }),
    };
  }

  /** `POST`/`DELETE /admin/clients/:uid/mute/:room` (7.6-7.7, 12 item 45): the user's `mute` list. */
  async adminMute(appId: string, userId: string, roomId: string, muted: boolean): Promise<UserView> {
    if (!(await this.deps.users.find(appId, userId)))
      throw new AppError('MUTE_CLIENT_NOT_FOUND', `Client with id '${userId}' not found`);
    if (!(await this.deps.rooms.find(appId, roomId))) throw new AppError('ROOM_NOT_FOUND');
    const result = await this.deps.users.setMuted(appId, userId, roomId, muted);
    if (!result) throw new AppError('MUTE_CLIENT_NOT_FOUND', `Client with id '${userId}' not found`);
    if (!muted && !result.changed) throw new AppError('ROOM_NOT_MUTED');
    if (result.changed) {
      this.deps.bus.publish('user.upserted', { appId, userId });
      this.deps.bus.publish('room.muted', { appId, roomId, userId, muted });
    }
    return userView(result.user);
  }

  /** Owner or platform admin; superusers when the room has no owner (12 items 35, 60). */
  private requireModerator(context: RoomContext, message: string): void {
    if (context.actor.admin || context.isOwner) return;
    if (context.room.owner === null && context.isSuperuser) return;
    throw new AppError('MODERATION_NOT_PERMITTED', message);
  }
}

function banView(appId: string, ban: Ban, blockee: UserSummary): ModerationRecord {
  return {
    appID: appId,
    blockee,
    blocker: ban.blocker,
    room: ban.roomId,
    createdAt: iso(ban.createdAt),
    updatedAt: iso(ban.updatedAt),
  };
}

function blockView(appId: string, block: Block, blockee: UserSummary, room: string | RoomSummary): ModerationRecord {
  return {
    appID: appId,
    blockee,
    blocker: block.blocker,
    room,
    createdAt: iso(block.createdAt),
    updatedAt: iso(block.updatedAt),
  };
}
