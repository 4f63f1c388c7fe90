import { randomBytes } from 'node:crypto';
import type { Db } from '../../storage/transaction.js';
import type { WebhookSettings, WebhooksRepository } from './webhooks.repository.js';
import type { WebhookSettingsCache } from './settings-cache.js';

export type WebhookEvent = 'MESSAGE' | 'ADD_MEMBERS' | 'DELETE_MEMBERS' | 'JOIN_ROOM';

/** One event of a room, its payload's `data` built by the module that owns the room. */
export interface RoomWebhookEvent {
  appId: string;
  roomId: string;
  /** The room's `webhook` field: a URL, or a key under the app's base URL. */
  roomWebhook: string | null;
  botState: string;
  event: WebhookEvent;
  clientId: string | null;
  /** Builds the payload's `data`; called only when the event has somewhere to go (most apps set no webhook). */
  data: () => Promise<unknown>;
}

/** Where room events go for delivery; written in the caller's transaction. */
export interface WebhookQueue {
  enqueue(tx: Db, event: RoomWebhookEvent): Promise<void>;
  /** Whether a room's events go anywhere now (its own webhook, or the app-wide URL). */
  listens(appId: string, roomWebhook: string | null): Promise<boolean>;
}

/** Where a room's events go (spec 11.1): its `webhook` (a URL, or a key under the base URL) and the app-wide URL. */
export function webhookTargets(roomWebhook: string | null, settings: WebhookSettings | undefined): string[] {
  const targets = new Set<string>();
  const value = roomWebhook?.trim();
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
export class DeliveryOutbox implements WebhookQueue {
  private readonly repository: WebhooksRepository;
  private readonly settings: WebhookSettingsCache;

  constructor(deps: { repository: WebhooksRepository; settings: WebhookSettingsCache }) {
    this.repository = deps.repository;
    this.settings = deps.settings;
  }

  async listens(appId: string, roomWebhook: string | null): Promise<boolean> {
    return webhookTargets(roomWebhook, await this.settings.get(appId)).length > 0;
  }

  async enqueue(tx: Db, event: RoomWebhookEvent): Promise<void> {
    const targets = webhookTargets(event.roomWebhook, await this.settings.get(event.appId, tx));
    if (targets.length === 0) return;
    const payload = JSON.stringify({
      appID: event.appId,
      clientID: event.clientId ?? 'admin',
      roomID: event.roomId,
      event: event.event,
      botState: event.botState,
      data: await event.data(),
    });
    const now = Date.now();
    for (const url of targets) {
      await this.repository.enqueue(
        {
          id: `msg_${randomBytes(12).toString('base64url')}`,
          appId: event.appId,
          roomId: event.roomId,
          event: event.event,
          url,
          payload,
        },
        now,
        tx,
      );
    }
  }
}
