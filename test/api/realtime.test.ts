import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../helpers/socket-clients.js';
import {
  connectCurrent,
  disconnected,
  encodingProblems,
  eventually,
  handshakeRefusal,
  httpRequest,
  isConnected,
  rawWire,
  recordRaw,
  waitFor,
  waitForCount,
} from '../helpers/realtime-tools.js';
import { createRoom } from '../helpers/factories.js';
import { badRequest, INVALID_TOKEN, shapeB } from '../helpers/wire.js';

/**
 * The real-time gateway against IMKIT's three web SDK generations (realtime-protocol.md 0-5) and a
 * current socket.io 4 client authenticating in the handshake: authentication, every push in each
 * connection's encoding, catch-up after a reconnect, revocation, and CORS on long-polling.
 */

const GENERATIONS: Generation[] = ['G1', 'G2', 'G3'];

const INVALID_TOKEN_ACK = INVALID_TOKEN;
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
const NOT_AUTHENTICATED_ACK = shapeB(401, 'Unauthorized', 'INVALID_TOKEN', 'Authenticate first (auth or auth2)');
const USER_CONNECTION_ONLY_ACK = badRequest('This event needs a user connection');
const INVALID_API_KEY_BODY = { error: 'INVALID_API_KEY', message: 'The provided API key is invalid or expired' };

/** Sockets opened by a test (or a whole block), closed afterwards whatever happened. */
function socketPool() {
  const list: TestSocket[] = [];
  return {
    add<T extends TestSocket>(socket: T): T {
      list.push(socket);
      return socket;
    },
    closeAll() {
      for (const socket of list.splice(0)) socket.close();
    },
  };
}

/** Current clients (never send `conf`): plain pushes although their generation field says G3. */
const plainCurrentClients = new WeakSet<TestSocket>();
const isBase64 = (socket: TestSocket) => socket.generation !== 'G1' && !plainCurrentClients.has(socket);

function expectEncodings(sockets: TestSocket[], ...events: string[]): void {
  for (const socket of sockets) {
    for (const event of events)
      expect(encodingProblems(socket, event, isBase64(socket)), `${socket.generation} ${event}`).toStrictEqual([]);
  }
}

/** After the positive checks: nothing matching arrives at these sockets within `ms`. */
async function expectNoPush(
  sockets: TestSocket[],
  event: string,
  match: (value: any) => boolean = () => true,
  ms = 100,
): Promise<void> {
  await sleep(ms);
  for (const socket of sockets)
    expect(socket.received(event).filter(match), `${socket.generation} got ${event}`).toStrictEqual([]);
}

const ids = (room: { members?: unknown[] }) =>
  (room.members ?? []).map((member) => (typeof member === 'string' ? member : (member as { _id: string })._id));

/** Emits with an ack and resolves with every argument of the ack, undecoded. */
function rawAck(socket: TestSocket, event: string, ...args: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 3000);
    socket.raw.emit(event, ...args, (...answer: unknown[]) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** DELETE /rooms/:id/messages/:messageId answers its own RM (spec 5.6). */
function expectDeleted(response: { statusCode: number; body: string; json(): any }): void {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().RC).toBe(0);
}

const decodeBase64 = (value: unknown) => JSON.parse(Buffer.from(String(value), 'base64').toString('utf8'));

/** A second application with one user (the same id as one in the first app) and an API key. */
async function secondApp(t: TestApp, userId: string) {
  const app = await t.services.apps.create('Other app', 'other');
  const apiKey = (await t.services.keys.create(app.id, { name: 'other' }, 'test')).secret;
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const created = expectOk(
    await admin('POST', '/admin/clients', { _id: userId, nickname: `${userId} of B`, issueAccessToken: true }),
  );
  return { id: app.id, clientKey: app.clientKey, apiKey, token: created.token as string, admin };
}

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

