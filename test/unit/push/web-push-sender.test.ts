import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryOutcome, DeviceTarget, PushContent } from '../../../src/modules/push/delivery/contract.js';
import {
  InvalidWebSubscription,
  WebPushSender,
  generateVapidCredentials,
  parseVapidCredentials,
  parseWebSubscription,
} from '../../../src/modules/push/delivery/web-push-sender.js';
import { startWebPushReceiver, type WebPushReceiver } from '../../helpers/push-fakes/web-push-receiver.js';

const vapid = generateVapidCredentials('mailto:ops@example.com');
const transport = { timeoutMs: 2000, allowPrivate: true };

const webDevice = (token: string): DeviceTarget => ({ type: 'web', token, userId: 'u1', deviceId: 'd1' });

const chatMessage = (overrides: Partial<PushContent> = {}): PushContent => ({
  kind: 'message',
  id: 'n1',
  type: 'message',
  title: 'Alice',
  body: 'Hello Bob',
  locKey: 'im_loc_text',
  locArgs: ['Alice', 'Hello Bob'],
  badge: 2,
  collapseKey: 'room-1',
  data: { type: 'message', room: 'room-1', messageId: 'm1', redirect: '/chat' },
  ...overrides,
});

/** Every outcome of this file, to check none holds a secret. */
const outcomes: DeliveryOutcome[] = [];
const secrets: string[] = [vapid.privateKey];

let receiver: WebPushReceiver;
let sender: WebPushSender;

async function deliver(token: string, content: PushContent, through = sender): Promise<DeliveryOutcome> {
  const outcome = await through.send(webDevice(token), content);
  outcomes.push(outcome);
  return outcome;
}

function subscribe(name?: string, options?: { applicationServerKey?: string }) {
  const made = receiver.newSubscription(name, options);
  secrets.push(
    made.subscription.keys.auth,
    made.subscription.keys.p256dh,
    new URL(made.subscription.endpoint).pathname,
  );
  return made;
}

beforeAll(async () => {
  receiver = await startWebPushReceiver();
  sender = new WebPushSender(vapid, transport);
});

afterAll(async () => {
  await sender.close();
  await receiver.close();
});

