import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';
import { safeEqual, sha256Hex } from '../../shared/secrets.js';
import { classifyApiKey } from './key-format.js';
import type { ApiKey } from '../../core/principal.js';
import type { KeysRepository } from './keys.repository.js';

const MAX_KEY_LENGTH = 512;
/** Bounds how long a change made outside this process (the CLI without Redis) can go unseen. */
const FOUND_TTL_MS = 10_000;
const MISSING_TTL_MS = 5_000;

type Entry = { key: ApiKey; digest: string } | { key: null };

/** The entry was found by its digest; comparing digests in constant time keeps it so. */
const keyOf = (entry: Entry, digest: string): ApiKey | undefined =>
  entry.key !== null && safeEqual(entry.digest, digest) ? entry.key : undefined;

/** Neither revoked nor expired. */
export const isLive = (key: ApiKey, now = Date.now()): boolean =>
  key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);

/**
 * Verifies API keys in microseconds: one SHA-256 (straight to hex, no Buffer) and a bounded in-memory
 * lookup; the database is asked only on a miss. The plain key is never kept: only its digest. Entries are dropped at once when a key changes (on every node through the
 * event bus), and expiry/revocation are checked on every call.
 */
export class ApiKeyVerifier {
  private readonly cache = new LRUCache<string, Entry>({ max: 10_000, ttl: FOUND_TTL_MS });
  /** Moves on every change: a lookup that raced one must not cache what it read. */
  private generation = 0;

  private readonly keys: KeysRepository;

  constructor({ keys, bus }: { keys: KeysRepository; bus: EventBus }) {
    this.keys = keys;
    bus.subscribe('apiKey.changed', ({ keyId }) => this.forget(keyId));
  }

  /** The key when `plain` is a live key; `undefined` for unknown, mistyped, revoked or expired. */
  async verify(plain: string, now = Date.now()): Promise<ApiKey | undefined> {
    const key = await this.lookup(plain);
    return key && isLive(key, now) ? key : undefined;
  }

  /**
   * Without waiting: `{key}` when this key (or its absence) is cached, `undefined` on a miss.
   * The common case of an authenticated request takes this path only.
   */
  cached(plain: string): { key: ApiKey | undefined } | undefined {
    if (plain.length === 0 || plain.length > MAX_KEY_LENGTH) return { key: undefined };
    const digest = sha256Hex(plain);
    const entry = this.cache.get(digest);
    return entry && { key: keyOf(entry, digest) };
  }

  /** The stored key for `plain`, whatever its state (used to attribute failed attempts). */
  async lookup(plain: string): Promise<ApiKey | undefined> {
    if (plain.length === 0 || plain.length > MAX_KEY_LENGTH) return undefined;
    const digest = sha256Hex(plain);
    const entry = this.cache.get(digest);
    if (entry) return keyOf(entry, digest);
    if (classifyApiKey(plain) === 'corrupt') return undefined;
    const generation = this.generation;
    const key = await this.keys.findByHash(digest);
    if (generation === this.generation)
      this.cache.set(digest, key ? { key, digest } : { key: null }, key ? undefined : { ttl: MISSING_TTL_MS });
    return key;
  }

  /** The stored key with this id, read fresh (a live session re-checks its key after a change). */
  byId(keyId: string): Promise<ApiKey | undefined> {
    return this.keys.findByIdInAnyApp(keyId);
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
