import type { EventBus } from '../../events/event-bus.js';
import type { Db } from '../../storage/transaction.js';
import { userSummary, type UserDirectory } from '../users/index.js';
import type { MessageWriter, SystemMessageType } from './message-writer.js';
import type { StoredMessage } from './messages.repository.js';
import type { Actor } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { Room } from './rooms.repository.js';

/**
 * Member-change notices (spec 1.10, 12 item 42), in one place: who sends them, writing one in the
 * transaction of the change, and announcing it to the room once that transaction committed.
 */
export class SystemMessages {
  constructor(
    private readonly deps: {
      users: UserDirectory;
      writer: MessageWriter;
      presenter: RoomPresenter;
      bus: EventBus;
      systemUserId: string;
    },
  ) {}

  /** The sender of system messages: the acting user, or the system robot for the platform admin. */
  async sender(appId: string, actor: Actor, needed: boolean): Promise<string | null> {
    if (actor.userId !== null) return actor.userId;
    if (!needed) return null;
    const { users, bus, systemUserId } = this.deps;
    await users.ensureRobot(appId, systemUserId);
    bus.publish('user.upserted', { appId, userId: systemUserId });
    return systemUserId;
  }

  /** A notice about `userIds`: `member` is the first user concerned, `extra` the whole list (12 item 42). */
  async write(
    tx: Db,
    room: Room,
    senderId: string | null,
    type: SystemMessageType,
    userIds: readonly string[],
    extraKey: 'invitees' | 'members' | null,
  ): Promise<StoredMessage> {
    const found = new Map((await this.deps.users.findMany(room.appId, userIds, tx)).map((user) => [user.id, user]));
    const users = userIds.map((id) => userSummary(id, found.get(id)));
    const content: Record<string, unknown> = {
      message: users.map((user) => user.nickname || user._id).join(', '),
      member: users[0],
    };
    if (extraKey) content.extra = { [extraKey]: users };
    return this.deps.writer.write(tx, room, senderId, { messageType: type, content, searchText: '' });
  }

  /** A notice just written, to the room's members (in order with the room's other messages). */
  async announce(appId: string, stored: StoredMessage, members: string[]): Promise<void> {
    const message = await this.deps.presenter.messageViewOf(appId, stored, { justWritten: true });
    this.deps.bus.publish('message.created', {
      appId,
      roomId: stored.roomId,
      message,
      members,
      push: true,
      skipTotalBadge: false,
      mentions: [],
      seq: stored.seq,
      previousSeq: stored.previousSeq ?? null,
    });
  }
}
