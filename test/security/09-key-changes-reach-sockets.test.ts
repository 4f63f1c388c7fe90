import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, freshDatabase, testRedisUrl, type Storage, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { connectKey, until, type KeySocket } from './key-socket.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 9: a change to a key reaches its open sockets, on every node: a socket ends when its key's
 * roll grace ends, when its expiry comes (also when it was shortened), when its allow-list no
 * longer admits it, and its pushes follow a scope change.
 */
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const idOf = async (t: TestApp, plain: string) =>
  (
    await t.services.storage.db
      .selectFrom('api_keys')
      .select('id')
      .where('key_hash', '=', sha256(plain))
      .executeTakeFirstOrThrow()
  ).id;

describe('item 9: key changes reach open sockets', () => {
  let t: TestApp;
  let url: string;
  const open: KeySocket[] = [];
  const socketOf = async (apiKey: string) => {
    const socket = await connectKey(url, apiKey);
    open.push(socket);
    return socket;
  };
  const ended = (socket: KeySocket, ms: number, what: string) => until(() => !socket.raw.connected, ms, what);

  beforeAll(async () => {
    t = await buildTestApp();
    await t.createUser('alice');
    await createRoom(t, { _id: 'room', members: ['alice'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it('ends the socket of a rolled key when the grace period ends, with no further change', async () => {
    const plain = await t.createKey({ name: 'rolled with grace', scopes: ['messages:read'] });
    const socket = await socketOf(plain);
    const rolledAt = Date.now();
    expectOk(await t.admin('POST', `/admin/keys/${await idOf(t, plain)}/roll`, { gracePeriodSeconds: 1 }));
    await sleep(400);
    expect(socket.raw.connected).toBe(true);
    await ended(socket, 2500, 'socket ended at grace end');
    expect(Date.now() - rolledAt).toBeGreaterThanOrEqual(900);
  });

  it('ends the socket when its expiry is shortened, at the new expiry', async () => {
    const plain = await t.createKey({
      name: 'shortened',
      scopes: ['messages:read'],
      expiresAt: Date.now() + 3_600_000,
    });
    const socket = await socketOf(plain);
    expectOk(await t.admin('PATCH', `/admin/keys/${await idOf(t, plain)}`, { expiresAt: Date.now() + 600 }));
    await sleep(200);
    expect(socket.raw.connected).toBe(true);
    await ended(socket, 2500, 'socket ended at the shortened expiry');
  });

  it('ends the socket when its allow-list is narrowed away from its address', async () => {
    const plain = await t.createKey({ name: 'narrowed', scopes: ['messages:read'], allowedIps: ['127.0.0.0/8'] });
    const socket = await socketOf(plain);
    const kept = await socketOf(
      await t.createKey({ name: 'still allowed', scopes: ['messages:read'], allowedIps: ['127.0.0.0/8'] }),
    );
    expectOk(await t.admin('PATCH', `/admin/keys/${await idOf(t, plain)}`, { allowedIps: ['10.0.0.0/8'] }));
    await ended(socket, 2000, 'socket ended after its allow-list was narrowed');
    expectOk(await t.admin('PATCH', `/admin/keys/${await idOf(t, plain)}`, { allowedIps: ['127.0.0.1'] }));
    await sleep(100);
    expect(kept.raw.connected).toBe(true);
  });

  it('follows a scope change: pushes stop with the read scope, the socket ends with the last scope it serves', async () => {
    const plain = await t.createKey({ name: 'narrowed scopes', scopes: ['messages:read', 'rooms:read'] });
    const id = await idOf(t, plain);
    const socket = await socketOf(plain);
    expectOk(
      await t.admin('POST', '/messages', { room: 'room', sender: 'alice', message: 'before', messageType: 'text' }),
    );
    await until(() => socket.received('chat message').length === 1, 2000, 'message before the change');
    expectOk(await t.admin('PATCH', `/admin/keys/${id}`, { scopes: ['rooms:read'] }));
    await sleep(200);
    expectOk(
      await t.admin('POST', '/messages', { room: 'room', sender: 'alice', message: 'after', messageType: 'text' }),
    );
    await sleep(300);
    expect(socket.received('chat message').map((message) => message.message)).toStrictEqual(['before']);
    expect(socket.raw.connected).toBe(true);
    expectOk(await t.admin('PATCH', `/admin/keys/${id}`, { scopes: ['stats:read'] }));
    await ended(socket, 2000, 'socket ended once no scope it serves is left');
  });
});

describe.skipIf(!testRedisUrl)('item 9: key changes reach sockets on every node', () => {
  let storage: Storage;
  let a: TestApp;
  let b: TestApp;
  let urlB: string;
  const open: KeySocket[] = [];

  beforeAll(async () => {
    storage = await freshDatabase();
    const redisPrefix = `parley-test:${randomBytes(6).toString('hex')}:`;
    a = await buildTestApp({}, { storage, redisPrefix });
    b = await buildTestApp(
      {},
      { storage, redisPrefix, credentials: { apiKey: a.apiKey, clientKey: a.clientKey, appId: a.appId } },
    );
    urlB = await b.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.dispose();
  });

  const socketOnB = async (apiKey: string) => {
    const socket = await connectKey(urlB, apiKey);
    open.push(socket);
    return socket;
  };

  it('a narrowed allow-list on node A ends the socket on node B', async () => {
    const plain = await a.createKey({ name: 'cross-node allow-list', scopes: ['messages:read'] });
    const socket = await socketOnB(plain);
    expectOk(await a.admin('PATCH', `/admin/keys/${await idOf(a, plain)}`, { allowedIps: ['10.0.0.0/8'] }));
    await until(() => !socket.raw.connected, 3000, 'socket on B ended');
  });

  it('a roll on node A ends the socket on node B when the grace ends', async () => {
    const plain = await a.createKey({ name: 'cross-node roll', scopes: ['messages:read'] });
    const socket = await socketOnB(plain);
    expectOk(await a.admin('POST', `/admin/keys/${await idOf(a, plain)}/roll`, { gracePeriodSeconds: 1 }));
    await sleep(400);
    expect(socket.raw.connected).toBe(true);
    await until(() => !socket.raw.connected, 3000, 'socket on B ended at grace end');
  });

  it('a shortened expiry on node A ends the socket on node B', async () => {
    const plain = await a.createKey({ name: 'cross-node expiry', scopes: ['messages:read'] });
    const socket = await socketOnB(plain);
    expectOk(await a.admin('PATCH', `/admin/keys/${await idOf(a, plain)}`, { expiresAt: Date.now() + 500 }));
    await until(() => !socket.raw.connected, 3000, 'socket on B ended at the new expiry');
  });
});
