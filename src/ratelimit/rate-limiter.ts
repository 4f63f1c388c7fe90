import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../core/errors.js';

export const WINDOW_SECONDS = 60;
// A window only counts (here, or in Redis by rate-limiter-flexible); each key's own limit is compared
// with the count, so a changed limit applies at once without resetting it.
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

/** Fixed one-minute windows per subject; in memory, or in Redis so that the limit holds across nodes. */
export class WindowCounter {
  /** Without Redis: counted here, without waiting. */
  private readonly windows: MemoryWindows | undefined;
  /** With Redis, kept by rate-limiter-flexible. */
  private readonly limiter: RateLimiterAbstract | undefined;

  constructor(name: string, redis: Redis | undefined, redisPrefix: string) {
    if (!redis) {
      this.windows = new MemoryWindows(WINDOW_SECONDS * 1000);
      return;
    }
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}rl:${name}`,
      points: UNBOUNDED,
      duration: WINDOW_SECONDS,
      rejectIfRedisNotReady: true,
      // If Redis is unreachable, each node keeps limiting on its own rather than failing requests.
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: UNBOUNDED, duration: WINDOW_SECONDS }),
    });
  }

  /**
   * Counts one request of `subject` and says whether it is within `limit`, without waiting when
   * the counts live in this process; `undefined` (nothing counted) when they live in Redis: use `hit`.
   */
  hitNow(subject: string, limit: number, now = Date.now()): Decision | undefined {
    if (!this.windows) return undefined;
    const window = this.windows.hit(subject, now);
    return decide(window.count, window.endsAt - now, limit);
  }

  /** Counts one request of `subject` and says whether it is within `limit`. */
  async hit(subject: string, limit: number): Promise<Decision> {
    if (this.limiter) {
      const result = await this.limiter.consume(subject, 1);
      return decide(result.consumedPoints, result.msBeforeNext, limit);
    }
    return this.hitNow(subject, limit) as Decision;
  }

  /** The current state of `subject` without counting. */
  async peek(subject: string, limit: number, now = Date.now()): Promise<Decision> {
    const state: { count: number; msLeft: number } | undefined = this.limiter
      ? await this.limiter.get(subject).then((result) => (result ? toState(result) : undefined))
      : this.windows?.peek(subject, now);
    return state
      ? decide(state.count, state.msLeft, limit, 0)
      : { allowed: true, limit, remaining: limit, resetSeconds: WINDOW_SECONDS };
  }

  async reset(subject: string): Promise<void> {
    if (this.limiter) await this.limiter.delete(subject);
    else this.windows?.delete(subject);
  }
}

const toState = (result: RateLimiterRes) => ({ count: result.consumedPoints, msLeft: result.msBeforeNext });

function decide(used: number, msLeft: number, limit: number, slack = 1): Decision {
  return {
    allowed: used + 1 - slack <= limit,
    limit,
    remaining: Math.max(limit - used, 0),
    resetSeconds: Math.max(Math.ceil(msLeft / 1000), 1),
  };
}

/**
 * Fixed windows in memory, each opened by its subject's first request and lasting `lengthMs`
 * (as rate-limiter-flexible's memory store counts them). Ended windows are swept at most once per
 * window length, when a new one opens, instead of one timer per subject.
 */
export class MemoryWindows {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private sweepAt = 0;

  constructor(private readonly lengthMs: number) {}

  hit(subject: string, now: number): { count: number; endsAt: number } {
    let window = this.windows.get(subject);
    if (window === undefined || window.endsAt <= now) {
      if (now >= this.sweepAt) this.sweep(now);
      window = { count: 0, endsAt: now + this.lengthMs };
      this.windows.set(subject, window);
    }
    window.count += 1;
    return window;
  }

  peek(subject: string, now: number): { count: number; msLeft: number } | undefined {
    const window = this.windows.get(subject);
    return window && window.endsAt > now ? { count: window.count, msLeft: window.endsAt - now } : undefined;
  }

  delete(subject: string): void {
    this.windows.delete(subject);
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.sweepAt = now + this.lengthMs;
    for (const [subject, window] of this.windows) if (window.endsAt <= now) this.windows.delete(subject);
  }
}

/** The refusal of a request over a budget (a key's, a user's, or the failed sign-ins of an address). */
export function rateLimitExceeded(retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMIT_EXCEEDED', undefined, { retryAfter: retryAfterSeconds });
}
