import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import { iso } from '../../shared/time.js';
import type { ReadStatesRepository } from './read-states.repository.js';
import type { RoomAccess, Actor } from './room-access.js';
import type { RoomsRepository } from './rooms.repository.js';
import type { UserDeletionsRepository } from './user-deletions.repository.js';

type UserActor = Actor & { userId: string };

export interface UserDeleteResult {
  room: string;
  totalCount: number;
  messages: string[];
}

/**
 * "Delete for me" (history 7.9): a member hides messages of a room from themselves. Lists mark
 * them (`isDeleted`, `userDeletedIDs`), recent messages leave them out, they no longer count as
 * unread for that member; the user's own connections hear of it.
 */
export class UserDeletionsService {
  constructor(
    private readonly deps: {
      access: RoomAccess;
      rooms: Pick<RoomsRepository, 'transaction'>;
      readStates: Pick<ReadStatesRepository, 'deletedForUser'>;
      deletions: UserDeletionsRepository;
      bus: EventBus;
    },
  ) {}

  /** `POST /messages/user-delete`: ids that are not the room's (or before the user's history) are ignored. */
  deleteMessages(
    appId: string,
    actor: UserActor,
    roomId: string,
    messageIds: readonly string[],
  ): Promise<UserDeleteResult> {
    return this.record(appId, actor, roomId, messageIds).then(({ matched }) => ({
      room: roomId,
      totalCount: matched.length,
      messages: matched,
    }));
  }

  /** `POST /messages/user-delete/all-in-room`: every message of the room the user can read. */
  async deleteAllInRoom(
    appId: string,
    actor: UserActor,
    roomId: string,
  ): Promise<UserDeleteResult & { n: number; nModified: number; ok: number }> {
    const { matched, added } = await this.record(appId, actor, roomId, undefined);
    return { n: matched.length, nModified: added, ok: 1, room: roomId, totalCount: matched.length, messages: matched };
  }

  /** `GET /messages/user-delete?room=`: the user's own records, kept after leaving the room. */
  async list(
    appId: string,
    userId: string,
    roomId: string,
  ): Promise<{ totalCount: number; data: Array<{ message: string; createdAt: string; updatedAt: string }> }> {
    const deletions = await this.deps.deletions.inRoom(appId, userId, roomId);
    return {
      totalCount: deletions.length,
      data: deletions.map((deletion) => ({
        message: deletion.messageId,
        createdAt: iso(deletion.createdAt),
        updatedAt: iso(deletion.updatedAt),
      })),
    };
  }

  private async record(appId: string, actor: UserActor, roomId: string, messageIds: readonly string[] | undefined) {
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    if (!context.isMember) throw new AppError('NOT_ROOM_MEMBER');
    const selection = { messageIds, fromSeq: context.historyFloor };
    const now = Date.now();
    const outcome = await this.deps.rooms.transaction(async (tx) => {
      // What they had not read no longer counts as unread for them (history 7.9).
      await this.deps.readStates.deletedForUser(appId, roomId, actor.userId, selection, tx);
      return this.deps.deletions.record(appId, actor.userId, roomId, selection, now, tx);
    });
    if (outcome.matched.length > 0)
      this.deps.bus.publish('message.userDeleted', {
        appId,
        roomId,
        userId: actor.userId,
        messageIds: outcome.matched,
        all: messageIds === undefined,
      });
    return outcome;
  }
}
