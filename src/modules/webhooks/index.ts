/** The public surface of the webhooks module: other folders import only from here. */
import type { Db } from '../../storage/transaction.js';
import type { WebhookEvent } from './webhook-queue.js';

export { WebhookDispatcher } from './webhook-dispatcher.js';
export type { BotReplies } from './webhook-dispatcher.js';
export { DeliveryOutbox, webhookTargets } from './webhook-queue.js';
export type { RoomWebhookEvent, WebhookEvent, WebhookQueue } from './webhook-queue.js';
export { WebhooksRepository } from './webhooks.repository.js';
export { webhooksRoutes } from './webhooks.routes.js';

/**
 * TEMP until chat branch: the shape chat's call sites still use (`outbox.message`, `outbox.members`).
 * The composition root adapts it onto `WebhookQueue`; chat's own port replaces it.
 */
export interface WebhookOutbox {
  message(tx: Db, room: unknown, message: unknown): Promise<void>;
  members(
    tx: Db,
    room: unknown,
    event: Exclude<WebhookEvent, 'MESSAGE'>,
    actorId: string | null,
    userIds: readonly string[],
  ): Promise<void>;
}