describe('real-time: every push, to every generation, in its encoding', () => {
  let t: TestApp;
  let url: string;
  let other: Awaited<ReturnType<typeof secondApp>>;
  const tokens: Record<string, string> = {};
  const shared = socketPool();
  const pool = socketPool();
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}`;

  // bob on all three generations; alice (the usual actor) on two; dave through the group "team";
  // carol and erin outside r1; bob of another app with the same id; API-key sockets of both apps.
  let bob1: TestSocket, bob2: TestSocket, bob3: TestSocket, alice1: TestSocket, alice3: TestSocket, dave2: TestSocket;
  let carol1: TestSocket,
    erin1: TestSocket,
    erin2: TestSocket,
    erin3: TestSocket,
    bobOfB: TestSocket,
    adminA: TestSocket,
    adminB: TestSocket;
  const erins = () => [erin1, erin2, erin3];
  const bobs = () => [bob1, bob2, bob3];
  const members = () => [bob1, bob2, bob3, alice1, alice3, dave2, adminA];
  const outsiders = () => [carol1, erin1, erin2, erin3, bobOfB, adminB];
  const everyone = () => [...members(), ...outsiders()];

  const signIn = async (generation: Generation, user: string, list = shared) => {
    const socket = list.add(recordRaw(await connect(url, generation)));
    expect(await authenticate(socket, tokens[user]!, t.clientKey)).toMatchObject({ RC: 0, result: { client: user } });
    return socket;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol', 'dave', 'erin'])
      tokens[id] = await t.createUser(id, { nickname: id[0]!.toUpperCase() + id.slice(1) });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'team', nickname: 'Team', members: ['dave', 'bob'] }));
    await createRoom(t, { _id: 'r1', name: 'Room one', members: ['alice', 'bob', 'team'] });
    other = await secondApp(t, 'bob');
    await createRoom(other, { _id: 'r1', members: ['bob'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    bob1 = await signIn('G1', 'bob');
    bob2 = await signIn('G2', 'bob');
    bob3 = await signIn('G3', 'bob');
    alice1 = await signIn('G1', 'alice');
    alice3 = await signIn('G3', 'alice');
    dave2 = await signIn('G2', 'dave');
    carol1 = await signIn('G1', 'carol');
    erin1 = await signIn('G1', 'erin');
    erin2 = await signIn('G2', 'erin');
    erin3 = await signIn('G3', 'erin');
    bobOfB = shared.add(recordRaw(await connect(url, 'G3')));
    expect(await authenticate(bobOfB, other.token, other.clientKey)).toMatchObject({
      RC: 0,
      result: { client: 'bob', appID: other.id },
    });
    adminA = shared.add(recordRaw(await connectCurrent(url, { apiKey: t.apiKey })));
    adminB = shared.add(recordRaw(await connectCurrent(url, { apiKey: other.apiKey })));
    plainCurrentClients.add(adminA);
    plainCurrentClients.add(adminB);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    shared.closeAll();
    await t.close();
  });

  const post = async (token: string, room: string, text: string) =>
    expectOk(await t.asUser(token, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' }));

  it('a REST message reaches every member connection exactly once (sender and group members included), nobody else', async () => {
    const text = unique('rest');
    const sent = await post(tokens.alice!, 'r1', text);
    for (const socket of members()) {
      const pushed = await waitFor(socket, 'chat message', (message) => message.message === text);
      expect(pushed, socket.generation).toMatchObject({
        _id: sent._id,
        id: sent._id,
        room: 'r1',
        message: text,
        messageType: 'text',
        messageTimeMS: sent.messageTimeMS,
        sender: { _id: 'alice', id: 'alice', nickname: 'Alice' },
      });
    }
    await expectNoPush(outsiders(), 'chat message', (message) => message.message === text);
    for (const socket of members())
      expect(
        socket.received('chat message').filter((message) => message._id === sent._id),
        socket.generation,
      ).toHaveLength(1);
    expectEncodings(everyone(), 'chat message');
  });

  for (const generation of GENERATIONS) {
    it(`${generation}: a socket chat message gets a plain ack and is pushed to the members, the sender's own connections included`, async () => {
      const sender = generation === 'G1' ? bob1 : generation === 'G2' ? bob2 : bob3;
      const text = unique(`socket-${generation}`);
      const [ack] = await rawAck(sender, 'chat message', {
        room: 'r1',
        message: text,
        messageType: 'text',
        extra: '{"tags":[]}',
      });
      // Never base64, in every generation (realtime protocol 4.1).
      expect(typeof ack).toBe('object');
      expect(ack).toMatchObject({
        RC: 0,
        RM: 'OK',
        result: { room: 'r1', message: text, messageType: 'text', extra: '{"tags":[]}', sender: { _id: 'bob' } },
      });
      const id = (ack as { result: { _id: string } }).result._id;
      for (const socket of members()) {
        expect(await waitFor(socket, 'chat message', (message) => message._id === id), socket.generation).toMatchObject(
          { message: text, sender: { _id: 'bob', nickname: 'Bob' } },
        );
      }
      await expectNoPush(outsiders(), 'chat message', (message) => message.message === text);
      for (const socket of members())
        expect(socket.received('chat message').filter((message) => message._id === id)).toHaveLength(1);
      expectEncodings(everyone(), 'chat message');
    });
  }

  it('edits, recalls, pins and unpins are pushed as chat message with the same _id', async () => {
    const edited = await post(tokens.alice!, 'r1', unique('to-edit'));
    const recalled = await post(tokens.alice!, 'r1', unique('to-recall'));
    const pinned = await post(tokens.alice!, 'r1', unique('to-pin'));
    const newText = unique('edited');
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/r1/message', {
        _id: edited._id,
        message: newText,
        messageType: 'text',
      }),
    );
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r1/message', { _id: recalled._id, messageType: 'recall' }));
    expectOk(await t.admin('POST', `/messages/${pinned._id}/pin`));
    for (const socket of members()) {
      expect(
        await waitFor(socket, 'chat message', (message) => message._id === edited._id && message.message === newText),
      ).toMatchObject({ room: 'r1', sender: { _id: 'alice' } });
      expect(
        await waitFor(
          socket,
          'chat message',
          (message) => message._id === recalled._id && message.messageType === 'recall',
        ),
      ).toMatchObject({ room: 'r1' });
      expect(
        await waitFor(socket, 'chat message', (message) => message._id === pinned._id && message.pinned === true),
      ).toMatchObject({ isPined: true });
    }
    expectOk(await t.admin('DELETE', `/messages/${pinned._id}/pin`));
    for (const socket of members())
      await waitFor(socket, 'chat message', (message) => message._id === pinned._id && message.pinned === false);
    await expectNoPush(outsiders(), 'chat message', (message) =>
      [edited._id, recalled._id, pinned._id].includes(message._id),
    );
    for (const socket of members()) {
      // Each change once: create, edit / recall / pin+unpin.
      expect(socket.received('chat message').filter((message) => message._id === edited._id)).toHaveLength(2);
      expect(socket.received('chat message').filter((message) => message._id === recalled._id)).toHaveLength(2);
      expect(socket.received('chat message').filter((message) => message._id === pinned._id)).toHaveLength(3);
    }
    expectEncodings(everyone(), 'chat message');
  });

  it('a room update pushes the room, without any viewer fields, to its members only', async () => {
    const name = unique('Renamed');
    expectOk(await t.admin('PUT', '/rooms/r1', { name, description: 'about' }));
    for (const socket of members()) {
      const room = await waitFor(socket, 'room', (value) => value.id === 'r1' && value.name === name);
      expect(room).toMatchObject({ _id: 'r1', id: 'r1', description: 'about' });
      expect(ids(room).sort()).toStrictEqual(['alice', 'bob', 'team']);
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead', 'isMentioned'])
        expect(room, `${socket.generation} ${field}`).not.toHaveProperty(field);
    }
    await expectNoPush(outsiders(), 'room', (value) => value.id === 'r1');
    expectEncodings(everyone(), 'room');
  });

  it('deleting messages pushes messagesDeleted and the room', async () => {
    const doomed = await post(tokens.alice!, 'r1', unique('doomed'));
    for (const socket of members()) await waitFor(socket, 'chat message', (message) => message._id === doomed._id);
    const roomPushes = new Map(
      members().map((socket) => [socket, socket.received('room').filter((room) => room.id === 'r1').length]),
    );
    expectDeleted(await t.admin('DELETE', `/rooms/r1/messages/${doomed._id}`));
    for (const socket of members()) {
      expect(await waitFor(socket, 'messagesDeleted', (value) => value.messageIds?.includes(doomed._id))).toStrictEqual(
        {
          room: 'r1',
          messageIds: [doomed._id],
          all: false,
          deletedBy: 'admin',
        },
      );
      await waitForCount(socket, 'room', roomPushes.get(socket)! + 1, (room) => room.id === 'r1');
    }

    await createRoom(t, { _id: 'r-wipe', members: ['alice', 'bob'] });
    await post(tokens.bob!, 'r-wipe', unique('wiped'));
    expectDeleted(await t.admin('DELETE', '/rooms/r-wipe/messages/_all'));
    for (const socket of [...bobs(), alice1, alice3, adminA]) {
      expect(await waitFor(socket, 'messagesDeleted', (value) => value.room === 'r-wipe')).toStrictEqual({
        room: 'r-wipe',
        messageIds: [],
        all: true,
        deletedBy: 'admin',
      });
    }
    await expectNoPush(
      outsiders(),
      'messagesDeleted',
      (value) => value.room === 'r-wipe' || value.messageIds?.includes(doomed._id),
    );
    await expectNoPush([dave2], 'messagesDeleted', (value) => value.room === 'r-wipe', 0);
    expectEncodings(everyone(), 'messagesDeleted', 'room');
  });

  it('members added get the room; a removed member gets one final room push and then nothing of that room', async () => {
    await createRoom(t, { _id: 'r-members', members: ['alice'] });
    for (const socket of [alice1, alice3]) await waitFor(socket, 'room', (room) => room.id === 'r-members');
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r-members/members/bob'));
    for (const socket of [...bobs(), alice1, alice3]) {
      const room = await waitFor(socket, 'room', (value) => value.id === 'r-members' && ids(value).includes('bob'));
      expect(ids(room).sort()).toStrictEqual(['alice', 'bob']);
    }
    const welcome = unique('welcome');
    await post(tokens.alice!, 'r-members', welcome);
    for (const socket of bobs()) await waitFor(socket, 'chat message', (message) => message.message === welcome);
    await sleep(150);
    const before = new Map(
      bobs().map((socket) => [socket, socket.received('room').filter((room) => room.id === 'r-members').length]),
    );

    expectOk(await t.admin('DELETE', '/rooms/r-members/members/bob'));
    for (const socket of bobs()) {
      const rooms = await waitForCount(socket, 'room', before.get(socket)! + 1, (room) => room.id === 'r-members');
      expect(ids(rooms.at(-1)).sort()).toStrictEqual(['alice']);
    }
    const afterwards = unique('after-removal');
    await post(tokens.alice!, 'r-members', afterwards);
    expectOk(await t.admin('PUT', '/rooms/r-members', { name: unique('renamed-after-removal') }));
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r-members/typing', { message: 'still here?' }));
    for (const socket of [alice1, alice3])
      await waitFor(socket, 'chat message', (message) => message.message === afterwards);
    await sleep(120);
    for (const socket of bobs()) {
      expect(
        socket.received('room').filter((room) => room.id === 'r-members'),
        socket.generation,
      ).toHaveLength(before.get(socket)! + 1);
      expect(
        socket
          .received('chat message')
          .filter((message) => message.room === 'r-members' && message.message === afterwards),
      ).toStrictEqual([]);
      expect(socket.received('typing').filter((typing) => typing.room === 'r-members')).toStrictEqual([]);
    }
    await expectNoPush(outsiders(), 'room', (room) => room.id === 'r-members');
    expectEncodings(everyone(), 'room');
  });

  it('deleting a room pushes {_id, id, deleted: true} to its members', async () => {
    await createRoom(t, { _id: 'r-gone', members: ['alice', 'bob'] });
    for (const socket of bobs()) await waitFor(socket, 'room', (room) => room.id === 'r-gone');
    expectOk(await t.admin('DELETE', '/rooms/r-gone'));
    for (const socket of [...bobs(), alice1, alice3, adminA]) {
      expect(await waitFor(socket, 'room', (room) => room.id === 'r-gone' && room.deleted === true)).toStrictEqual({
        _id: 'r-gone',
        id: 'r-gone',
        deleted: true,
      });
    }
    await expectNoPush([...outsiders(), dave2], 'room', (room) => room.id === 'r-gone');
    expectEncodings(everyone(), 'room');
  });

  it('an invitation reaches the invitees only, then joining makes them members', async () => {
    await createRoom(t, { _id: 'r-invite', name: 'Invites', members: ['alice', 'bob'] });
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/r-invite/members', {
        invitees: ['erin'],
        invitationRequired: true,
      }),
    );
    for (const socket of erins()) {
      const invitation = await waitFor(socket, 'invitation');
      expect(invitation, socket.generation).toMatchObject({
        inviter: 'alice',
        room: { _id: 'r-invite', id: 'r-invite', name: 'Invites' },
      });
      expect(ids(invitation.room).sort()).toStrictEqual(['alice', 'bob']);
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead'])
        expect(invitation.room).not.toHaveProperty(field);
    }
    await expectNoPush([...bobs(), alice1, alice3, carol1, dave2, bobOfB, adminB], 'invitation');
    for (const socket of erins()) expect(socket.received('invitation')).toHaveLength(1);
    // Not a member yet.
    const early = unique('before-join');
    await post(tokens.alice!, 'r-invite', early);
    await waitFor(bob3, 'chat message', (message) => message.message === early);
    expectOk(await t.asUser(tokens.erin!, 'POST', '/rooms/r-invite/join'));
    for (const socket of erins())
      await waitFor(socket, 'room', (room) => room.id === 'r-invite' && ids(room).includes('erin'));
    const late = unique('after-join');
    await post(tokens.alice!, 'r-invite', late);
    for (const socket of erins()) {
      await waitFor(socket, 'chat message', (message) => message.message === late);
      expect(socket.received('chat message').filter((message) => message.message === early)).toStrictEqual([]);
    }
    expectEncodings(everyone(), 'invitation');
  });

  it('roomPref (POST /roomPrefs, POST/DELETE /me/mute) goes to that user only, merged', async () => {
    expectOk(await t.asUser(tokens.bob!, 'POST', '/roomPrefs/r1', { sticky: true, tags: ['work'], folder: 'f1' }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'roomPref', (pref) => pref.room === 'r1' && pref.sticky === true)).toStrictEqual({
        room: 'r1',
        sticky: true,
        tags: ['work'],
        folder: 'f1',
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'POST', '/roomPrefs/r1', { hidden: true, tagColors: { work: '#f2d700' } }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'roomPref', (pref) => pref.hidden === true)).toStrictEqual({
        room: 'r1',
        sticky: true,
        tags: ['work'],
        folder: 'f1',
        hidden: true,
        tagColors: { work: '#f2d700' },
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'POST', '/me/mute/r1'));
    for (const socket of bobs())
      expect(await waitFor(socket, 'roomPref', (pref) => pref.muted === true)).toStrictEqual({
        room: 'r1',
        muted: true,
      });
    expectOk(await t.asUser(tokens.bob!, 'DELETE', '/me/mute/r1'));
    for (const socket of bobs())
      expect(await waitFor(socket, 'roomPref', (pref) => pref.muted === false)).toStrictEqual({
        room: 'r1',
        muted: false,
      });
    // A non-member can set nothing, and nothing is pushed.
    const refused = await t.asUser(tokens.carol!, 'POST', '/roomPrefs/r1', { sticky: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('NOT_ROOM_MEMBER');
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'roomPref');
    for (const socket of bobs()) expect(socket.received('roomPref')).toHaveLength(4);
    expectEncodings(everyone(), 'roomPref');
  });

  it('myPrefChange carries {key, data}; myPrefDelete the bare key (base64 of the bare key after conf)', async () => {
    expectOk(await t.asUser(tokens.bob!, 'POST', '/me/pref/folders-meta', { order: ['a', 'b'], open: true }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'myPrefChange', (pref) => pref.key === 'folders-meta')).toStrictEqual({
        key: 'folders-meta',
        data: { order: ['a', 'b'], open: true },
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'DELETE', '/me/pref/folders-meta'));
    for (const socket of bobs()) expect(await waitFor(socket, 'myPrefDelete')).toBe('folders-meta');
    // Absent now: 404, and no second push.
    expect((await t.asUser(tokens.bob!, 'DELETE', '/me/pref/folders-meta')).statusCode).toBe(404);
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'myPrefChange');
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'myPrefDelete', () => true, 0);
    for (const socket of bobs()) expect(socket.received('myPrefDelete')).toStrictEqual(['folders-meta']);
    // The wire form, checked directly: G1 the bare string, G2/G3 base64 of it (not of its JSON).
    expect(encodingProblems(bob1, 'myPrefDelete', false)).toStrictEqual([]);
    expect(encodingProblems(bob2, 'myPrefDelete', true)).toStrictEqual([]);
    expect(encodingProblems(bob3, 'myPrefDelete', true)).toStrictEqual([]);
    expectEncodings(everyone(), 'myPrefChange');
  });

  it('lastRead over the socket acks {client, lastRead, badge} and pushes {roomID, memberID, messageID} to the members', async () => {
    const message = await post(tokens.alice!, 'r1', unique('read-me'));
    for (const socket of bobs()) await waitFor(socket, 'chat message', (value) => value._id === message._id);
    const [ack] = await rawAck(bob2, 'lastRead', 'r1', message._id);
    expect(ack).toStrictEqual({ RC: 0, RM: 'OK', result: { client: 'bob', lastRead: message._id, badge: 0 } });
    for (const socket of members()) {
      expect(
        await waitFor(socket, 'lastRead', (value) => value.messageID === message._id && value.memberID === 'bob'),
      ).toStrictEqual({ roomID: 'r1', memberID: 'bob', messageID: message._id });
    }
    // And over REST, from alice.
    expectOk(await t.asUser(tokens.alice!, 'PUT', '/rooms/r1/lastRead', { message: message._id }));
    for (const socket of members())
      await waitFor(socket, 'lastRead', (value) => value.messageID === message._id && value.memberID === 'alice');
    await expectNoPush(outsiders(), 'lastRead');
    expectEncodings(everyone(), 'lastRead');
  });

  it("typing reaches the other members, never the typist's own connections", async () => {
    alice1.raw.emit('typing', 'r1', 'typing...');
    for (const socket of [...bobs(), dave2, adminA]) {
      expect(
        await waitFor(socket, 'typing', (value) => value.sender === 'alice' && value.message === 'typing...'),
      ).toStrictEqual({ room: 'r1', sender: 'alice', message: 'typing...' });
    }
    expect(await bob3.call('typing', 'r1', 'bob types')).toStrictEqual({ RC: 0, RM: 'OK', result: {} });
    expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/r1/typing', { message: 'bob types over REST' }));
    for (const socket of [alice1, alice3, dave2]) {
      await waitFor(socket, 'typing', (value) => value.message === 'bob types');
      await waitFor(socket, 'typing', (value) => value.message === 'bob types over REST');
    }
    // A non-member may not type into the room.
    expect(await carol1.call('typing', 'r1', 'intruder')).toMatchObject({
      RC: 403,
      error: { code: 'NOT_ROOM_MEMBER' },
    });
    await sleep(150);
    for (const socket of [alice1, alice3])
      expect(socket.received('typing').filter((value) => value.sender === 'alice')).toStrictEqual([]);
    for (const socket of bobs())
      expect(socket.received('typing').filter((value) => value.sender === 'bob')).toStrictEqual([]);
    for (const socket of everyone())
      expect(socket.received('typing').filter((value) => value.message === 'intruder')).toStrictEqual([]);
    await expectNoPush(
      outsiders().filter((socket) => socket !== adminA),
      'typing',
      () => true,
      0,
    );
    expectEncodings(everyone(), 'typing');
  });

  it('30 messages sent quickly with POST /messages reach each connection once each, in order', async () => {
    const label = unique('burst');
    const sent: string[] = [];
    for (let index = 0; index < 30; index++) {
      sent.push(
        expectOk(
          await t.admin('POST', '/messages', {
            room: 'r1',
            sender: 'alice',
            message: `${label}:${index}`,
            messageType: 'text',
          }),
        )._id,
      );
    }
    for (const socket of members()) {
      await waitForCount(socket, 'chat message', 30, (message) => String(message.message).startsWith(`${label}:`));
    }
    await sleep(120);
    for (const socket of members()) {
      const got = socket.received('chat message').filter((message) => String(message.message).startsWith(`${label}:`));
      expect(
        got.map((message) => message._id),
        socket.generation,
      ).toStrictEqual(sent);
    }
    await expectNoPush(outsiders(), 'chat message', (message) => String(message.message).startsWith(`${label}:`), 0);
  });

  it('30 concurrent sends reach each connection once each, all connections in the same order', async () => {
    const label = unique('parallel');
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        t
          .admin('POST', '/messages', {
            room: 'r1',
            sender: index % 2 ? 'alice' : 'bob',
            message: `${label}:${index}`,
            messageType: 'text',
          })
          .then((response) => expectOk(response)._id as string),
      ),
    );
    for (const socket of members())
      await waitForCount(socket, 'chat message', 30, (message) => String(message.message).startsWith(`${label}:`));
    await sleep(120);
    const orders = members().map((socket) =>
      socket
        .received('chat message')
        .filter((message) => String(message.message).startsWith(`${label}:`))
        .map((message) => message._id),
    );
    for (const order of orders) {
      expect(order).toHaveLength(30);
      expect(new Set(order).size).toBe(30);
      expect([...order].sort()).toStrictEqual([...sent].sort());
      expect(order).toStrictEqual(orders[0]);
    }
  });

  it('POST /messages/batch delivers each entry once, in order, and a new direct room to its pair', async () => {
    const label = unique('batch');
    const accepted = expectOk(
      await t.admin('POST', '/messages/batch', {
        sender: 'alice',
        message: `${label}:$n$`,
        messageType: 'text',
        paras: Array.from({ length: 30 }, (_, index) => ({ room: 'r1', $n$: String(index) })),
      }),
    );
    expect(accepted.count).toBe(30);
    for (const socket of members())
      await waitForCount(
        socket,
        'chat message',
        30,
        (message) => String(message.message).startsWith(`${label}:`),
        10_000,
      );
    await sleep(120);
    for (const socket of members()) {
      const got = socket.received('chat message').filter((message) => String(message.message).startsWith(`${label}:`));
      expect(
        got.map((message) => message.message),
        socket.generation,
      ).toStrictEqual(Array.from({ length: 30 }, (_, index) => `${label}:${index}`));
      expect(got.every((message) => message.room === 'r1' && message.sender?._id === 'alice')).toBe(true);
    }
    await expectNoPush(outsiders(), 'chat message', (message) => String(message.message).startsWith(`${label}:`), 0);

    const direct = unique('direct');
    expectOk(
      await t.admin('POST', '/messages/batch', {
        sender: 'alice',
        message: `${direct} $name$`,
        messageType: 'text',
        paras: [{ receiver: 'carol', $name$: 'Carol' }],
      }),
    );
    const pushed = await waitFor(carol1, 'chat message', (message) => message.message === `${direct} Carol`, 5000);
    await waitFor(carol1, 'room', (room) => room.id === pushed.room);
    for (const socket of [alice1, alice3])
      await waitFor(socket, 'chat message', (message) => message._id === pushed._id);
    await expectNoPush(
      [...bobs(), dave2, ...erins(), bobOfB, adminB],
      'chat message',
      (message) => message._id === pushed._id,
    );
    expectEncodings(everyone(), 'chat message', 'room');
  });

  it("another application's pushes stay in that application, even for the same user id and room id", async () => {
    const text = unique('in-b');
    expectOk(await other.admin('POST', '/messages', { room: 'r1', sender: 'bob', message: text, messageType: 'text' }));
    for (const socket of [bobOfB, adminB])
      expect(await waitFor(socket, 'chat message', (message) => message.message === text)).toMatchObject({
        room: 'r1',
        sender: { _id: 'bob' },
      });
    await expectNoPush(members(), 'chat message', (message) => message.message === text);
    expectOk(await other.admin('PUT', '/rooms/r1', { name: 'B room' }));
    await waitFor(bobOfB, 'room', (room) => room.name === 'B room');
    await expectNoPush(members(), 'room', (room) => room.name === 'B room');
  });

  it('a user added to a group while connected starts receiving the rooms of that group', async () => {
    const carolSocket = await signIn('G2', 'carol', pool);
    expectOk(await t.admin('PUT', '/admin/groups/team', { members: ['dave', 'bob', 'carol'] }));
    const text = unique('group-grew');
    await post(tokens.alice!, 'r1', text);
    await waitFor(dave2, 'chat message', (message) => message.message === text);
    // carol is a member of r1 now (through team): GET /rooms lists it, and the open connection gets it.
    expect(
      expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms')).data.map((room: { id: string }) => room.id),
    ).toContain('r1');
    await waitFor(carolSocket, 'chat message', (message) => message.message === text, 800);
  });

  it('a user removed from a group while connected stops receiving the rooms of that group', async () => {
    const daveSocket = await signIn('G3', 'dave', pool);
    expectOk(await t.admin('PUT', '/admin/groups/team', { members: ['bob'] }));
    const text = unique('group-shrank');
    await post(tokens.alice!, 'r1', text);
    await waitFor(bob3, 'chat message', (message) => message.message === text);
    expect((await t.asUser(tokens.dave!, 'GET', '/rooms/r1')).statusCode).not.toBe(200);
    await expectNoPush([daveSocket, dave2], 'chat message', (message) => message.message === text, 400);
  });
});

