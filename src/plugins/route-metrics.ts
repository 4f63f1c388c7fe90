import { Counter, Histogram, type MetricObjectWithValues, type MetricValueWithName, type Registry } from 'prom-client';

type Labels = 'method' | 'route';

/** One route and method: its requests by status and its latency, in plain numbers. */
interface RouteStats {
  labels: { method: string; route: string };
  /** Requests by status since the last scrape handed them to the counter. */
  unscraped: Map<number, number>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Request counts and latencies per route, recorded with a few additions per request; prom-client
 * only sees them when scraped. prom-client's own `inc`/`observe` validate and hash the labels of
 * every call, which cost more than everything else metrics do per request.
 */
export class RouteMetrics {
  private readonly routes = new Map<string, Map<string, RouteStats>>();
  private readonly bounds: readonly number[];

  constructor(register: Registry, names: { requests: string; latency: string }, bounds: readonly number[]) {
    this.bounds = bounds;
    const routes = this.routes;
    new Counter({
      name: names.requests,
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [register],
      collect() {
        for (const byMethod of routes.values()) {
          for (const stats of byMethod.values()) {
            for (const [status, count] of stats.unscraped) this.inc({ ...stats.labels, status: String(status) }, count);
            stats.unscraped.clear();
          }
        }
      },
    });
    new LatencyHistogram(
      {
        name: names.latency,
        help: 'HTTP request latency by route',
        labelNames: ['method', 'route'],
        buckets: [...bounds],
        registers: [register],
      },
      this,
    );
  }

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.routes.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.routes.set(route, byMethod);
    }
    let stats = byMethod.get(method);
    if (stats === undefined) {
      stats = {
        labels: { method, route },
        unscraped: new Map(),
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byMethod.set(method, stats);
    }
    stats.unscraped.set(status, (stats.unscraped.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket++;
    stats.buckets[bucket] = (stats.buckets[bucket] as number) + 1;
    stats.sum += seconds;
    stats.count += 1;
  }

  /** The histogram's samples, as prom-client's own histogram lays them out. */
  samples(name: string): MetricValueWithName<Labels | 'le'>[] {
    const values: MetricValueWithName<Labels | 'le'>[] = [];
    for (const byMethod of this.routes.values()) {
      for (const { labels, buckets, sum, count } of byMethod.values()) {
        let cumulative = 0;
        this.bounds.forEach((le, index) => {
          cumulative += buckets[index] as number;
          values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push(
          { labels: { le: '+Inf', ...labels }, value: count, metricName: `${name}_bucket` },
          { labels: { ...labels }, value: sum, metricName: `${name}_sum` },
          { labels: { ...labels }, value: count, metricName: `${name}_count` },
        );
      }
    }
    return values;
  }
}

/** A prom-client histogram whose samples come from `RouteMetrics` instead of its own `observe`. */
class LatencyHistogram extends Histogram<Labels> {
  private readonly sampled: { name: string; help: string };

  constructor(
    configuration: { name: string; help: string; labelNames: Labels[]; buckets: number[]; registers: Registry[] },
    private readonly metrics: RouteMetrics,
  ) {
    super(configuration);
    this.sampled = { name: configuration.name, help: configuration.help };
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<Labels>>> {
    const { name, help } = this.sampled;
    const values = this.metrics.samples(name) as MetricValueWithName<Labels>[];
    return { name, help, type: 'histogram', values, aggregator: 'sum' } as unknown as MetricObjectWithValues<
      MetricValueWithName<Labels>
    >;
  }

  /** What prom-client's registry reads, when present, to render the text format. */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<Labels>>> {
    return this.get();
  }
}
