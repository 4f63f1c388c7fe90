import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';

const metric = (text: string, name: string, labels: string): number | undefined => {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`) && entry.includes(labels));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

/** Prometheus metrics (issue 5): rates and latencies per route, 429s per key, sockets, webhook and push queues. */
describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ metricsToken: 'scrape-me' });
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-me' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.body;
  };

  it('counts requests and latencies per route and status', async () => {
    expectOk(await t.admin('GET', '/admin/clients'));
    expectOk(await t.admin('GET', '/admin/clients'));
    await t.admin('GET', '/rooms/nowhere');
    const text = await scrape();
    expect(metric(text, 'parley_http_requests_total', 'route="/admin/clients",status="200"')).toBe(2);
    expect(metric(text, 'parley_http_requests_total', 'route="/rooms/:id",status="404"')).toBe(1);
    expect(metric(text, 'parley_http_request_duration_seconds_count', 'route="/admin/clients"')).toBe(2);
    expect(text).toMatch(/parley_socket_connections 0/);
    expect(text).toMatch(/parley_webhook_deliveries\{status="pending"\} 0/);
    expect(text).toMatch(/parley_push_notifications\{status="failed"\} 0/);
    expect(text).toMatch(/parley_process_cpu_seconds_total/);
  });

  it('counts 429s per key', async () => {
    const key = await t.createKey({ name: 'tiny', rateLimit: 1 });
    const record = (await t.services.keyVerifier.verify(key))!;
    await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { 'im-api-key': key } });
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { 'im-api-key': key } })).statusCode,
    ).toBe(429);
    expect(metric(await scrape(), 'parley_rate_limited_total', `key="${record.id}"`)).toBe(1);
  });

  it('asks for the token when one is configured', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode,
    ).toBe(403);
  });
});
