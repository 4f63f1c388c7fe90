import type { Storage } from '../../storage/database.js';
import { ping } from '../../storage/sql-fragments.js';

/** What readiness needs of Redis: its connection state ('ready' when usable). */
export interface RedisStatus {
  readonly status: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Readiness: storage (and Redis, when configured) answer, and the server is not shutting down. */
export class HealthService {
  private readonly storage: Storage;
  private readonly redis: RedisStatus | undefined;
  private shuttingDown = false;

  constructor({ storage, redis }: { storage: Storage; redis: RedisStatus | undefined }) {
    this.storage = storage;
    this.redis = redis;
  }

  /** From now on, readiness answers "shutting down" (load balancers stop sending requests). */
  shutdown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    try {
      await ping(this.storage.db);
      checks.database = 'ok';
    } catch {
      checks.database = 'unavailable';
    }
    if (this.redis) checks.redis = this.redis.status === 'ready' ? 'ok' : this.redis.status;
    const ready = !this.shuttingDown && Object.values(checks).every((value) => value === 'ok');
    if (this.shuttingDown) checks.server = 'shutting down';
    return { ready, checks };
  }
}