describe('real-time: catch-up with sync after a reconnect', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const pool = socketPool();
  afterEach(() => pool.closeAll());

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 's1', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 's2', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 's-other', members: ['alice', 'carol'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    pool.closeAll();
    await t.close();
  });

  const post = async (room: string, text: string) =>
    expectOk(await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' }));
  const signIn = async (generation: Generation, user = 'bob') => {
    const socket = pool.add(await connect(url, generation));
    expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
    return socket;
  };

  for (const generation of GENERATIONS) {
    it(`${generation}: gets exactly what it missed (new messages, an edit, a recall), in order, by last message id or by time`, async () => {
      const tag = `${generation}-${Date.now()}`;
      const first = await signIn(generation);
      const seen: any[] = [];
      for (const text of ['a', 'b', 'c']) {
        const sent = await post('s1', `${tag}-${text}`);
        seen.push(await waitFor(first, 'chat message', (message) => message._id === sent._id));
      }
      const lastSeen = seen.at(-1);
      await sleep(5);
      const lastSeenAt = Date.now();
      await sleep(5);
      first.close();
      await disconnected(first);

      // Missed while away: two new messages in two rooms, an edit and a recall of older messages,
      // and a message in a room bob is not in.
      // (A few ms apart: the order is that of the changes' times.)
      const missed1 = await post('s1', `${tag}-d`);
      await sleep(3);
      const missed2 = await post('s2', `${tag}-e`);
      await sleep(3);
      expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', {
          _id: seen[0]._id,
          message: `${tag}-a-edited`,
          messageType: 'text',
        }),
      );
      await sleep(3);
      expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', { _id: seen[1]._id, messageType: 'recall' }));
      await sleep(3);
      await post('s-other', `${tag}-not-bobs`);
      const missed3 = await post('s2', `${tag}-f`);
      const expected = [missed1._id, missed2._id, seen[0]._id, seen[1]._id, missed3._id];

      const again = await signIn(generation);
      for (const since of [lastSeen._id, lastSeenAt, new Date(lastSeenAt).toISOString(), String(lastSeenAt)]) {
        const ack = await again.call('sync', { since });
        expect(ack, String(since)).toMatchObject({ RC: 0, RM: 'OK', result: { hasMore: false } });
        const messages = ack.result.messages as any[];
        expect(
          messages.map((message) => message._id),
          String(since),
        ).toStrictEqual(expected);
        expect(messages[0]).toMatchObject({ room: 's1', message: `${tag}-d`, sender: { _id: 'alice' } });
        expect(messages[2]).toMatchObject({ _id: seen[0]._id, message: `${tag}-a-edited` });
        expect(messages[3]).toMatchObject({ _id: seen[1]._id, messageType: 'recall' });
        // The cursor is opaque: the last change's (updatedAt, seq).
        expect(ack.result.cursor).toBe(`c:${missed3.updatedAtMS}:${ack.result.cursor.split(':')[2]}`);
        // Nothing after the cursor.
        expect(await again.call('sync', { since: ack.result.cursor })).toStrictEqual({
          RC: 0,
          RM: 'OK',
          result: { messages: [], deleted: [], hasMore: false, cursor: ack.result.cursor },
        });
      }
    });
  }

  it('a recall or edit of the last seen message after the disconnect does not hide what was missed', async () => {
    const tag = `moved-${Date.now()}`;
    const socket = await signIn('G3');
    const sent = await post('s1', `${tag}-last-seen`);
    const lastSeen = await waitFor(socket, 'chat message', (message) => message._id === sent._id);
    socket.close();
    await sleep(5);
    const missed = await post('s2', `${tag}-missed`);
    await sleep(5);
    // The last message the client saw is recalled after the client's disconnect.
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', { _id: lastSeen._id, messageType: 'recall' }));
    const again = await signIn('G3');
    const ack = await again.call('sync', { since: lastSeen._id });
    expect(ack.RC).toBe(0);
    expect(ack.result.messages.map((message: { _id: string }) => message._id)).toContain(missed._id);
  });

  it('pages more than 500 changes with hasMore and cursor, without gaps or duplicates (ties on the same millisecond too)', async () => {
    const socket = await signIn('G2');
    const start = Date.now() + 1000;
    const { storage, messagesRepository } = t.services;
    const inserted: string[] = [];
    await storage.db.transaction().execute(async (tx) => {
      for (let index = 0; index < 520; index++) {
        // 260 messages share one millisecond, the rest another: the cursor must break ties by sequence.
        const time = start + (index < 260 ? 0 : 1);
        const id = (0x6b000000 + index).toString(16).padStart(8, '0') + 'aabbccddeeff0011'.slice(0, 16);
        await messagesRepository.insert(
          {
            appId: t.appId,
            id,
            roomId: index % 2 ? 's1' : 's2',
            senderId: 'alice',
            messageType: 'text',
            content: { message: `bulk-${index}` },
            searchText: `bulk-${index}`,
            batchId: null,
            createdAt: time,
            updatedAt: time,
          },
          tx,
        );
        inserted.push(id);
      }
    });
    const first = await socket.call('sync', { since: start - 1 });
    expect(first.RC).toBe(0);
    expect(first.result.hasMore).toBe(true);
    expect(first.result.messages).toHaveLength(500);
    expect(first.result.cursor).toMatch(new RegExp(`^c:${first.result.messages[499].updatedAtMS}:\\d+$`));
    const second = await socket.call('sync', { since: first.result.cursor });
    expect(second.result.hasMore).toBe(false);
    expect(second.result.messages).toHaveLength(20);
    const all = [...first.result.messages, ...second.result.messages].map((message: { _id: string }) => message._id);
    expect(all).toStrictEqual(inserted);
    expect(second.result.messages[0]).toMatchObject({ message: 'bulk-500', sender: { _id: 'alice' } });
    const third = await socket.call('sync', { since: second.result.cursor });
    expect(third).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: { messages: [], deleted: [], hasMore: false, cursor: second.result.cursor },
    });
  });

  it('answers a plain ack in every generation and refuses a missing or invalid since', async () => {
    for (const generation of GENERATIONS) {
      const socket = await signIn(generation, 'carol');
      const [ack] = await rawAck(socket, 'sync', { since: 0 });
      expect(typeof ack, generation).toBe('object');
      expect(
        (ack as { result: { messages: Array<{ room: string }> } }).result.messages.every(
          (message) => message.room === 's-other',
        ),
      ).toBe(true);
      for (const bad of [
        undefined,
        {},
        { since: 'yesterday' },
        { since: {} },
        { since: true },
        { since: '2024-02-30T00:00:00Z' },
      ]) {
        expect(await socket.call('sync', bad), JSON.stringify(bad)).toMatchObject({
          RC: 400,
          RM: 'Bad Request',
          error: { code: 'INVALID_REQUEST' },
        });
      }
    }
  });
});

