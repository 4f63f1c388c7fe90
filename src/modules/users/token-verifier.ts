import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';
import { safeEqual, sha256Hex } from '../../shared/secrets.js';
import { MAX_TOKEN_LENGTH } from './tokens.service.js';
import type { TokensRepository, UserToken } from './tokens.repository.js';

const TTL_MS = 10_000;

export type TokenCheck = { status: 'valid'; token: UserToken } | { status: 'invalid' } | { status: 'other-app' };

interface Entry {
  hash: string;
  records: UserToken[];
}

/**
 * Verifies user tokens with one SHA-256 and a bounded cache; revocations and user deletions drop
 * cached entries at once on every node (event bus), expiry is checked on every call.
 */
export class UserTokenVerifier {
  private readonly byTokenId = new Map<string, string>();
  /** Moves on every invalidation: a lookup that raced one must not cache what it read. */
  private generation = 0;
  private readonly cache = new LRUCache<string, Entry>({
    max: 50_000,
    ttl: TTL_MS,
    dispose: (entry) => {
      for (const record of entry.records) this.byTokenId.delete(record.id);
    },
  });

  private readonly tokens: TokensRepository;

  constructor({ tokens, bus }: { tokens: TokensRepository; bus: EventBus }) {
    this.tokens = tokens;
    const forget = ({ tokenIds }: { tokenIds: string[] }) => {
      this.generation++;
      for (const id of tokenIds) {
        const hash = this.byTokenId.get(id);
        if (hash !== undefined) this.cache.delete(hash);
      }
    };
    bus.subscribe('token.revoked', forget);
    bus.subscribe('token.updated', forget);
    bus.subscribe('user.deleted', ({ appId, userId }) => {
      this.generation++;
      for (const [hash, entry] of this.cache.entries()) {
        if (entry.records.some((record) => record.appId === appId && record.userId === userId)) this.cache.delete(hash);
      }
    });
  }

  async verify(appId: string, plain: string, now = Date.now()): Promise<TokenCheck> {
    const entry = await this.entryFor(plain, appId);
    if (!entry) return { status: 'invalid' };
    const token = entry.records.find((record) => record.appId === appId);
    if (!token) return entry.records.length > 0 ? { status: 'other-app' } : { status: 'invalid' };
    if (token.expiresAt !== null && token.expiresAt <= now) return { status: 'invalid' };
    return { status: 'valid', token };
  }

  /**
   * A token presented without a client key (IMKIT's oldest socket `auth`): valid when it is live in
   * exactly one application, or in the preferred one.
   */
  async verifyInAnyApp(plain: string, preferredAppId: string, now = Date.now()): Promise<TokenCheck> {
    const preferred = await this.verify(preferredAppId, plain, now);
    if (preferred.status !== 'other-app') return preferred;
    const entry = await this.entryFor(plain);
    const live = (entry?.records ?? []).filter((record) => record.expiresAt === null || record.expiresAt > now);
    const [only] = live;
    return live.length === 1 && only ? { status: 'valid', token: only } : { status: 'invalid' };
  }

  private async entryFor(plain: string, appId?: string): Promise<Entry | undefined> {
    if (plain.length === 0 || plain.length > MAX_TOKEN_LENGTH) return undefined;
    const hash = sha256Hex(plain);
    let entry = this.cache.get(hash);
    // A cached entry without this app may predate the same token being bound in this app: ask again.
    if (entry && appId !== undefined && !entry.records.some((record) => record.appId === appId)) entry = undefined;
    if (!entry) {
      const generation = this.generation;
      entry = { hash, records: await this.tokens.findByHash(hash) };
      if (entry.records.length > 0 && generation === this.generation) {
        this.cache.set(hash, entry);
        for (const record of entry.records) this.byTokenId.set(record.id, hash);
      }
    }
    return safeEqual(entry.hash, hash) ? entry : undefined;
  }
}
