import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { createRoom } from '../../helpers/factories.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { type FakeApns, startFakeApns } from '../../helpers/push-fakes/fake-apns.js';
import { type FakeFcm, startFakeFcm } from '../../helpers/push-fakes/fake-fcm.js';
import { startWebPushReceiver, type WebPushReceiver } from '../../helpers/push-fakes/web-push-receiver.js';
import { buildTestApp, freshDatabase, type Storage, type TestApp } from '../../helpers/test-app.js';
import { verifySignature, WebhookReceiver } from '../../helpers/webhook-receiver.js';

const hexToken = (seed: string) => Buffer.from(seed.padEnd(32, '.')).toString('hex').slice(0, 64);
const BOB_IOS = hexToken('bob-iphone');
const CAROL_VOIP = hexToken('carol-voip');

/** Waits (bounded) until `done` holds for the notifications recorded, newest first. */
async function notificationsWhen(t: TestApp, done: (data: any[]) => boolean, ms = 8000): Promise<any[]> {
  const deadline = Date.now() + ms;
  let data: any[] = [];
  while (Date.now() < deadline) {
    data = expectOk(await t.admin('GET', '/admin/push/notifications?limit=100')).data;
    if (done(data)) return data;
    await sleep(50);
  }
  throw new Error(`notifications never came to the expected state: ${JSON.stringify(data, null, 1).slice(0, 3000)}`);
}

const settled = (data: any[]) => data.length > 0 && data.every((entry) => entry.status !== 'pending');

interface Platforms {
  fcm: FakeFcm;
  apns: FakeApns;
  web: WebPushReceiver;
  caFile: string;
  dispose(): Promise<void>;
}

