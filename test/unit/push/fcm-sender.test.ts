import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryOutcome, DeviceTarget, PushContent } from '../../../src/modules/push/delivery/contract.js';
import {
  FcmSender,
  type FcmServiceAccount,
  fcmMessageOf,
  parseFcmServiceAccount,
} from '../../../src/modules/push/delivery/fcm-sender.js';
import { GuardedPoster } from '../../../src/outbound/index.js';
import { type FakeFcm, startFakeFcm } from '../../helpers/push-fakes/fake-fcm.js';

const deviceToken = () => `f${randomBytes(8).toString('hex')}:APA91b${randomBytes(100).toString('base64url')}`;
const device = (token = deviceToken()): DeviceTarget => ({ type: 'android', token, userId: 'bob', deviceId: 'd1' });

const chatMessage: PushContent = {
  kind: 'message',
  id: 'n-1',
  type: 'message',
  title: 'Demo Room',
  body: 'Alice: hello',
  locKey: 'im_loc_text',
  locArgs: ['Alice', 'hello'],
  badge: 3,
  sound: 'default',
  collapseKey: 'demo-room',
  data: {
    type: 'message',
    payload: '{"_id":"m1"}',
    redirect: '/chat',
    roomTags: '[]',
    room: 'demo-room',
    messageId: 'm1',
  },
};

const customPush: PushContent = {
  kind: 'custom',
  id: 'n-2',
  type: 'promo',
  title: 'Sale',
  body: 'Half price',
  icon: 'ic_sale',
  collapseKey: 'sale',
  badge: 99,
  sound: 'chime',
  alert: 'Sale today',
  data: { payload: '{"type":"promo"}' },
};

