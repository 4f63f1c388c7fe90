import { type Config, ConfigError, loadConfig } from './config/config.js';
import { createLogger, isPrettyLogFormat, jsonDestination, prettyDestination } from './logger.js';

const SHUTDOWN_TIMEOUT_MS = 25_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const pretty = isPrettyLogFormat(config.logFormat, process.stdout.isTTY === true);
  const logger = createLogger(config.logLevel, pretty ? prettyDestination() : jsonDestination());
  // Tracing patches http, pg, ioredis and fastify as they load, so the server's own modules are imported
  // after it starts; without OTEL_EXPORTER_OTLP_ENDPOINT the SDK is not even loaded.
  const telemetry = config.tracing && (await import('./telemetry.js')).startTelemetry(config.tracing, logger);
  const { startRuntime } = await import('./runtime.js');
  const { firstStartBanner, operatorSetupBanner } = await import('./bootstrap.js');
  const runtime = await startRuntime(config, logger);
  if (runtime.firstStart) process.stdout.write(firstStartBanner(runtime.firstStart, config.port));
  const address = await runtime.app.listen({ port: config.port, host: config.host });
  // After listening: with PORT=0 the link names the port actually taken.
  if (runtime.operatorSetup) {
    const listening = runtime.app.server.address();
    const port = typeof listening === 'object' && listening ? listening.port : config.port;
    process.stdout.write(operatorSetupBanner(runtime.operatorSetup, config.host, port));
  }
  logger.info(
    {
      address,
      database: config.databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres',
      redis: Boolean(config.redisUrl),
    },
    'parley listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    runtime
      .close()
      .then(() => telemetry?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`parley: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
