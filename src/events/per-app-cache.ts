import { LRUCache } from 'lru-cache';
import type { DomainEvents, EventBus, EventType } from './event-bus.js';

/** The events that name the application they changed. */
export type AppEventType = { [T in EventType]: DomainEvents[T] extends { appId: string } ? T : never }[EventType];

/** Bounds how stale a node stays if it misses a change (a Redis outage, a write by the CLI). */
const DEFAULT_TTL_MS = 5_000;

/**
 * A value kept per application until one of `changes` names the app: a change on any node drops the
 * app's entry everywhere through the event bus, and an entry expires after `ttlMs` whatever happens.
 * A read that raced a change is not kept.
 */
export class PerAppCache<T> {
  private readonly entries: LRUCache<string, { value: T }>;
  /** Moves on every change: a read that started before one must not be cached. */
  private generation = 0;

  constructor(bus: EventBus, changes: readonly AppEventType[], options: { ttlMs?: number; max?: number } = {}) {
    this.entries = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? DEFAULT_TTL_MS });
    for (const type of changes)
      bus.subscribe(type, ({ appId }) => {
        this.generation++;
        this.entries.delete(appId);
      });
  }

  async get(appId: string, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(appId);
    if (cached) return cached.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) this.entries.set(appId, { value });
    return value;
  }
}
