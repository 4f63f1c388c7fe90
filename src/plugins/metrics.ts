import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../http/errors.js';
import { safeEqual } from '../shared/secrets.js';
import '../http/types.js';

/** Counts of rows by status (`pending`, `delivered`, `sent`, `failed`…). */
type StatusCounts = () => Promise<Record<string, number>>;

export interface MetricsPluginOptions {
  /** Live real-time connections on this node. */
  localConnections: () => number;
  webhookDeliveries: StatusCounts;
  pushNotifications: StatusCounts;
  /** METRICS_TOKEN: when set, scrapers must send it as a Bearer token. */
  metricsToken: string | undefined;
}

/**
 * Prometheus metrics at `/metrics` (issue 5): request rates and latencies per route, 429s per key,
 * live sockets of this node, webhook queue depth and dead letters, push notifications by state.
 * With METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`.
 */
export default fp<MetricsPluginOptions>(
  async (app, options) => {
    const register = new Registry();
    collectDefaultMetrics({ register, prefix: 'parley_' });
    const requests = new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [register],
    });
    const latency = new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [register],
    });
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

    // Label children are looked up once per route and status, not hashed again on every request.
    const counters = new Map<string, Counter.Internal>();
    const timers = new Map<string, Histogram.Internal<string>>();
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      if (route !== '/metrics') {
        const routeKey = `${request.method} ${route}`;
        const countKey = `${routeKey} ${reply.statusCode}`;
        let counter = counters.get(countKey);
        if (!counter) {
          counter = requests.labels(request.method, route, String(reply.statusCode));
          counters.set(countKey, counter);
        }
        counter.inc();
        let timer = timers.get(routeKey);
        if (!timer) {
          timer = latency.labels(request.method, route);
          timers.set(routeKey, timer);
        }
        timer.observe(reply.elapsedTime / 1000);
        if (request.rateLimited) rateLimited.inc({ key: request.auditSubject?.keyId ?? 'by-address' });
      }
      done();
    });

    app.get(
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
