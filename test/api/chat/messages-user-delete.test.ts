import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, list, makeRoom, olga, send, t, useMessagesApp } from '../../helpers/messages-suite.js';
import { authenticate, connect } from '../../helpers/socket-clients.js';
import { expectNoPush, secondApp, socketPool } from '../../helpers/realtime-suite.js';

/** "Delete for me" (history 7.9, spec 5.4 and 12 item 53): per-user hiding that feeds isDeleted/userDeletedIDs. */

useMessagesApp();

const userDelete = (token: string, body: unknown) => t.asUser(token, 'POST', '/messages/user-delete', body);
const deleteAll = (token: string, body: unknown) => t.asUser(token, 'POST', '/messages/user-delete/all-in-room', body);
const deletedList = (token: string, room: string) => t.asUser(token, 'GET', `/messages/user-delete?room=${room}`);

describe('delete for me (history 7.9)', () => {
  it('deletes some messages for the caller only: answer, list marks, userDeletedIDs, others unaffected', async () => {
    const room = await makeRoom();
    const [one, two, three] = [
      await send(room, 'alice', 'one'),
      await send(room, 'alice', 'two'),
      await send(room, 'bob', 'three'),
    ];
    const other = await makeRoom();
    const elsewhere = await send(other, 'alice', 'elsewhere');
    const answer = expectOk(await userDelete(bob, { room, messages: [one._id, three._id, elsewhere._id, 'nope'] }));
    expect(answer).toStrictEqual({ room, totalCount: 2, messages: [one._id, three._id] });

    const page = await list(room, 'timeRangeField=createdAt', bob);
    expect(page.data.map((message: any) => [message._id, message.isDeleted])).toStrictEqual([
      [three._id, true],
      [two._id, undefined],
      [one._id, true],
    ]);
    expect(page.userDeletedIDs).toStrictEqual([three._id, one._id]);
    // alice deleted nothing; the message of the other room stays for bob too.
    expect((await list(room, '', alice)).userDeletedIDs).toStrictEqual([]);
    expect((await list(other, '', bob)).userDeletedIDs).toStrictEqual([]);

    const around = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}/messages/${two._id}?before=5&after=5`));
    expect(around.data.map((message: any) => [message._id, message.isDeleted])).toStrictEqual([
      [three._id, true],
      [two._id, undefined],
      [one._id, true],
    ]);

    const records = expectOk(await deletedList(bob, room));
    expect(records.totalCount).toBe(2);
    expect(records.data.map((entry: any) => entry.message).sort()).toStrictEqual([one._id, three._id].sort());
    for (const entry of records.data) {
      expect(Object.keys(entry).sort()).toStrictEqual(['createdAt', 'message', 'updatedAt']);
      expect(Number.isNaN(Date.parse(entry.createdAt))).toBe(false);
    }
    expect(expectOk(await deletedList(alice, room))).toStrictEqual({ totalCount: 0, data: [] });
  });

  it('deletes every message of a room for the caller; again changes nothing new (nModified 0)', async () => {
    const room = await makeRoom();
    const sent = [await send(room, 'alice', 'a'), await send(room, 'alice', 'b'), await send(room, 'bob', 'c')];
    expectOk(await userDelete(alice, { room, messages: [sent[0]._id] }));
    const all = expectOk(await deleteAll(alice, { room }));
    expect(all).toStrictEqual({
      n: 3,
      nModified: 2,
      ok: 1,
      room,
      totalCount: 3,
      messages: sent.map((message) => message._id),
    });
    expect(expectOk(await deleteAll(alice, { room }))).toMatchObject({ n: 3, nModified: 0, totalCount: 3 });
    const page = await list(room, '', alice);
    expect(page.data.every((message: any) => message.isDeleted === true)).toBe(true);
    expect(page.userDeletedIDs).toHaveLength(3);
    expect(expectOk(await deletedList(alice, room)).totalCount).toBe(3);
  });

  it('records survive leaving the room and go with a message deleted for everyone', async () => {
    const room = await makeRoom();
    const kept = await send(room, 'alice', 'kept');
    const removed = await send(room, 'alice', 'removed');
    expectOk(await userDelete(bob, { room, messages: [kept._id, removed._id] }));
    const response = await t.admin('DELETE', `/rooms/${room}/messages/${removed._id}`);
    expect(response.statusCode, response.body).toBe(200);
    const leave = await t.asUser(bob, 'POST', `/rooms/${room}/delete/members`, { members: ['bob'] });
    expect(leave.statusCode, leave.body).toBe(200);
    const records = expectOk(await deletedList(bob, room));
    expect(records.data.map((entry: any) => entry.message)).toStrictEqual([kept._id]);
  });

  it('refuses bad input, outsiders, unknown rooms and other applications', async () => {
    const room = await makeRoom({ members: ['mona', 'alice', 'bob'] });
    const sent = await send(room, 'alice', 'x');
    expectBody(await userDelete(bob, { room }), 400, INVALID_REQUEST);
    expectBody(await userDelete(bob, { room, messages: [] }), 400, INVALID_REQUEST);
    expectBody(await userDelete(bob, { messages: [sent._id] }), 400, INVALID_REQUEST);
    expectBody(await deleteAll(bob, {}), 400, INVALID_REQUEST);
    expectBody(await t.asUser(bob, 'GET', '/messages/user-delete'), 400, INVALID_REQUEST);
    expectBody(await userDelete(carol, { room, messages: [sent._id] }), 403, NOT_ROOM_MEMBER);
    expectBody(await deleteAll(carol, { room }), 403, NOT_ROOM_MEMBER);
    // The owner outside the room moderates it; she has nothing of her own to delete there.
    expectBody(await deleteAll(olga, { room }), 403, NOT_ROOM_MEMBER);
    expectBody(await userDelete(bob, { room: 'no-such-room', messages: [sent._id] }), 404, ROOM_NOT_FOUND);
    const other = await secondApp(t, 'bob');
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/messages/user-delete/all-in-room',
      headers: { 'IM-CLIENT-KEY': other.clientKey, 'IM-Authorization': other.token },
      payload: { room },
    });
    expectBody(foreign, 404, ROOM_NOT_FOUND);
    expect((await list(room, '', bob)).userDeletedIDs).toStrictEqual([]);
  });
});

describe('delete for me through the real-time path', () => {
  const pool = socketPool();
  let url: string;

  beforeAll(async () => {
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => pool.closeAll());

  it("pushes userDeleteMessages to the caller's own connections only, on every SDK generation", async () => {
    const room = await makeRoom();
    const first = await send(room, 'alice', 'first');
    const second = await send(room, 'alice', 'second');
    const [bob1, bob2, bob3, alice1] = await Promise.all([
      connect(url, 'G1'),
      connect(url, 'G2'),
      connect(url, 'G3'),
      connect(url, 'G1'),
    ]);
    for (const socket of [bob1, bob2, bob3, alice1]) pool.add(socket);
    for (const socket of [bob1, bob2, bob3]) await authenticate(socket, bob, t.clientKey);
    await authenticate(alice1, alice, t.clientKey);

    const some = [bob1, bob2, bob3].map((socket) => socket.next('userDeleteMessages'));
    expectOk(await userDelete(bob, { room, messages: [second._id] }));
    for (const pushed of await Promise.all(some))
      expect(pushed).toStrictEqual({ room, messages: [second._id], isUserDeleteAllMessagesInRoom: false });

    const all = [bob1, bob3].map((socket) => socket.next('userDeleteMessages'));
    expectOk(await deleteAll(bob, { room }));
    for (const pushed of await Promise.all(all))
      expect(pushed).toStrictEqual({
        room,
        messages: [first._id, second._id],
        isUserDeleteAllMessagesInRoom: true,
      });
    await expectNoPush([alice1], 'userDeleteMessages');
  });
});
