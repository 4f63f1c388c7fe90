import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';
import type { Db } from '../../storage/transaction.js';
import type { WebhookSettings, WebhooksRepository } from './webhooks.repository.js';

/** Bounds how stale a node stays if it misses a change (a Redis outage). */
const TTL_MS = 5_000;

/**
 * The webhook settings every message reads (is anyone listening?), kept per app. A change on any
 * node drops the app's entry everywhere through the event bus; a read that raced a change is not kept.
 */
export class WebhookSettingsCache {
  private readonly entries = new LRUCache<string, { settings: WebhookSettings | null }>({ max: 10_000, ttl: TTL_MS });
  /** Moves on every change: a read that started before one must not be cached. */
  private generation = 0;

  constructor(private readonly deps: { repository: WebhooksRepository; bus: EventBus }) {
    deps.bus.subscribe('webhook.settingsChanged', ({ appId }) => {
      this.generation++;
      this.entries.delete(appId);
    });
  }

  async get(appId: string, db?: Db): Promise<WebhookSettings | undefined> {
    const cached = this.entries.get(appId);
    if (cached) return cached.settings ?? undefined;
    const generation = this.generation;
    const settings = await this.deps.repository.settings(appId, db);
    if (generation === this.generation) this.entries.set(appId, { settings: settings ?? null });
    return settings;
  }
}
