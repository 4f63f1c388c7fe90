import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error untyped package (socket.io-client 2.2, IMKIT's G1)
import ioV22 from 'socket.io-client-v2';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { INVALID_REQUEST, INVALID_TOKEN, shapeB } from '../../helpers/errors.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../../helpers/socket-clients.js';
import {
  connectCurrent,
  disconnected,
  eventually,
  handshakeRefusal,
  httpRequest,
} from '../../helpers/realtime-tools.js';
import { isConnected, rawWire, waitFor } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';

/**
 * Bad input on the real-time gateway: unknown events, wrong payload types, oversized packets,
 * floods, events before authentication and malformed frames. Each is refused in the SDK's error
 * shape (or by closing that one connection), and the server keeps serving everyone else.
 */

const GENERATIONS: Generation[] = ['G1', 'G2', 'G3'];
const ONE_MIB = 1024 * 1024;

const badRequest = INVALID_REQUEST;
const INVALID_TOKEN_ACK = INVALID_TOKEN;
const NOT_AUTHENTICATED_ACK = shapeB(401, 'Unauthorized', 'INVALID_TOKEN', 'Authenticate first (auth or auth2)');
const RATE_LIMITED_ACK = shapeB(
  429,
  'Too Many Requests',
  'RATE_LIMIT_EXCEEDED',
  'Too many events on this connection; slow down',
);
const unknownEvent = (name: string) => shapeB(404, 'Not Found', 'NOT_FOUND', `Unknown event "${name}"`);

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

const decodeBase64 = (value: unknown) => JSON.parse(Buffer.from(String(value), 'base64').toString('utf8'));

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
const errorLogs = (t: TestApp) =>
  t.logs.filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });

