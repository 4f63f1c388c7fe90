import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../core/errors.js';

export const WINDOW_SECONDS = 60;
// The window's counter is kept by rate-limiter-flexible; each key's own limit is compared here, so a
// changed limit applies at once without resetting the count.
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
  private readonly limiter: RateLimiterAbstract;

  constructor(name: string, redis: Redis | undefined, redisPrefix: string) {
    const memory = new RateLimiterMemory({ keyPrefix: name, points: UNBOUNDED, duration: WINDOW_SECONDS });
    this.limiter = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${redisPrefix}rl:${name}`,
          points: UNBOUNDED,
          duration: WINDOW_SECONDS,
          rejectIfRedisNotReady: true,
          // If Redis is unreachable, each node keeps limiting on its own rather than failing requests.
          insuranceLimiter: memory,
        })
      : memory;
  }

  /** Counts one request of `subject` and says whether it is within `limit`. */
  async hit(subject: string, limit: number): Promise<Decision> {
    const result = await this.limiter.consume(subject, 1);
    return decide(result, limit);
  }

  /** The current state of `subject` without counting. */
  async peek(subject: string, limit: number): Promise<Decision> {
    const result = await this.limiter.get(subject);
    return result ? decide(result, limit, 0) : { allowed: true, limit, remaining: limit, resetSeconds: WINDOW_SECONDS };
  }

  async reset(subject: string): Promise<void> {
    await this.limiter.delete(subject);
  }
}

function decide(result: RateLimiterRes, limit: number, slack = 1): Decision {
  const used = result.consumedPoints;
  return {
    allowed: used + 1 - slack <= limit,
    limit,
    remaining: Math.max(limit - used, 0),
    resetSeconds: Math.max(Math.ceil(result.msBeforeNext / 1000), 1),
  };
}

/** The refusal of a request over a budget (a key's, a user's, or the failed sign-ins of an address). */
export function rateLimitExceeded(retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMIT_EXCEEDED', undefined, { retryAfter: retryAfterSeconds });
}
