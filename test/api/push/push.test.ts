import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { verifySignature, WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { createRoom } from '../../helpers/factories.js';
import { shapeB } from '../../helpers/errors.js';

async function notifications(t: TestApp): Promise<any[]> {
  const deadline = Date.now() + 5000;
  let data: any[] = [];
  do {
    data = expectOk(await t.admin('GET', '/admin/push/notifications?limit=100')).data;
    if (data.every((entry) => entry.status !== 'pending')) return data;
    await sleep(30);
  } while (Date.now() < deadline);
  return data;
}

/** Push notifications (spec 10, 1.11): recorded, then handed to the provider; here the HTTP one, signed like webhooks. */
describe('push notifications through the HTTP provider', () => {
  let t: TestApp;
  let gateway: WebhookReceiver;
  let alice: string;
  beforeAll(async () => {
    gateway = await new WebhookReceiver().start();
    t = await buildTestApp({
      push: { provider: 'http', httpUrl: `${gateway.url}/push` },
      webhooks: { allowPrivate: true, maxAttempts: 3, retryBaseMs: 30, timeoutMs: 2000 },
    });
    alice = await t.createUser('alice', { nickname: 'Alice' });
    const bob = await t.createUser('bob', { nickname: 'Bob' });
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    expectOk(await t.asUser(bob, 'POST', '/me/subscribe', { type: 'fcm', token: 'bob-phone' }));
    expectOk(await t.asUser(carol, 'POST', '/me/subscribe', { type: 'ios', token: 'carol-phone' }));
    expectOk(await t.asUser(alice, 'POST', '/me/subscribe', { type: 'web', token: 'alice-web' }));
    await createRoom(t, { _id: 'chat', name: 'Chat', members: ['alice', 'bob', 'carol'] });
  });
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  it('push2clients: 200 {} at once, then the devices of the users get it, signed', async () => {
    gateway.received.length = 0;
    const response = await t.admin('POST', '/push/push2clients', {
      clients: ['bob', 'nobody'],
      payload: { title: 'Hi', body: 'There', badge: '99' },
    });
    expect(response.json()).toStrictEqual({ RC: 0, RM: 'OK', result: {} });
    const [request] = await gateway.waitFor(1);
    const secret = expectOk(await t.admin('GET', '/admin/webhooks/secret')).secret;
    expect(verifySignature(secret, request!)).toBe(true);
    expect(request!.json).toMatchObject({
      appID: t.appId,
      kind: 'custom',
      devices: [{ client: 'bob', type: 'fcm', token: 'bob-phone' }],
      payload: { title: 'Hi', body: 'There', badge: 99 },
    });
  });

  it('refuses a push without clients or payload with 400 MISSING_PARAMETER', async () => {
    for (const body of [
      {},
      { clients: ['bob'] },
      { payload: {} },
      { clients: 'bob', payload: {} },
      { clients: [], payload: {} },
    ]) {
      const response = await t.admin('POST', '/push/push2clients', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toStrictEqual(
        shapeB(400, 'Bad Request', 'MISSING_PARAMETER', 'clients and payload are required'),
      );
    }
  });

  it('notifies the other members of a new message, not the sender, not who muted the room, not with push: false', async () => {
    await notifications(t);
    gateway.received.length = 0;
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    expectOk(await t.asUser(carol, 'POST', '/me/mute/chat'));
    expectOk(await t.asUser(alice, 'POST', '/rooms/chat/message', { message: 'lunch?', messageType: 'text' }));
    const [request] = await gateway.waitFor(1);
    expect(request!.json).toMatchObject({
      kind: 'message',
      devices: [{ client: 'bob', token: 'bob-phone' }],
      payload: {
        title: 'Alice',
        body: 'lunch?',
        'loc-key': 'im_loc_text',
        'loc-args': ['Alice', 'lunch?'],
        room: 'chat',
      },
    });
    expectOk(
      await t.admin('POST', '/messages', {
        room: 'chat',
        sender: 'alice',
        message: 'quiet',
        messageType: 'text',
        push: false,
      }),
    );
    await sleep(400);
    expect(gateway.received).toHaveLength(1);
    const log = await notifications(t);
    expect(log[0]).toMatchObject({ kind: 'message', clients: ['bob'], status: 'sent', devices: 1, provider: 'http' });
  });

  it('records nothing for a message when no member who may be notified has a device', async () => {
    await notifications(t);
    const before = (await notifications(t)).length;
    const dan = await t.createUser('dan', { nickname: 'Dan' });
    await t.createUser('erin', { nickname: 'Erin' });
    // Alice has a device, but she is the sender.
    await createRoom(t, { _id: 'no-devices', members: ['alice', 'dan', 'erin'] });
    expectOk(await t.asUser(alice, 'POST', '/rooms/no-devices/message', { message: 'anyone?', messageType: 'text' }));
    expectOk(await t.asUser(dan, 'POST', '/rooms/no-devices/message', { message: 'me', messageType: 'text' }));
    await sleep(300);
    // Dan's message reaches Alice's device; Alice's reaches no one and is not recorded.
    const log = await notifications(t);
    expect(log).toHaveLength(before + 1);
    expect(log[0]).toMatchObject({ kind: 'message', clients: ['alice'] });
  });

  it('notifies the users of a member group who have a device', async () => {
    await notifications(t);
    gateway.received.length = 0;
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'push-team', nickname: 'Team', members: ['bob', 'dan'] }));
    await createRoom(t, { _id: 'team-room', members: ['erin', 'push-team'] });
    const erin = await t.createUser('erin', { nickname: 'Erin' });
    expectOk(await t.asUser(erin, 'POST', '/rooms/team-room/message', { message: 'team!', messageType: 'text' }));
    const [request] = await gateway.waitFor(1);
    expect(request!.json).toMatchObject({ kind: 'message', devices: [{ client: 'bob', token: 'bob-phone' }] });
    expect((await notifications(t))[0]).toMatchObject({ kind: 'message', clients: ['bob'] });
  });

  it('tries again when the provider fails, then records the failure', async () => {
    await notifications(t);
    gateway.received.length = 0;
    gateway.respond = (_request, index) => ({ status: index === 0 ? 503 : 200 });
    expectOk(await t.admin('POST', '/push/push2clients', { clients: ['bob'], payload: { title: 'retry' } }));
    await gateway.waitFor(2, 8000);
    const log = await notifications(t);
    expect(log[0]).toMatchObject({ status: 'sent', attempts: 2 });
    gateway.respond = () => ({ status: 200 });
  });
});

