import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequest, INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_FROZEN } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, expectSummary, list, makeRoom, MESSAGE_NOT_FOUND } from '../../helpers/messages-suite.js';
import { olga, send, t, tick, useMessagesApp } from '../../helpers/messages-suite.js';
import { authenticate, connect, type TestSocket } from '../../helpers/socket-clients.js';
import { expectNoPush, GENERATIONS, secondApp, socketPool } from '../../helpers/realtime-suite.js';
import { createRoom } from '../../helpers/factories.js';

/** Reactions (history 7.7): add and revoke, on every message view, pushed as the updated message. */

useMessagesApp();

/** Calls whose answer has its own RM (delete, freeze). */
async function expectDone(response: { statusCode: number; body: string; json(): any }): Promise<void> {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().RC).toBe(0);
}

const react = (token: string, id: string, reaction: unknown) =>
  t.asUser(token, 'POST', `/messages/${id}/reaction`, { reaction });
const revoke = (token: string, id: string, reaction: string) =>
  t.asUser(token, 'DELETE', `/messages/${id}/reaction?reaction=${encodeURIComponent(reaction)}`);

describe('reactions (history 7.7)', () => {
  it('answers the updated message: reactions, reactionCount, updatedAtMS moved, sender expanded', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'Hello');
    expect(sent).toMatchObject({ reactions: [], reactionCount: 0 });
    await tick();
    const liked = expectOk(await react(bob, sent._id, 'like'));
    expect(liked).toMatchObject({
      _id: sent._id,
      id: sent._id,
      room,
      message: 'Hello',
      messageType: 'text',
      appID: t.appId,
      createdAtMS: sent.createdAtMS,
      reactions: [{ client: 'bob', reaction: 'like' }],
      reactionCount: 1,
    });
    expectSummary(liked.sender, 'alice', 'Alice');
    expect(liked.updatedAtMS).toBeGreaterThan(sent.updatedAtMS);
  });

  it('keeps one entry per user and reaction; a user holds several; revoking removes only that one', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'vote');
    expectOk(await react(bob, sent._id, 'like'));
    const again = expectOk(await react(bob, sent._id, 'like'));
    expect(again.reactions).toStrictEqual([{ client: 'bob', reaction: 'like' }]);
    expectOk(await react(bob, sent._id, 'wow'));
    const both = expectOk(await react(alice, sent._id, 'like'));
    expect(both.reactionCount).toBe(3);
    expect(both.reactions).toHaveLength(3);
    expect(both.reactions).toEqual(
      expect.arrayContaining([
        { client: 'bob', reaction: 'like' },
        { client: 'bob', reaction: 'wow' },
        { client: 'alice', reaction: 'like' },
      ]),
    );
    const revoked = expectOk(await revoke(bob, sent._id, 'like'));
    expect(revoked.reactions).toEqual(
      expect.arrayContaining([
        { client: 'bob', reaction: 'wow' },
        { client: 'alice', reaction: 'like' },
      ]),
    );
    expect(revoked.reactionCount).toBe(2);
    // Revoking what one does not hold changes nothing and still answers 200.
    const absent = expectOk(await revoke(bob, sent._id, 'like'));
    expect(absent.reactionCount).toBe(2);
    expect(absent.updatedAtMS).toBe(revoked.updatedAtMS);
  });

  it('shows reactions on every view: the message list, the room and the room list (lastMessage)', async () => {
    const room = await makeRoom();
    const first = await send(room, 'alice', 'first');
    const last = await send(room, 'alice', 'last');
    expectOk(await react(bob, first._id, 'joy'));
    expectOk(await react(alice, last._id, 'sad'));
    const page = await list(room, 'timeRangeField=createdAt', bob);
    expect(page.data.map((message: any) => [message._id, message.reactions, message.reactionCount])).toStrictEqual([
      [last._id, [{ client: 'alice', reaction: 'sad' }], 1],
      [first._id, [{ client: 'bob', reaction: 'joy' }], 1],
    ]);
    const detail = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    expect(detail.lastMessage).toMatchObject({ _id: last._id, reactionCount: 1 });
    const rooms = expectOk(await t.asUser(bob, 'GET', '/rooms?limit=100'));
    const listed = rooms.data.find((entry: any) => entry._id === room);
    expect(listed.lastMessage).toMatchObject({ _id: last._id, reactions: [{ client: 'alice', reaction: 'sad' }] });
  });

  it('a message deleted and its id reused starts without reactions', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'gone soon');
    expectOk(await react(bob, sent._id, 'like'));
    await expectDone(await t.admin('DELETE', `/rooms/${room}/messages/${sent._id}`));
    const again = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, { _id: sent._id, message: 'back', messageType: 'text' }),
    );
    expect(again).toMatchObject({ _id: sent._id, reactions: [], reactionCount: 0 });
    expect((await list(room, '', bob)).data[0]).toMatchObject({ _id: sent._id, reactions: [], reactionCount: 0 });
  });

  it('refuses bad input with 400 in the error shape', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'x');
    expectBody(await react(bob, sent._id, ''), 400, INVALID_REQUEST);
    expectBody(await react(bob, sent._id, 42), 400, INVALID_REQUEST);
    expectBody(await react(bob, sent._id, 'x'.repeat(65)), 400, INVALID_REQUEST);
    expectBody(await t.asUser(bob, 'POST', `/messages/${sent._id}/reaction`, {}), 400, INVALID_REQUEST);
    expectBody(await t.asUser(bob, 'DELETE', `/messages/${sent._id}/reaction`), 400, INVALID_REQUEST);
    // With the API key, a user must be named: reactions are a user's.
    expectBody(
      await t.admin('POST', `/messages/${sent._id}/reaction`, { reaction: 'like' }),
      400,
      badRequest('IM-CLIENT-ID header is required with IM-API-KEY'),
    );
  });

  it('members only: outsiders, superusers outside the room, banned, frozen and unknown messages are refused', async () => {
    const room = await makeRoom({ members: ['mona', 'alice', 'bob'] });
    const sent = await send(room, 'alice', 'members only');
    expectBody(await react(carol, sent._id, 'like'), 404, MESSAGE_NOT_FOUND);
    expectBody(await revoke(carol, sent._id, 'like'), 404, MESSAGE_NOT_FOUND);
    expectBody(await react(bob, 'no-such-message', 'like'), 404, MESSAGE_NOT_FOUND);
    // olga owns the room without being in it: she moderates, she does not react.
    expectBody(await react(olga, sent._id, 'like'), 403, NOT_ROOM_MEMBER);
    // The API key acting as a member reacts in that member's name.
    const named = expectOk(
      await t.admin('POST', `/messages/${sent._id}/reaction`, { reaction: 'like' }, { 'IM-CLIENT-ID': 'bob' }),
    );
    expect(named.reactions).toStrictEqual([{ client: 'bob', reaction: 'like' }]);
    await expectDone(await t.admin('PUT', `/rooms/${room}`, { status: 0 }));
    expectBody(await react(alice, sent._id, 'wow'), 403, ROOM_FROZEN);
    await expectDone(await t.admin('PUT', `/rooms/${room}`, { status: 1 }));
    await expectDone(await t.asUser(olga, 'POST', `/blockStatus/room/${room}/alice`));
    const refused = await react(alice, sent._id, 'wow');
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error?.code ?? refused.json().code).toBe('USER_BLOCKED');
    expect(expectOk(await react(bob, sent._id, 'wow')).reactionCount).toBe(2);
  });

  it("another application's user cannot reach the message, even with the same user id", async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'app one');
    const other = await secondApp(t, 'bob');
    const response = await t.app.inject({
      method: 'POST',
      url: `/messages/${sent._id}/reaction`,
      headers: { 'IM-CLIENT-KEY': other.clientKey, 'IM-Authorization': other.token },
      payload: { reaction: 'like' },
    });
    expectBody(response, 404, MESSAGE_NOT_FOUND);
    expect((await list(room, '', bob)).data[0].reactionCount).toBe(0);
  });
});

