import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { verifySignature, WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { createRoom } from '../../helpers/factories.js';

const FAST = { allowPrivate: true, maxAttempts: 4, retryBaseMs: 30, timeoutMs: 2000 };

async function deliveries(t: TestApp, status?: string): Promise<any[]> {
  return expectOk(await t.admin('GET', `/admin/webhooks/deliveries?limit=100${status ? `&status=${status}` : ''}`))
    .data;
}

async function settle(t: TestApp, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await deliveries(t, 'pending')).length > 0 && Date.now() < deadline) await sleep(30);
}

describe('webhooks: signed, retried, durable (spec 11, issue 5)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let secret: string;
  beforeAll(async () => {
    t = await buildTestApp({ webhooks: FAST });
    receiver = await new WebhookReceiver().start();
    await t.createUser('alice', { nickname: 'Alice' });
    await t.createUser('bob', { nickname: 'Bob' });
    await t.admin('POST', '/admin/clients', { _id: 'bot', nickname: 'Bot', isRobot: true });
    secret = expectOk(await t.admin('GET', '/admin/webhooks/secret')).secret;
    expect(secret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('posts a signed MESSAGE event with all six fields to the room webhook', async () => {
    receiver.received.length = 0;
    await createRoom(t, {
      _id: 'hooked',
      members: ['alice', 'bob'],
      webhook: `${receiver.url}/room`,
      botState: 'CONTACT',
    });
    await receiver.waitFor(1);
    receiver.received.length = 0;
    const sent = expectOk(
      await t.admin('POST', '/messages', {
        room: 'hooked',
        sender: 'alice',
        message: 'hello hook',
        messageType: 'text',
      }),
    );
    const [request] = await receiver.waitFor(1);
    expect(request!.path).toBe('/room');
    expect(verifySignature(secret, request!)).toBe(true);
    expect(request!.headers['webhook-id']).toMatch(/^msg_/);
    expect(request!.json).toMatchObject({
      appID: t.appId,
      clientID: 'alice',
      roomID: 'hooked',
      event: 'MESSAGE',
      botState: 'CONTACT',
      data: {
        _id: sent._id,
        message: 'hello hook',
        room: 'hooked',
        messageType: 'text',
        sender: { _id: 'alice', nickname: 'Alice' },
      },
    });
  });

  it('reports member changes: ADD_MEMBERS, DELETE_MEMBERS (leaving too) and JOIN_ROOM', async () => {
    await settle(t);
    await createRoom(t, { _id: 'members-hooked', members: ['alice'], webhook: `${receiver.url}/m` });
    await settle(t);
    receiver.received.length = 0;
    expectOk(
      await t.admin('POST', '/rooms/members-hooked/members', { invitees: ['bob'] }, { 'im-client-id': 'alice' }),
    );
    expectOk(
      await t.admin('POST', '/rooms/members-hooked/delete/members', { members: ['bob'] }, { 'im-client-id': 'bob' }),
    );
    const bobToken = await t.createUser('bob', { nickname: 'Bob' });
    expectOk(await t.asUser(bobToken, 'POST', '/rooms/members-hooked/join'));
    await receiver.waitFor(3);
    await settle(t);
    const received = receiver.received.filter((request) => request.json.roomID === 'members-hooked');
    // Deliveries are concurrent: webhooks promise each event at least once, not their order.
    expect(
      received
        .map((request) => [
          request.json.event,
          request.json.clientID,
          request.json.data.members.map((member: any) => member._id),
        ])
        .sort(),
    ).toStrictEqual([
      ['ADD_MEMBERS', 'alice', ['bob']],
      ['DELETE_MEMBERS', 'bob', ['bob']],
      ['JOIN_ROOM', 'bob', ['bob']],
    ]);
  });

  it('retries on 5xx and delivers exactly once more after two failures, with the same webhook-id', async () => {
    await settle(t);
    receiver.received.length = 0;
    receiver.respond = (_request, index) => ({ status: index < 2 ? 503 : 200 });
    expectOk(
      await t.admin('POST', '/messages', { room: 'hooked', sender: 'bob', message: 'flaky', messageType: 'text' }),
    );
    const received = await receiver.waitFor(3);
    await sleep(300);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    await settle(t);
    const [delivery] = (await deliveries(t)).filter((entry) => entry.payload.data?.message === 'flaky');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
    receiver.respond = () => ({ status: 200 });
  });

  it('does not retry other 4xx: a dead letter at once, sent again by redeliver', async () => {
    await settle(t);
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 400 });
    expectOk(
      await t.admin('POST', '/messages', { room: 'hooked', sender: 'bob', message: 'rejected', messageType: 'text' }),
    );
    await receiver.waitFor(1);
    await settle(t);
    await sleep(200);
    expect(receiver.received).toHaveLength(1);
    const [dead] = (await deliveries(t, 'failed')).filter((entry) => entry.payload.data?.message === 'rejected');
    expect(dead).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 400 });
    receiver.respond = () => ({ status: 200 });
    expectOk(await t.admin('POST', `/admin/webhooks/deliveries/${dead.id}/redeliver`));
    await receiver.waitFor(2);
    await settle(t);
    expect(expectOk(await t.admin('GET', `/admin/webhooks/deliveries/${dead.id}`))).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
  });

  it('gives up after the last attempt on repeated 5xx and timeouts', async () => {
    await settle(t);
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 500 });
    expectOk(
      await t.admin('POST', '/messages', { room: 'hooked', sender: 'bob', message: 'doomed', messageType: 'text' }),
    );
    await receiver.waitFor(FAST.maxAttempts, 8000);
    await settle(t, 8000);
    const [dead] = (await deliveries(t, 'failed')).filter((entry) => entry.payload.data?.message === 'doomed');
    expect(dead).toMatchObject({ attempts: FAST.maxAttempts, lastStatus: 500 });
    expect(receiver.received).toHaveLength(FAST.maxAttempts);
    receiver.respond = () => ({ status: 200 });
  });

  it('signs with both secrets during a rotation', async () => {
    await settle(t);
    receiver.received.length = 0;
    const rotated = expectOk(await t.admin('POST', '/admin/webhooks/secret', { graceSeconds: 600 }));
    expect(rotated.secret).not.toBe(secret);
    expectOk(
      await t.admin('POST', '/messages', { room: 'hooked', sender: 'bob', message: 'rotating', messageType: 'text' }),
    );
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifySignature(secret, request!)).toBe(true);
    expect(verifySignature(rotated.secret, request!)).toBe(true);
    expect(verifySignature(`whsec_${Buffer.from('wrong').toString('base64')}`, request!)).toBe(false);
    secret = rotated.secret;
  });

  it('sends bot replies as messages and moves the bot state, in botMode rooms only, without looping', async () => {
    await settle(t);
    await createRoom(t, {
      _id: 'botroom',
      members: ['alice', 'bot'],
      webhook: `${receiver.url}/bot`,
      botMode: true,
    });
    await receiver.waitFor(receiver.received.length + 1);
    await settle(t);
    receiver.received.length = 0;
    receiver.respond = (request) =>
      request.json.event === 'MESSAGE'
        ? {
            status: 200,
            body: { toBotState: 'ASKED', data: { message: `echo: ${request.json.data.message}`, messageType: 'text' } },
          }
        : { status: 200 };
    expectOk(
      await t.admin('POST', '/messages', { room: 'botroom', sender: 'alice', message: 'ping', messageType: 'text' }),
    );
    await receiver.waitFor(1);
    await settle(t);
    await sleep(200);
    const messages = expectOk(await t.admin('GET', '/rooms/botroom/messages/v3')).data.map((message: any) => [
      message.sender._id,
      message.message,
    ]);
    expect(messages.slice(0, 2)).toStrictEqual([
      ['bot', 'echo: ping'],
      ['alice', 'ping'],
    ]);
    expect(expectOk(await t.admin('GET', '/rooms/botroom')).botState).toBe('ASKED');
    // The reply itself was not sent to the webhook.
    expect(receiver.received.filter((request) => request.json.event === 'MESSAGE')).toHaveLength(1);
    receiver.respond = () => ({ status: 200 });
  });

  it('resolves a webhook key against the base URL and sends every room to the app-wide URL', async () => {
    await settle(t);
    receiver.received.length = 0;
    expectOk(await t.admin('PUT', '/admin/webhooks', { baseUrl: `${receiver.url}/keys`, url: `${receiver.url}/all` }));
    await createRoom(t, { _id: 'keyed', members: ['alice'], webhook: 'sales-bot' });
    const received = await receiver.waitFor(2);
    expect(received.map((request) => request.path).sort()).toStrictEqual(['/all', '/keys/sales-bot']);
    expectOk(await t.admin('PUT', '/admin/webhooks', { baseUrl: null, url: null }));
  });
});

describe('webhooks: no requests to internal addresses unless allowed (SSRF)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await buildTestApp({ webhooks: { ...FAST, allowPrivate: false } });
    receiver = await new WebhookReceiver().start();
    await t.createUser('alice');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('refuses private URLs in the settings and never calls a room webhook on loopback', async () => {
    for (const url of [
      receiver.url,
      'http://10.0.0.1/x',
      'http://[::1]:80/x',
      'http://169.254.169.254/latest',
      'ftp://example.com/x',
    ]) {
      expect((await t.admin('PUT', '/admin/webhooks', { url })).statusCode, url).toBe(400);
    }
    await createRoom(t, { _id: 'local', members: ['alice'], webhook: `${receiver.url}/x` });
    await settle(t);
    await sleep(200);
    expect(receiver.received).toHaveLength(0);
    const [failed] = await deliveries(t, 'failed');
    expect(failed.lastError).toMatch(/destination refused/);
  });
});
