import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net, { type AddressInfo, type Socket } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApnsCredentials,
  ApnsSender,
  apnsRequestOf,
  parseApnsCredentials,
} from '../../../src/modules/push/delivery/apns-sender.js';
import type {
  DeliveryOutcome,
  DeviceTarget,
  PushContent,
  SenderTransport,
} from '../../../src/modules/push/delivery/contract.js';
import { type FakeApns, startFakeApns } from '../../helpers/push-fakes/fake-apns.js';

const newToken = () => randomBytes(32).toString('hex');
const device = (token = newToken(), type: DeviceTarget['type'] = 'ios'): DeviceTarget => ({
  type,
  token,
  userId: 'u1',
  deviceId: 'd1',
});

const message = {
  _id: '5dd51a4f21841443cfd3090d',
  message: 'hello there',
  room: 'demo-room',
  sender: { _id: 'alice', nickname: 'Alice' },
  messageType: 'text',
  messageTimeMS: 1_700_000_000_000,
};

function chatContent(overrides: Partial<PushContent> = {}): PushContent {
  return {
    kind: 'message',
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    type: 'message',
    title: 'Demo Room',
    body: 'Alice: hello there',
    locKey: 'im_loc_text',
    locArgs: ['Alice', 'hello there'],
    badge: 3,
    sound: 'default',
    collapseKey: 'demo-room',
    data: {
      type: 'message',
      payload: JSON.stringify(message),
      redirect: '/chat',
      roomTags: '["vip"]',
      room: 'demo-room',
      messageId: message._id,
    },
    ...overrides,
  };
}

function customContent(overrides: Partial<PushContent> = {}): PushContent {
  return {
    kind: 'custom',
    id: 'n-42',
    type: 'promo',
    alert: 'Sale starts now',
    badge: 99,
    sound: 'chime.caf',
    expiry: 1_900_000_000,
    data: { payload: JSON.stringify({ type: 'promo', code: 'SPRING' }) },
    ...overrides,
  };
}

const credentials: ApnsCredentials = {
  keyP8: 'unused by the mapping',
  keyId: 'ABCDE12345',
  teamId: 'TEAM123456',
  bundleId: 'com.example.parley',
  production: true,
};