describe('reactions through the real-time path', () => {
  const pool = socketPool();
  let url: string;
  const sockets: Record<string, TestSocket> = {};

  beforeAll(async () => {
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => pool.closeAll());

  it('pushes the updated message as `chat message` to the members on every SDK generation, not to outsiders', async () => {
    const room = await createRoom(t, { _id: 'reaction-live', members: ['alice', 'bob'] });
    expect(room).toBeTruthy();
    const [bob1, bob2, alice3, carol1] = await Promise.all([
      connect(url, GENERATIONS[0]!),
      connect(url, GENERATIONS[1]!),
      connect(url, GENERATIONS[2]!),
      connect(url, 'G1'),
    ]);
    for (const socket of [bob1, bob2, alice3, carol1]) pool.add(socket!);
    Object.assign(sockets, { bob1, bob2, alice3, carol1 });
    await authenticate(bob1!, bob, t.clientKey);
    await authenticate(bob2!, bob, t.clientKey);
    await authenticate(alice3!, alice, t.clientKey);
    await authenticate(carol1!, carol, t.clientKey);
    const created = [bob1!.next('chat message'), bob2!.next('chat message'), alice3!.next('chat message')];
    const sent = await send('reaction-live', 'alice', 'react to me');
    await Promise.all(created);

    const pushes = [bob1!.next('chat message'), bob2!.next('chat message'), alice3!.next('chat message')];
    expectOk(await react(bob, sent._id, 'like'));
    for (const pushed of await Promise.all(pushes))
      expect(pushed).toMatchObject({
        _id: sent._id,
        room: 'reaction-live',
        reactions: [{ client: 'bob', reaction: 'like' }],
        reactionCount: 1,
      });

    const revoked = [bob1!.next('chat message'), alice3!.next('chat message')];
    expectOk(await revoke(bob, sent._id, 'like'));
    for (const pushed of await Promise.all(revoked)) expect(pushed).toMatchObject({ _id: sent._id, reactionCount: 0 });

    // Nothing changed: nothing pushed.
    const before = bob1!.received('chat message').length;
    expectOk(await revoke(bob, sent._id, 'like'));
    await expectNoPush([carol1!], 'chat message');
    expect(bob1!.received('chat message')).toHaveLength(before);
  });
});
