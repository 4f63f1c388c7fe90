import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LocalEventBus, type DomainEvents, type EventBus, type EventHandler, type EventType } from './event-bus.js';

interface Envelope {
  node: string;
  type: EventType;
  payload: unknown;
}

/**
 * Delivers locally at once (so this node never serves stale state after its own change) and
 * through Redis pub/sub to the other nodes, which ignore their own messages.
 */
export class RedisEventBus implements EventBus {
  private readonly node = randomUUID();
  private readonly local: LocalEventBus;
  /** Handlers for events this node published only. */
  private readonly origin: LocalEventBus;
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly onError: (error: unknown, what: string) => void,
  ) {
    this.local = new LocalEventBus((error, type) => onError(error, `event handler ${type}`));
    this.origin = new LocalEventBus((error, type) => onError(error, `event handler ${type}`));
    this.channel = `${prefix}events`;
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const envelope = JSON.parse(message) as Envelope;
        if (envelope.node !== this.node) this.local.deliver(envelope.type, envelope.payload as never);
      } catch (error) {
        this.onError(error, 'event decode');
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  publish<T extends EventType>(type: T, payload: DomainEvents[T]): void {
    this.local.deliver(type, payload);
    this.origin.deliver(type, payload);
    const envelope: Envelope = { node: this.node, type, payload };
    this.publisher
      .publish(this.channel, JSON.stringify(envelope))
      .catch((error: unknown) => this.onError(error, 'event publish'));
  }

  subscribe<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
    return this.local.subscribe(type, handler);
  }

  subscribeOrigin<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
    return this.origin.subscribe(type, handler);
  }

  async close(): Promise<void> {
    await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
    await this.local.close();
    await this.origin.close();
  }
}