describe('apnsRequestOf', () => {
  it("maps a chat message to IMKIT's alert with loc-key, the message object as payload and the data fields", () => {
    const token = newToken();
    const request = apnsRequestOf(device(token), chatContent(), credentials);
    expect(request.path).toBe(`/3/device/${token}`);
    expect(request.headers).toStrictEqual({
      'apns-push-type': 'alert',
      'apns-topic': 'com.example.parley',
      'apns-priority': '10',
      'apns-expiration': '0',
      'apns-collapse-id': 'demo-room',
      'apns-id': '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    expect(JSON.parse(request.body)).toStrictEqual({
      aps: {
        alert: {
          title: 'Demo Room',
          body: 'Alice: hello there',
          'loc-key': 'im_loc_text',
          'loc-args': ['Alice', 'hello there'],
        },
        badge: 3,
        sound: 'default',
        'mutable-content': 1,
      },
      payload: message,
      type: 'message',
      redirect: '/chat',
      roomTags: '["vip"]',
      room: 'demo-room',
      messageId: message._id,
    });
  });

  it("gives a custom push's alert as is, on the caller's topic, with its expiry", () => {
    const request = apnsRequestOf(device(), customContent({ topic: 'com.example.other' }), credentials);
    expect(request.headers).toStrictEqual({
      'apns-push-type': 'alert',
      'apns-topic': 'com.example.other',
      'apns-priority': '10',
      'apns-expiration': '1900000000',
    });
    expect(JSON.parse(request.body)).toStrictEqual({
      aps: { alert: 'Sale starts now', badge: 99, sound: 'chime.caf' },
      payload: { type: 'promo', code: 'SPRING' },
    });
    const localized = customContent({ alert: { 'loc-key': 'promo_key', 'loc-args': ['x'] } });
    expect(JSON.parse(apnsRequestOf(device(), localized, credentials).body).aps.alert).toStrictEqual({
      'loc-key': 'promo_key',
      'loc-args': ['x'],
    });
  });

  it('sends a VoIP push with the data and no alert, on <topic>.voip', () => {
    const request = apnsRequestOf(device(newToken(), 'ios-voip'), chatContent(), credentials);
    expect(request.headers['apns-push-type']).toBe('voip');
    expect(request.headers['apns-topic']).toBe('com.example.parley.voip');
    expect(request.headers['apns-priority']).toBe('10');
    const body = JSON.parse(request.body);
    expect(body.aps).toStrictEqual({});
    expect(body.payload).toStrictEqual(message);
    expect(body.messageId).toBe(message._id);
  });

  it('sends a background push at priority 5 when there is nothing to show', () => {
    const request = apnsRequestOf(device(), customContent({ alert: undefined, badge: undefined, sound: undefined }), {
      ...credentials,
    });
    expect(request.headers['apns-push-type']).toBe('background');
    expect(request.headers['apns-priority']).toBe('5');
    expect(JSON.parse(request.body).aps).toStrictEqual({ 'content-available': 1 });
  });

  it('cuts a collapse id to 64 bytes and leaves out an apns-id that is not a UUID', () => {
    const request = apnsRequestOf(device(), customContent({ collapseKey: 'é'.repeat(40) }), credentials);
    expect(request.headers['apns-collapse-id']).toBe('é'.repeat(32));
    expect(request.headers['apns-id']).toBeUndefined();
  });

  it('shortens the texts of a payload over 4 KB instead of failing, keeping every id', () => {
    const long = 'ab😀'.repeat(2000);
    const content = chatContent({
      body: `Alice: ${long}`,
      locArgs: ['Alice', long],
      data: { ...chatContent().data, payload: JSON.stringify({ ...message, message: long }) },
    });
    const request = apnsRequestOf(device(), content, credentials);
    expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(4096);
    const body = JSON.parse(request.body);
    expect(body.aps.alert['loc-args'][0]).toBe('Alice');
    expect(body.aps.alert['loc-args'][1]).toMatch(/^(ab😀)+a?b?…$/u);
    expect(body.payload._id).toBe(message._id);
    expect(body.payload.sender).toStrictEqual(message.sender);
    expect(body.payload.message.endsWith('…')).toBe(true);
    expect(body.messageId).toBe(message._id);
    // The caller's content is untouched.
    expect(content.locArgs?.[1]).toBe(long);

    const voip = apnsRequestOf(device(newToken(), 'ios-voip'), content, credentials);
    const voipSize = Buffer.byteLength(voip.body);
    expect(voipSize).toBeLessThanOrEqual(5120);
    expect(voipSize).toBeGreaterThan(4096);
  });

  it('drops the largest data field when shortening the texts is not enough', () => {
    const bulky = { ...message, attachments: Array.from({ length: 600 }, (_, index) => `file-${index}`) };
    const content = chatContent({ data: { ...chatContent().data, payload: JSON.stringify(bulky) } });
    const body = JSON.parse(apnsRequestOf(device(), content, credentials).body);
    expect(body.payload).toBeUndefined();
    expect(body.messageId).toBe(message._id);
    expect(body.aps.alert['loc-args']).toStrictEqual(['Alice', 'hello there']);
  });
});