async function startPlatforms(): Promise<Platforms> {
  const [fcm, apns, web] = await Promise.all([startFakeFcm(), startFakeApns(), startWebPushReceiver()]);
  const dir = mkdtempSync(join(tmpdir(), 'parley-push-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, `${fcm.ca}\n${apns.ca}\n`);
  return {
    fcm,
    apns,
    web,
    caFile,
    dispose: async () => {
      await Promise.all([fcm.close(), apns.close(), web.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pushConfig(platforms: Platforms, secretsKey: Buffer): Partial<Config> {
  return {
    push: {
      provider: 'log',
      httpUrl: undefined,
      fcmUrl: platforms.fcm.baseUrl,
      apnsUrl: platforms.apns.url,
      caFile: platforms.caFile,
      secretsKey,
    },
    webhooks: { allowPrivate: true, maxAttempts: 3, retryBaseMs: 30, timeoutMs: 3000 },
  };
}

async function configureProviders(t: TestApp, platforms: Platforms): Promise<string> {
  expectOk(await t.admin('PUT', '/admin/push/providers/fcm', { serviceAccount: platforms.fcm.serviceAccount }));
  expectOk(await t.admin('PUT', '/admin/push/providers/apns', { ...platforms.apns.credentials, production: false }));
  const web = expectOk(
    await t.admin('PUT', '/admin/push/providers/webpush', { subject: 'mailto:ops@example.com', generate: true }),
  );
  return web.publicKey as string;
}

/** Issue 15: a message in a room reaches each other member's devices through FCM, APNs and Web Push. */
describe('push through FCM, APNs and Web Push', () => {
  let platforms: Platforms;
  let t: TestApp;
  let alice: string;
  let carolWeb: ReturnType<WebPushReceiver['newSubscription']>;
  const secretsKey = randomBytes(32);

  beforeAll(async () => {
    platforms = await startPlatforms();
    t = await buildTestApp(pushConfig(platforms, secretsKey));
    alice = await t.createUser('alice', { nickname: 'Alice' });
    const bob = await t.createUser('bob', { nickname: 'Bob' });
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    const dave = await t.createUser('dave', { nickname: 'Dave' });
    const erin = await t.createUser('erin', { nickname: 'Erin' });
    await configureProviders(t, platforms);
    carolWeb = platforms.web.newSubscription('carol-browser');
    expectOk(await t.asUser(bob, 'POST', '/me/subscribe', { type: 'android', token: 'bob-android', deviceId: 'p1' }));
    expectOk(await t.asUser(bob, 'POST', '/me/subscribe', { type: 'ios', token: BOB_IOS, deviceId: 'p2' }));
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'web', token: carolWeb.token }));
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'ios-voip', token: CAROL_VOIP }));
    expectOk(await t.asUser(dave, 'POST', '/me/subscribe', { type: 'fcm', token: 'dave-phone' }));
    expectOk(await t.asUser(erin, 'POST', '/me/subscribe', { type: 'fcm', token: 'erin-phone' }));
    expectOk(await t.asUser(alice, 'POST', '/me/subscribe', { type: 'fcm', token: 'alice-phone' }));
    await createRoom(t, {
      _id: 'garden',
      name: 'Garden',
      roomTags: ['plants'],
      members: ['alice', 'bob', 'carol', 'dave', 'erin'],
    });
    expectOk(await t.asUser(dave, 'POST', '/me/mute/garden'));
    expectOk(await t.asUser(erin, 'POST', '/me/notification/disable'));
  });
  afterAll(async () => {
    await t?.close();
    await platforms?.dispose();
  });

  it('shows which platforms are set, never their keys', async () => {
    const response = await t.admin('GET', '/admin/push/providers');
    const view = expectOk(response);
    expect(view.fcm).toMatchObject({ projectId: platforms.fcm.serviceAccount.project_id });
    expect(view.apns).toMatchObject({
      keyId: platforms.apns.credentials.keyId,
      bundleId: platforms.apns.credentials.bundleId,
      production: false,
    });
    expect(view.webpush.publicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    expect(view.sealed).toBe(true);
    const text = response.body;
    for (const secret of [platforms.fcm.serviceAccount.private_key, platforms.apns.credentials.keyP8])
      expect(text).not.toContain(secret.split('\n')[1]);
    expect(text).not.toContain('privateKey');
    const logs = t.logs.join('\n');
    for (const secret of [platforms.fcm.serviceAccount.private_key, platforms.apns.credentials.keyP8])
      expect(logs).not.toContain(secret.split('\n')[1]);
    // Sealed in the database: the rows hold no key.
    const rows = await t.services.storage.db.selectFrom('push_credentials').selectAll().execute();
    for (const row of rows) {
      expect(row.secret.startsWith('sealed:v1:')).toBe(true);
      expect(row.secret).not.toContain('PRIVATE KEY');
    }
    const key = expectOk(await t.asUser(alice, 'GET', '/push/webpush/key'));
    expect(key.publicKey).toBe(view.webpush.publicKey);
  });

  it("another application's key sees and changes none of it (BOLA)", async () => {
    const other = await t.services.apps.create('Other app', 'other-push');
    const key = (await t.services.keys.create(other.id, { name: 'other' }, 'test')).secret;
    const asOther = (method: 'GET' | 'DELETE', url: string) =>
      t.app.inject({ method, url, remoteAddress: '127.0.0.1', headers: { 'im-api-key': key } });
    expect(expectOk(await asOther('GET', '/admin/push/providers'))).toMatchObject({
      fcm: null,
      apns: null,
      webpush: null,
    });
    expect(expectOk(await asOther('GET', '/admin/push/notifications')).totalCount).toBe(0);
    expect((await asOther('DELETE', '/admin/push/providers/fcm')).statusCode).toBe(404);
    expect(expectOk(await t.admin('GET', '/admin/push/providers')).fcm).not.toBeNull();
  });

  it('refuses bad credentials with 400, naming the problem but not the secret', async () => {
    const fcm = await t.admin('PUT', '/admin/push/providers/fcm', {
      serviceAccount: { ...platforms.fcm.serviceAccount, private_key: 'not a key' },
    });
    expect(fcm.statusCode).toBe(400);
    expect(fcm.body).toMatch(/fcm credentials/);
    const apns = await t.admin('PUT', '/admin/push/providers/apns', {
      ...platforms.apns.credentials,
      keyId: 'x',
      production: true,
    });
    expect(apns.statusCode).toBe(400);
    expect(apns.body).not.toContain(platforms.apns.credentials.keyP8.split('\n')[1]);
    const web = await t.admin('PUT', '/admin/push/providers/webpush', {
      subject: 'nobody',
      publicKey: 'x',
      privateKey: 'y',
    });
    expect(web.statusCode).toBe(400);
    const settings = await t.admin('PUT', '/admin/push/settings', { externalPushUrl: 'ftp://x' });
    expect(settings.statusCode).toBe(400);
    const badWeb = await t.asUser(alice, 'POST', '/me/subscribe', { type: 'web', token: '{"endpoint":"nope"}' });
    expect(badWeb.statusCode).toBe(400);
  });

  it('a message notifies each device of each other member once, shaped and signed for its platform', async () => {
    expectOk(await t.asUser(alice, 'POST', '/rooms/garden/message', { message: 'tulips are up', messageType: 'text' }));
    const [entry] = await notificationsWhen(t, settled);
    expect(entry).toMatchObject({ kind: 'message', status: 'sent', clients: expect.arrayContaining(['bob', 'carol']) });
    expect(entry.clients).not.toContain('alice');
    expect(entry.clients).not.toContain('dave');
    expect(entry.clients).not.toContain('erin');
    const byTail = Object.fromEntries(entry.deliveries.map((d: any) => [`${d.provider}:${d.deviceType}`, d]));
    expect(Object.keys(byTail).sort()).toStrictEqual(['apns:ios', 'apns:ios-voip', 'fcm:android', 'webpush:web']);
    for (const delivery of entry.deliveries) expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });

    // FCM: IMKIT's chat-message form (spec 10.2), badge = Bob's unread.
    expect(platforms.fcm.received.map((r) => r.message.token)).toStrictEqual(['bob-android']);
    const fcm = platforms.fcm.received[0]!.message;
    expect(fcm.data).toMatchObject({
      'loc-key': 'im_loc_text',
      type: 'message',
      redirect: '/chat',
      room: 'garden',
      badge: '1',
    });
    expect(JSON.parse(fcm.data['loc-args'])).toStrictEqual(['Alice', 'tulips are up']);
    expect(JSON.parse(fcm.data.roomTags)).toStrictEqual(['plants']);
    expect(JSON.parse(fcm.data.payload)).toMatchObject({ message: 'tulips are up', room: 'garden' });
    expect(fcm.notification).toMatchObject({ title: 'Alice', body: 'tulips are up' });

    // APNs: an alert to Bob's iPhone, a VoIP push to Carol's.
    const apns = platforms.apns.received;
    expect(apns.map((r) => r.deviceToken).sort()).toStrictEqual([BOB_IOS, CAROL_VOIP].sort());
    const alert = apns.find((r) => r.deviceToken === BOB_IOS)!;
    expect(alert.headers['apns-push-type']).toBe('alert');
    expect(alert.headers['apns-topic']).toBe(platforms.apns.credentials.bundleId);
    expect(alert.body.aps).toMatchObject({
      badge: 1,
      alert: { 'loc-key': 'im_loc_text', 'loc-args': ['Alice', 'tulips are up'] },
    });
    const voip = apns.find((r) => r.deviceToken === CAROL_VOIP)!;
    expect(voip.headers['apns-push-type']).toBe('voip');
    expect(voip.headers['apns-topic']).toBe(`${platforms.apns.credentials.bundleId}.voip`);

    // Web Push: decrypted with Carol's subscription key, VAPID checked by the receiver.
    const [web] = await platforms.web.waitFor(1);
    expect(web!.name).toBe('carol-browser');
    expect(web!.payload).toMatchObject({ title: 'Alice', body: 'tulips are up' });
    expect(web!.vapid.subject).toBe('mailto:ops@example.com');
  });

  it('counts deliveries per provider and outcome on /metrics', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/parley_push_deliveries_total\{provider="fcm",outcome="sent"\} [1-9]/);
    expect(metrics.body).toMatch(/parley_push_deliveries_total\{provider="apns",outcome="sent"\} [1-9]/);
    expect(metrics.body).toMatch(/parley_push_deliveries_total\{provider="webpush",outcome="sent"\} [1-9]/);
  });

  it('removes a device the platform says is gone, and never tries it again', async () => {
    platforms.fcm.unregistered('bob-android');
    platforms.apns.answers.set(BOB_IOS, { status: 410, reason: 'Unregistered' });
    platforms.web.answers.set('carol-browser', { status: 410 });
    expectOk(await t.asUser(alice, 'POST', '/rooms/garden/message', { message: 'daffodils too', messageType: 'text' }));
    const [entry] = await notificationsWhen(t, (data) => data.length >= 2 && settled(data));
    const statuses = Object.fromEntries(entry.deliveries.map((d: any) => [d.deviceType, d.status]));
    expect(statuses).toMatchObject({ android: 'dead', ios: 'dead', web: 'dead', 'ios-voip': 'sent' });
    const dead = entry.deliveries.find((d: any) => d.deviceType === 'android');
    expect(dead.detail).toMatch(/UNREGISTERED/);
    expect(dead.detail).not.toContain('bob-android');
    expect(dead.tokenTail).toBe('ndroid');

    const fcmBefore = platforms.fcm.received.length;
    const apnsBefore = platforms.apns.received.length;
    expectOk(await t.asUser(alice, 'POST', '/rooms/garden/message', { message: 'and roses', messageType: 'text' }));
    const [next] = await notificationsWhen(t, (data) => data.length >= 3 && settled(data));
    expect(next.deliveries.map((d: any) => d.deviceType)).toStrictEqual(['ios-voip']);
    expect(platforms.fcm.received.length).toBe(fcmBefore);
    expect(platforms.apns.received.length).toBe(apnsBefore + 1);
  });

  it('retries what the platform asks to retry, and sends what was delivered only once', async () => {
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    const fresh = platforms.web.newSubscription('carol-laptop');
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'web', token: fresh.token }));
    platforms.apns.answers.set(CAROL_VOIP, { status: 429, reason: 'TooManyRequests' });
    const webBefore = platforms.web.received.length;
    expectOk(await t.asUser(alice, 'POST', '/rooms/garden/message', { message: 'storm coming', messageType: 'text' }));
    const [pending] = await notificationsWhen(t, (data) => data[0]?.deliveries?.some((d: any) => d.status === 'retry'));
    expect(pending.status).toBe('pending');
    platforms.apns.answers.delete(CAROL_VOIP);
    const [entry] = await notificationsWhen(t, (data) => data[0]?.status === 'sent', 10_000);
    const voip = entry.deliveries.find((d: any) => d.deviceType === 'ios-voip');
    expect(voip).toMatchObject({ status: 'sent', attempts: 2 });
    const web = entry.deliveries.find((d: any) => d.deviceType === 'web');
    expect(web).toMatchObject({ status: 'sent', attempts: 1 });
    expect(platforms.web.received.length).toBe(webBefore + 1);
  });

  it('never puts an encrypted room’s text in a push', async () => {
    await createRoom(t, { _id: 'vault', name: 'Vault', encrypted: true, members: ['alice', 'carol'] });
    platforms.apns.received.length = 0;
    expectOk(
      await t.asUser(alice, 'POST', '/rooms/vault/message', { message: 'c2VjcmV0|Y2lwaGVy', messageType: 'encrypted' }),
    );
    await notificationsWhen(t, (data) => data[0]?.payload?.room === 'vault' && settled(data));
    const [voip] = platforms.apns.received;
    expect(voip!.body.aps?.alert?.['loc-key'] ?? voip!.body['loc-key'] ?? 'im_loc_encrypted').toBe('im_loc_encrypted');
    expect(JSON.stringify(voip!.body)).not.toContain('secret');
    const [entry] = expectOk(await t.admin('GET', '/admin/push/notifications?limit=1')).data;
    expect(entry.payload).toMatchObject({ 'loc-key': 'im_loc_encrypted', body: '' });
  });

  it('push2clients and push2tokens reach the platforms with the caller’s payload', async () => {
    const before = platforms.fcm.received.length;
    expectOk(
      await t.admin('POST', '/push/push2tokens', {
        type: 'fcm',
        tokens: ['unregistered-elsewhere'],
        payload: { title: 'Maintenance', body: 'Tonight', badge: '3', collapseKey: 'ops' },
      }),
    );
    await notificationsWhen(t, settled);
    const sent = platforms.fcm.received.slice(before);
    expect(sent.map((r) => r.message.token)).toStrictEqual(['unregistered-elsewhere']);
    expect(sent[0]!.message.notification).toMatchObject({ title: 'Maintenance', body: 'Tonight' });
    expect(sent[0]!.message.android).toMatchObject({ collapse_key: 'ops' });

    for (const body of [{}, { type: 'fcm', tokens: [], payload: {} }, { type: 'pager', tokens: ['x'], payload: {} }]) {
      const response = await t.admin('POST', '/push/push2tokens', body);
      expect(response.statusCode).toBe(400);
    }
  });

  it('a constant badge replaces the unread count', async () => {
    expectOk(await t.admin('PUT', '/admin/push/settings', { constantBadge: 7, soundIos: 'chime.caf' }));
    platforms.apns.received.length = 0;
    expectOk(await t.asUser(alice, 'POST', '/rooms/garden/message', { message: 'badge?', messageType: 'text' }));
    await notificationsWhen(t, (data) => data[0]?.payload?.body === 'badge?' && settled(data));
    const [voip] = platforms.apns.received;
    expect(voip!.deviceToken).toBe(CAROL_VOIP);
    const web = platforms.web.received.at(-1)!;
    expect(web.payload).toMatchObject({ body: 'badge?', badge: 7 });
    expectOk(await t.admin('PUT', '/admin/push/settings', { constantBadge: null, soundIos: null }));
  });
});

