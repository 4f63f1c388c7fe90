import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, testRedisUrl, type TestApp } from '../helpers/test-app.js';
import { buildTwoNodes, type TwoNodes } from '../helpers/two-nodes.js';
import { authenticate, connect, type TestSocket } from '../helpers/socket-clients.js';

const BUDGET = 5;

function expectOverBudget(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toStrictEqual({
    error: 'RATE_LIMIT_EXCEEDED',
    message: 'Too many requests, please try again later',
    retryAfter: expect.any(Number),
  });
  const retryAfter = response.json().retryAfter as number;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers['retry-after']).toBe(String(retryAfter));
  expect(response.headers['ratelimit-policy']).toBe(`${BUDGET};w=60`);
  expect(response.headers.ratelimit).toBe(`limit=${BUDGET}, remaining=0, reset=${retryAfter}`);
  expect(response.headers['x-ratelimit-limit']).toBe(String(BUDGET));
  expect(response.headers['x-ratelimit-remaining']).toBe('0');
  expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
}

describe('item 7: a user has a request budget, whatever its number of tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ userRateLimitPerMinute: BUDGET });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 429 with the key limit's body and headers once a user spent its budget, on all its tokens", async () => {
    const first = await t.createUser('flooder');
    const second = await t.createUser('flooder');
    expect(second).not.toBe(first);
    for (let i = 0; i < BUDGET; i++) {
      const response = await t.asUser(i % 2 === 0 ? first : second, 'GET', '/me');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-policy']).toBe(`${BUDGET};w=60`);
      expect(response.headers['x-ratelimit-remaining']).toBe(String(BUDGET - i - 1));
    }
    expectOverBudget(await t.asUser(first, 'GET', '/me'));
    expectOverBudget(await t.asUser(second, 'POST', '/rooms', { name: 'one more' }));
    // A third token does not reset it either.
    expectOverBudget(await t.asUser(await t.createUser('flooder'), 'GET', '/rooms'));
  });

  it('leaves other users and the API key unaffected', async () => {
    const token = await t.createUser('spender');
    for (let i = 0; i <= BUDGET; i++) await t.asUser(token, 'GET', '/me');
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(429);

    const bystander = await t.asUser(await t.createUser('bystander'), 'GET', '/me');
    expect(bystander.statusCode).toBe(200);
    expect(bystander.headers['x-ratelimit-remaining']).toBe(String(BUDGET - 1));
    for (let i = 0; i < BUDGET * 2; i++) expect((await t.admin('GET', '/admin/clients/spender')).statusCode).toBe(200);
  });
});

describe('item 7: socket events are limited per user, not only per connection', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('many-sockets');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  it("twenty connections of one user together get no more than ten connections' worth of events", async () => {
    for (let i = 0; i < 20; i++) {
      const socket = await connect(url, 'G3');
      sockets.push(socket);
      expect((await authenticate(socket, token, t.clientKey)).RC).toBe(0);
    }
    // 50 events per connection stays under each connection's own limit (60 per 10 s).
    const answers = await Promise.all(
      sockets.flatMap((socket) =>
        Array.from({ length: 50 }, () => socket.call('sync', { since: Date.now() + 60_000 })),
      ),
    );
    const served = answers.filter((answer) => answer.RC === 0).length;
    const refused = answers.filter((answer) => answer.error?.code === 'RATE_LIMIT_EXCEEDED').length;
    expect(served + refused).toBe(1000);
    expect(served).toBeLessThanOrEqual(600);
    expect(refused).toBeGreaterThanOrEqual(400);
  });
});

describe.skipIf(!testRedisUrl)('item 7: the user budget holds across nodes sharing Redis', () => {
  let nodes: TwoNodes | undefined;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    nodes = await buildTwoNodes({ userRateLimitPerMinute: BUDGET });
    ({ a, b } = nodes);
  });
  afterAll(() => nodes?.close());

  it('spends one budget on both nodes', async () => {
    const token = await a.createUser('roamer');
    for (let i = 0; i < BUDGET; i++)
      expect((await (i % 2 === 0 ? a : b).asUser(token, 'GET', '/me')).statusCode).toBe(200);
    expectOverBudget(await a.asUser(token, 'GET', '/me'));
    expectOverBudget(await b.asUser(token, 'GET', '/me'));
    expect((await b.asUser(await b.createUser('other-roamer'), 'GET', '/me')).statusCode).toBe(200);
  });
});
