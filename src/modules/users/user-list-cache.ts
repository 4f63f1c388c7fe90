import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';

/** Bounds staleness after a write this node cannot hear about (the CLI without Redis). */
const TTL_MS = 5_000;

/**
 * Serialized pages of `GET /admin/clients`. Any change to an app's users (on this node at once,
 * on other nodes through the event bus) moves the app's version, which retires its pages.
 */
export class UserListCache {
  private readonly versions = new Map<string, number>();
  private readonly pages = new LRUCache<string, { version: number; body: string }>({ max: 2_000, ttl: TTL_MS });

  constructor(bus: EventBus) {
    const bump = ({ appId }: { appId: string }) => this.versions.set(appId, this.version(appId) + 1);
    bus.subscribe('user.upserted', bump);
    bus.subscribe('user.deleted', bump);
  }

  /** Read the version before querying, store with it: a write in between makes the page stale. */
  version(appId: string): number {
    return this.versions.get(appId) ?? 0;
  }

  get(appId: string, query: string): string | undefined {
    const page = this.pages.get(`${appId}\n${query}`);
    return page && page.version === this.version(appId) ? page.body : undefined;
  }

  set(appId: string, query: string, version: number, body: string): void {
    if (version === this.version(appId)) this.pages.set(`${appId}\n${query}`, { version, body });
  }
}
