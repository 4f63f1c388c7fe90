import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { EventBus } from './events/event-bus.js';
import { type AppsModule, createAppsModule } from './modules/apps/index.js';
import { type AuditModule, createAuditModule } from './modules/audit/index.js';
import { type ChatModule, createChatModule } from './modules/chat/index.js';
import { type ConfigModule, createConfigModule } from './modules/config/index.js';
import { createDevicesModule, type DevicesModule } from './modules/devices/index.js';
import { createFilesModule, type FilesModule } from './modules/files/index.js';
import { createHealthModule, type HealthModule } from './modules/health/index.js';
import { createKeysModule, type KeysModule } from './modules/keys/index.js';
import { createOperatorsModule, type OperatorsModule } from './modules/operators/index.js';
import { createPrefsModule, type PrefsModule } from './modules/prefs/index.js';
import { createStickersModule, type StickersModule } from './modules/stickers/index.js';
import { createPushModule, createPushProvider, deviceTokenProblem, type PushModule } from './modules/push/index.js';
import { createStatsModule, type StatsModule } from './modules/stats/index.js';
import { createUsersModule, type UsersModule } from './modules/users/index.js';
import { createWebhooksModule, type WebhooksModule } from './modules/webhooks/index.js';
import { AuthFailureGuard } from './ratelimit/auth-failure-guard.js';
import { WindowCounter } from './ratelimit/rate-limiter.js';
import type { Presence } from './realtime/presence.js';
import type { Storage } from './storage/database.js';

/** What the modules run on: built by the runtime (or the CLI) before any module. */
export interface Infrastructure {
  config: Config;
  storage: Storage;
  bus: EventBus;
  redis: Redis | undefined;
  logger: Logger;
  /** Failures of background work (batches, webhooks, push, the audit buffer). */
  onError: (error: unknown) => void;
}

/** Every module, built once; only the entry points (runtime, CLI, tests) hold this record. */
export interface Modules {
  apps: AppsModule;
  keys: KeysModule;
  audit: AuditModule;
  users: UsersModule;
  config: ConfigModule;
  files: FilesModule;
  webhooks: WebhooksModule;
  chat: ChatModule;
  devices: DevicesModule;
  push: PushModule;
  prefs: PrefsModule;
  stickers: StickersModule;
  stats: StatsModule;
  health: HealthModule;
  operators: OperatorsModule;
}

/** The budgets both transports enforce, shared across nodes through Redis when it is configured. */
export interface Budgets {
  /** Requests of each API key. */
  keyRequests: WindowCounter;
  /** Requests of each user (`appId:userId`) on client routes, across its tokens. */
  userRequests: WindowCounter;
  /** Failed authentications of each source address. */
  authFailures: AuthFailureGuard;
  /** Requests of each dashboard operator. */
  operatorRequests: WindowCounter;
}

/** Live real-time connections; the gateway attaches once it runs (it needs the HTTP server). */
export class LiveConnections {
  private gateway: { connectionCount(appId: string): Promise<number>; localCount(): number } | undefined;

  attach(gateway: { connectionCount(appId: string): Promise<number>; localCount(): number }): void {
    this.gateway = gateway;
  }

  count(appId: string): Promise<number> {
    return this.gateway ? this.gateway.connectionCount(appId) : Promise.resolve(0);
  }

  local(): number {
    return this.gateway ? this.gateway.localCount() : 0;
  }
}

export function createBudgets({ config, redis }: Pick<Infrastructure, 'config' | 'redis'>): Budgets {
  return {
    keyRequests: new WindowCounter('key', redis, config.redisPrefix),
    userRequests: new WindowCounter('user', redis, config.redisPrefix),
    authFailures: new AuthFailureGuard(
      new WindowCounter('authfail', redis, config.redisPrefix),
      config.authFailuresPerMinute,
    ),
    operatorRequests: new WindowCounter('operator', redis, config.redisPrefix),
  };
}

/**
 * The composition root: builds each module from its index.ts factory, in dependency order, passing
 * each one what it uses by name. Two pairs need each other at run time (keys and audit; webhooks'
 * bot replies and chat); their calls go through arrows that resolve once both exist.
 */