describe('push audience of an app that had no devices or groups', () => {
  let t: TestApp;
  let gateway: WebhookReceiver;
  beforeAll(async () => {
    gateway = await new WebhookReceiver().start();
    t = await buildTestApp({
      push: { provider: 'http', httpUrl: `${gateway.url}/push` },
      webhooks: { allowPrivate: true, maxAttempts: 3, retryBaseMs: 30, timeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  it('notifies a device registered, and a group created, right after messages found none', async () => {
    const ann = await t.createUser('ann', { nickname: 'Ann' });
    const ben = await t.createUser('ben', { nickname: 'Ben' });
    await t.createUser('cy', { nickname: 'Cy' });
    await createRoom(t, { _id: 'fresh', members: ['ann', 'ben'] });
    expectOk(
      await t.asUser(ann, 'POST', '/rooms/fresh/message', { message: 'nobody has a phone', messageType: 'text' }),
    );
    await sleep(100);
    expect(await notifications(t)).toHaveLength(0);
    // Well within the 5 s an app's "no devices" is kept: only the registration's event explains a push.
    expectOk(await t.asUser(ben, 'POST', '/me/subscribe', { type: 'fcm', token: 'ben-phone' }));
    expectOk(await t.asUser(ann, 'POST', '/rooms/fresh/message', { message: 'now?', messageType: 'text' }));
    const [request] = await gateway.waitFor(1);
    expect(request!.json).toMatchObject({ kind: 'message', devices: [{ client: 'ben', token: 'ben-phone' }] });

    const cy = await t.createUser('cy');
    expectOk(await t.asUser(cy, 'POST', '/me/subscribe', { type: 'fcm', token: 'cy-phone' }));
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: ['cy'] }));
    await createRoom(t, { _id: 'crew-room', members: ['ann', 'crew'] });
    gateway.received.length = 0;
    expectOk(await t.asUser(ann, 'POST', '/rooms/crew-room/message', { message: 'crew?', messageType: 'text' }));
    const [crew] = await gateway.waitFor(1);
    expect(crew!.json).toMatchObject({ kind: 'message', devices: [{ client: 'cy', token: 'cy-phone' }] });
  });
});
