import { register } from 'node:module';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { Logger } from 'pino';
import { redactUrl, type TracingConfig } from './config/config.js';

/**
 * The packages the instrumentations patch. ESM imports bypass `require`, so an ESM loader hook
 * wraps them as they load; listing them keeps every other module out of the hook.
 */
const INSTRUMENTED_MODULES = ['node:http', 'http', 'node:https', 'https', 'pg', 'pg-pool', 'ioredis', 'fastify'];

/** Probes and scrapes come every few seconds and say nothing about the requests that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Query parameters whose values never reach a span: a signed file link's signature is a credential
 * until it expires. (The instrumentation's own list is for other clouds' names.)
 */
const REDACTED_QUERY_PARAMS = ['signature', 'sig', 'Signature', 'token', 'api_key', 'client_key', 'X-Amz-Signature'];

export interface Telemetry {
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

const pathOf = (url: string | undefined): string => (url ?? '').split('?', 1)[0] ?? '';

/**
 * Starts OpenTelemetry traces (OTLP; protocol, sampling and batching from the standard OTEL_*
 * variables): one span per HTTP request with its Fastify route, lifecycle hooks and handler, and
 * the PostgreSQL queries and Redis commands it makes. Must run before http, pg, ioredis or
 * fastify is first imported: server.ts imports the rest of the server only afterwards.
 *
 * No request or response header is recorded (the instrumentations' default), so neither keys nor
 * tokens reach a span; SQL is recorded with its placeholders, never its values; webhook and push
 * deliveries (outgoing HTTP) are not traced.
 */
export function startTelemetry(config: TracingConfig, logger: Logger): Telemetry {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: INSTRUMENTED_MODULES },
  });
  // OTEL_LOG_LEVEL, when set, gives the SDK its own console logger instead.
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ args }, `tracing: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    // Traces only: Prometheus has the metrics, the logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
        redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
        // Outgoing calls are webhook and push deliveries: their URLs (paths included) can be secrets.
        disableOutgoingRequestInstrumentation: true,
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route) => UNTRACED_PATHS.has(route.url),
        // Its request span names the raw URL, query included: keep the path alone.
        requestHook: (span, request) => span.setAttribute('url.path', pathOf(request.url)),
      }),
      // Only inside a traced request: background tickers would otherwise start a trace per poll.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  logger.info(
    { endpoint: redactUrl(config.endpoint), service: config.serviceName },
    'tracing on: exporting spans over OTLP',
  );
  return {
    // An unreachable collector must not turn a clean stop into a failed one.
    shutdown: () =>
      sdk.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'tracing: spans lost at shutdown')),
  };
}
