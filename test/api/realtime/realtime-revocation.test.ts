import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation } from '../../helpers/socket-clients.js';
import {
  connectCurrent,
  disconnected,
  eventually,
  handshakeRefusal,
  isConnected,
} from '../../helpers/realtime-tools.js';
import { waitFor } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import { GENERATIONS, INVALID_API_KEY_BODY, INVALID_TOKEN_ACK, secondApp } from '../../helpers/realtime-suite.js';
import { socketPool } from '../../helpers/realtime-suite.js';

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
