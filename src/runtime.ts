import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { redactUrl } from './config/config.js';
import { LocalEventBus, type EventBus } from './events/event-bus.js';
import { RedisEventBus } from './events/redis-event-bus.js';
import { createServices, type Services } from './services.js';
import { createStorage, migrateToLatest, type Storage } from './storage/database.js';
import { bootstrap, type FirstStartCredentials } from './bootstrap.js';
import { createGateway, type Gateway } from './realtime/gateway.js';

export interface Runtime {
  app: FastifyInstance;
  services: Services;
  /** Set on the very first start: the generated key, to be shown once. */
  firstStart: FirstStartCredentials | undefined;
  gateway: Gateway;
  close(): Promise<void>;
}

const REDIS_CONNECT_TIMEOUT_MS = 10_000;

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // reconnects by itself; readiness reports the state
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
  const onError = (error: unknown, what: string) => logger.error({ err: error }, `event bus: ${what}`);
  if (!redis) return { bus: new LocalEventBus((error, type) => onError(error, type)) };
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  const bus = new RedisEventBus(redis, subscriber, config.redisPrefix, onError);
  await bus.start();
  return { bus, subscriber };
}

/** Opens storage (migrated), Redis and the event bus, prepares the default app and builds the HTTP app. */
export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  let storage: Storage | undefined;
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  try {
    storage = createStorage(config.databaseUrl);
    const applied = await migrateToLatest(storage);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    if (config.redisUrl) redis = await connectRedis(config.redisUrl);
    const created = await createBus(config, redis, logger);
    subscriber = created.subscriber;
    const services = createServices(
      config,
      storage,
      created.bus,
      redis,
      (error) => logger.error({ err: error }, 'background work'),
      logger,
    );
    const firstStart = await bootstrap(services, logger);
    const app = await buildApp(services, logger);
    const gateway = createGateway(app.server, services, logger, redis);
    services.connections.count = (appId) => gateway.connectionCount(appId);
    services.connections.local = () => gateway.io.of('/').sockets.size;
    services.activity.start();
    services.batches.start();
    services.presence.start();
    services.webhooks.start();
    services.push.start();
    const openStorage = storage;
    const openRedis = redis;
    const openSubscriber = subscriber;
    return {
      app,
      services,
      firstStart,
      gateway,
      async close() {
        await gateway.close();
        await services.webhooks.stop();
        await services.push.stop();
        await services.presence.stop();
        await app.close();
        await services.batches.stop();
        await services.activity.stop();
        await services.bus.close();
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