describe('WebPushSender against a push service that decrypts', () => {
  it('delivers an aes128gcm payload the browser decrypts, signed with VAPID, with TTL, urgency and topic', async () => {
    const { name, token } = subscribe('alice-laptop', { applicationServerKey: vapid.publicKey });
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const outcome = await deliver(token, chatMessage({ expiry }));

    expect(outcome.status).toBe('sent');
    expect(outcome.detail).toMatch(/^[0-9a-f-]{36}$/);
    expect(receiver.received).toHaveLength(1);
    const push = receiver.received[0];
    expect(push?.name).toBe(name);
    expect(push?.payload).toEqual({
      title: 'Alice',
      body: 'Hello Bob',
      badge: 2,
      tag: 'room-1',
      data: { type: 'message', room: 'room-1', messageId: 'm1', redirect: '/chat' },
      locKey: 'im_loc_text',
      locArgs: ['Alice', 'Hello Bob'],
    });
    expect(push?.vapid).toEqual({ subject: 'mailto:ops@example.com', publicKey: vapid.publicKey });
    expect(push?.ttl).toBeGreaterThanOrEqual(598);
    expect(push?.ttl).toBeLessThanOrEqual(600);
    expect(push?.urgency).toBe('high');
    expect(push?.topic).toBe('room-1');
  });

  it('a custom push: normal urgency, a day of TTL, no topic when the collapse key is not a valid one', async () => {
    const { token } = subscribe();
    const outcome = await deliver(token, {
      kind: 'custom',
      id: 'n2',
      title: 'Sale',
      body: 'Today only',
      collapseKey: 'promo:2026/spring',
      data: { payload: '{"coupon":"X"}' },
    });
    expect(outcome.status).toBe('sent');
    const push = receiver.received.at(-1);
    expect(push?.urgency).toBe('normal');
    expect(push?.ttl).toBe(86_400);
    expect(push?.topic).toBeUndefined();
    expect(push?.payload).toEqual({
      title: 'Sale',
      body: 'Today only',
      tag: 'promo:2026/spring',
      data: { payload: '{"coupon":"X"}' },
    });
  });

  it('shortens a long body so that the message stays within the 4096 bytes a push service takes', async () => {
    const { token } = subscribe();
    const long = 'é'.repeat(5000);
    const outcome = await deliver(token, chatMessage({ body: long, locArgs: ['Alice', long] }));
    expect(outcome.status).toBe('sent');
    const payload = receiver.received.at(-1)?.payload;
    expect(payload.body.endsWith('…')).toBe(true);
    // Two bytes a character, in the body and again in its loc-arg: about 950 characters fit.
    expect(payload.body.length).toBeGreaterThan(900);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(3993);
  });

  it('410 and 404 say the subscription is gone: dead', async () => {
    const gone = subscribe();
    receiver.answers.set(gone.name, { status: 410 });
    expect(await deliver(gone.token, chatMessage())).toEqual({
      status: 'dead',
      detail: 'push service answered HTTP 410',
    });

    const unknown = subscribe();
    receiver.answers.set(unknown.name, { status: 404 });
    expect(await deliver(unknown.token, chatMessage())).toMatchObject({
      status: 'dead',
      detail: expect.stringContaining('404'),
    });
  });

  it('429 and 5xx: retry, after Retry-After when given', async () => {
    const busy = subscribe();
    receiver.answers.set(busy.name, { status: 429, retryAfter: 7 });
    expect(await deliver(busy.token, chatMessage())).toEqual({
      status: 'retry',
      detail: 'push service answered HTTP 429',
      retryAfterMs: 7000,
    });
    receiver.answers.set(busy.name, { status: 503 });
    expect(await deliver(busy.token, chatMessage())).toEqual({
      status: 'retry',
      detail: 'push service answered HTTP 503',
    });
  });

  it('400, 401, 403 and 413: failed, not retried', async () => {
    const refused = subscribe();
    for (const status of [400, 401, 403, 413]) {
      receiver.answers.set(refused.name, { status });
      expect(await deliver(refused.token, chatMessage())).toEqual({
        status: 'failed',
        detail: `push service answered HTTP ${status}`,
      });
    }
  });

  it('a subscription made for another VAPID key is refused by the push service (403, with its reason)', async () => {
    const other = generateVapidCredentials('https://example.com/contact');
    const { token } = subscribe(undefined, { applicationServerKey: other.publicKey });
    const outcome = await deliver(token, chatMessage());
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(/^push service answered HTTP 403: VAPID key is not/);
  });

  it('a token that is not a valid subscription is dead without any request', async () => {
    const before = receiver.attempts.length;
    const { subscription } = subscribe();
    const badTokens = [
      'not json',
      JSON.stringify({ endpoint: subscription.endpoint }),
      JSON.stringify({ ...subscription, keys: { ...subscription.keys, auth: 'c2hvcnQ' } }),
      JSON.stringify({ ...subscription, endpoint: 'ftp://127.0.0.1/push/x' }),
    ];
    for (const token of badTokens) {
      const outcome = await deliver(token, chatMessage());
      expect(outcome.status).toBe('dead');
      expect(outcome.detail).toMatch(/^invalid subscription: /);
    }
    expect(receiver.attempts.length).toBe(before);
  });

  it('a network error or a timeout: retry', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { subscription } = subscribe();
    const refusedToken = JSON.stringify({ ...subscription, endpoint: `http://127.0.0.1:${port}/push/x` });
    expect(await deliver(refusedToken, chatMessage())).toEqual({
      status: 'retry',
      detail: 'network error ECONNREFUSED',
    });

    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const impatient = new WebPushSender(vapid, { timeoutMs: 200, allowPrivate: true });
    try {
      const silentToken = JSON.stringify({
        ...subscription,
        endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/push/x`,
      });
      expect(await deliver(silentToken, chatMessage(), impatient)).toEqual({
        status: 'retry',
        detail: 'push service timed out',
      });
    } finally {
      await impatient.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a device of another platform is not sent to', async () => {
    const outcome = await sender.send({ ...webDevice('{}'), type: 'fcm' }, chatMessage());
    expect(outcome).toEqual({ status: 'failed', detail: 'not a web device (fcm)' });
  });
});

describe('the endpoint is chosen by a user: private addresses stay unreachable', () => {
  const LOOPBACK_NAME = 'loopback.parley-test';
  const realLookup = dns.lookup;
  let guarded: WebPushSender;

  beforeAll(() => {
    // A name server in process that answers the loopback address for one public-looking name.
    (dns as any).lookup = (host: string, options: any, callback?: any) => {
      if (typeof options === 'function') [callback, options] = [options, {}];
      if (host !== LOOPBACK_NAME) return (realLookup as any)(host, options, callback);
      const answers = [{ address: '127.0.0.1', family: 4 }];
      process.nextTick(() => (options?.all ? callback(null, answers) : callback(null, '127.0.0.1', 4)));
    };
    syncBuiltinESMExports();
    guarded = new WebPushSender(vapid, { timeoutMs: 2000, allowPrivate: false });
  });

  afterAll(async () => {
    (dns as any).lookup = realLookup;
    syncBuiltinESMExports();
    await guarded.close();
  });

  afterEach(() => receiver.answers.clear());

  it('an https endpoint whose name resolves to loopback is refused when connecting: dead, and says why', async () => {
    const before = receiver.attempts.length;
    const { subscription } = subscribe();
    const port = new URL(receiver.url).port;
    const token = JSON.stringify({ ...subscription, endpoint: `https://${LOOPBACK_NAME}:${port}/push/x` });
    expect(await deliver(token, chatMessage(), guarded)).toEqual({
      status: 'dead',
      detail: 'endpoint refused: the host resolves to a loopback or private address',
    });
    expect(receiver.attempts.length).toBe(before);
  });

  it('loopback and private literals, localhost and plain http are refused before any request', async () => {
    const before = receiver.attempts.length;
    const { subscription } = subscribe();
    const port = new URL(receiver.url).port;
    for (const endpoint of [
      `https://127.0.0.1:${port}/push/x`,
      `https://[::1]:${port}/push/x`,
      `https://[::ffff:127.0.0.1]:${port}/push/x`,
      `https://10.0.0.8/push/x`,
      `https://localhost:${port}/push/x`,
      `https://localhost.:${port}/push/x`,
      subscription.endpoint,
    ]) {
      const outcome = await deliver(JSON.stringify({ ...subscription, endpoint }), chatMessage(), guarded);
      expect(outcome.status, endpoint).toBe('dead');
      expect(outcome.detail, endpoint).toMatch(/^invalid subscription: endpoint must (not be a loopback|be an https)/);
    }
    expect(receiver.attempts.length).toBe(before);
  });
});

describe('parseWebSubscription', () => {
  const p256dh = 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM';
  const auth = 'tBHItJI5svbpez7KI4CCXg';
  const valid = { endpoint: 'https://push.example.net/send/abc', keys: { p256dh, auth } };
  const parse = (value: unknown, allowPrivate = false) =>
    parseWebSubscription(typeof value === 'string' ? value : JSON.stringify(value), { allowPrivate });

  it('accepts a browser subscription, and http only when private destinations are allowed', () => {
    expect(parse({ ...valid, expirationTime: null })).toEqual(valid);
    const local = { ...valid, endpoint: 'http://127.0.0.1:9/push/a' };
    expect(parse(local, true)).toEqual(local);
    expect(() => parse(local)).toThrow('endpoint must be an https URL');
  });

  it('refuses what is not one, with a reason that holds no key', () => {
    const refusals: Array<[unknown, string]> = [
      ['{', 'the token must be a PushSubscription as JSON'],
      [[valid], 'the token must be a PushSubscription as JSON'],
      [{ keys: valid.keys }, 'endpoint must be a URL'],
      [{ ...valid, endpoint: 'push.example.net/send' }, 'endpoint must be a URL'],
      [{ ...valid, endpoint: 'wss://push.example.net/send' }, 'endpoint must be an https URL'],
      [{ ...valid, endpoint: 'https://user:pw@push.example.net/send' }, 'endpoint must not hold credentials'],
      [{ ...valid, endpoint: 'https://192.168.1.4/send' }, 'endpoint must not be a loopback or private address'],
      [
        { ...valid, endpoint: 'https://android.googleapis.com/gcm/send/abc' },
        'the legacy GCM endpoint is no longer served',
      ],
      [{ endpoint: valid.endpoint }, 'keys.p256dh and keys.auth are required'],
      [{ ...valid, keys: { auth } }, 'keys.p256dh must be a base64url string'],
      [{ ...valid, keys: { p256dh: 'a+b/', auth } }, 'keys.p256dh must be a base64url string'],
      [{ ...valid, keys: { p256dh: p256dh.slice(0, 40), auth } }, 'keys.p256dh must be 65 bytes'],
      [{ ...valid, keys: { p256dh: `BA${p256dh.slice(2)}`, auth } }, 'keys.p256dh is not a P-256 public key'],
      [{ ...valid, keys: { p256dh, auth: auth.slice(0, 20) } }, 'keys.auth must be 16 bytes'],
      [{ ...valid, endpoint: `https://push.example.net/${'a'.repeat(5000)}` }, 'the subscription is too long'],
    ];
    for (const [value, message] of refusals) {
      let error: unknown;
      try {
        parse(value);
      } catch (caught) {
        error = caught;
      }
      expect(error, message).toBeInstanceOf(InvalidWebSubscription);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toContain(auth);
    }
  });
});

describe('VAPID credentials', () => {
  it('generates a pair that parses back, usable as a browser applicationServerKey', () => {
    const made = generateVapidCredentials('https://chat.example.com/contact');
    expect(parseVapidCredentials(made)).toEqual(made);
    expect(Buffer.from(made.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(made.privateKey, 'base64url')).toHaveLength(32);
    expect(() => generateVapidCredentials('http://chat.example.com')).toThrow('mailto: or https:');
  });

  it('refuses bad keys and subjects with a message that holds no key', () => {
    const other = generateVapidCredentials('mailto:ops@example.com');
    const refusals: Array<[unknown, string]> = [
      [null, 'VAPID credentials must be an object with publicKey, privateKey and subject'],
      [{ ...vapid, publicKey: undefined }, 'VAPID publicKey must be a base64url string (no padding)'],
      [{ ...vapid, publicKey: `${vapid.publicKey}=` }, 'VAPID publicKey must be a base64url string (no padding)'],
      [{ ...vapid, publicKey: vapid.publicKey.slice(0, 60) }, 'VAPID publicKey must be 65 bytes, base64url'],
      [{ ...vapid, privateKey: vapid.privateKey.slice(0, 40) }, 'VAPID privateKey must be 32 bytes, base64url'],
      [{ ...vapid, privateKey: Buffer.alloc(32).toString('base64url') }, 'VAPID privateKey is not a P-256 private key'],
      [{ ...vapid, publicKey: other.publicKey }, 'VAPID publicKey does not belong to privateKey'],
      [{ ...vapid, subject: undefined }, 'VAPID subject must be a mailto: or https: URL'],
      [{ ...vapid, subject: 'ops@example.com' }, 'VAPID subject must be a mailto: or https: URL'],
      [{ ...vapid, subject: 'http://example.com' }, 'VAPID subject must be a mailto: or https: URL'],
      [{ ...vapid, subject: 'mailto:nobody' }, 'VAPID subject must be a mailto: address (mailto:ops@example.com)'],
      [{ ...vapid, subject: 'https://localhost/contact' }, 'VAPID subject must not be a localhost URL'],
    ];
    for (const [input, message] of refusals) {
      let error: unknown;
      try {
        parseVapidCredentials(input);
      } catch (caught) {
        error = caught;
      }
      expect((error as Error | undefined)?.message, message).toBe(message);
      expect((error as Error).message).not.toContain(vapid.privateKey);
    }
    expect(() => new WebPushSender({ ...vapid, publicKey: other.publicKey }, transport)).toThrow(
      'VAPID publicKey does not belong to privateKey',
    );
  });
});

describe('outcome details', () => {
  it('never hold a key, an auth secret or a subscription endpoint', () => {
    expect(outcomes.length).toBeGreaterThan(20);
    for (const outcome of outcomes)
      for (const secret of secrets) expect(outcome.detail ?? '', outcome.status).not.toContain(secret);
  });
});
