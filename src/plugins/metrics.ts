import Fastify, { type FastifyInstance, LogController } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ListenAddress } from '../config/config.js';
import { AppError } from '../http/errors.js';
import { safeEqual } from '../shared/secrets.js';
import '../http/types.js';
import { RouteMetrics } from './route-metrics.js';
import errorsPlugin from './errors.js';

/** Counts of rows by status (`pending`, `delivered`, `sent`, `failed`…). */
type StatusCounts = () => Promise<Record<string, number>>;

export interface MetricsPluginOptions {
  /** Live real-time connections on this node. */
  localConnections: () => number;
  webhookDeliveries: StatusCounts;
  pushNotifications: StatusCounts;
  /** Push deliveries by provider and outcome on this node since it started. */
  pushDeliveries?: () => Array<{ provider: string; outcome: string; count: number }>;
  /** METRICS_TOKEN: when set, scrapers must send it as a Bearer token. */
  metricsToken: string | undefined;
  /** METRICS_LISTEN: when set, `/metrics` is served there, by a server of its own, and not by the app. */
  listen?: ListenAddress;
}

/** A server for `/metrics` alone, listening once the app is ready and closed with it. */
async function metricsServer(app: FastifyInstance, listen: ListenAddress): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.log,
    logController: new LogController({ disableRequestLogging: true }),
  });
  await server.register(errorsPlugin);
  app.addHook('onReady', async () => {
    const address = await server.listen({ host: listen.host, port: listen.port });
    app.log.info({ address }, 'metrics listening');
  });
  app.addHook('onClose', () => server.close());
  return server;
}

/**
 * Prometheus metrics at `/metrics` (issue 5): request rates and latencies per route, 429s per key,
 * live sockets of this node, webhook queue depth and dead letters, push notifications by state.
 * With METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`. With METRICS_LISTEN set,
 * `/metrics` is on that address only (e.g. a private interface), not on the API's port.
 */
export default fp<MetricsPluginOptions>(
  async (app, options) => {
    const register = new Registry();
    collectDefaultMetrics({ register, prefix: 'parley_' });
    const routes = new RouteMetrics(
      register,
      { requests: 'parley_http_requests_total', latency: 'parley_http_request_duration_seconds' },
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    const rateLimited = new Counter({
      name: 'parley_rate_limited_total',
      help: 'Requests refused with 429, by API key id',
      labelNames: ['key'],
      registers: [register],
    });
    new Gauge({
      name: 'parley_socket_connections',
      help: 'Live real-time connections on this node',
      registers: [register],
      collect() {
        this.set(options.localConnections());
      },
    });
    new Gauge({
      name: 'parley_webhook_deliveries',
      help: 'Webhook deliveries by state: pending is the queue, failed the dead letters',
      labelNames: ['status'],
      registers: [register],
      async collect() {
        const counts = await options.webhookDeliveries();
        for (const status of ['pending', 'delivered', 'failed']) this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: 'parley_push_notifications',
      help: 'Push notifications by state',
      labelNames: ['status'],
      registers: [register],
      async collect() {
        const counts = await options.pushNotifications();
        for (const status of ['pending', 'sent', 'failed']) this.set({ status }, counts[status] ?? 0);
      },
    });

    const deliveryTotals = options.pushDeliveries;
    if (deliveryTotals)
      new Counter({
        name: 'parley_push_deliveries_total',
        help: 'Push deliveries by provider (fcm, apns, webpush, imkit-push, imkit-generic, log, http) and outcome (sent, dead, retry, failed)',
        labelNames: ['provider', 'outcome'],
        registers: [register],
        collect() {
          this.reset();
          for (const { provider, outcome, count } of deliveryTotals()) this.inc({ provider, outcome }, count);
        },
      });

    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      if (route !== '/metrics') {
        routes.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
        if (request.rateLimited) rateLimited.inc({ key: request.auditSubject?.keyId ?? 'by-address' });
      }
      done();
    });

    const server = options.listen && (await metricsServer(app, options.listen));
    (server || app).get(
      '/metrics',
      {
        config: { auth: 'public' },
        schema: { tags: ['Monitoring'], summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)', hide: false },
      },
      async (request, reply) => {
        const token = options.metricsToken;
        if (token !== undefined) {
          const given = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
          if (!safeEqual(given, token)) throw new AppError('FORBIDDEN', 'A valid metrics token is required');
        }
        return reply.header('content-type', register.contentType).send(await register.metrics());
      },
    );
  },
  { name: 'parley-metrics' },
);
