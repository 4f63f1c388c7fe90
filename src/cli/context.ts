import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { composeModules, LiveConnections, type Modules } from '../composition.js';
import { type Config, loadConfig } from '../config/config.js';
import type { App } from '../core/principal.js';
import { type EventBus, LocalEventBus } from '../events/event-bus.js';
import { RedisEventBus } from '../events/redis-event-bus.js';
import { AppError, httpStatus } from '../http/errors.js';
import { createLogger } from '../logger.js';
import { Presence } from '../realtime/presence.js';
import { connectRedis } from '../runtime.js';
import { createStorage, migrateToLatest, type Storage } from '../storage/database.js';
import { type CliIo, EXIT } from './output.js';

/** What commands that work on the data get: opened once, on first use, closed when the command ends. */
export interface CliServices {
  config: Config;
  storage: Storage;
  modules: Modules;
}

/** The admin API request a command stands for, recorded in the audit trail as that request would be. */
export interface AuditedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  route: string;
  url: string;
  /** The ids the request names (its path parameters) or touches, as the API records them. */
  targetIds?: readonly string[];
}

/**
 * The audit trail's actor for the CLI: the name key commands pass as `createdBy`, in `keyName`
 * and `ip` (no key, no operator, no network address).
 */
export const CLI_ACTOR = 'cli';
const MAX_AUDIT_TARGETS = 100;

/** State shared by the commands of one run: the output mode, and the services, opened lazily. */
export class CliContext {
  /** `--json`: every command prints one JSON document on stdout instead of text. */
  json = false;
  /** Set by a command that printed its result but did not fully succeed (e.g. rows of an import failed). */
  exitCode: number = EXIT.ok;
  private loadedConfig: Config | undefined;
  private opened: Promise<{ services: CliServices; close: () => Promise<void> }> | undefined;

  constructor(
    readonly io: CliIo,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The validated configuration (a ConfigError is a usage error: exit 2). */
  config(): Config {
    this.loadedConfig ??= loadConfig(this.env);
    return this.loadedConfig;
  }

  /** Storage (migrated), the event bus (Redis when REDIS_URL is set and reachable) and every module. */
  services(): Promise<CliServices> {
    this.opened ??= this.open();
    return this.opened.then(({ services }) => services);
  }

  /** The application `--app` names, or the default one. */
  async app(appId: string | undefined): Promise<App> {
    const { apps } = (await this.services()).modules.apps;
    return appId === undefined ? apps.defaultApp() : apps.get(appId);
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.close();
  }

  /** The command's result: `data` as JSON with --json, else the text lines. */
  emit(data: unknown, text: () => string | string[]): void {
    if (this.json) this.io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    else {
      const lines = text();
      this.io.stdout(`${Array.isArray(lines) ? lines.join('\n') : lines}\n`);
    }
  }

  /** A remark that is not the result (warnings, per-row errors): on stderr, in either mode. */
  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /**
   * Runs `work` and records it in the audit trail as the admin API records `request` (failures too);
   * `created` names what it made, as a route adds ids it learns only once done.
   */
  async audited<T>(
    appId: string,
    request: AuditedRequest,
    work: () => Promise<T>,
    created?: (result: T) => readonly string[],
  ): Promise<T> {
    const started = performance.now();
    let status = 200;
    let targetIds = request.targetIds ?? [];
    let result: T;
    try {
      result = await work();
      if (created) targetIds = [...targetIds, ...created(result)];
    } catch (error) {
      status = error instanceof AppError ? httpStatus(error) : 500;
      // The failure is what the command reports, even when it also keeps the record from being written.
      await this.recordAudit(appId, { ...request, targetIds }, status, performance.now() - started).catch(
        () => undefined,
      );
      throw error;
    }
    await this.recordAudit(appId, { ...request, targetIds }, status, performance.now() - started);
    return result;
  }

  /** Records a request whose application is known only once it is done (`apps create`). */
  async recordAudit(appId: string, request: AuditedRequest, status: number, durationMs: number) {
    const { modules } = await this.services();
    // A batch item without an id still reaches the service (which refuses it): it names no target.
    const named = (request.targetIds ?? []).filter((id) => typeof id === 'string');
    const targets = [...new Set(named)].slice(0, MAX_AUDIT_TARGETS);
    await modules.audit.audit.insert([
      {
        appId,
        at: Date.now(),
        keyId: null,
        keyName: CLI_ACTOR,
        operatorId: null,
        ip: CLI_ACTOR,
        method: request.method,
        route: request.route,
        url: request.url,
        status,
        targetIds: targets,
        requestId: `cli-${randomBytes(8).toString('hex')}`,
        durationMs: Math.round(durationMs * 100) / 100,
        count: 1,
      },
    ]);
  }

  private async open(): Promise<{ services: CliServices; close: () => Promise<void> }> {
    const config = this.config();
    const storage = createStorage(config.databaseUrl);
    const logger = createLogger('warn');
    let bus: EventBus = new LocalEventBus();
    let redis: Redis | undefined;
    const close = async () => {
      await bus.close();
      redis?.disconnect();
      await storage.close();
    };
    try {
      // Without Redis, running servers see changed keys and tokens within 10 seconds instead of at once.
      redis = config.redisUrl ? await connectRedis(config.redisUrl).catch(() => undefined) : undefined;
      if (redis) bus = new RedisEventBus(redis, redis.duplicate(), config.redisPrefix, () => undefined);
      await migrateToLatest(storage);
      const onError = (error: unknown) => logger.error({ err: error });
      const modules = composeModules(
        { config, storage, bus, redis, logger, onError },
        { presence: new Presence(undefined, config.redisPrefix), connections: new LiveConnections() },
      );
      await modules.apps.apps.ensureDefault(config.defaultAppId);
      return { services: { config, storage, modules }, close };
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
  }
}
