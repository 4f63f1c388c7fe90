import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';
import { safeEqual, sha256Hex } from '../../shared/secrets.js';
import { classifyApiKey } from './key-format.js';
import type { ApiKey, KeysRepository } from './keys.repository.js';

const MAX_KEY_LENGTH = 512;
/** Bounds how long a change made outside this process (the CLI without Redis) can go unseen. */
const FOUND_TTL_MS = 10_000;
const MISSING_TTL_MS = 5_000;

type Entry = { key: ApiKey; hash: string } | { key: null };

/**
 * Verifies API keys in microseconds: one SHA-256 and a bounded in-memory lookup; the database is
 * asked only on a miss. Entries are dropped at once when a key changes (on every node through the
 * event bus), and expiry/revocation are checked on every call.
 */
export class ApiKeyVerifier {
  private readonly cache = new LRUCache<string, Entry>({ max: 10_000, ttl: FOUND_TTL_MS });
  /** Moves on every change: a lookup that raced one must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly keys: KeysRepository,
    bus: EventBus,
  ) {
    bus.subscribe('apiKey.changed', ({ keyId }) => this.forget(keyId));
  }

  /** The key when `plain` is a live key; `undefined` for unknown, mistyped, revoked or expired. */
  async verify(plain: string, now = Date.now()): Promise<ApiKey | undefined> {
    const key = await this.lookup(plain);
    if (!key || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) return undefined;
    return key;
  }

  /** The stored key for `plain`, whatever its state (used to attribute failed attempts). */
  async lookup(plain: string): Promise<ApiKey | undefined> {
    if (plain.length === 0 || plain.length > MAX_KEY_LENGTH || classifyApiKey(plain) === 'corrupt') return undefined;
    const hash = sha256Hex(plain);
    let entry = this.cache.get(hash);
    if (!entry) {
      const generation = this.generation;
      const key = await this.keys.findByHash(hash);
      entry = key ? { key, hash } : { key: null };
      if (generation === this.generation) this.cache.set(hash, entry, key ? undefined : { ttl: MISSING_TTL_MS });
    }
    if (entry.key === null || !safeEqual(entry.hash, hash)) return undefined;
    return entry.key;
  }

  /** Drops a changed key, and every remembered miss: the change may have created that key. */
  forget(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.cache.entries()) {
      if (entry.key === null || entry.key.id === keyId) this.cache.delete(hash);
    }
  }

  forgetAll(): void {
    this.cache.clear();
  }
}
