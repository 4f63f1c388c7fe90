import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { bootstrap, type FirstStartCredentials, type OperatorSetupLink } from './bootstrap.js';
import {
  type Budgets,
  composeModules,
  createBudgets,
  type Infrastructure,
  LiveConnections,
  type Modules,
  moduleRoutes,
} from './composition.js';
import type { Config } from './config/config.js';
import { redactUrl } from './config/config.js';
import { type EventBus, LocalEventBus } from './events/event-bus.js';
import { RedisEventBus } from './events/redis-event-bus.js';
import { createGateway, type Gateway } from './realtime/gateway.js';
import { Presence } from './realtime/presence.js';
import type { HealthService } from './modules/health/index.js';
import { createStorage, migrateToLatest, type Storage } from './storage/database.js';
import { waitForDatabase } from './storage/wait-for-database.js';
import { reasonOf, retryWithBackoff } from './shared/retry.js';
import { isConnectionLoss } from './shared/connection-errors.js';

export interface Runtime {
  app: FastifyInstance;
  infra: Infrastructure;
  modules: Modules;
  /** Set on the very first start: the generated key, to be shown once. */
  firstStart: FirstStartCredentials | undefined;
  /** Set while no operator exists and no earlier setup link is still valid: a fresh one, to be shown once. */
  operatorSetup: OperatorSetupLink | undefined;
  gateway: Gateway;
  close(): Promise<void>;
}

const REDIS_CONNECT_TIMEOUT_MS = 10_000;

/** One connection attempt that does not linger: it fails with the socket's own error (e.g. ECONNREFUSED). */
async function probeRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  let cause: Error | undefined;
  probe.on('error', (error: Error) => {
    cause = error;
  });
  try {
    await probe.connect();
  } catch (error) {
    throw cause ?? error;
  } finally {
    probe.disconnect();
  }
}

