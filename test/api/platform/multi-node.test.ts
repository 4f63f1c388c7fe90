import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, type TestApp } from '../../helpers/test-app.js';
import { buildTwoNodes, type TwoNodes } from '../../helpers/two-nodes.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { createRoom } from '../../helpers/factories.js';
import { expectOk } from '../../helpers/expect.js';

/** Two Parley nodes in one process: separate caches and Redis connections, one database, one Redis. */
describe.skipIf(!testRedisUrl)('two nodes sharing Redis', () => {
  let nodes: TwoNodes | undefined;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    nodes = await buildTwoNodes();
    ({ a, b } = nodes);
  });
  afterAll(() => nodes?.close());

  const get = (node: TestApp, key: string, url = '/admin/clients') =>
    node.app.inject({ method: 'GET', url, headers: { 'im-api-key': key } });

  it("holds a key's rate limit across nodes", async () => {
    const key = await a.createKey({ name: 'limited', rateLimit: 10 });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(i % 2 === 0 ? a : b, key)).statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    const overA = await get(a, key);
    const overB = await get(b, key);
    expect([overA.statusCode, overB.statusCode]).toEqual([429, 429]);
    expect(overB.json()).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });
    expect(overB.headers.ratelimit).toMatch(/^limit=10, remaining=0, reset=\d+$/);
  });

  it('drops a revoked key on the other node at once', async () => {
    const key = await a.createKey({ name: 'to revoke' });
    expect((await get(b, key)).statusCode).toBe(200); // node B now has it cached
    const id = (await a.services.keys.list(a.appId)).find((entry) => entry.name === 'to revoke')!.id;
    expect((await a.admin('DELETE', `/admin/keys/${id}`)).statusCode).toBe(200);
    // The revocation crosses Redis pub/sub; allow it a few milliseconds to arrive.
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await get(b, key)).statusCode;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(401);
  });

  it('drops a revoked user token on the other node at once', async () => {
    const token = await a.createUser('carol');
    const me = () =>
      b.app.inject({ method: 'GET', url: '/me', headers: { 'im-client-key': b.clientKey, 'im-authorization': token } });
    expect((await me()).statusCode).toBe(200);
    expect((await a.admin('DELETE', '/admin/clients/carol/token')).statusCode).toBe(200);
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await me()).statusCode;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(401);
  });

  it('drops a regenerated client key on the other node at once', async () => {
    const token = await a.createUser('dave');
    const me = (clientKey: string) =>
      b.app.inject({ method: 'GET', url: '/me', headers: { 'im-client-key': clientKey, 'im-authorization': token } });
    expect((await me(a.clientKey)).statusCode).toBe(200);
    const fresh = (await a.admin('POST', '/admin/keys/client-key')).json().result.clientKey as string;
    let status = 0;
    for (let i = 0; i < 50 && status !== 403; i++) {
      status = (await me(a.clientKey)).statusCode;
      if (status !== 403) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(403);
    expect((await me(fresh)).statusCode).toBe(200);
  });
});

describe.skipIf(!testRedisUrl)('two nodes sharing Redis: webhook settings', () => {
  let nodes: TwoNodes | undefined;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    nodes = await buildTwoNodes({ webhooks: { allowPrivate: true, maxAttempts: 2, retryBaseMs: 30, timeoutMs: 2000 } });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await nodes?.close();
    await receiver?.stop();
  });

  it('sends the next message on node B to the app-wide URL node A just set', async () => {
    const { a, b } = nodes!;
    await a.createUser('erin');
    await createRoom(a, { _id: 'hooked-later', members: ['erin'] });
    const send = (text: string) =>
      b
        .admin('POST', '/messages', { room: 'hooked-later', sender: 'erin', message: text, messageType: 'text' })
        .then(expectOk);
    await send('before'); // node B reads (and keeps) settings with no URL
    expectOk(await a.admin('PUT', '/admin/webhooks', { url: `${receiver.url}/all` }));
    // The change crosses Redis pub/sub; allow it a few milliseconds to arrive.
    // Well within the cache's 5 s lifetime: only the invalidation can explain a delivery.
    for (let i = 0; i < 15 && receiver.received.length === 0; i++) {
      await send(`after ${i}`);
      await receiver.waitFor(1, 100);
    }
    expect(receiver.received[0]).toMatchObject({ path: '/all', json: { event: 'MESSAGE', roomID: 'hooked-later' } });
    expect(receiver.received.every((request) => request.json.data.message !== 'before')).toBe(true);
  });
});

describe.skipIf(!testRedisUrl)('two nodes sharing Redis: push audience', () => {
  let nodes: TwoNodes | undefined;
  let gateway: WebhookReceiver;

  beforeAll(async () => {
    gateway = await new WebhookReceiver().start();
    nodes = await buildTwoNodes({
      push: { provider: 'http', httpUrl: `${gateway.url}/push` },
      webhooks: { allowPrivate: true, maxAttempts: 2, retryBaseMs: 30, timeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await nodes?.close();
    await gateway?.stop();
  });

  it('pushes from node B to a device node A registered just after B found the app had none', async () => {
    const { a, b } = nodes!;
    const fay = await a.createUser('fay', { nickname: 'Fay' });
    const gus = await a.createUser('gus', { nickname: 'Gus' });
    await createRoom(a, { _id: 'phones-later', members: ['fay', 'gus'] });
    const send = (text: string) =>
      b.asUser(fay, 'POST', '/rooms/phones-later/message', { message: text, messageType: 'text' }).then(expectOk);
    await send('before'); // node B learns (and keeps) that the app has no device
    expectOk(await a.asUser(gus, 'POST', '/me/subscribe', { type: 'fcm', token: 'gus-phone' }));
    // The registration crosses Redis pub/sub; well within the 5 s node B keeps its answer.
    for (let i = 0; i < 15 && gateway.received.length === 0; i++) {
      await send(`after ${i}`);
      await gateway.waitFor(1, 100);
    }
    expect(gateway.received[0]?.json).toMatchObject({ kind: 'message', devices: [{ client: 'gus' }] });
  });
});