/** History 11.4: IMKIT's external push services get v1 one request per receiver, v2 one per message. */
describe('IMKIT external push services', () => {
  let t: TestApp;
  let v1: WebhookReceiver;
  let v2: WebhookReceiver;
  beforeAll(async () => {
    v1 = await new WebhookReceiver().start();
    v2 = await new WebhookReceiver().start();
    t = await buildTestApp({ webhooks: { allowPrivate: true, maxAttempts: 3, retryBaseMs: 30, timeoutMs: 3000 } });
    await t.createUser('bob', { nickname: 'Bob' });
    await t.createUser('carol', { nickname: 'Carol' });
    expectOk(
      await t.admin('PUT', '/admin/push/settings', {
        externalPushUrl: `${v1.url}/push`,
        genericPushUrl: `${v2.url}/generic`,
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await v1?.stop();
    await v2?.stop();
  });

  it('sends receivers without any device here too, with badge and alert (v1) or pushToClients (v2), signed', async () => {
    const alice = await t.createUser('alice', { nickname: 'Alice' });
    await createRoom(t, { _id: 'lobby', name: 'Lobby', members: ['alice', 'bob', 'carol'] });
    expectOk(await t.asUser(alice, 'POST', '/rooms/lobby/message', { message: 'hi all', messageType: 'text' }));
    const perReceiver = await v1.waitFor(2);
    const [generic] = await v2.waitFor(1);
    const secret = expectOk(await t.admin('GET', '/admin/webhooks/secret')).secret;
    expect(verifySignature(secret, generic!)).toBe(true);
    expect(generic!.json).toMatchObject({ message: 'hi all', room: 'lobby', roomName: 'Lobby', messageType: 'text' });
    expect([...generic!.json.pushToClients].sort()).toStrictEqual(['bob', 'carol']);
    expect(perReceiver.map((r) => r.json.toClient).sort()).toStrictEqual(['bob', 'carol']);
    for (const request of perReceiver) {
      expect(verifySignature(secret, request)).toBe(true);
      expect(request.json).toMatchObject({
        message: 'hi all',
        badge: 1,
        alert: { 'loc-key': 'im_loc_text', 'loc-args': ['Alice', 'hi all'] },
      });
    }
  });
});

/** A restart in the middle of a notification loses nothing and sends nothing twice. */
describe('push across a restart', () => {
  let platforms: Platforms;
  let storage: Storage;
  beforeAll(async () => {
    platforms = await startPlatforms();
    storage = await freshDatabase();
  });
  afterAll(async () => {
    await platforms?.dispose();
    await storage?.dispose();
  });

  it('a notification half delivered when the server stops is finished by the next start', async () => {
    const secretsKey = randomBytes(32);
    const first = await buildTestApp(pushConfig(platforms, secretsKey), { storage });
    const alice = await first.createUser('alice', { nickname: 'Alice' });
    const bob = await first.createUser('bob', { nickname: 'Bob' });
    await configureProviders(first, platforms);
    expectOk(await first.asUser(bob, 'POST', '/me/subscribe', { type: 'fcm', token: 'bob-phone' }));
    expectOk(await first.asUser(bob, 'POST', '/me/subscribe', { type: 'ios', token: BOB_IOS }));
    await createRoom(first, { _id: 'r', members: ['alice', 'bob'] });
    platforms.fcm.unavailable('bob-phone', 1);
    expectOk(await first.asUser(alice, 'POST', '/rooms/r/message', { message: 'still there?', messageType: 'text' }));
    await notificationsWhen(first, (data) => data[0]?.deliveries?.some((d: any) => d.status === 'retry'));
    await first.close();
    expect(platforms.apns.received.filter((r) => r.deviceToken === BOB_IOS)).toHaveLength(1);

    platforms.fcm.answers.delete('bob-phone');
    const second = await buildTestApp(pushConfig(platforms, secretsKey), {
      storage,
      credentials: { apiKey: first.apiKey, clientKey: first.clientKey, appId: first.appId },
    });
    try {
      const [entry] = await notificationsWhen(second, (data) => data[0]?.status === 'sent', 10_000);
      expect(entry.deliveries.map((d: any) => [d.provider, d.status]).sort()).toStrictEqual([
        ['apns', 'sent'],
        ['fcm', 'sent'],
      ]);
      // The first start's attempt (answered 503) and the second start's.
      expect(platforms.fcm.received.filter((r) => r.message.token === 'bob-phone')).toHaveLength(2);
      expect(platforms.apns.received.filter((r) => r.deviceToken === BOB_IOS)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
