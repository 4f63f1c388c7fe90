import { LRUCache } from 'lru-cache';
import { WINDOW_SECONDS, type WindowCounter } from './rate-limiter.js';

/**
 * Failed authentications per source address, counted in the shared window counter (memory or
 * Redis). Only addresses that failed lately on this node are checked before authenticating, so
 * clean traffic never pays a lookup; an address over its budget is turned away, right key or not.
 */
export class AuthFailureGuard {
  private readonly recent = new LRUCache<string, true>({ max: 100_000, ttl: WINDOW_SECONDS * 1000 });

  constructor(
    private readonly counter: WindowCounter,
    private readonly limit: number,
  ) {}

  /** True when the address failed lately here and must be checked before it may try again. */
  suspect(ip: string): boolean {
    return this.recent.has(ip);
  }

  /** Seconds the address must wait, or undefined when it may try. */
  async blockedFor(ip: string): Promise<number | undefined> {
    if (!this.recent.has(ip)) return undefined;
    const state = await this.counter.peek(ip, this.limit);
    return state.allowed ? undefined : state.resetSeconds;
  }

  async failed(ip: string): Promise<void> {
    this.recent.set(ip, true);
    await this.counter.hit(ip, this.limit);
  }
}
