import type { Logger } from 'pino';

export type Dependency = 'Redis' | 'database';

/**
 * Turns the ups and downs of Redis and the database into one log line per transition:
 * "Redis lost: <reason>" (error) when it goes, "Redis back after N s" (info) when it returns,
 * however many reconnection attempts and failed calls lie between.
 */
export class OutageWatch {
  /** When each lost dependency went. */
  private readonly lostAt = new Map<Dependency, number>();

  constructor(private readonly logger: Logger) {}

  lost(dependency: Dependency, reason: string): void {
    if (this.lostAt.has(dependency)) return;
    this.lostAt.set(dependency, Date.now());
    this.logger.error({ dependency, reason }, `${dependency} lost: ${reason}`);
  }

  back(dependency: Dependency): void {
    const since = this.lostAt.get(dependency);
    if (since === undefined) return;
    this.lostAt.delete(dependency);
    const seconds = Math.round((Date.now() - since) / 100) / 10;
    this.logger.info({ dependency, downSeconds: seconds }, `${dependency} back after ${seconds} s`);
  }

  /** True while Redis or the database is lost. */
  anyLost(): boolean {
    return this.lostAt.size > 0;
  }
}
