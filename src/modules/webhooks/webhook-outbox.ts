import { randomBytes } from 'node:crypto';
import { messageView } from '../chat/index.js';
import type { StoredMessage } from '../chat/index.js';
import type { Db } from '../../storage/transaction.js';
import type { Room } from '../chat/index.js';
import { userSummary, type UserSummary } from '../users/index.js';
import type { UsersRepository } from '../users/index.js';
import type { WebhookSettings, WebhooksRepository } from './webhooks.repository.js';

export type WebhookEvent = 'MESSAGE' | 'ADD_MEMBERS' | 'DELETE_MEMBERS' | 'JOIN_ROOM';

/** Where a room's events go (spec 11.1): its `webhook` (a URL, or a key under the base URL) and the app-wide URL. */
export function webhookTargets(room: Room, settings: WebhookSettings | undefined): string[] {
  const targets = new Set<string>();
  const value = room.webhook?.trim();
  if (value) {
    if (/^https?:\/\//i.test(value)) targets.add(value);
    else if (settings?.baseUrl) targets.add(`${settings.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(value)}`);
  }
  if (settings?.url) targets.add(settings.url);
  return [...targets];
}

/**
 * Writes webhook deliveries in the transaction of the change they report (the durable outbox of
 * issue 5): a committed message or membership change always has its delivery, across any crash.
 */
export class WebhookOutbox {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly users: UsersRepository,
  ) {}

  async message(tx: Db, room: Room, message: StoredMessage): Promise<void> {
    const sender =
      message.senderId === null
        ? null
        : userSummary(message.senderId, await this.users.find(room.appId, message.senderId, tx));
    await this.record(tx, room, 'MESSAGE', message.senderId, messageView(message, sender));
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
    const found = new Map(
      (await this.users.findMany(room.appId, [...userIds, ...(actorId ? [actorId] : [])], tx)).map((user) => [
        user.id,
        user,
      ]),
    );
    const sender: UserSummary = userSummary(actorId ?? 'admin', actorId ? found.get(actorId) : undefined);
    await this.record(tx, room, event, actorId, {
      room: room.id,
      sender,
      members: userIds.map((id) => userSummary(id, found.get(id))),
    });
  }

  private async record(tx: Db, room: Room, event: WebhookEvent, clientId: string | null, data: unknown): Promise<void> {
    const targets = webhookTargets(room, await this.webhooks.settings(room.appId, tx));
    if (targets.length === 0) return;
    const payload = JSON.stringify({
      appID: room.appId,
      clientID: clientId ?? 'admin',
      roomID: room.id,
      event,
      botState: room.botState ?? '',
      data,
    });
    const now = Date.now();
    for (const url of targets) {
      await this.webhooks.enqueue(
        { id: `msg_${randomBytes(12).toString('base64url')}`, appId: room.appId, roomId: room.id, event, url, payload },
        now,
        tx,
      );
    }
  }
}
