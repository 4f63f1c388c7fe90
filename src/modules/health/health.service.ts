import type { Logger } from 'pino';
import type { Storage } from '../../storage/database.js';
import { ping } from '../../storage/sql-fragments.js';
import { reasonOf } from '../../shared/retry.js';
import { OutageWatch } from './outage-watch.js';

/** What readiness needs of Redis: its connection state ('ready' when usable). */
export interface RedisStatus {
  readonly status: string;
}

/** A Redis connection (ioredis) whose events tell when it is lost and back. */
export interface RedisConnection extends RedisStatus {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'close' | 'ready', listener: () => void): unknown;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** How often a watched PostgreSQL is asked whether it answers; a lost database is noticed within this. */
const DATABASE_PROBE_MS = 5000;
/** A database that has not answered `select 1` in this long counts as lost. */
const PING_TIMEOUT_MS = 3000;

async function pingWithin(storage: Storage, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  try {
    await Promise.race([ping(storage.db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness: storage (and Redis, when configured) answer, and the server is not shutting down.
 * Once watching, it also logs each loss and return of Redis or the database (outage-watch.ts).
 */
export class HealthService {
  private readonly storage: Storage;
  private readonly redis: RedisConnection | undefined;
  private readonly outages: OutageWatch;
  private shuttingDown = false;
  private stopWatching: (() => void) | undefined;

  constructor({ storage, redis, logger }: { storage: Storage; redis: RedisConnection | undefined; logger: Logger }) {
    this.storage = storage;
    this.redis = redis;
    this.outages = new OutageWatch(logger);
  }

  /** Starts logging outages: Redis by its connection's events, PostgreSQL by a probe every few seconds. */
  watch(): void {
    if (this.stopWatching) return;
    const stops: Array<() => void> = [];
    if (this.redis) stops.push(this.watchRedis(this.redis));
    if (this.storage.dialect.name === 'postgres') {
      const timer = setInterval(() => void this.databaseAnswers(), DATABASE_PROBE_MS);
      timer.unref();
      stops.push(() => clearInterval(timer));
    }
    this.stopWatching = () => {
      for (const stop of stops) stop();
    };
  }

  /** True while Redis or the database is lost (and the loss already logged). */
  degraded(): boolean {
    return this.outages.anyLost();
  }

  /** From now on, readiness answers "shutting down" (load balancers stop sending requests). */
  shutdown(): void {
    this.shuttingDown = true;
    // Closing connections on purpose is no outage.
    this.stopWatching?.();
  }

  async readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    checks.database = (await this.databaseAnswers()) ? 'ok' : 'unavailable';
    if (this.redis) checks.redis = this.redis.status === 'ready' ? 'ok' : this.redis.status;
    const ready = !this.shuttingDown && Object.values(checks).every((value) => value === 'ok');
    if (this.shuttingDown) checks.server = 'shutting down';
    return { ready, checks };
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await pingWithin(this.storage, PING_TIMEOUT_MS);
      this.outages.back('database');
      return true;
    } catch (error) {
      if (!this.shuttingDown) this.outages.lost('database', reasonOf(error));
      return false;
    }
  }

  /** ioredis reconnects by itself; its 'close' is the loss (with the last error as reason), 'ready' the return. */
  private watchRedis(redis: RedisConnection): () => void {
    let lastError: string | undefined;
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const onClose = () => this.outages.lost('Redis', lastError ?? 'connection closed');
    const onReady = () => {
      lastError = undefined;
      this.outages.back('Redis');
    };
    redis.on('error', onError);
    redis.on('close', onClose);
    redis.on('ready', onReady);
    if (redis.status !== 'ready') onClose();
    return () => {
      redis.off('error', onError);
      redis.off('close', onClose);
      redis.off('ready', onReady);
    };
  }
}
