import { randomBytes } from 'node:crypto';
import type { EventBus, DomainEvents } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import type { DeviceDirectory } from '../devices/index.js';
import { type AudienceDirectory, PushAudience } from './push-audience.js';
import type { PushDispatcher } from './push-dispatcher.js';
import type { PushRecord, PushRepository } from './push.repository.js';
import type { PushSenders } from './push-senders.js';
import { messagePushPayload, type RoomFact } from './message-push.js';
import { SerialTicker } from '../../shared/serial-ticker.js';

const TICK_MS = 250;
const BATCH = 20;
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2_000;
const LEASE_MS = 30_000;
const MAX_CLIENTS = 10_000;
const MAX_TOKENS = 1_000;
const TOKEN_TYPES = new Set(['ios', 'ios-voip', 'android', 'fcm', 'web']);

/** What the push module reads of a room: what a message's push shows and carries. */
export interface RoomFacts {
  roomOf(appId: string, roomId: string): Promise<RoomFact | null>;
}

/** Deliveries by provider and outcome on this node since it started (a counter for /metrics). */
export type DeliveryTotals = Array<{ provider: string; outcome: string; count: number }>;

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
  private readonly audience: PushAudience;
  private readonly dispatcher: PushDispatcher;
  private readonly senders: PushSenders;
  private readonly rooms: RoomFacts;
  private readonly externalServices: (appId: string) => Promise<boolean>;
  private readonly totals = new Map<string, number>();
  private readonly bus: EventBus;
  private readonly onError: (error: unknown) => void;

  constructor(deps: {
    repository: PushRepository;
    devices: DeviceDirectory;
    users: AudienceDirectory;
    dispatcher: PushDispatcher;
    senders: PushSenders;
    rooms: RoomFacts;
    /** Whether the app hands pushes to an external push service (then receivers need no device here). */
    externalServices: (appId: string) => Promise<boolean>;
    bus: EventBus;
    onError: (error: unknown) => void;
  }) {
    this.pushes = deps.repository;
    this.audience = new PushAudience(deps);
    this.dispatcher = deps.dispatcher;
    this.senders = deps.senders;
    this.rooms = deps.rooms;
    this.externalServices = deps.externalServices;
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
    const id = newId();
    await this.pushes.record({
      id,
      appId,
      kind: 'custom',
      users: [...new Set(clients as string[])],
      payload: customPayloadOf(payload as Record<string, unknown>),
    });
    return id;
  }

  /** `POST /push/push2tokens` (realtime-protocol 6.3): straight to device tokens of one type, registered or not. */
  async pushToTokens(appId: string, body: { type?: unknown; tokens?: unknown; payload?: unknown }): Promise<string> {
    const { type, tokens, payload } = body;
    if (
      typeof type !== 'string' ||
      !Array.isArray(tokens) ||
      tokens.length === 0 ||
      !tokens.every((token) => typeof token === 'string' && token.length > 0) ||
      payload === null ||
      typeof payload !== 'object' ||
      Array.isArray(payload)
    ) {
      throw new AppError('MISSING_PARAMETER', 'type, tokens and payload are required');
    }
    if (!TOKEN_TYPES.has(type))
      throw new AppError('INVALID_REQUEST', `type must be one of ${[...TOKEN_TYPES].join(', ')}`);
    if (tokens.length > MAX_TOKENS) throw new AppError('INVALID_REQUEST', `At most ${MAX_TOKENS} tokens per push`);
    if (tokens.some((token) => (token as string).length > 4096))
      throw new AppError('INVALID_REQUEST', 'A token is at most 4096 characters');
    const id = newId();
    await this.pushes.record({
      id,
      appId,
      kind: 'custom',
      users: [],
      tokens: { type, tokens: [...new Set(tokens as string[])] },
      payload: customPayloadOf(payload as Record<string, unknown>),
    });
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
    await this.senders.close();
  }

  /** Notifies the members of a new message who can be reached; nothing is recorded when none can be. */
  private async messageCreated(event: DomainEvents['message.created']): Promise<void> {
    if (!event.push) return;
    const { appId, message } = event;
    const senderId = (message.sender as { _id?: string } | null)?._id ?? null;
    const anyDeviceNeeded = !(await this.externalServices(appId));
    const recipients = await this.audience.of(appId, event.roomId, event.members, senderId, anyDeviceNeeded);
    if (recipients.length === 0) return;
    const room = await this.rooms.roomOf(appId, event.roomId);
    await this.pushes.record({
      id: newId(),
      appId: event.appId,
      kind: 'message',
      users: recipients,
      payload: messagePushPayload(event, room, recipients),
    });
  }

  /** Deliveries by provider and outcome on this node since it started. */
  deliveryTotals(): DeliveryTotals {
    return [...this.totals].map(([key, count]) => {
      const [provider = '', outcome = ''] = key.split('\u0000');
      return { provider, outcome, count };
    });
  }

  /** Counts one delivery's outcome (the dispatcher's `counted`). */
  countDelivery(provider: string, outcome: string): void {
    const key = `${provider}\u0000${outcome}`;
    this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
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
    const exhausted = attempts >= MAX_ATTEMPTS;
    try {
      const result = await this.dispatcher.dispatch(push, attempts, exhausted);
      const retry = result.retry > 0;
      await this.pushes.finish(push.id, {
        status: retry ? 'pending' : result.targets > 0 && result.sent === 0 && result.lastError ? 'failed' : 'sent',
        attempts,
        devices: result.targets,
        nextAttemptAt: Date.now() + Math.max(RETRY_BASE_MS * 2 ** (attempts - 1), result.retryAfterMs),
        provider: providersOf(result),
        lastError: result.lastError?.slice(0, 500) ?? null,
      });
    } catch (error) {
      await this.pushes.finish(push.id, {
        status: exhausted ? 'failed' : 'pending',
        attempts,
        devices: push.devices,
        nextAttemptAt: Date.now() + RETRY_BASE_MS * 2 ** (attempts - 1),
        provider: push.provider,
        lastError: (error as Error).message.slice(0, 500),
      });
    }
  }
}

/** `badge` may come as a numeric string (12 item 70). */
function customPayloadOf(payload: Record<string, unknown>): Record<string, unknown> {
  const content = { ...payload };
  if (content.badge !== undefined) {
    const badge =
      typeof content.badge === 'string' && /^\d+$/.test(content.badge) ? Number(content.badge) : content.badge;
    if (typeof badge !== 'number' || !Number.isInteger(badge) || badge < 0)
      throw new AppError('INVALID_REQUEST', 'payload.badge must be a whole number');
    content.badge = badge;
  }
  return content;
}

function providersOf(result: { providers: string[] }): string | null {
  return result.providers.length > 0 ? result.providers.join(',') : null;
}