describe('real-time: revocation and connection counts', () => {
  let t: TestApp;
  let url: string;
  let other: Awaited<ReturnType<typeof secondApp>>;
  const pool = socketPool();
  afterEach(() => pool.closeAll());

  beforeAll(async () => {
    t = await buildTestApp();
    other = await secondApp(t, 'zoe');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    pool.closeAll();
    await t.close();
  });

  const count = async () => expectOk(await t.admin('GET', '/admin/connection-count')).count as number;
  const countOf = async (admin: typeof other.admin) =>
    expectOk(await admin('GET', '/admin/connection-count')).count as number;
  const signIn = async (generation: Generation, token: string) => {
    const socket = pool.add(await connect(url, generation));
    expect((await authenticate(socket, token, t.clientKey)).RC).toBe(0);
    return socket;
  };

  it('counts authenticated connections only, per app, and drops on disconnect', async () => {
    await eventually(async () => (await count()) === 0, 3000, 'no connections left');
    const token = await t.createUser('counted');
    const anonymous = await Promise.all(
      GENERATIONS.map(async (generation) => pool.add(await connect(url, generation))),
    );
    await sleep(100);
    expect(await count()).toBe(0);
    for (const socket of anonymous) await authenticate(socket, token, t.clientKey);
    expect(await count()).toBe(3);
    const admin = pool.add(await connectCurrent(url, { apiKey: t.apiKey }));
    await eventually(async () => (await count()) === 4, 2000, 'API-key connection counted');
    const handshake = pool.add(await connectCurrent(url, { token, clientKey: t.clientKey }));
    await eventually(async () => (await count()) === 5, 2000, 'handshake connection counted');
    // A refused authentication adds nothing; the other app counts its own.
    const refused = pool.add(await connect(url, 'G2'));
    expect((await authenticate(refused, 'wrong', t.clientKey)).RC).toBe(401);
    const otherSocket = pool.add(await connect(url, 'G3'));
    await authenticate(otherSocket, other.token, other.clientKey);
    expect(await count()).toBe(5);
    expect(await countOf(other.admin)).toBe(1);

    anonymous[0]!.close();
    await eventually(async () => (await count()) === 4, 3000, 'count after a G1 close');
    admin.close();
    handshake.close();
    await eventually(async () => (await count()) === 2, 3000, 'count after more closes');
    anonymous[1]!.close();
    anonymous[2]!.close();
    await eventually(async () => (await count()) === 0, 3000, 'count after every close');
    expect(await countOf(other.admin)).toBe(1);
  });

  it('revoking a token disconnects every connection on that token at once, and only those', async () => {
    const revokedToken = await t.createUser('rita');
    const keptToken = await t.createUser('rita');
    expect(keptToken).not.toBe(revokedToken);
    await createRoom(t, { _id: 'rev-room', members: ['rita'] });
    const doomed = [
      ...(await Promise.all(GENERATIONS.map((generation) => signIn(generation, revokedToken)))),
      pool.add(await connectCurrent(url, { token: revokedToken, clientKey: t.clientKey })),
    ];
    const kept = await signIn('G2', keptToken);
    await eventually(async () => (await count()) === 5, 2000, 'five connections');
    const started = Date.now();
    const response = await t.admin('DELETE', '/admin/clients/rita/token', { token: revokedToken });
    expect(response.statusCode).toBe(200);
    await Promise.all(doomed.map((socket) => disconnected(socket, 1500)));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(isConnected(kept)).toBe(true);
    await eventually(async () => (await count()) === 1, 2000, 'one connection left');
    expectOk(
      await t.admin('POST', '/messages', {
        room: 'rev-room',
        sender: 'rita',
        message: 'still here',
        messageType: 'text',
      }),
    );
    await waitFor(kept, 'chat message', (message) => message.message === 'still here');
    // The revoked token cannot come back.
    const retry = pool.add(await connect(url, 'G3'));
    expect(await authenticate(retry, revokedToken, t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
    expect((await handshakeRefusal(url, { token: revokedToken, clientKey: t.clientKey })).data).toStrictEqual(
      INVALID_TOKEN_ACK,
    );
  });

  it("deleting a user disconnects all of that user's connections at once", async () => {
    const doomedToken = await t.createUser('dora');
    const bystanderToken = await t.createUser('bystander');
    const doomed = await Promise.all(GENERATIONS.map((generation) => signIn(generation, doomedToken)));
    const bystander = await signIn('G1', bystanderToken);
    expectOk(await t.admin('DELETE', '/admin/clients/dora'));
    await Promise.all(doomed.map((socket) => disconnected(socket, 1500)));
    await sleep(100);
    expect(isConnected(bystander)).toBe(true);
    const retry = pool.add(await connect(url, 'G1'));
    expect(await authenticate(retry, doomedToken, t.clientKey)).toStrictEqual(INVALID_TOKEN_ACK);
  });

  it('revoking an API key, or rolling it with no grace, disconnects its sockets at once, and only those', async () => {
    const first = await t.createKey({ name: 'socket-one' });
    const second = await t.createKey({ name: 'socket-two' });
    const keyId = async (name: string) => (await t.services.keys.list(t.appId)).find((key) => key.name === name)!.id;
    const one = pool.add(await connectCurrent(url, { apiKey: first }));
    const two = pool.add(await connectCurrent(url, { apiKey: second }));
    const main = pool.add(await connectCurrent(url, { apiKey: t.apiKey }));
    expectOk(await t.admin('DELETE', `/admin/keys/${await keyId('socket-one')}`));
    await disconnected(one, 1500);
    await sleep(100);
    expect(isConnected(two)).toBe(true);
    expectOk(await t.admin('POST', `/admin/keys/${await keyId('socket-two')}/roll`, { gracePeriodSeconds: 0 }));
    await disconnected(two, 1500);
    await sleep(100);
    expect(isConnected(main)).toBe(true);
    expect((await handshakeRefusal(url, { apiKey: first })).data).toStrictEqual(INVALID_API_KEY_BODY);
  });

  it('an API-key socket is disconnected when its key reaches its expiry', async () => {
    const expiring = await t.createKey({ name: 'expiring', expiresAt: Date.now() + 400 });
    const socket = pool.add(await connectCurrent(url, { apiKey: expiring }));
    expect(isConnected(socket)).toBe(true);
    await disconnected(socket, 1500);
  });

  it('a user socket is disconnected when its token reaches its expiration date', async () => {
    await t.createUser('tess');
    expectOk(
      await t.admin('PUT', '/admin/clients/tess/token', {
        token: 'tess-short-lived-token',
        expirationDate: Date.now() + 400,
      }),
    );
    const socket = await signIn('G2', 'tess-short-lived-token');
    await disconnected(socket, 1500);
  });
});

/** Splits an Engine.IO 3 polling payload (`<length>:<packet>` repeated, lengths in characters). */
function eio3Packets(payload: string): string[] {
  const packets: string[] = [];
  let rest = payload;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    const length = Number(rest.slice(0, colon));
    if (colon < 1 || !Number.isInteger(length)) throw new Error(`not an EIO3 payload: ${payload.slice(0, 200)}`);
    packets.push(rest.slice(colon + 1, colon + 1 + length));
    rest = rest.slice(colon + 1 + length);
  }
  return packets;
}

describe('real-time: CORS and transports of long-polling (G1)', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  const pool = socketPool();
  afterEach(() => pool.closeAll());

  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('polly');
    await createRoom(t, { _id: 'poll-room', members: ['polly'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    pool.closeAll();
    await t.close();
  });

  it('reflects the Origin with credentials on polling requests, and the whole G1 polling session works', async () => {
    for (const origin of ['http://app.example.test', 'https://other.example:8443']) {
      const handshake = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=Nabc`, {
        headers: { Origin: origin },
      });
      expect(handshake.status).toBe(200);
      expect(handshake.headers['access-control-allow-origin']).toBe(origin);
      expect(handshake.headers['access-control-allow-credentials']).toBe('true');
      // EIO3 payload framing: <length>:<packet>.
      const match = /^(\d+):0(\{.*\})$/.exec(handshake.body);
      expect(match, handshake.body).not.toBeNull();
      expect(Number(match![1])).toBe(match![2]!.length + 1);
      const open = JSON.parse(match![2]!);
      expect(open).toMatchObject({ sid: expect.any(String), upgrades: ['websocket'], pingTimeout: 8000 });
      expect(open.pingInterval).toBeLessThanOrEqual(5000);
      const session = `${url}/socket.io/?EIO=3&transport=polling&sid=${encodeURIComponent(open.sid)}`;

      const connected = await httpRequest(`${session}&t=Nabd`, { headers: { Origin: origin } });
      expect(connected.status).toBe(200);
      expect(connected.body).toBe('2:40');
      expect(connected.headers['access-control-allow-origin']).toBe(origin);
      expect(connected.headers['access-control-allow-credentials']).toBe('true');

      // The SDK's auth goes as a polling POST (text/plain) before the upgrade (realtime protocol 1.1).
      const packet = `420["auth",${JSON.stringify(token)}]`;
      const posted = await httpRequest(`${session}&t=Nabe`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'text/plain;charset=UTF-8' },
        body: `${packet.length}:${packet}`,
      });
      expect(posted.status).toBe(200);
      expect(posted.body).toBe('ok');
      expect(posted.headers['access-control-allow-origin']).toBe(origin);
      expect(posted.headers['access-control-allow-credentials']).toBe('true');
      // The next poll carries the ack (maybe with pushes): 430[{RC:0,…}].
      const answer = await httpRequest(`${session}&t=Nabf`, { headers: { Origin: origin } });
      const ack = eio3Packets(answer.body).find((frame) => frame.startsWith('430'));
      expect(ack, answer.body).toBeDefined();
      expect(JSON.parse(ack!.slice(3))).toMatchObject([{ RC: 0, RM: 'OK', result: { _id: 'polly', client: 'polly' } }]);
      // Close the session (EIO3 close packet).
      await httpRequest(`${session}&t=Nabg`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'text/plain;charset=UTF-8' },
        body: '1:1',
      });
    }
  });

  it('answers the CORS preflight of a polling POST with the origin, credentials and the method', async () => {
    const origin = 'http://app.example.test';
    const preflight = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=Nxyz&sid=whatever`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(200);
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-methods']).split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST']),
    );
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it('G1 starts on polling and upgrades to WebSocket; G2 and G3 use WebSocket from the start', async () => {
    const g1 = pool.add(await connect(url, 'G1'));
    expect(g1.raw.io.engine.transport.name).toBe('polling');
    // Authenticated on polling or during the upgrade, then pushes keep flowing over WebSocket.
    expect((await authenticate(g1, token, t.clientKey)).RC).toBe(0);
    await eventually(() => g1.raw.io.engine.transport.name === 'websocket', 3000, 'G1 upgrade to websocket');
    expectOk(
      await t.admin('POST', '/messages', {
        room: 'poll-room',
        sender: 'polly',
        message: 'after upgrade',
        messageType: 'text',
      }),
    );
    await waitFor(g1, 'chat message', (message) => message.message === 'after upgrade');
    for (const generation of ['G2', 'G3'] as const) {
      const socket = pool.add(await connect(url, generation));
      expect(socket.raw.io.engine.transport.name, generation).toBe('websocket');
    }
  });
});