describe('parseApnsCredentials', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const valid = {
    keyP8: key,
    keyId: 'ABCDE12345',
    teamId: 'TEAM123456',
    bundleId: 'com.example.app',
    production: true,
  };

  it('accepts a .p8 key and the ids, also with the line breaks of the key escaped', () => {
    expect(parseApnsCredentials(valid)).toStrictEqual({ ...valid, keyP8: key.trim() });
    expect(parseApnsCredentials({ ...valid, keyP8: key.replace(/\n/g, '\\n') }).keyP8).toBe(key.trim());
  });

  it('refuses bad fields with a message naming the field and never the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cases: Array<[unknown, RegExp]> = [
      [null, /must be an object/],
      ['text', /must be an object/],
      [{ ...valid, keyId: 'SHORT' }, /keyId must be 10/],
      [{ ...valid, keyId: 'ABCDE-1234' }, /keyId must be 10/],
      [{ ...valid, teamId: undefined }, /teamId is required/],
      [{ ...valid, bundleId: 'app' }, /bundleId must be a reverse-DNS/],
      [{ ...valid, bundleId: 'com.example/app' }, /bundleId must be a reverse-DNS/],
      [{ ...valid, production: 'yes' }, /production must be true or false/],
      [{ ...valid, production: undefined }, /production must be true or false/],
      [{ ...valid, keyP8: 'not a key' }, /keyP8 is not a readable PEM private key/],
      [{ ...valid, keyP8: key.slice(0, 120) }, /keyP8 is not a readable PEM private key/],
      [{ ...valid, keyP8: rsa }, /keyP8 must be an EC P-256 private key/],
      [{ ...valid, keyP8: p384 }, /keyP8 must be an EC P-256 private key/],
    ];
    for (const [input, expected] of cases) {
      let message = '';
      try {
        parseApnsCredentials(input);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(expected);
      expect(message).not.toContain('PRIVATE KEY');
      expect(message).not.toContain(key.split('\n')[1]);
    }
  });
});

