import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';

/** The address the metrics server logged when it started listening. */
function metricsAddress(t: TestApp): string | undefined {
  const line = t.logs.map((entry) => JSON.parse(entry)).find((entry) => entry.msg === 'metrics listening');
  return line?.address;
}

describe('METRICS_LISTEN: /metrics on an address of its own', () => {
  let t: TestApp;
  let address: string;
  beforeAll(async () => {
    t = await buildTestApp({ metricsListen: { host: '127.0.0.1', port: 0 }, metricsToken: 'scrape-me' });
    address = metricsAddress(t)!;
  });
  afterAll(() => t.close());

  it('serves the metrics of the API there, with the token, and no longer on the API', async () => {
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expectOk(await t.admin('GET', '/admin/clients'));
    const scraped = await fetch(`${address}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await scraped.text()).toMatch(
      /parley_http_requests_total\{method="GET",route="\/admin\/clients",status="200"\} 1/,
    );

    const onApi = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-me' },
    });
    expect(onApi.statusCode).toBe(404);
    expect(t.app.routeTable.some((route) => route.url === '/metrics')).toBe(false);
  });

  it('asks for the token there, and answers nothing else, in the API error shape', async () => {
    const refused = await fetch(`${address}/metrics`, { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ RC: 403, error: { code: 'FORBIDDEN' } });
    const elsewhere = await fetch(`${address}/admin/clients`, { headers: { 'im-api-key': t.apiKey } });
    expect(elsewhere.status).toBe(404);
  });

  it('stops listening when the app closes', async () => {
    const other = await buildTestApp({ metricsListen: { host: '127.0.0.1', port: 0 } });
    const otherAddress = metricsAddress(other)!;
    expect((await fetch(`${otherAddress}/metrics`)).status).toBe(200);
    await other.close();
    await expect(fetch(`${otherAddress}/metrics`)).rejects.toThrow();
  });
});

describe('METRICS_LISTEN unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('serves /metrics on the API as before, and starts no other server', async () => {
    const scraped = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toMatch(/parley_process_cpu_seconds_total/);
    expect(metricsAddress(t)).toBeUndefined();
  });
});