const EC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const otherRsaKey = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('FcmSender against a fake FCM', () => {
  let fake: FakeFcm;
  const senders: FcmSender[] = [];
  /** Every outcome of the file, and every device token used, for the secrets check at the end. */
  const outcomes: DeliveryOutcome[] = [];
  const devices: string[] = [];

  const senderWith = (
    overrides: {
      account?: Partial<FcmServiceAccount>;
      timeoutMs?: number;
      allowPrivate?: boolean;
      ca?: string | null;
    } = {},
  ) => {
    const sender = new FcmSender(
      { serviceAccount: { ...fake.serviceAccount, ...overrides.account } },
      {
        baseUrl: fake.baseUrl,
        timeoutMs: overrides.timeoutMs ?? 5000,
        allowPrivate: overrides.allowPrivate ?? true,
        ...(overrides.ca === null ? {} : { ca: overrides.ca ?? fake.ca }),
      },
    );
    senders.push(sender);
    return sender;
  };
  const send = async (sender: FcmSender, target: DeviceTarget, content: PushContent = chatMessage) => {
    devices.push(target.token);
    const outcome = await sender.send(target, content);
    outcomes.push(outcome);
    return outcome;
  };

  beforeAll(async () => {
    fake = await startFakeFcm();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.answers.clear();
    fake.tokenFailure = undefined;
    fake.tokenLifetimeS = 3599;
    fake.received.length = 0;
    fake.tokensIssued = 0;
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
  });

  it('sends a chat message in IMKIT’s FCM v1 form and reports the message name', async () => {
    const target = device();
    const outcome = await send(senderWith(), target);
    expect(outcome).toEqual({
      status: 'sent',
      detail: expect.stringMatching(/^projects\/parley-test-\w+\/messages\//),
    });
    expect(fake.received).toHaveLength(1);
    const [received] = fake.received;
    expect(received?.projectId).toBe(fake.serviceAccount.project_id);
    expect(received?.authorization).toMatch(/^Bearer ya29\./);
    expect(received?.message).toEqual(fcmMessageOf(target.token, chatMessage));
    expect(received?.message.data).toMatchObject({ badge: '3', 'loc-args': '["Alice","hello"]', redirect: '/chat' });
    expect(received?.message.apns).toMatchObject({ headers: { 'apns-priority': '5' } });
  });

  it('sends a custom push from the caller’s fields', async () => {
    const target = device();
    expect((await send(senderWith(), target, customPush)).status).toBe('sent');
    const message = fake.received[0]?.message;
    expect(message).toEqual(fcmMessageOf(target.token, customPush));
    expect(message.android).toMatchObject({ collapse_key: 'sale', ttl: '3600s' });
    expect(message.android.notification).toMatchObject({ icon: 'ic_sale', sound: 'chime', notification_count: 99 });
    expect(message.apns.payload.aps).toMatchObject({ alert: 'Sale today', badge: 99, sound: 'chime' });
    expect(message.data).toEqual({
      payload: '{"type":"promo"}',
      type: 'promo',
      title: 'Sale',
      body: 'Half price',
      badge: '99',
    });
  });

  it('mints one access token for concurrent sends and reuses it afterwards', async () => {
    const sender = senderWith();
    const first = await Promise.all(Array.from({ length: 5 }, () => send(sender, device())));
    const later = await send(sender, device());
    expect([...first, later].map((outcome) => outcome.status)).toEqual(Array(6).fill('sent'));
    expect(fake.tokensIssued).toBe(1);
    expect(new Set(fake.received.map((entry) => entry.authorization)).size).toBe(1);
  });

  it('drops a token FCM refuses (401): that delivery is retried and the next send mints a new token', async () => {
    const sender = senderWith();
    expect((await send(sender, device())).status).toBe('sent');
    fake.revokeTokens();
    const refused = await send(sender, device());
    expect(refused).toMatchObject({ status: 'retry', detail: expect.stringMatching(/^fcm 401 UNAUTHENTICATED/) });
    expect((await send(sender, device())).status).toBe('sent');
    expect(fake.tokensIssued).toBe(2);
  });

  it('renews the token before it expires', async () => {
    fake.tokenLifetimeS = 1;
    const sender = senderWith();
    expect((await send(sender, device())).status).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await send(sender, device())).status).toBe('sent');
    expect(fake.tokensIssued).toBe(2);
  });

  it('reports an UNREGISTERED token as dead, naming the device by its last six characters only', async () => {
    const target = device();
    fake.unregistered(target.token);
    const outcome = await send(senderWith(), target);
    expect(outcome).toMatchObject({ status: 'dead', detail: expect.stringContaining('UNREGISTERED') });
    expect(outcome.detail).toContain(target.token.slice(-6));
  });

  it('reports an invalid registration token as dead', async () => {
    const target = device();
    fake.invalidToken(target.token);
    expect(await send(senderWith(), target)).toMatchObject({
      status: 'dead',
      detail: expect.stringContaining('fcm 400 INVALID_ARGUMENT'),
    });
  });

  it('fails (not dead) on another bad request, e.g. SENDER_ID_MISMATCH', async () => {
    const target = device();
    fake.answers.set(target.token, {
      status: 403,
      body: {
        error: {
          code: 403,
          status: 'PERMISSION_DENIED',
          message: 'SenderId mismatch',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'SENDER_ID_MISMATCH' },
          ],
        },
      },
    });
    expect(await send(senderWith(), target)).toEqual({
      status: 'failed',
      detail: 'fcm 403 SENDER_ID_MISMATCH: SenderId mismatch',
    });
  });

  it('retries a 503 after the Retry-After FCM gives', async () => {
    const target = device();
    fake.unavailable(target.token, 7);
    expect(await send(senderWith(), target)).toMatchObject({
      status: 'retry',
      retryAfterMs: 7000,
      detail: expect.stringContaining('fcm 503 UNAVAILABLE'),
    });
  });

  it('retries a send FCM does not answer in time', async () => {
    const sender = senderWith({ timeoutMs: 500 });
    expect((await send(sender, device())).status).toBe('sent');
    const target = device();
    fake.answers.set(target.token, { status: 200, body: { name: 'late' }, delayMs: 3000 });
    const started = Date.now();
    expect(await send(sender, target)).toEqual({ status: 'retry', detail: 'fcm: timed out' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('fails when Google refuses the service account’s key (another private key)', async () => {
    const sender = senderWith({ account: { private_key: otherRsaKey() } });
    const outcome = await send(sender, device());
    expect(outcome).toEqual({ status: 'failed', detail: 'oauth2 400 invalid_grant: Invalid JWT Signature.' });
    expect(fake.tokensIssued).toBe(0);
    expect(fake.received).toHaveLength(0);
    // The next devices fail alike without asking Google again (a room's worth of devices, one request).
    const requests = fake.tokenRequests;
    for (let i = 0; i < 3; i++) expect(await send(sender, device())).toEqual(outcome);
    expect(fake.tokenRequests).toBe(requests);
  });

  it('retries when the token endpoint is down, fails when it says the client is unauthorized', async () => {
    fake.tokenFailure = { status: 503, body: { error: 'backend_error' } };
    expect(await send(senderWith(), device())).toMatchObject({ status: 'retry', detail: 'oauth2 503 backend_error' });
    fake.tokenFailure = {
      status: 401,
      body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
    };
    expect(await send(senderWith(), device())).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('oauth2 401 invalid_client'),
    });
    fake.tokenFailure = undefined;
    expect((await send(senderWith(), device())).status).toBe('sent');
  });

  it('retries when the certificate is not trusted (no CA given)', async () => {
    const outcome = await send(senderWith({ ca: null }), device());
    expect(outcome.status).toBe('retry');
    expect(outcome.detail).toMatch(/^oauth2: /);
    expect(fake.tokensIssued).toBe(0);
  });

  it('refuses private addresses and plain http unless the transport allows private destinations', async () => {
    const blocked = await send(senderWith({ allowPrivate: false }), device());
    expect(blocked).toEqual({ status: 'failed', detail: expect.stringMatching(/^oauth2: .*private address/) });
    expect(fake.tokensIssued).toBe(0);

    const plain = new FcmSender(
      { serviceAccount: fake.serviceAccount },
      { baseUrl: 'http://fcm.example', timeoutMs: 1000, allowPrivate: false },
    );
    senders.push(plain);
    expect(await send(plain, device())).toEqual({ status: 'failed', detail: 'fcm: the FCM URL must be https' });
    const plainTokenUri = senderWith({ account: { token_uri: 'http://oauth.example/token' }, allowPrivate: false });
    expect(await send(plainTokenUri, device())).toEqual({
      status: 'failed',
      detail: 'fcm: the service account token_uri must be https',
    });
  });

  it('never puts a secret or a whole device token in an outcome', () => {
    expect(outcomes.length).toBeGreaterThan(15);
    const keyBody = fake.serviceAccount.private_key.split('\n')[1] as string;
    for (const outcome of outcomes) {
      const detail = outcome.detail ?? '';
      expect(detail.length).toBeLessThanOrEqual(200);
      expect(detail).not.toMatch(/ya29|eyJ|Bearer|PRIVATE KEY/);
      expect(detail).not.toContain(keyBody.slice(0, 20));
      for (const token of devices) expect(detail).not.toContain(token.slice(0, 20));
    }
  });
});

