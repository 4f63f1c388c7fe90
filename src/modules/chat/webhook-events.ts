import type { Db } from '../../storage/transaction.js';
import { userSummary, type UserDirectory, type UserSummary } from '../users/index.js';
import type { WebhookEvent, WebhookQueue } from '../webhooks/index.js';
import { messageView } from './message-view.js';
import type { StoredMessage } from './messages.repository.js';
import type { Room } from './rooms.repository.js';

/**
 * The webhook events of the chat (spec 11.2), built from chat's own types and queued on the webhooks
 * module's queue in the transaction of the change they report: a committed change always has its delivery.
 */
export class RoomWebhookEvents {
  constructor(private readonly deps: { queue: WebhookQueue; users: UserDirectory }) {}

  /** Whether the room's events go anywhere: if not, a message records nothing for webhooks. */
  listensTo(room: Room): Promise<boolean> {
    return this.deps.queue.listens(room.appId, room.webhook ?? null);
  }

  async message(tx: Db, room: Room, message: StoredMessage): Promise<void> {
    await this.record(tx, room, 'MESSAGE', message.senderId, async () => {
      const sender =
        message.senderId === null
          ? null
          : userSummary(message.senderId, await this.deps.users.find(room.appId, message.senderId, tx));
      return messageView(message, sender);
    });
  }

  /** ADD_MEMBERS, DELETE_MEMBERS (leaving too, with the leaver as sender) and JOIN_ROOM (spec 11.2, 12 item 73). */
  async members(
    tx: Db,
    room: Room,
    event: Exclude<WebhookEvent, 'MESSAGE'>,
    actorId: string | null,
    userIds: readonly string[],
  ): Promise<void> {
    if (userIds.length === 0) return;
    await this.record(tx, room, event, actorId, async () => {
      const lookedUp = await this.deps.users.findMany(room.appId, [...userIds, ...(actorId ? [actorId] : [])], tx);
      const found = new Map(lookedUp.map((user) => [user.id, user]));
      const sender: UserSummary = userSummary(actorId ?? 'admin', actorId ? found.get(actorId) : undefined);
      return { room: room.id, sender, members: userIds.map((id) => userSummary(id, found.get(id))) };
    });
  }

  private record(
    tx: Db,
    room: Room,
    event: WebhookEvent,
    clientId: string | null,
    data: () => Promise<unknown>,
  ): Promise<void> {
    return this.deps.queue.enqueue(tx, {
      appId: room.appId,
      roomId: room.id,
      roomWebhook: room.webhook ?? null,
      botState: room.botState ?? '',
      event,
      clientId,
      data,
    });
  }
}