/** Connects to Redis, waiting up to `wait.timeoutSeconds` for it to answer (it may still be starting). */
export async function connectRedis(
  url: string,
  wait: { timeoutSeconds: number; onRetry?: (reason: string, delaySeconds: number) => void } = { timeoutSeconds: 0 },
): Promise<Redis> {
  try {
    await retryWithBackoff(() => probeRedis(url), {
      timeoutMs: wait.timeoutSeconds * 1000,
      onRetry: (error, delayMs) => wait.onRetry?.(reasonOf(error), delayMs / 1000),
    });
  } catch (error) {
    const after = wait.timeoutSeconds > 0 ? ` after ${wait.timeoutSeconds} s (REDIS_CONNECT_TIMEOUT_S)` : '';
    throw new Error(`Cannot reach REDIS_URL (${redactUrl(url)})${after}: ${reasonOf(error)}`);
  }
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // reconnects by itself; the health module logs losses, readiness reports them
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Cannot reach REDIS_URL (${redactUrl(url)}): ${(error as Error).message}`);
  }
  return redis;
}

async function createBus(
  config: Config,
  redis: Redis | undefined,
  logger: Logger,
): Promise<{ bus: EventBus; subscriber?: Redis }> {
  const onError = (error: unknown, what: string) =>
    // While Redis is down its loss is logged once (modules/health); each publish it fails is no news.
    logger[redis && redis.status !== 'ready' ? 'debug' : 'error']({ err: error }, `event bus: ${what}`);
  if (!redis) return { bus: new LocalEventBus((error, type) => onError(error, type)) };
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  const bus = new RedisEventBus(redis, subscriber, config.redisPrefix, onError);
  await bus.start();
  return { bus, subscriber };
}

/** The HTTP app over the modules: authentication and metrics get what they read by name. */
function httpApp(infra: Infrastructure, modules: Modules, budgets: Budgets, connections: LiveConnections) {
  const { config, logger } = infra;
  return buildApp({
    config,
    logger,
    auth: {
      apps: modules.apps.apps,
      keyVerifier: modules.keys.keyVerifier,
      tokenVerifier: modules.users.tokenVerifier,
      ...budgets,
      userRateLimitPerMinute: config.userRateLimitPerMinute,
      activity: modules.audit.activity,
      operators: {
        sessions: modules.operators.sessions,
        operatorRequests: budgets.operatorRequests,
        operatorRateLimitPerMinute: config.dashboard.operatorRateLimitPerMinute,
      },
    },
    metrics: {
      localConnections: () => connections.local(),
      webhookDeliveries: () => modules.webhooks.webhooks.deliveryCounts(),
      pushNotifications: () => modules.push.push.notificationCounts(),
      pushDeliveries: () => modules.push.push.deliveryTotals(),
      metricsToken: config.metricsToken,
      listen: config.metricsListen,
    },
    routes: moduleRoutes(modules),
  });
}

/**
 * Opens storage (migrated), Redis and the event bus, composes the modules, prepares the default
 * app and builds the HTTP app.
 */
export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  let storage: Storage | undefined;
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  try {
    storage = createStorage(config.databaseUrl);
    await waitForDatabase(storage, config.connectTimeoutSeconds.database, (reason, seconds) =>
      logger.warn(`database not reachable yet (${reason}), retrying in ${seconds} s`),
    );
    const applied = await migrateToLatest(storage);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    if (config.redisUrl)
      redis = await connectRedis(config.redisUrl, {
        timeoutSeconds: config.connectTimeoutSeconds.redis,
        onRetry: (reason, seconds) => logger.warn(`Redis not reachable yet (${reason}), retrying in ${seconds} s`),
      });
    const created = await createBus(config, redis, logger);
    subscriber = created.subscriber;
    const { bus } = created;
    let health: HealthService | undefined;
    // During an outage (logged once by the health module) background work fails on every tick: no news.
    const onError = (error: unknown) =>
      logger[isConnectionLoss(error) || health?.degraded() ? 'debug' : 'error']({ err: error }, 'background work');
    const infra: Infrastructure = { config, storage, bus, redis, logger, onError };
    const presence = new Presence(redis, config.redisPrefix);
    const connections = new LiveConnections();
    const modules = composeModules(infra, { presence, connections });
    const budgets = createBudgets(infra);
    const firstStart = await bootstrap({ config, apps: modules.apps.apps, keys: modules.keys.keys }, logger);
    modules.operators.operators.prepare();
    const setup = await modules.operators.operators.firstStartSetup();
    if (setup === 'pending')
      logger.info(
        'no dashboard operator yet; the setup link printed earlier is still valid (or run `parley operators setup-link`)',
      );
    const operatorSetup = typeof setup === 'object' ? setup : undefined;
    if (config.sandbox)
      logger.warn('PARLEY_SANDBOX is on: anyone holding a client key can sign in as any user (POST /auths/sign)');
    const app = await httpApp(infra, modules, budgets, connections);
    const { chat, users } = modules;
    const gateway = createGateway(
      app.server,
      {
        config,
        bus,
        presence,
        apps: modules.apps.apps,
        tokenVerifier: users.tokenVerifier,
        keyVerifier: modules.keys.keyVerifier,
        authFailures: budgets.authFailures,
        keyRequests: budgets.keyRequests,
        users: users.directory,
        chat: {
          rooms: chat.rooms,
          members: chat.members,
          messages: chat.messages,
          typing: chat.typing,
          sync: chat.sync,
        },
      },
      logger,
      redis,
    );
    connections.attach(gateway);
    const background = [modules.audit.activity, chat.batches, presence, modules.webhooks.dispatcher, modules.push.push];
    for (const worker of background) worker.start();
    health = modules.health.health;
    health.watch();
    const openStorage = storage;
    const openRedis = redis;
    const openSubscriber = subscriber;
    return {
      app,
      infra,
      modules,
      firstStart,
      operatorSetup,
      gateway,
      async close() {
        await gateway.close();
        await modules.webhooks.dispatcher.stop();
        await modules.push.push.stop();
        await presence.stop();
        await app.close();
        await chat.batches.stop();
        await modules.audit.activity.stop();
        await bus.close();
        openSubscriber?.disconnect();
        if (openRedis) await openRedis.quit().catch(() => openRedis.disconnect());
        await openStorage.close();
      },
    };
  } catch (error) {
    subscriber?.disconnect();
    redis?.disconnect();
    await storage?.close().catch(() => undefined);
    throw error;
  }
}
