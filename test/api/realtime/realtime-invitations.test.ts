import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { createNamedUsers, createRoom } from '../../helpers/factories.js';

/**
 * `cancelInvitation` (other-clients.md 1.2, 2): the invitee's connections learn that an invitation is
 * gone, cancelled by a member or declined by the invitee elsewhere. Flutter reads `room` (the id) from
 * base64 JSON; iOS reads `invitationID`; a plain client (Vue-style, no `conf`) gets the object.
 */

const TIMEOUT_MS = 3000;

interface Client {
  socket: Socket;
  /** Every `cancelInvitation` payload as it arrived on the wire. */
  raw: unknown[];
  /** The same, decoded. */
  decoded: () => any[];
}

function watch(socket: Socket, base64: boolean): Client {
  const raw: unknown[] = [];
  socket.on('cancelInvitation', (payload: unknown) => raw.push(payload));
  return {
    socket,
    raw,
    decoded: () =>
      raw.map((payload) =>
        base64 ? JSON.parse(Buffer.from(String(payload), 'base64').toString('utf8')) : (payload as object),
      ),
  };
}

function connected(url: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection')), TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function ack(socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), TIMEOUT_MS);
    socket.emit(event, ...args, (answer: unknown) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** As the Flutter SDK: `conf {encoding: "base64"}` with an ack, then `auth2(token, {IM-CLIENT-KEY, IM-Authorization})`. */
async function flutterClient(url: string, token: string, clientKey: string): Promise<Client> {
  const socket = await connected(url);
  const client = watch(socket, true);
  await ack(socket, 'conf', { encoding: 'base64' });
  const answer = await ack(socket, 'auth2', token, { 'IM-CLIENT-KEY': clientKey, 'IM-Authorization': token });
  expect(JSON.parse(Buffer.from(String(answer), 'base64').toString('utf8'))).toMatchObject({ RC: 0 });
  return client;
}

/** A plain-mode client: no `conf`, `auth2` with the Vue client's header spelling. */
async function plainClient(url: string, token: string, clientKey: string): Promise<Client> {
  const socket = await connected(url);
  const client = watch(socket, false);
  const answer = await ack(socket, 'auth2', token, { 'IM-Client-Key': clientKey, 'IM-Authorization': token });
  expect(answer).toMatchObject({ RC: 0 });
  return client;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('real-time: cancelInvitation', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  let catFlutter: Client, catPlain: Client, danFlutter: Client, benFlutter: Client, annPlain: Client;

  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['ann', 'ben', 'cat', 'dan']));
    await createRoom(t, { _id: 'party', name: 'Party', owner: 'ann', opening: 0, members: ['ann', 'ben'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    catFlutter = await flutterClient(url, tokens.cat!, t.clientKey);
    catPlain = await plainClient(url, tokens.cat!, t.clientKey);
    danFlutter = await flutterClient(url, tokens.dan!, t.clientKey);
    benFlutter = await flutterClient(url, tokens.ben!, t.clientKey);
    annPlain = await plainClient(url, tokens.ann!, t.clientKey);
    clients.push(catFlutter, catPlain, danFlutter, benFlutter, annPlain);
    expectOk(
      await t.asUser(tokens.ann!, 'POST', '/rooms/party/members', {
        invitees: ['cat', 'dan'],
        invitationRequired: true,
      }),
    );
  });
  afterAll(async () => {
    for (const client of clients) client.socket.close();
    await t.close();
  });

  it("reaches every connection of a decliner, base64 for Flutter and plain for the other, and no one else's", async () => {
    expectOk(await t.asUser(tokens.cat!, 'DELETE', '/rooms/party/invitations'));
    await until(() => catFlutter.raw.length === 1 && catPlain.raw.length === 1, "cat's cancelInvitation pushes");
    const expected = {
      room: 'party',
      roomID: 'party',
      invitationID: 'party',
      invitee: 'cat',
      inviter: 'ann',
      reason: 'declined',
    };
    // Flutter: a string, base64 of the JSON text.
    expect(typeof catFlutter.raw[0]).toBe('string');
    expect(catFlutter.raw[0]).toBe(Buffer.from(JSON.stringify(expected)).toString('base64'));
    expect(catFlutter.decoded()).toStrictEqual([expected]);
    expect(catPlain.raw).toStrictEqual([expected]);
    await sleep(100);
    for (const other of [danFlutter, benFlutter, annPlain]) expect(other.raw).toStrictEqual([]);
  });

  it('reaches the cancelled invitee when a member cancels', async () => {
    expectOk(
      await t.asUser(tokens.ben!, 'POST', '/rooms/party/delete/invitations', {
        invitees: ['dan'],
        systemMessage: true,
      }),
    );
    await until(() => danFlutter.raw.length === 1, "dan's cancelInvitation push");
    expect(danFlutter.decoded()).toStrictEqual([
      { room: 'party', roomID: 'party', invitationID: 'party', invitee: 'dan', inviter: 'ann', reason: 'cancelled' },
    ]);
    await sleep(100);
    expect(benFlutter.raw).toStrictEqual([]);
    expect(annPlain.raw).toStrictEqual([]);
    expect(catFlutter.raw).toHaveLength(1);
  });

  it('sends nothing when there was no invitation to withdraw', async () => {
    expectOk(await t.asUser(tokens.cat!, 'DELETE', '/rooms/party/invitations'));
    expectOk(await t.asUser(tokens.ben!, 'DELETE', '/rooms/party/invitations/dan'));
    await sleep(150);
    expect(catFlutter.raw).toHaveLength(1);
    expect(danFlutter.raw).toHaveLength(1);
  });
});