describe('real-time abuse: bad input is refused and the server keeps serving', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const opened: TestSocket[] = [];
  let watcher: TestSocket;
  let watcherG1: TestSocket;
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}`;

  const track = <T extends TestSocket>(socket: T): T => {
    opened.push(socket);
    return socket;
  };
  const signIn = async (generation: Generation, user = 'alice') => {
    const socket = track(await connect(url, generation));
    expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
    return socket;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 'r', members: ['alice', 'bob'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    watcher = await connect(url, 'G3');
    expect((await authenticate(watcher, tokens.bob!, t.clientKey)).RC).toBe(0);
    watcherG1 = await connect(url, 'G1');
    expect((await authenticate(watcherG1, tokens.bob!, t.clientKey)).RC).toBe(0);
  });
  afterEach(async () => {
    for (const socket of opened.splice(0)) socket.close();
    // After every kind of abuse: the long-lived connections, new connections and HTTP still work.
    await expectServing();
  });
  afterAll(async () => {
    watcher.close();
    watcherG1.close();
    await t.close();
  });

  async function expectServing(): Promise<void> {
    expect(isConnected(watcher)).toBe(true);
    expect(isConnected(watcherG1)).toBe(true);
    const text = unique('still-serving');
    expectOk(await t.admin('POST', '/messages', { room: 'r', sender: 'alice', message: text, messageType: 'text' }));
    await waitFor(watcher, 'chat message', (message) => message.message === text);
    await waitFor(watcherG1, 'chat message', (message) => message.message === text);
    expect(await watcher.call('sync', { since: Date.now() + 60_000 })).toMatchObject({ RC: 0 });
    const health = await httpRequest(`${url}/healthz`);
    expect(health.status).toBe(200);
    const me = await httpRequest(`${url}/me`, {
      headers: { 'im-client-key': t.clientKey, 'im-authorization': tokens.alice! },
    });
    expect(me.status).toBe(200);
    const fresh = await connect(url, 'G2');
    try {
      expect((await authenticate(fresh, tokens.alice!, t.clientKey)).RC).toBe(0);
    } finally {
      fresh.close();
    }
    expect(errorLogs(t)).toStrictEqual([]);
  }

  for (const generation of GENERATIONS) {
    it(`${generation}: unknown events get a NOT_FOUND ack when they ask for one, and are ignored otherwise`, async () => {
      const anonymous = track(await connect(url, generation));
      const signedIn = await signIn(generation);
      for (const socket of [anonymous, signedIn]) {
        for (const name of [
          'nope',
          'message',
          'join',
          'leave',
          'chat',
          'CHAT MESSAGE',
          'constructor',
          '__proto__',
          'toString',
          'hasOwnProperty',
        ]) {
          const answer = await rawAck(socket, name, { room: 'r' });
          // Plain, never base64, in every generation.
          expect(answer, name).toStrictEqual([unknownEvent(name)]);
        }
        const long = 'x'.repeat(300);
        expect(await rawAck(socket, long)).toStrictEqual([unknownEvent('x'.repeat(64))]);
        // Without an ack: no answer, no harm.
        for (let index = 0; index < 20; index++) socket.raw.emit(`no-ack-${index}`, { junk: index });
        socket.raw.emit('nope');
      }
      await sleep(100);
      expect(isConnected(anonymous)).toBe(true);
      expect(isConnected(signedIn)).toBe(true);
      expect(
        await signedIn.call('chat message', { room: 'r', message: unique('after-unknown'), messageType: 'text' }),
      ).toMatchObject({ RC: 0 });
      expect(await anonymous.call('sync', { since: 0 })).toStrictEqual(NOT_AUTHENTICATED_ACK);
    });

    it(`${generation}: every event refuses payloads of the wrong type with a 400 (or its own error), never a 500`, async () => {
      const socket = await signIn(generation);
      const message = expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/r/message', { message: unique('target'), messageType: 'text' }),
      );
      let deep: unknown = 'x';
      for (let depth = 0; depth < 2000; depth++) deep = { d: deep };
      const cases: Array<[string, unknown[], unknown]> = [
        ['chat message', [], badRequest],
        ['chat message', ['text'], badRequest],
        ['chat message', [null], badRequest],
        ['chat message', [42], badRequest],
        ['chat message', [true], badRequest],
        ['chat message', [['r', 'text']], badRequest],
        ['chat message', [{}], badRequest],
        ['chat message', [{ room: 42, message: 'x', messageType: 'text' }], badRequest],
        ['chat message', [{ room: '', message: 'x', messageType: 'text' }], badRequest],
        ['chat message', [{ room: ['r'], message: 'x', messageType: 'text' }], badRequest],
        ['chat message', [{ room: { $ne: null }, message: 'x', messageType: 'text' }], badRequest],
        ['chat message', [{ room: 'r'.repeat(1001), message: 'x', messageType: 'text' }], badRequest],
        ['chat message', [{ room: 'r', message: 'x', messageType: 42 }], badRequest],
        ['chat message', [{ room: 'r' }], badRequest],
        ['chat message', [{ room: 'r', message: null, messageType: 'text' }], badRequest],
        ['chat message', [{ room: 'r', message: 'x', messageType: 'text', _id: 42 }], badRequest],
        ['chat message', [{ room: 'r', message: 'x', messageType: 'text', _id: 'not-an-id' }], badRequest],
        ['chat message', [{ room: 'r', message: 'y'.repeat(70 * 1024), messageType: 'text' }], badRequest],
        ['chat message', [Buffer.from('binary')], badRequest],
        [
          'chat message',
          [{ room: 'nowhere', message: 'x', messageType: 'text' }],
          shapeB(404, 'Room not found', 'ROOM_NOT_FOUND', expect.any(String)),
        ],
        ['typing', [], badRequest],
        ['typing', [42, 'x'], badRequest],
        ['typing', [null, 'x'], badRequest],
        ['typing', [{}, 'x'], badRequest],
        ['typing', [['r'], 'x'], badRequest],
        ['typing', ['', 'x'], badRequest],
        ['typing', ['nowhere', 'x'], shapeB(404, 'Room not found', 'ROOM_NOT_FOUND', expect.any(String))],
        ['lastRead', [], badRequest],
        ['lastRead', ['r'], badRequest],
        ['lastRead', [42, message._id], badRequest],
        ['lastRead', ['r', 42], badRequest],
        ['lastRead', ['r', {}], badRequest],
        ['lastRead', [null, null], badRequest],
        ['lastRead', ['r', 'f'.repeat(24)], shapeB(404, 'Message not found', 'MESSAGE_NOT_FOUND', expect.any(String))],
        ['sync', [], badRequest],
        ['sync', [null], badRequest],
        ['sync', ['since'], badRequest],
        ['sync', [42], badRequest],
        ['sync', [{ since: {} }], badRequest],
        ['sync', [{ since: [] }], badRequest],
        ['sync', [{ since: true }], badRequest],
        ['sync', [{ since: 'garbage' }], badRequest],
        ['sync', [{ since: 1e20 }], badRequest],
        ['sync', [{ since: 'f'.repeat(24) }], badRequest],
        ['auth', [], INVALID_TOKEN_ACK],
        ['auth', [42], INVALID_TOKEN_ACK],
        ['auth', [null], INVALID_TOKEN_ACK],
        ['auth', [{}], INVALID_TOKEN_ACK],
        ['auth', [[tokens.alice]], INVALID_TOKEN_ACK],
        ['auth', [Buffer.from('binary')], INVALID_TOKEN_ACK],
      ];
      for (const [event, args, expected] of cases) {
        const [answer, ...more] = await rawAck(socket, event, ...args);
        expect(more, `${event} ${JSON.stringify(args).slice(0, 80)}`).toStrictEqual([]);
        expect(answer, `${event} ${JSON.stringify(args).slice(0, 80)}`).toStrictEqual(expected);
      }
      // A failed authentication signs the connection out: it must prove who it is again.
      const [signedOut] = await rawAck(socket, 'chat message', { room: 'r', message: 'x', messageType: 'text' });
      expect((signedOut as { RC: number }).RC).toBe(401);
      await authenticate(socket, tokens.alice!, t.clientKey);
      // Deeply nested JSON inside a small message: stored or refused, but never an internal error.
      const [nested] = await rawAck(socket, 'chat message', {
        room: 'r',
        message: 'nested',
        messageType: 'text',
        extra: deep,
      });
      expect([0, 400]).toContain((nested as { RC: number }).RC);
      expect(isConnected(socket)).toBe(true);
    });

    it(`${generation}: auth2 and conf with payloads of the wrong type are refused or ignored, never a 500`, async () => {
      // (A second connection: the per-connection event budget is 60 per 10 s.)
      const socket = await signIn(generation);
      // auth2 answers in the connection's encoding (base64 after conf).
      const auth2Cases: Array<[unknown[], string]> = [
        [[42, {}], 'INVALID_TOKEN'],
        [[null, null], 'INVALID_TOKEN'],
        [[{}, { CLIENT_KEY: t.clientKey }], 'INVALID_TOKEN'],
        [[tokens.alice, { CLIENT_KEY: 42, Authorization: tokens.alice }], 'INVALID_CLIENT_KEY'],
        [[tokens.alice, { CLIENT_KEY: ['x'], Authorization: tokens.alice }], 'INVALID_CLIENT_KEY'],
        [[tokens.alice, { CLIENT_KEY: t.clientKey, Authorization: 42 }], 'INVALID_TOKEN'],
      ];
      for (const [args, code] of auth2Cases) {
        const [answer] = await rawAck(socket, 'auth2', ...args);
        const body = generation === 'G1' ? answer : decodeBase64(answer);
        expect(body, JSON.stringify(args)).toMatchObject({ RC: code === 'INVALID_TOKEN' ? 401 : 403, error: { code } });
      }
      // conf with anything: an empty ack; the connection can still choose its encoding afterwards.
      for (const options of [42, 'base64', null, [], { encoding: 42 }, {}])
        expect(await rawAck(socket, 'conf', options)).toStrictEqual([]);
      if (generation !== 'G1') expect(await rawAck(socket, 'conf', { encoding: 'base64' })).toStrictEqual([]);
      expect((await authenticate(socket, tokens.alice!, t.clientKey)).RC).toBe(0);
      // A typing whose message is not text is just typing.
      expect(await socket.call('typing', 'r', { not: 'text' })).toStrictEqual({ RC: 0, RM: 'OK', result: {} });
      const text = unique('after-bad-input');
      const sent = await socket.call('chat message', { room: 'r', message: text, messageType: 'text' });
      expect(sent).toMatchObject({ RC: 0, result: { message: text } });
      await waitFor(socket, 'chat message', (pushed) => pushed._id === sent.result._id);
      expect(isConnected(socket)).toBe(true);
    });

    it(`${generation}: a packet over 1 MiB closes that connection (signed in or not), without an ack`, async () => {
      const signedIn = await signIn(generation);
      const anonymous = track(await connect(url, generation));
      for (const socket of [signedIn, anonymous]) {
        let acked = false;
        socket.raw.emit(
          'chat message',
          { room: 'r', message: 'z'.repeat(ONE_MIB + 1024), messageType: 'text' },
          () => (acked = true),
        );
        await disconnected(socket, 3000);
        expect(acked).toBe(false);
      }
      // Just under the limit is a normal (refused: too long a message) event on a live connection.
      const near = await signIn(generation);
      expect(
        await near.call('chat message', { room: 'r', message: 'z'.repeat(ONE_MIB - 4096), messageType: 'text' }),
      ).toMatchObject({ RC: 400, error: { code: 'INVALID_REQUEST' } });
      expect(isConnected(near)).toBe(true);
    });

    it(`${generation}: a flood gets RATE_LIMIT_EXCEEDED acks, then the connection is closed; other connections are unaffected`, async () => {
      const flooder = await signIn(generation);
      const neighbour = await signIn(generation);
      // conf (and auth2) or auth already used part of the 60 events per 10 s.
      const used = generation === 'G1' ? 1 : 2;
      const conf = generation === 'G1' ? { encoding: 'plain' } : { encoding: 'base64' };
      const allowed = await Promise.all(Array.from({ length: 60 - used }, () => rawAck(flooder, 'conf', conf)));
      expect(allowed.every((answer) => answer.length === 0)).toBe(true);
      // Over the limit: refused, and not carried out.
      const refusedText = unique('refused-by-limit');
      expect(
        await flooder.call('chat message', { room: 'r', message: refusedText, messageType: 'text' }),
      ).toStrictEqual(RATE_LIMITED_ACK);
      expect(await rawAck(flooder, 'auth', tokens.bob)).toStrictEqual([RATE_LIMITED_ACK]);
      // Keep flooding: after 50 refusals the server closes the connection.
      const refusals: unknown[] = [];
      for (let index = 0; index < 80; index++)
        flooder.raw.emit('sync', { since: 0 }, (answer: unknown) => refusals.push(answer));
      await disconnected(flooder, 3000);
      expect(refusals.length).toBeGreaterThanOrEqual(47);
      expect(refusals.length).toBeLessThanOrEqual(49);
      for (const answer of refusals) expect(answer).toStrictEqual(RATE_LIMITED_ACK);
      // The neighbour (same user, own budget) is untouched, and nothing refused was sent.
      expect(isConnected(neighbour)).toBe(true);
      expect(await neighbour.call('sync', { since: Date.now() + 60_000 })).toMatchObject({ RC: 0 });
      await sleep(100);
      expect(neighbour.received('chat message').filter((message) => message.message === refusedText)).toStrictEqual([]);
      expect(watcher.received('chat message').filter((message) => message.message === refusedText)).toStrictEqual([]);
    });

    it(`${generation}: events before authentication get INVALID_TOKEN acks (plain) and do nothing`, async () => {
      const socket = track(await connect(url, generation));
      const message = expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/r/message', {
          message: unique('pre-auth-target'),
          messageType: 'text',
        }),
      );
      const text = unique('pre-auth');
      const cases: Array<[string, unknown[]]> = [
        ['chat message', [{ room: 'r', message: text, messageType: 'text' }]],
        ['typing', ['r', text]],
        ['lastRead', ['r', message._id]],
        ['sync', [{ since: 0 }]],
        ['sync', []],
      ];
      for (const [event, args] of cases)
        expect(await rawAck(socket, event, ...args), event).toStrictEqual([NOT_AUTHENTICATED_ACK]);
      // Fire-and-forget forms too: nothing happens.
      socket.raw.emit('typing', 'r', text);
      socket.raw.emit('chat message', { room: 'r', message: text, messageType: 'text' });
      await sleep(150);
      expect(watcher.received('chat message').filter((pushed) => pushed.message === text)).toStrictEqual([]);
      expect(watcher.received('typing').filter((typing) => typing.message === text)).toStrictEqual([]);
      expect(
        watcher.received('lastRead').filter((read) => read.messageID === message._id && read.memberID === 'alice'),
      ).toStrictEqual([]);
      // And it receives no pushes of the room.
      expect(socket.received('chat message')).toStrictEqual([]);
      expect(isConnected(socket)).toBe(true);
    });
  }

  it('a G1 connection still on long-polling: an oversized POST is refused with 413 and the client drops', async () => {
    const raw = ioV22(url, { forceNew: true, reconnection: false, transports: ['polling'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('G1 polling did not connect')), 3000);
        raw.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      expect(raw.io.engine.transport.name).toBe('polling');
      const ack = await new Promise<any>((resolve) => raw.emit('auth', tokens.alice, resolve));
      expect(ack.RC).toBe(0);
      const closed = new Promise<void>((resolve) => raw.once('disconnect', () => resolve()));
      raw.emit('chat message', { room: 'r', message: 'p'.repeat(ONE_MIB + 1024), messageType: 'text' });
      await Promise.race([
        closed,
        sleep(3000).then(() => {
          throw new Error('G1 polling still connected');
        }),
      ]);
    } finally {
      raw.close();
    }
    // The same on the wire.
    const handshake = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=big`);
    const sid = JSON.parse(handshake.body.slice(handshake.body.indexOf(':') + 2)).sid as string;
    const packet = `42["chat message","${'q'.repeat(ONE_MIB + 1024)}"]`;
    const posted = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&sid=${encodeURIComponent(sid)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: `${packet.length}:${packet}`,
    });
    expect(posted.status).toBe(413);
    await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&sid=${encodeURIComponent(sid)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: '1:1',
    });
  });

  it('malformed frames close only the connection that sent them', async () => {
    const frames = [
      'garbage',
      '4',
      '42',
      '42not json',
      '42[]',
      '42[42]',
      '42[null,"x"]',
      '42{"a":1}',
      '42["chat message"',
      '42["chat message",{"room":',
      '4299999999999999999999["sync"]',
      '431[]',
      '43',
      '44{}',
      '41',
      '45',
      '46',
      '9',
      '',
      '42/nonexistent,["x"]',
      '40/admin,',
      '451-["chat message",{"_placeholder":true,"num":0}]',
      '42["sync",{"since":0}]',
      `42["${'e'.repeat(10_000)}"]`,
    ];
    for (const frame of frames) {
      const wire = await rawWire(url, 4);
      try {
        wire.send('40');
        await wire.frame((received) => received.startsWith('40'));
        wire.send(frame);
        await sleep(30);
        if (!wire.isClosed()) {
          // Still open: it still answers (an unknown event gets its NOT_FOUND ack).
          wire.send('4277["still-there"]');
          const answer = await Promise.race([
            wire.frame((received) => received.startsWith('4377')),
            wire.closed.then(() => 'closed'),
          ]);
          if (answer !== 'closed')
            expect(JSON.parse(answer.slice(4)), JSON.stringify(frame)).toStrictEqual([unknownEvent('still-there')]);
        }
      } finally {
        wire.close();
      }
    }
    // Binary garbage, on both Engine.IO versions.
    for (const eio of [3, 4] as const) {
      const wire = await rawWire(url, eio);
      wire.send(Buffer.from([0xff, 0x00, 0xfe, 0x42]));
      wire.send(Buffer.alloc(64 * 1024, 0x41));
      await sleep(30);
      wire.close();
    }
  });

  it('a flood of unknown events counts like any flood: answered, then rate-limited, then disconnected', async () => {
    const socket = track(await connect(url, 'G3'));
    const answers: any[] = [];
    for (let index = 0; index < 3000; index++)
      socket.raw.emit('nope', index, (answer: unknown) => answers.push(answer));
    await eventually(() => !isConnected(socket), 5000, 'the flooding socket to be disconnected');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers[0]).toStrictEqual(unknownEvent('nope'));
    expect(answers.filter((answer) => answer.error.code === 'NOT_FOUND').length).toBeLessThanOrEqual(60);
    expect(answers.some((answer) => answer.error.code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
  });
});