describe('ApnsSender against a local APNs', () => {
  let fake: FakeApns;
  const senders: ApnsSender[] = [];
  const outcomes: DeliveryOutcome[] = [];

  const transport = (overrides: Partial<SenderTransport & { url?: string }> = {}) => ({
    url: fake.url,
    ca: fake.ca,
    timeoutMs: 2000,
    allowPrivate: true,
    ...overrides,
  });
  const newSender = (
    options: { credentials?: ApnsCredentials; now?: () => number } & Partial<SenderTransport & { url: string }> = {},
  ) => {
    const { credentials: own, now, ...rest } = options;
    const sender = new ApnsSender(own ?? fake.credentials, transport(rest), { now });
    senders.push(sender);
    return sender;
  };
  const send = async (sender: ApnsSender, target: DeviceTarget, content: PushContent) => {
    const outcome = await sender.send(target, content);
    outcomes.push(outcome);
    return outcome;
  };
  const lastRequest = () => fake.received.at(-1)!;

  beforeAll(async () => {
    fake = await startFakeApns();
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    fake.answers.clear();
  });
  afterAll(async () => {
    await fake.close();
    // No detail ever holds the key, a provider token or a whole device token.
    const secrets = [
      ...fake.credentials.keyP8.split('\n').filter((line) => line.length > 20),
      ...fake.received.map((request) => request.headers.authorization?.slice(7) ?? 'none'),
      ...fake.received.map((request) => request.deviceToken).filter((token) => token.length > 6),
    ];
    expect(outcomes.length).toBeGreaterThan(10);
    for (const outcome of outcomes) {
      const detail = 'detail' in outcome ? (outcome.detail ?? '') : '';
      expect(detail.length).toBeLessThan(100);
      for (const secret of secrets) expect(detail).not.toContain(secret);
    }
  });

  it('delivers a chat message with the headers and body APNs expects', async () => {
    const sender = newSender();
    const token = newToken();
    const outcome = await send(sender, device(token), chatContent());
    expect(outcome).toStrictEqual({ status: 'sent', detail: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    const request = lastRequest();
    expect(request.status).toBe(200);
    expect(request.deviceToken).toBe(token);
    expect(request.headers).toMatchObject({
      'apns-push-type': 'alert',
      'apns-topic': fake.credentials.bundleId,
      'apns-priority': '10',
      'apns-expiration': '0',
      'apns-collapse-id': 'demo-room',
      'content-type': 'application/json',
    });
    expect(request.body.aps.alert['loc-key']).toBe('im_loc_text');
    expect(request.body.aps['mutable-content']).toBe(1);
    expect(request.body.payload).toStrictEqual(message);
    const jwt = request.headers.authorization!.replace(/^bearer /, '');
    expect(decodeProtectedHeader(jwt)).toStrictEqual({ alg: 'ES256', kid: fake.credentials.keyId });
    const claims = decodeJwt(jwt);
    expect(Object.keys(claims).sort()).toStrictEqual(['iat', 'iss']);
    expect(claims.iss).toBe(fake.credentials.teamId);
  });

  it('delivers a custom push with a string alert, and a VoIP push to an ios-voip device', async () => {
    const sender = newSender();
    const custom = await send(sender, device(), customContent());
    expect(custom.status).toBe('sent');
    expect(custom.detail).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastRequest().body).toStrictEqual({
      aps: { alert: 'Sale starts now', badge: 99, sound: 'chime.caf' },
      payload: { type: 'promo', code: 'SPRING' },
    });
    expect(lastRequest().headers['apns-expiration']).toBe('1900000000');

    expect((await send(sender, device(newToken(), 'ios-voip'), chatContent())).status).toBe('sent');
    expect(lastRequest().headers).toMatchObject({
      'apns-push-type': 'voip',
      'apns-topic': `${fake.credentials.bundleId}.voip`,
    });
    expect(lastRequest().body.aps).toStrictEqual({});
    expect(lastRequest().body.payload).toStrictEqual(message);
  });

  it('reuses its provider token for 50 minutes, then signs a new one', async () => {
    // The clock starts 55 minutes back, so that every token is still under an hour old for the fake.
    let now = Date.now() - 55 * 60_000;
    const sender = newSender({ now: () => now });
    const authorizations: string[] = [];
    for (const minutes of [0, 1, 48]) {
      now += minutes * 60_000;
      expect((await send(sender, device(), chatContent())).status).toBe('sent');
      authorizations.push(lastRequest().headers.authorization!);
    }
    expect(new Set(authorizations).size).toBe(1);
    now += 5 * 60_000;
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect(lastRequest().headers.authorization).not.toBe(authorizations[0]);
    expect(fake.connections).toBeGreaterThan(0);
  });

  it('signs a new token after ExpiredProviderToken and asks for a retry', async () => {
    const sender = newSender();
    const token = newToken();
    fake.answers.set(token, { status: 403, reason: 'ExpiredProviderToken' });
    expect(await send(sender, device(token), chatContent())).toStrictEqual({
      status: 'retry',
      detail: '403 ExpiredProviderToken',
    });
    const first = lastRequest().headers.authorization;
    fake.answers.delete(token);
    expect((await send(sender, device(token), chatContent())).status).toBe('sent');
    expect(lastRequest().headers.authorization).not.toBe(first);
  });

  it('reports gone device tokens as dead', async () => {
    const sender = newSender();
    const unregistered = newToken();
    const bad = newToken();
    const otherTopic = newToken();
    fake.answers.set(unregistered, { status: 410, reason: 'Unregistered' });
    fake.answers.set(bad, { status: 400, reason: 'BadDeviceToken' });
    fake.answers.set(otherTopic, { status: 400, reason: 'DeviceTokenNotForTopic' });
    expect(await send(sender, device(unregistered), chatContent())).toStrictEqual({
      status: 'dead',
      detail: '410 Unregistered',
    });
    expect(await send(sender, device(bad), chatContent())).toStrictEqual({
      status: 'dead',
      detail: '400 BadDeviceToken',
    });
    expect(await send(sender, device(otherTopic), chatContent())).toStrictEqual({
      status: 'dead',
      detail: '400 DeviceTokenNotForTopic',
    });
  });

  it('reports a token that is not hex as dead without asking APNs', async () => {
    const sender = newSender();
    const before = fake.received.length;
    for (const token of ['abc', 'z'.repeat(64), `${newToken()}/../x`, 'f'.repeat(201)]) {
      expect((await send(sender, device(token), chatContent())).status).toBe('dead');
    }
    expect((await send(sender, { ...device(), type: 'android' }, chatContent())).status).toBe('failed');
    expect(fake.received.length).toBe(before);
  });

  it('asks for a retry on 429 and 5xx, with the retry-after given', async () => {
    const sender = newSender();
    const busy = newToken();
    const down = newToken();
    fake.answers.set(busy, { status: 429, reason: 'TooManyRequests', retryAfter: 30 });
    fake.answers.set(down, { status: 503, reason: 'ServiceUnavailable' });
    expect(await send(sender, device(busy), chatContent())).toStrictEqual({
      status: 'retry',
      detail: '429 TooManyRequests',
      retryAfterMs: 30_000,
    });
    expect(await send(sender, device(down), chatContent())).toStrictEqual({
      status: 'retry',
      detail: '503 ServiceUnavailable',
    });
  });

  it('fails, without retrying, with a key APNs does not know or a topic it refuses', async () => {
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const wrongKey = newSender({ credentials: { ...fake.credentials, keyP8: otherKey } });
    expect(await send(wrongKey, device(), chatContent())).toStrictEqual({
      status: 'failed',
      detail: '403 InvalidProviderToken',
    });
    const sender = newSender();
    expect(await send(sender, device(), chatContent({ topic: 'com.example.other' }))).toStrictEqual({
      status: 'failed',
      detail: '400 TopicDisallowed',
    });
  });

  it('opens a new session after APNs closed the connection', async () => {
    const sender = newSender();
    const before = fake.connections;
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect(fake.connections).toBe(before + 1);
    await fake.dropConnections();
    expect(fake.openConnections).toBe(0);
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect(fake.connections).toBe(before + 2);
  });

  it('asks for a retry after a timeout, and keeps a session that still answers', async () => {
    const sender = newSender({ timeoutMs: 300 });
    const slow = newToken();
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    const before = fake.connections;
    fake.answers.set(slow, { status: 200, delayMs: 2000 });
    expect(await send(sender, device(slow), chatContent())).toStrictEqual({
      status: 'retry',
      detail: 'timeout after 300 ms',
    });
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect(fake.connections).toBe(before);
  });

  it('gives up a connection that never completes its handshake, and opens another', async () => {
    const held: Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const sender = newSender({ url, timeoutMs: 200 });
      for (const expected of [1, 2]) {
        expect(await send(sender, device(), chatContent())).toStrictEqual({
          status: 'retry',
          detail: 'timeout after 200 ms',
        });
        expect(held.length).toBe(expected);
      }
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('asks for a retry when APNs cannot be reached or its certificate is not trusted', async () => {
    const refused = newSender({ url: 'https://127.0.0.1:1' });
    expect(await send(refused, device(), chatContent())).toStrictEqual({
      status: 'retry',
      detail: 'network error: ECONNREFUSED',
    });
    const untrusted = newSender({ ca: undefined });
    const outcome = await send(untrusted, device(), chatContent());
    expect(outcome.status).toBe('retry');
    expect(outcome.detail).toMatch(/^network error: /);
  });

  it('fails without connecting when private addresses are not allowed', async () => {
    const before = fake.connections;
    const port = new URL(fake.url).port;
    for (const url of [fake.url, `https://localhost:${port}`]) {
      const sender = newSender({ url, allowPrivate: false });
      expect(await send(sender, device(), chatContent())).toStrictEqual({
        status: 'failed',
        detail: 'APNs URL refused: the host resolves to a loopback or private address',
      });
    }
    expect(fake.connections).toBe(before);
  });

  it('sends in parallel over one session with one provider token', async () => {
    const sender = newSender();
    const before = fake.connections;
    const from = fake.received.length;
    const results = await Promise.all(Array.from({ length: 20 }, () => send(sender, device(), chatContent())));
    expect(results.every((outcome) => outcome.status === 'sent')).toBe(true);
    expect(fake.connections).toBe(before + 1);
    expect(new Set(fake.received.slice(from).map((request) => request.headers.authorization)).size).toBe(1);
  });

  it('close() ends its session and leaves no open handle', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
    await expect.poll(() => fake.openConnections).toBe(0);
    const baseline = sockets();
    const sender = newSender();
    expect((await send(sender, device(), chatContent())).status).toBe('sent');
    expect(fake.openConnections).toBe(1);
    // Both ends of the connection: the sender's and the fake's.
    expect(sockets()).toBe(baseline + 2);
    await sender.close();
    await expect.poll(() => fake.openConnections).toBe(0);
    await expect.poll(sockets).toBe(baseline);
    expect((await send(sender, device(), chatContent())).status).toBe('retry');
  });
});
