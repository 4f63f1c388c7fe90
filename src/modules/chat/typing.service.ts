import type { EventBus } from '../../events/event-bus.js';
import { userSummary, type UserDirectory } from '../users/index.js';
import { requireWritable, type Actor, type RoomAccess } from './room-access.js';

const MAX_TYPING_TEXT = 1000;

/** "I am typing" notices (realtime protocol 4.1, `POST /rooms/:id/typing`): one rule for both transports. */
export class TypingService {
  constructor(private readonly deps: { access: RoomAccess; users: UserDirectory; bus: EventBus }) {}

  /** A typing notice carries text: banned, blocked or frozen out means silent here too. */
  async typing(appId: string, actor: Actor & { userId: string }, roomId: string, message: unknown): Promise<void> {
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    requireWritable(context);
    const typist = userSummary(actor.userId, await this.deps.users.find(appId, actor.userId));
    this.deps.bus.publish('room.typing', {
      appId,
      roomId: context.room.id,
      userId: actor.userId,
      message: typeof message === 'string' ? message.slice(0, MAX_TYPING_TEXT) : null,
      members: context.members.map((member) => member.userId),
      // IMKIT's Vue client shows who types from this (other-clients 4.2); the name, not the profile.
      senderInfo: {
        _id: typist._id,
        id: typist.id,
        nickname: typist.nickname,
        avatarUrl: typist.avatarUrl,
        isRobot: typist.isRobot,
        clientType: typist.clientType,
      },
    });
  }
}
