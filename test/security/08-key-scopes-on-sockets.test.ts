import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { connectKey, keyRefusal, until, type KeySocket } from './key-socket.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 8: a socket of an API key is held to that key like an HTTP request is: its scopes decide
 * which pushes it receives and which events it may send, and its allow-list, expiry and rate
 * limit apply, with the client address taken by the same TRUST_PROXY rules.
 */
const INSUFFICIENT = {
  error: 'INSUFFICIENT_PERMISSIONS',
  message: 'API key does not have permission for this operation',
};

describe('item 8: key scopes on sockets', () => {
  let t: TestApp;
  let url: string;
  const open: KeySocket[] = [];
  const socketOf = async (apiKey: string, headers?: Record<string, string>) => {
    const socket = await connectKey(url, apiKey, headers);
    open.push(socket);
    return socket;
  };
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}`;
  const say = async (text: string) =>
    expectOk(
      await t.admin('POST', '/messages', { room: 'private', sender: 'alice', message: text, messageType: 'text' }),
    );

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob']) await t.createUser(id);
    await createRoom(t, { _id: 'private', members: ['alice', 'bob'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it('a key without any scope a socket serves cannot open one', async () => {
    const stats = await t.createKey({ name: 'stats only', scopes: ['stats:read'] });
    expect(await keyRefusal(url, stats)).toStrictEqual(INSUFFICIENT);
  });

  it('receives a push only with the read scope the same data needs over HTTP', async () => {
    const full = await socketOf(t.apiKey);
    const messages = await socketOf(await t.createKey({ name: 'messages reader', scopes: ['messages:read'] }));
    const rooms = await socketOf(await t.createKey({ name: 'rooms reader', scopes: ['rooms:read'] }));
    const writer = await socketOf(await t.createKey({ name: 'writer', scopes: ['messages:write'] }));

    const text = unique('secret');
    await say(text);
    await until(
      () => full.received('chat message').some((message) => message.message === text),
      3000,
      'full key got the message',
    );
    await until(
      () => messages.received('chat message').some((message) => message.message === text),
      3000,
      'messages:read got the message',
    );
    await sleep(100);
    expect(rooms.received('chat message')).toHaveLength(0);
    expect(writer.received('chat message')).toHaveLength(0);

    const roomId = unique('room');
    await createRoom(t, { _id: roomId, members: ['alice'] });
    await until(() => rooms.received('room').some((room) => room._id === roomId), 3000, 'rooms:read got the room');
    await until(() => full.received('room').some((room) => room._id === roomId), 3000, 'full key got the room');
    await sleep(100);
    expect(messages.received('room').filter((room) => room._id === roomId)).toHaveLength(0);
    expect(writer.received('room')).toHaveLength(0);
  });

  it('sends a message only with messages:write, like POST /messages', async () => {
    const reader = await socketOf(await t.createKey({ name: 'read-only', scopes: ['messages:read', 'rooms:read'] }));
    const text = unique('forged');
    expect(
      await reader.call('chat message', { room: 'private', sender: 'bob', message: text, messageType: 'text' }),
    ).toMatchObject({ RC: 403, error: { code: 'INSUFFICIENT_PERMISSIONS' } });
    const stored = expectOk(await t.admin('GET', '/rooms/private/messages?limit=50'));
    expect(JSON.stringify(stored)).not.toContain(text);

    const writer = await socketOf(await t.createKey({ name: 'sender', scopes: ['messages:write'] }));
    expect(
      await writer.call('chat message', {
        room: 'private',
        sender: 'bob',
        message: unique('allowed'),
        messageType: 'text',
      }),
    ).toMatchObject({ RC: 0, result: { room: 'private' } });
  });

  it('checks the allow-list against the client address HTTP would see (no TRUST_PROXY: the peer)', async () => {
    const restricted = await t.createKey({
      name: 'office only',
      scopes: ['messages:read'],
      allowedIps: ['10.0.0.0/8'],
    });
    const spoofed = { 'x-forwarded-for': '10.1.2.3' };
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/admin/keys',
          remoteAddress: '127.0.0.1',
          headers: { 'im-api-key': restricted, ...spoofed },
        })
      ).json(),
    ).toStrictEqual(INSUFFICIENT);
    expect(await keyRefusal(url, restricted, spoofed)).toStrictEqual(INSUFFICIENT);
  });

  it("refuses the socket event once the key's rate limit is spent, sharing the budget with HTTP", async () => {
    const limited = await t.createKey({ name: 'limited', scopes: ['messages:write', 'messages:read'], rateLimit: 3 });
    const socket = await socketOf(limited);
    const answers: number[] = [];
    for (let i = 0; i < 4; i++)
      answers.push(
        (
          await socket.call('chat message', {
            room: 'private',
            sender: 'bob',
            message: unique('burst'),
            messageType: 'text',
          })
        ).RC,
      );
    // The connection counted as one request, like an HTTP call.
    expect(answers).toStrictEqual([0, 0, 429, 429]);
    const http = await t.app.inject({
      method: 'GET',
      url: '/rooms/private/messages',
      remoteAddress: '127.0.0.1',
      headers: { 'im-api-key': limited },
    });
    expect(http.statusCode).toBe(429);
  });
});

describe('item 8: key allow-list on sockets behind a trusted proxy', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await buildTestApp({ trustProxy: '127.0.0.1' });
    await t.createUser('alice');
    await createRoom(t, { _id: 'private', members: ['alice'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('uses the forwarded address, as HTTP does, when the peer is a trusted proxy', async () => {
    const restricted = await t.createKey({
      name: 'office only',
      scopes: ['messages:read'],
      allowedIps: ['10.0.0.0/8'],
    });
    const fromOffice = { 'x-forwarded-for': '10.1.2.3' };
    const fromElsewhere = { 'x-forwarded-for': '10.1.2.3, 192.0.2.7' };
    const http = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'GET',
        url: '/rooms/private/messages',
        remoteAddress: '127.0.0.1',
        headers: { 'im-api-key': restricted, ...headers },
      });
    expect((await http(fromOffice)).statusCode).toBe(200);
    expect((await http(fromElsewhere)).json()).toStrictEqual(INSUFFICIENT);
    const socket = await connectKey(url, restricted, fromOffice);
    expect(socket.raw.connected).toBe(true);
    socket.close();
    expect(await keyRefusal(url, restricted, fromElsewhere)).toStrictEqual(INSUFFICIENT);
  });
});