describe('real-time abuse: failed authentications count against the address', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  const opened: TestSocket[] = [];
  const RATE_LIMITED_AUTH = shapeB(
    429,
    'Too Many Requests',
    'RATE_LIMIT_EXCEEDED',
    'Too many requests, please try again later',
  );

  beforeAll(async () => {
    t = await buildTestApp({ authFailuresPerMinute: 4 });
    token = await t.createUser('alice');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const socket of opened.splice(0)) socket.close();
    await t.close();
  });

  it('after the budget of failures, auth, auth2 and handshakes are refused with RATE_LIMIT_EXCEEDED; an issued token or generated key still signs in', async () => {
    const signedIn = await connect(url, 'G3');
    opened.push(signedIn);
    expect((await authenticate(signedIn, token, t.clientKey)).RC).toBe(0);

    const g1 = await connect(url, 'G1');
    const g2 = await connect(url, 'G2');
    opened.push(g1, g2);
    for (let attempt = 0; attempt < 4; attempt++)
      expect(await authenticate(attempt % 2 ? g1 : g2, `wrong-${attempt}`, t.clientKey)).toStrictEqual(
        INVALID_TOKEN_ACK,
      );
    expect(await authenticate(g1, 'wrong-again', t.clientKey)).toStrictEqual(RATE_LIMITED_AUTH);
    expect(await authenticate(g1, 'wrong-once-more', t.clientKey)).toStrictEqual(RATE_LIMITED_AUTH);
    const refusal = await handshakeRefusal(url, { token: 'wrong-in-handshake', clientKey: t.clientKey });
    expect(refusal.data).toStrictEqual({
      error: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many requests, please try again later',
      retryAfter: expect.any(Number),
    });
    expect((await handshakeRefusal(url, { apiKey: 'wrong-api-key-in-handshake' })).data).toMatchObject({
      error: 'RATE_LIMIT_EXCEEDED',
    });
    // Others' failures do not refuse an unguessable right credential (issue 9 item 12).
    expect((await authenticate(g2, token, t.clientKey)).RC).toBe(0);
    const keyed = await connectCurrent(url, { apiKey: t.apiKey });
    opened.push(keyed);
    expect(isConnected(keyed)).toBe(true);

    // The connection that signed in before keeps working.
    expect(isConnected(signedIn)).toBe(true);
    expect(await signedIn.call('sync', { since: Date.now() + 60_000 })).toMatchObject({ RC: 0 });
    expect((await httpRequest(`${url}/healthz`)).status).toBe(200);
    expect(errorLogs(t)).toStrictEqual([]);
    // An existing connection is not a way around it.
    const current = await connectCurrent(url);
    opened.push(current);
    expect(await current.call('auth', 'wrong-on-existing')).toStrictEqual(RATE_LIMITED_AUTH);
  });
});
