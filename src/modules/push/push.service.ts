import { randomBytes } from 'node:crypto';
import type { EventBus, DomainEvents } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import type { DeviceDirectory } from '../devices/index.js';
import { type AudienceDirectory, PushAudience } from './push-audience.js';
import type { PushProvider } from './push-provider.js';
import type { PushRecord, PushRepository } from './push.repository.js';
import { SerialTicker } from '../../shared/serial-ticker.js';

const TICK_MS = 250;
const BATCH = 20;
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2_000;
const LEASE_MS = 30_000;
const MAX_CLIENTS = 10_000;
const MAX_TEXT = 200;

const newId = () => `push_${randomBytes(12).toString('base64url')}`;

/**
 * Push notifications (spec 10, 1.11): each one is recorded first, then handed to the configured
 * provider in the background and retried if the provider fails. New chat messages notify the
 * room's other members, except those who muted the room or turned notifications off.
 */
export class PushService {
  private readonly ticker: SerialTicker;
  private unsubscribe: (() => void) | undefined;

  private readonly pushes: PushRepository;
  private readonly devices: DeviceDirectory;
  private readonly audience: PushAudience;
  private readonly provider: PushProvider;
  private readonly bus: EventBus;
  private readonly onError: (error: unknown) => void;

  constructor(deps: {
    repository: PushRepository;
    devices: DeviceDirectory;
    users: AudienceDirectory;
    provider: PushProvider;
    bus: EventBus;
    onError: (error: unknown) => void;
  }) {
    this.pushes = deps.repository;
    this.devices = deps.devices;
    this.audience = new PushAudience(deps);
    this.provider = deps.provider;
    this.bus = deps.bus;
    this.onError = deps.onError;
    this.ticker = new SerialTicker(TICK_MS, () => this.tick(), deps.onError);
  }

  /** `POST /push/push2clients` (10.1): unknown users are skipped when it is sent. */
  async pushToClients(appId: string, body: { clients?: unknown; payload?: unknown }): Promise<string> {
    const { clients, payload } = body;
    if (
      !Array.isArray(clients) ||
      clients.length === 0 ||
      !clients.every((client) => typeof client === 'string') ||
      payload === null ||
      typeof payload !== 'object' ||
      Array.isArray(payload)
    ) {
      throw new AppError('MISSING_PARAMETER', 'clients and payload are required');
    }
    if (clients.length > MAX_CLIENTS) throw new AppError('INVALID_REQUEST', `At most ${MAX_CLIENTS} clients per push`);
    const content = { ...(payload as Record<string, unknown>) };
    // `badge` may come as a numeric string (12 item 70).
    if (content.badge !== undefined) {
      const badge =
        typeof content.badge === 'string' && /^\d+$/.test(content.badge) ? Number(content.badge) : content.badge;
      if (typeof badge !== 'number' || !Number.isInteger(badge) || badge < 0)
        throw new AppError('INVALID_REQUEST', 'payload.badge must be a whole number');
      content.badge = badge;
    }
    const id = newId();
    await this.pushes.record({ id, appId, kind: 'custom', users: [...new Set(clients as string[])], payload: content });
    return id;
  }

  /** The log of notifications, newest first. */
  list(appId: string, options: { status?: string; skip: number; limit: number }) {
    return this.pushes.list(appId, options);
  }

  /** Notifications by state, for monitoring. */
  notificationCounts(): Promise<Record<string, number>> {
    return this.pushes.counts();
  }

  start(): void {
    // Once per message, on the node that accepted it.
    this.unsubscribe = this.bus.subscribeOrigin('message.created', (event) => {
      this.messageCreated(event).catch(this.onError);
    });
    this.ticker.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.ticker.stop();
  }

  /** Notifies the members of a new message who can be reached; nothing is recorded when none can be. */
  private async messageCreated(event: DomainEvents['message.created']): Promise<void> {
    if (!event.push) return;
    const { appId, message } = event;
    const senderId = (message.sender as { _id?: string } | null)?._id ?? null;
    const recipients = await this.audience.of(appId, event.roomId, event.members, senderId);
    if (recipients.length === 0) return;
    const nickname = (message.sender as { nickname?: string } | null)?.nickname || senderId || '';
    const text = typeof message.message === 'string' ? message.message.slice(0, MAX_TEXT) : '';
    await this.pushes.record({
      id: newId(),
      appId: event.appId,
      kind: 'message',
      users: recipients,
      payload: {
        type: 'message',
        title: nickname,
        body: text,
        'loc-key': `im_loc_${String(message.messageType)}`,
        'loc-args': [nickname, text],
        room: event.roomId,
        messageId: message._id,
        mentioned: event.mentions.filter((id) => recipients.includes(id)),
      },
    });
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const push of await this.pushes.due(now, BATCH)) {
      if (this.ticker.stopped) return;
      if (!(await this.pushes.claim(push.id, push.lockedUntil, now + LEASE_MS))) continue;
      await this.send(push);
    }
  }

  private async send(push: PushRecord): Promise<void> {
    const attempts = push.attempts + 1;
    const devices = await this.devices.forUsers(push.appId, push.users);
    try {
      if (devices.length > 0)
        await this.provider.send({
          id: push.id,
          appId: push.appId,
          kind: push.kind,
          users: push.users,
          devices,
          payload: push.payload,
        });
      await this.pushes.finish(push.id, {
        status: 'sent',
        attempts,
        devices: devices.length,
        nextAttemptAt: Date.now(),
        provider: this.provider.name,
        lastError: null,
      });
    } catch (error) {
      const exhausted = attempts >= MAX_ATTEMPTS;
      await this.pushes.finish(push.id, {
        status: exhausted ? 'failed' : 'pending',
        attempts,
        devices: devices.length,
        nextAttemptAt: Date.now() + RETRY_BASE_MS * 2 ** (attempts - 1),
        provider: this.provider.name,
        lastError: (error as Error).message.slice(0, 500),
      });
    }
  }
}
