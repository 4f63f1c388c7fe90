import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RouteMetrics } from '../../src/plugins/route-metrics.js';

const BOUNDS = [0.01, 0.1, 1];
const names = { requests: 'requests_total', latency: 'latency_seconds' };

describe('RouteMetrics', () => {
  it('renders what prom-client renders for the same observations', async () => {
    const ours = new Registry();
    const metrics = new RouteMetrics(ours, names, BOUNDS);
    const theirs = new Registry();
    const histogram = new Histogram({
      name: names.latency,
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'],
      buckets: BOUNDS,
      registers: [theirs],
    });
    const observations: [string, string, number, number][] = [
      ['GET', '/a', 200, 0.005],
      ['GET', '/a', 200, 0.01],
      ['GET', '/a', 404, 0.5],
      ['GET', '/a', 200, 3],
      ['POST', '/a', 201, 0.05],
      ['GET', '/b/:id', 200, 0.2],
    ];
    for (const [method, route, status, seconds] of observations) {
      metrics.record(method, route, status, seconds);
      histogram.observe({ method, route }, seconds);
    }
    const latency = async (registry: Registry) =>
      (await registry.getSingleMetricAsString(names.latency)).split('\n').sort();
    expect(await latency(ours)).toStrictEqual(await latency(theirs));
    const requests = await ours.getSingleMetricAsString(names.requests);
    expect(requests).toContain('requests_total{method="GET",route="/a",status="200"} 3');
    expect(requests).toContain('requests_total{method="GET",route="/a",status="404"} 1');
    expect(requests).toContain('requests_total{method="POST",route="/a",status="201"} 1');
  });

  it('keeps counting across scrapes', async () => {
    const registry = new Registry();
    const metrics = new RouteMetrics(registry, names, BOUNDS);
    metrics.record('GET', '/a', 200, 0.001);
    await registry.metrics();
    metrics.record('GET', '/a', 200, 0.001);
    const text = await registry.metrics();
    expect(text).toContain('requests_total{method="GET",route="/a",status="200"} 2');
    expect(text).toContain('latency_seconds_count{method="GET",route="/a"} 2');
  });
});