export function composeModules(
  infra: Infrastructure,
  realtime: { presence: Presence; connections: LiveConnections },
): Modules {
  const { config, storage, bus, redis, logger, onError } = infra;
  const apps = createAppsModule({ storage, bus });
  const audit = createAuditModule({
    storage,
    keys: { recordUse: (keyId, at, ip) => keys.keys.recordUse(keyId, at, ip) },
    retentionDays: config.auditRetentionDays,
    onError,
  });
  const keys = createKeysModule({
    storage,
    bus,
    defaultRateLimit: config.rateLimitPerMinute,
    apps: apps.apps,
    activity: audit.audit,
  });
  const users = createUsersModule({
    storage,
    bus,
    tokenTtlDays: config.tokenTtlDays,
    sandbox: config.sandbox,
    groupRooms: { seedGroupUsers: (...args) => chat.members.seedGroupUsers(...args) },
    sessionDevices: {
      forgetDevice: (...args) => devices.devices.forgetDevice(...args),
      forgetOtherDevices: (...args) => devices.devices.forgetOtherDevices(...args),
    },
  });
  const appConfig = createConfigModule({ storage, bus });
  const files = createFilesModule({
    storage,
    apps: apps.apps,
    publicBuckets: config.publicFileBuckets,
    maxFileBytes: config.limits.fileBytes,
  });
  const webhooks = createWebhooksModule({
    storage,
    bus,
    config: config.webhooks,
    replies: { applyBotReply: (appId, roomId, text) => chat.botReplies.applyBotReply(appId, roomId, text) },
    onError,
  });
  const chat = createChatModule({
    storage,
    bus,
    config: { limits: config.limits, systemUserId: config.systemUserId },
    users: users.directory,
    files: files.fileAccess,
    appConfig: appConfig.appConfig,
    webhooks: webhooks.queue,
    online: realtime.presence,
    onError,
  });
  const devices = createDevicesModule({
    storage,
    bus,
    users: users.directory,
    tokenProblem: deviceTokenProblem(config.webhooks.allowPrivate),
  });
  const webhookSecretsOf = async (appId: string) => [(await webhooks.webhooks.settings(appId)).secret];
  const provider = createPushProvider({
    config: config.push,
    outbound: config.webhooks,
    secretsOf: webhookSecretsOf,
    logger,
  });
  return {
    apps,
    keys,
    audit,
    users,
    config: appConfig,
    files,
    webhooks,
    chat,
    devices,
    push: createPushModule({
      storage,
      bus,
      devices: devices.devices,
      users: users.directory,
      chat: chat.pushFacts,
      provider,
      config: config.push,
      outbound: config.webhooks,
      secretsOf: webhookSecretsOf,
      ...(config.push.caFile ? { ca: readFileSync(config.push.caFile, 'utf8') } : {}),
      onError,
    }),
    prefs: createPrefsModule({ storage, bus, roomPrefs: chat.roomPrefs }),
    stickers: createStickersModule({
      storage,
      files: files.files,
      publicAppOf: async (clientKey) =>
        clientKey === undefined ? config.defaultAppId : (await apps.apps.resolveClientKey(clientKey))?.id,
    }),
    stats: createStatsModule({
      apps: apps.apps,
      users: users.directory,
      chat: chat.counts,
      connections: realtime.connections,
    }),
    health: createHealthModule({ storage, redis, logger }),
    operators: createOperatorsModule({
      storage,
      apps: apps.apps,
      keys: keys.keys,
      loginAttempts: new WindowCounter('operator-login', redis, config.redisPrefix),
      config: config.dashboard,
    }),
  };
}

/** The order the HTTP app registers the modules' routes in. */
const ROUTE_ORDER = [
  'health',
  'keys',
  'users',
  'audit',
  'apps',
  'stats',
  'chat',
  'prefs',
  'files',
  'stickers',
  'devices',
  'config',
  'webhooks',
  'push',
  'operators',
] as const satisfies readonly (keyof Modules)[];

/** Each module's routes, in the order the HTTP app registers them. */
export function moduleRoutes(modules: Modules) {
  return ROUTE_ORDER.map((name) => modules[name].routes);
}
