import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApns, startFakeApns } from '../helpers/push-fakes/fake-apns.js';
import { type FakeFcm, startFakeFcm } from '../helpers/push-fakes/fake-fcm.js';
import { type ServerProcess, startServer } from '../helpers/server-process.js';
import { freshDatabase, type Storage } from '../helpers/test-app.js';

async function call(server: ServerProcess, method: string, path: string, apiKey: string, body?: unknown): Promise<any> {
  const response = await fetch(server.url + path, {
    method,
    headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as { result: unknown };
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json.result;
}

const MESSAGES = 10;
const BOB_IOS = 'ab'.repeat(32);

/** Issue 15: a push the server recorded survives SIGKILL; what a platform accepted is not sent again. */
describe('push notifications across a crash', () => {
  let storage: Storage;
  let fcm: FakeFcm;
  let apns: FakeApns;
  let dir: string;
  beforeAll(async () => {
    storage = await freshDatabase();
    [fcm, apns] = await Promise.all([startFakeFcm(), startFakeApns()]);
    dir = mkdtempSync(join(tmpdir(), 'parley-push-crash-'));
    writeFileSync(join(dir, 'ca.pem'), `${fcm.ca}\n${apns.ca}\n`);
  });
  afterAll(async () => {
    await Promise.all([fcm?.close(), apns?.close()]);
    await storage?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every recorded notification after SIGKILL and a restart, each accepted push once', async () => {
    const env = {
      DATABASE_URL: storage.databaseUrl,
      PARLEY_WEBHOOK_ALLOW_PRIVATE: '1',
      PUSH_FCM_URL: fcm.baseUrl,
      PUSH_APNS_URL: apns.url,
      PUSH_CA_FILE: join(dir, 'ca.pem'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
    };
    const first = await startServer(env);
    const { apiKey } = first.banner!;
    await call(first, 'POST', '/admin/clients/list', apiKey, {
      data: [
        { _id: 'alice', nickname: 'Alice' },
        { _id: 'bob', nickname: 'Bob' },
      ],
    });
    await call(first, 'PUT', '/admin/push/providers/fcm', apiKey, { serviceAccount: fcm.serviceAccount });
    await call(first, 'PUT', '/admin/push/providers/apns', apiKey, { ...apns.credentials, production: true });
    await call(first, 'POST', '/me/subscribe', apiKey, { type: 'android', token: 'bob-android', clientId: 'bob' });
    await call(first, 'POST', '/me/subscribe', apiKey, { type: 'ios', token: BOB_IOS, clientId: 'bob' });
    await call(first, 'POST', '/rooms', apiKey, { _id: 'r', members: ['alice', 'bob'] });
    // FCM is down while the first node runs: its deliveries wait for a retry; APNs takes each at once.
    fcm.unavailable('bob-android', 1);
    for (let i = 0; i < MESSAGES; i++)
      await call(first, 'POST', '/messages', apiKey, {
        room: 'r',
        sender: 'alice',
        message: `m${i}`,
        messageType: 'text',
      });
    const deadline = Date.now() + 20_000;
    while (apns.received.length < MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(apns.received).toHaveLength(MESSAGES);
    await first.stop('SIGKILL');

    fcm.answers.delete('bob-android');
    const second = await startServer(env);
    try {
      const texts = () =>
        new Set(
          fcm.received
            .filter((request) => request.message.token === 'bob-android')
            .map((request) => JSON.parse(request.message.data.payload).message),
        );
      // A notification the killed node was sending is handed over once its lease (30 s) has passed.
      const until = Date.now() + 60_000;
      let pending = -1;
      while ((pending !== 0 || texts().size < MESSAGES) && Date.now() < until) {
        pending = (await call(second, 'GET', '/admin/push/notifications?status=pending', apiKey)).totalCount;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect([...texts()].sort()).toStrictEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i}`).sort());
      expect(pending).toBe(0);
      // What APNs accepted before the crash was never sent again.
      expect(apns.received).toHaveLength(MESSAGES);
      const { data } = await call(second, 'GET', '/admin/push/notifications?limit=100', apiKey);
      for (const entry of data)
        expect(entry.deliveries.map((d: any) => [d.provider, d.status]).sort()).toStrictEqual([
          ['apns', 'sent'],
          ['fcm', 'sent'],
        ]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