describe('the fake FCM checks what Google checks', () => {
  let fake: FakeFcm;
  let poster: GuardedPoster;
  beforeAll(async () => {
    fake = await startFakeFcm();
    poster = new GuardedPoster({ allowPrivate: true, timeoutMs: 5000, maxReplyBytes: 4096, ca: fake.ca });
  });
  afterAll(async () => {
    poster.close();
    await fake.close();
  });

  const assertion = (claims: { scope?: string; iss?: string }) =>
    new SignJWT({ scope: claims.scope ?? 'https://www.googleapis.com/auth/firebase.messaging' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(claims.iss ?? fake.serviceAccount.client_email)
      .setAudience(fake.serviceAccount.token_uri)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(createPrivateKey(fake.serviceAccount.private_key));
  const tokenRequest = async (claims: { scope?: string; iss?: string }) =>
    poster.post(
      fake.serviceAccount.token_uri,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: await assertion(claims),
      }).toString(),
    );
  const sendRequest = (authorization: string, message: unknown) =>
    poster.post(
      `${fake.baseUrl}/v1/projects/${fake.serviceAccount.project_id}/messages:send`,
      { 'content-type': 'application/json', authorization },
      JSON.stringify({ message }),
    );

  it('refuses an assertion with another scope or issuer, and a send with a token it did not issue', async () => {
    expect((await tokenRequest({ scope: 'https://www.googleapis.com/auth/cloud-platform' })).status).toBe(400);
    expect(JSON.parse((await tokenRequest({ iss: 'someone@else.iam.gserviceaccount.com' })).body)).toMatchObject({
      error: 'invalid_grant',
    });
    expect((await sendRequest('Bearer ya29.made-up', { token: 't', data: {} })).status).toBe(401);
    expect(fake.tokensIssued).toBe(0);
  });

  it('refuses a message whose data values are not all strings', async () => {
    const { access_token } = JSON.parse((await tokenRequest({})).body) as { access_token: string };
    const refused = await sendRequest(`Bearer ${access_token}`, { token: 't', data: { badge: 3 } });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
    expect((await sendRequest(`Bearer ${access_token}`, { token: 't', data: { badge: '3' } })).status).toBe(200);
    expect(fake.received).toHaveLength(1);
  });
});

