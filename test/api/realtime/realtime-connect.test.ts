import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../../helpers/socket-clients.js';
import { connectCurrent, eventually, handshakeRefusal, isConnected, rawWire } from '../../helpers/realtime-tools.js';
import { recordRaw, waitFor } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import { decodeBase64, expectEncodings, expectNoPush, GENERATIONS } from '../../helpers/realtime-suite.js';
import { INVALID_API_KEY_BODY, INVALID_TOKEN_ACK, NOT_AUTHENTICATED_ACK } from '../../helpers/realtime-suite.js';
import { plainCurrentClients, rawAck, secondApp, socketPool } from '../../helpers/realtime-suite.js';
import { badRequest, shapeB } from '../../helpers/errors.js';

const INVALID_CLIENT_KEY_ACK = shapeB(
  403,
  'Forbidden',
  'INVALID_CLIENT_KEY',
  'The provided client key is invalid or expired',
);

const CLIENT_KEY_MISMATCH_ACK = shapeB(
  403,
  'Forbidden',
  'CLIENT_KEY_MISMATCH',
  'Client key does not match the specified domain',
);

const USER_CONNECTION_ONLY_ACK = badRequest('This event needs a user connection');

describe('real-time: handshake and authentication per SDK generation', () => {
  let t: TestApp;
  let url: string;
  let other: Awaited<ReturnType<typeof secondApp>>;
  const tokens: Record<string, string> = {};
  const pool = socketPool();
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}`;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol']) tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    await createRoom(t, { _id: 'only-alice', members: ['alice', 'carol'] });
    await createRoom(t, { _id: 'only-bob', members: ['bob', 'carol'] });
    other = await secondApp(t, 'alice');
    await createRoom(other, { _id: 'other-room', members: ['alice'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    observer = await connectCurrent(url, { apiKey: t.apiKey });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    observer.close();
    await t.close();
  });

  /** Authenticated connections besides the observer (an API-key socket, always connected). */
  const count = async () => (expectOk(await t.admin('GET', '/admin/connection-count')).count as number) - 1;
  const say = async (room: string, text: string, sender = room === 'only-bob' ? 'bob' : 'alice') =>
    expectOk(await t.admin('POST', '/messages', { room, sender, message: text, messageType: 'text' }));
  const open = async (generation: Generation) => pool.add(recordRaw(await connect(url, generation)));
  /** Sees every push of the app: once it has a message, the message's fan-out is over. */
  let observer: TestSocket;
  const fannedOut = (text: string) => waitFor(observer, 'chat message', (message) => message.message === text);

  it('G3 (Engine.IO 4) gets 40{sid} for its CONNECT; G1/G2 (Engine.IO 3) get a bare 40 without sending one', async () => {
    const eio4 = await rawWire(url, 4);
    try {
      const open4 = JSON.parse((await eio4.frame((frame) => frame.startsWith('0'))).slice(1));
      expect(open4).toMatchObject({
        sid: expect.any(String),
        upgrades: [],
        pingTimeout: 8000,
        maxPayload: 1024 * 1024,
      });
      expect(open4.pingInterval).toBeLessThanOrEqual(5000);
      await sleep(50);
      expect(eio4.frames.filter((frame) => frame.startsWith('4'))).toStrictEqual([]);
      eio4.send('40');
      const connected = await eio4.frame((frame) => frame.startsWith('40'));
      expect(connected).toMatch(/^40\{"sid":"[^"]+"\}$/);
      expect(JSON.parse(connected.slice(2)).sid).not.toBe(open4.sid);
    } finally {
      eio4.close();
    }
    const eio3 = await rawWire(url, 3);
    try {
      const open3 = JSON.parse((await eio3.frame((frame) => frame.startsWith('0'))).slice(1));
      expect(open3).toMatchObject({ sid: expect.any(String), upgrades: [], pingTimeout: 8000 });
      expect(open3.pingInterval).toBeLessThanOrEqual(5000);
      // No CONNECT from the client: the server connects the namespace on its own.
      expect(await eio3.frame((frame) => frame.startsWith('4'))).toBe('40');
      // EIO3 clients send the pings (realtime protocol 2).
      eio3.send('2');
      await eio3.frame((frame) => frame === '3');
      // And the SDK's first event, auth, is answered on this bare session.
      eio3.send(`420["auth",${JSON.stringify(tokens.alice)}]`);
      const ack = await eio3.frame((frame) => frame.startsWith('430'));
      expect(JSON.parse(ack.slice(3))).toMatchObject([{ RC: 0, RM: 'OK', result: { _id: 'alice', client: 'alice' } }]);
    } finally {
      eio3.close();
    }
  });

  for (const generation of GENERATIONS) {
    it(`${generation}: authenticates as its SDK does and only then gets pushes`, async () => {
      const socket = await open(generation);
      const before = unique('before-auth');
      await say('only-alice', before);
      await fannedOut(before);
      let ack: unknown[];
      if (generation === 'G1') {
        // G1 sends the token alone: no client key on the socket, the token names its application.
        ack = await rawAck(socket, 'auth', tokens.alice);
        expect(typeof ack[0]).toBe('object');
      } else {
        // conf was acked with no arguments (the helper sent it); a repeat shows that.
        expect(await rawAck(socket, 'conf', { encoding: 'base64' })).toStrictEqual([]);
        ack = await rawAck(socket, 'auth2', tokens.alice, { CLIENT_KEY: t.clientKey, Authorization: tokens.alice });
        expect(typeof ack[0]).toBe('string');
        ack = [decodeBase64(ack[0])];
      }
      expect(ack).toHaveLength(1);
      expect(ack[0]).toMatchObject({
        RC: 0,
        RM: 'OK',
        result: { _id: 'alice', id: 'alice', client: 'alice', nickname: 'ALICE', appID: t.appId },
      });
      expect((ack[0] as { result: Record<string, unknown> }).result).not.toHaveProperty('token');
      const after = unique('after-auth');
      await say('only-alice', after);
      expect(await waitFor(socket, 'chat message', (message) => message.message === after)).toMatchObject({
        room: 'only-alice',
        sender: { _id: 'alice' },
      });
      expect(socket.received('chat message').filter((message) => message.message === before)).toStrictEqual([]);
      expectEncodings([socket], 'chat message');
    });

    it(`${generation}: conf and auth are idempotent and may repeat on one connection`, async () => {
      await eventually(async () => (await count()) === 0, 3000, 'no connections left');
      const socket = await open(generation);
      for (let round = 0; round < 3; round++) {
        if (generation !== 'G1') expect(await rawAck(socket, 'conf', { encoding: 'base64' })).toStrictEqual([]);
        expect(await authenticate(socket, tokens.bob!, t.clientKey)).toMatchObject({
          RC: 0,
          result: { client: 'bob' },
        });
      }
      // A watchdog re-fire resends conf after auth (realtime protocol 2): still one session, still base64.
      if (generation !== 'G1') expect(await rawAck(socket, 'conf', { encoding: 'base64' })).toStrictEqual([]);
      expect(await count()).toBe(1);
      const text = unique('once');
      await say('only-bob', text);
      await waitFor(socket, 'chat message', (message) => message.message === text);
      await sleep(120);
      expect(socket.received('chat message').filter((message) => message.message === text)).toHaveLength(1);
      expectEncodings([socket], 'chat message');
    });

    it(`${generation}: authenticating again as another user moves the connection to that user`, async () => {
      await eventually(async () => (await count()) === 0, 3000, 'no connections left');
      const socket = await open(generation);
      expect((await authenticate(socket, tokens.alice!, t.clientKey)).result.client).toBe('alice');
      const first = unique('alice-room');
      await say('only-alice', first);
      await waitFor(socket, 'chat message', (message) => message.message === first);

      expect(await authenticate(socket, tokens.bob!, t.clientKey)).toMatchObject({
        RC: 0,
        result: { _id: 'bob', client: 'bob' },
      });
      const forAlice = unique('alice-after-move');
      const forBob = unique('bob-after-move');
      await say('only-alice', forAlice);
      await say('only-bob', forBob);
      await waitFor(socket, 'chat message', (message) => message.message === forBob);
      await sleep(120);
      expect(socket.received('chat message').filter((message) => message.message === forAlice)).toStrictEqual([]);
      expect(await count()).toBe(1);
      // Socket events now act as bob.
      const sent = await socket.call('chat message', {
        room: 'only-bob',
        message: unique('as-bob'),
        messageType: 'text',
      });
      expect(sent).toMatchObject({ RC: 0, result: { sender: { _id: 'bob' } } });
      expect(
        await socket.call('chat message', { room: 'only-alice', message: 'nope', messageType: 'text' }),
      ).toMatchObject({ RC: 403, error: { code: 'NOT_ROOM_MEMBER' } });
    });

    it(`${generation}: every refused authentication answers its error body and leaves the connection unauthenticated`, async () => {
      const socket = await open(generation);
      const attempt = async (token: unknown, clientKey: unknown) => {
        if (generation === 'G1') {
          const [ack] = await rawAck(socket, 'auth', token);
          expect(typeof ack).toBe('object');
          return ack;
        }
        const [ack] = await rawAck(socket, 'auth2', token, { CLIENT_KEY: clientKey, Authorization: token });
        // In base64 mode the auth2 ack is base64 of the JSON, failures included (G2 decodes blindly).
        expect(typeof ack).toBe('string');
        return decodeBase64(ack);
      };
      expect(await attempt('not-a-token', t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
      expect(await attempt('', t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
      expect(await attempt('x'.repeat(5000), t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
      if (generation !== 'G1') {
        expect(await attempt(tokens.alice, 'wrong-client-key')).toStrictEqual(INVALID_CLIENT_KEY_ACK);
        // A token of another application with this application's client key.
        expect(await attempt(other.token, t.clientKey)).toStrictEqual(CLIENT_KEY_MISMATCH_ACK);
        // The other app's own client key is the right one for it.
        expect(await attempt(other.token, other.clientKey)).toMatchObject({
          RC: 0,
          result: { client: 'alice', appID: other.id },
        });
        expect(await attempt('still-not-a-token', t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
      }
      if (generation === 'G1') {
        // Still nothing: events need authentication.
        expect(await socket.call('sync', { since: 0 })).toStrictEqual(NOT_AUTHENTICATED_ACK);
        expect(
          await socket.call('chat message', { room: 'only-alice', message: 'x', messageType: 'text' }),
        ).toStrictEqual(NOT_AUTHENTICATED_ACK);
      }
      const text = unique('not-for-refused');
      await say('only-alice', text);
      await expectNoPush([socket], 'chat message', (message) => message.message === text);
    });
  }

  it('G1: the token alone names its application, so a token of another app signs in there', async () => {
    const socket = await open('G1');
    expect(await authenticate(socket, other.token, '')).toMatchObject({
      RC: 0,
      result: { client: 'alice', appID: other.id },
    });
    const inA = unique('in-app-a');
    await say('only-alice', inA);
    expectOk(
      await other.admin('POST', '/messages', {
        room: 'other-room',
        sender: 'alice',
        message: 'in-app-b',
        messageType: 'text',
      }),
    );
    await waitFor(socket, 'chat message', (message) => message.message === 'in-app-b');
    await expectNoPush([socket], 'chat message', (message) => message.message === inA);
    // Moving back to the first app.
    expect(await authenticate(socket, tokens.alice!, '')).toMatchObject({ RC: 0, result: { appID: t.appId } });
    const back = unique('back-in-a');
    await say('only-alice', back);
    await waitFor(socket, 'chat message', (message) => message.message === back);
  });

  it('accepts "Bearer <token>" and the IM-* spellings inside auth2', async () => {
    const socket = await open('G3');
    expect(
      await socket.call('auth2', `Bearer ${tokens.alice}`, {
        CLIENT_KEY: t.clientKey,
        Authorization: `Bearer ${tokens.alice}`,
      }),
    ).toMatchObject({ RC: 0, result: { client: 'alice' } });
    expect(
      await socket.call('auth2', tokens.bob, { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': tokens.bob }),
    ).toMatchObject({ RC: 0, result: { client: 'bob' } });
  });

  it('a current client authenticated in the handshake is signed in at once, plain or (after conf) base64', async () => {
    await eventually(async () => (await count()) === 0, 3000, 'no connections left');
    const plain = pool.add(recordRaw(await connectCurrent(url, { token: tokens.alice, clientKey: t.clientKey })));
    plainCurrentClients.add(plain);
    // Without a client key, the token names its app (as G1's auth).
    const bare = pool.add(recordRaw(await connectCurrent(url, { token: tokens.bob })));
    plainCurrentClients.add(bare);
    const withConf = pool.add(
      recordRaw(await connect(url, 'G3', { auth: { token: tokens.alice, clientKey: t.clientKey } })),
    );
    await eventually(async () => (await count()) === 3, 3000, 'three authenticated connections');
    const text = unique('handshake');
    await say('only-alice', text);
    const bobText = unique('handshake-bob');
    await say('only-bob', bobText);
    await waitFor(plain, 'chat message', (message) => message.message === text);
    await waitFor(withConf, 'chat message', (message) => message.message === text);
    await waitFor(bare, 'chat message', (message) => message.message === bobText);
    expectEncodings([plain, bare, withConf], 'chat message');
    expect(await plain.call('sync', { since: Date.now() + 60_000 })).toMatchObject({
      RC: 0,
      result: { messages: [], hasMore: false },
    });
    const sent = await bare.call('chat message', {
      room: 'only-bob',
      message: unique('from-handshake'),
      messageType: 'text',
    });
    expect(sent).toMatchObject({ RC: 0, result: { sender: { _id: 'bob' } } });
  });

  it('refused handshakes answer connect_error with the HTTP error body in its data', async () => {
    const cases: Array<[Record<string, unknown>, unknown]> = [
      [{ token: 'not-a-token', clientKey: t.clientKey }, INVALID_TOKEN_ACK],
      [{ token: '', clientKey: t.clientKey }, INVALID_TOKEN_ACK],
      [{ token: 42, clientKey: t.clientKey }, INVALID_TOKEN_ACK],
      [{ token: 'not-a-token' }, INVALID_TOKEN_ACK],
      [
        { token: tokens.alice, clientKey: 'wrong-client-key' },
        { error: 'INVALID_CLIENT_KEY', message: 'The provided client key is invalid or expired' },
      ],
      [
        { token: tokens.alice, clientKey: 42 },
        { error: 'INVALID_CLIENT_KEY', message: 'The provided client key is invalid or expired' },
      ],
      [
        { token: other.token, clientKey: t.clientKey },
        { error: 'CLIENT_KEY_MISMATCH', message: 'Client key does not match the specified domain' },
      ],
      [{ apiKey: 'not-a-key' }, INVALID_API_KEY_BODY],
      [{ apiKey: '' }, INVALID_API_KEY_BODY],
      [{ apiKey: 42 }, INVALID_API_KEY_BODY],
      [{ apiKey: t.clientKey }, INVALID_API_KEY_BODY],
    ];
    for (const [auth, body] of cases) {
      const refusal = await handshakeRefusal(url, auth);
      expect(refusal.data, JSON.stringify(auth)).toStrictEqual(body);
      const message =
        (body as { message?: string; error: { message?: string } | string }).message ??
        (body as { error: { message: string } }).error.message;
      expect(refusal.message).toBe(message);
    }
    await eventually(async () => (await count()) === 0, 3000, 'no connection counted');
  });

  it('an API-key socket (handshake {apiKey}) is the platform admin of its app: every push, and chat message with a sender', async () => {
    const admin = pool.add(recordRaw(await connectCurrent(url, { apiKey: t.apiKey })));
    plainCurrentClients.add(admin);
    const otherAdmin = pool.add(recordRaw(await connectCurrent(url, { apiKey: other.apiKey })));
    plainCurrentClients.add(otherAdmin);
    const alice = await open('G2');
    await authenticate(alice, tokens.alice!, t.clientKey);
    const text = unique('seen-by-admin');
    await say('only-alice', text);
    await waitFor(admin, 'chat message', (message) => message.message === text && message.room === 'only-alice');

    const sent = await admin.call('chat message', {
      room: 'only-alice',
      sender: 'carol',
      message: unique('backend'),
      messageType: 'text',
    });
    expect(sent).toMatchObject({ RC: 0, RM: 'OK', result: { room: 'only-alice', sender: { _id: 'carol' } } });
    await waitFor(alice, 'chat message', (message) => message._id === sent.result._id);
    await waitFor(admin, 'chat message', (message) => message._id === sent.result._id);
    // The other application's rooms do not exist for this key.
    expect(
      await admin.call('chat message', { room: 'other-room', sender: 'alice', message: 'cross', messageType: 'text' }),
    ).toMatchObject({ RC: 404, error: { code: 'ROOM_NOT_FOUND' } });
    // User-only events.
    expect(await admin.call('sync', { since: 0 })).toStrictEqual(USER_CONNECTION_ONLY_ACK);
    expect(await admin.call('lastRead', 'only-alice', sent.result._id)).toStrictEqual(USER_CONNECTION_ONLY_ACK);
    expect(await admin.call('typing', 'only-alice', 'x')).toStrictEqual(USER_CONNECTION_ONLY_ACK);
    expectEncodings([admin, alice], 'chat message');
    await expectNoPush([otherAdmin], 'chat message');
  });

  it('refuses revoked, expired, rolled-away and IP-restricted API keys in the handshake', async () => {
    const revoked = await t.createKey({ name: 'revoked' });
    const revokedId = (await t.services.keys.list(t.appId)).find((key) => key.name === 'revoked')!.id;
    const socket = pool.add(await connectCurrent(url, { apiKey: revoked }));
    expect(isConnected(socket)).toBe(true);
    socket.close();
    expectOk(await t.admin('DELETE', `/admin/keys/${revokedId}`));
    expect((await handshakeRefusal(url, { apiKey: revoked })).data).toStrictEqual(INVALID_API_KEY_BODY);

    const shortLived = await t.createKey({ name: 'short', expiresAt: Date.now() + 150 });
    await sleep(250);
    expect((await handshakeRefusal(url, { apiKey: shortLived })).data).toStrictEqual(INVALID_API_KEY_BODY);

    const rolled = await t.createKey({ name: 'rolled' });
    const rolledId = (await t.services.keys.list(t.appId)).find((key) => key.name === 'rolled')!.id;
    const roll = expectOk(await t.admin('POST', `/admin/keys/${rolledId}/roll`, { gracePeriodSeconds: 0 }));
    await sleep(5);
    expect((await handshakeRefusal(url, { apiKey: rolled })).data).toStrictEqual(INVALID_API_KEY_BODY);
    const successor = pool.add(await connectCurrent(url, { apiKey: roll.key }));
    expect(isConnected(successor)).toBe(true);

    const restricted = await t.createKey({ name: 'restricted', allowedIps: ['10.0.0.0/8'] });
    expect((await handshakeRefusal(url, { apiKey: restricted })).data).toStrictEqual({
      error: 'INSUFFICIENT_PERMISSIONS',
      message: 'API key does not have permission for this operation',
    });
  });
});