describe('parseFcmServiceAccount', () => {
  let account: Record<string, unknown>;
  beforeAll(async () => {
    const fake = await startFakeFcm();
    account = { ...fake.serviceAccount };
    await fake.close();
  });

  it('keeps the fields FCM needs from a pasted key, as an object or as JSON text', () => {
    const expected = {
      project_id: account.project_id,
      client_email: account.client_email,
      private_key: account.private_key,
      private_key_id: account.private_key_id,
      token_uri: account.token_uri,
    };
    expect(parseFcmServiceAccount(account)).toEqual(expected);
    expect(parseFcmServiceAccount(JSON.stringify(account))).toEqual(expected);
    const escapedNewlines = (account.private_key as string).replaceAll('\n', '\\n');
    expect(parseFcmServiceAccount({ ...account, private_key: escapedNewlines })).toEqual(expected);
  });

  it('accepts a PKCS#1 RSA key and leaves token_uri to the default when absent', () => {
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    });
    const { token_uri: _, ...withoutTokenUri } = account;
    const parsed = parseFcmServiceAccount({ ...withoutTokenUri, private_key: pkcs1 });
    expect(parsed.token_uri).toBeUndefined();
    expect(parsed.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it.each([
    ['not JSON', '{"project_id":', /not valid JSON/],
    ['an array', [], /not a JSON object/],
    ['another kind of key', { type: 'authorized_user' }, /"type" must be "service_account"/],
    ['no project_id', { project_id: undefined }, /"project_id" is missing/],
    ['a bad project_id', { project_id: 'a/b' }, /"project_id" is not/],
    ['no client_email', { client_email: '' }, /"client_email" is missing/],
    ['a bad client_email', { client_email: 'nobody' }, /"client_email" is not an email/],
    ['no private_key', { private_key: undefined }, /"private_key" is missing/],
    ['a private_key that is not PEM', { private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }, /not a PEM RSA private key/],
    [
      'a truncated PEM',
      { private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----\n' },
      /not a PEM RSA/,
    ],
    ['an EC key', { private_key: EC_KEY }, /not a PEM RSA private key/],
    ['a token_uri that is not a URL', { token_uri: 'oauth2.googleapis.com/token' }, /"token_uri" is not/],
  ])('refuses %s with a clear message that quotes no value', (_, change, message) => {
    const input = typeof change === 'string' || Array.isArray(change) ? change : { ...account, ...change };
    let thrown: unknown;
    try {
      parseFcmServiceAccount(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const text = (thrown as Error).message;
    expect(text).toMatch(/^invalid FCM service account: /);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/BEGIN|MII|nobody|a\/b/);
  });
});
