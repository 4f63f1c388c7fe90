import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import {
  alice,
  bob,
  carol,
  list,
  makeRoom,
  mona,
  olga,
  send,
  t,
  tick,
  useMessagesApp,
} from '../../helpers/messages-suite.js';
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

describe('what I deleted for me is gone from my recent messages (history 7.6, 7.9)', () => {
  const recent = async (token: string) =>
    expectOk(await t.asUser(token, 'GET', '/messages/recent?limit=100')).data.map((message: any) => message._id);

  it('leaves out my deletions, one by one or the whole room, and only for me', async () => {
    const room = await makeRoom();
    const [one, two, three] = [
      await send(room, 'alice', 'recent one'),
      await send(room, 'alice', 'recent two'),
      await send(room, 'bob', 'recent three'),
    ];
    expect(await recent(bob)).toEqual(expect.arrayContaining([one._id, two._id, three._id]));
    expectOk(await userDelete(bob, { room, messages: [two._id, three._id] }));
    const mine = await recent(bob);
    expect(mine).toContain(one._id);
    expect(mine).not.toContain(two._id);
    expect(mine).not.toContain(three._id);
    // The API key acting for bob sees his view; alice still sees every message.
    const asBob = expectOk(await t.admin('GET', '/messages/recent?limit=100', undefined, { 'IM-CLIENT-ID': 'bob' }));
    expect(asBob.data.map((message: any) => message._id)).not.toContain(two._id);
    expect(asBob.count).toBe(asBob.data.length);
    expect(await recent(alice)).toEqual(expect.arrayContaining([one._id, two._id, three._id]));

    expectOk(await deleteAll(bob, { room }));
    const after = await recent(bob);
    for (const message of [one, two, three]) expect(after).not.toContain(message._id);
    // A later message of the room is there again.
    const four = await send(room, 'alice', 'recent four');
    expect(await recent(bob)).toContain(four._id);
  });
});

describe('what I deleted for me no longer counts as unread for me (history 7.9)', () => {
  let tagCounter = 0;
  /** A fresh room with a tag of its own, so that the by-tag counts are this room's. */
  const taggedRoom = async () => {
    const tag = `ud-tag-${++tagCounter}`;
    return { room: await makeRoom({ roomTags: [tag] }), tag };
  };
  const myBadge = async (token: string) => expectOk(await t.asUser(token, 'GET', '/me/badge')).badge as number;
  /** Bob's unread count in the room, as every reader of it tells it. */
  async function bobUnread(room: string, tag: string): Promise<number> {
    const view = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    const listed = expectOk(await t.asUser(bob, 'GET', '/rooms?limit=0')).data.find((entry: any) => entry._id === room);
    const property = expectOk(await t.admin('GET', `/rooms/${room}`)).memberProperties.find(
      (entry: any) => entry.client === 'bob',
    );
    const byTag = expectOk(await t.asUser(bob, 'POST', '/badges/byRoomTags', { tags: [tag] }));
    const tagged = expectOk(await t.asUser(bob, 'GET', `/me/badge?roomTags=${tag}`)).badge;
    expect(
      [listed.unread, property.badge, byTag.data[tag], byTag.totalBadge, tagged],
      'every reader agrees',
    ).toStrictEqual(Array(5).fill(view.unread));
    return view.unread;
  }

  it('recounts my badge: unread messages of others go, read or own ones change nothing, twice counts once', async () => {
    const { room, tag } = await taggedRoom();
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await send(room, 'alice', `unread ${i}`));
    const fromMona = await send(room, 'mona', 'from mona');
    expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: sent[0]._id }));
    expect(await bobUnread(room, tag)).toBe(4);
    const total = await myBadge(bob);

    // sent[0] is read: only sent[1] counted.
    expectOk(await userDelete(bob, { room, messages: [sent[0]._id, sent[1]._id] }));
    expect(await bobUnread(room, tag)).toBe(3);
    expect(await myBadge(bob)).toBe(total - 1);
    // sent[1] again and sent[2]: one more.
    expectOk(await userDelete(bob, { room, messages: [sent[1]._id, sent[2]._id] }));
    expect(await bobUnread(room, tag)).toBe(2);
    // The others' counts are theirs: alice sent them, mona has sent[0..3] unread.
    expect(expectOk(await t.asUser(mona, 'GET', `/rooms/${room}`)).unread).toBe(0);
    expect(expectOk(await t.asUser(olga, 'GET', `/rooms/${room}`)).unread).toBe(5);
    // Alice deletes one of her own (never unread for her) and mona's (unread) for herself.
    expect(expectOk(await t.asUser(alice, 'GET', `/rooms/${room}`)).unread).toBe(1);
    expectOk(await userDelete(alice, { room, messages: [sent[3]._id, fromMona._id] }));
    expect(expectOk(await t.asUser(alice, 'GET', `/rooms/${room}`)).unread).toBe(0);
    expect(await bobUnread(room, tag)).toBe(2);

    // Reading on recounts without the deleted ones; a new message counts again.
    const next = await send(room, 'alice', 'after');
    expect(await bobUnread(room, tag)).toBe(3);
    const read = expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: sent[1]._id }));
    expect(read.badge).toBe(3);
    expect(await bobUnread(room, tag)).toBe(3);
    expectOk(await userDelete(bob, { room, messages: [next._id] }));
    expect(await bobUnread(room, tag)).toBe(2);

    // Everything of the room: nothing unread; later messages count.
    expectOk(await deleteAll(bob, { room }));
    expect(await bobUnread(room, tag)).toBe(0);
    expect(await myBadge(bob)).toBe(total - 4);
    await send(room, 'alice', 'later');
    expect(await bobUnread(room, tag)).toBe(1);
  });

  it('a message deleted for everyone that I had deleted for me is not taken off my count twice', async () => {
    const { room, tag } = await taggedRoom();
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await send(room, 'alice', `twice ${i}`));
    expectOk(await userDelete(bob, { room, messages: [sent[1]._id] }));
    expect(await bobUnread(room, tag)).toBe(3);
    expect(expectOk(await t.asUser(olga, 'GET', `/rooms/${room}`)).unread).toBe(4);
    expect((await t.admin('DELETE', `/rooms/${room}/messages/${sent[1]._id}`)).statusCode).toBe(200);
    expect(await bobUnread(room, tag)).toBe(3);
    expect(expectOk(await t.asUser(olga, 'GET', `/rooms/${room}`)).unread).toBe(3);
    expect((await t.admin('DELETE', `/rooms/${room}/messages/${sent[2]._id}`)).statusCode).toBe(200);
    expect(await bobUnread(room, tag)).toBe(2);
    expect(expectOk(await t.asUser(olga, 'GET', `/rooms/${room}`)).unread).toBe(2);
  });

  it('counts by tags before a time without my deletions (history 8.1)', async () => {
    const { room, tag } = await taggedRoom();
    const early = [await send(room, 'alice', 'early 1'), await send(room, 'alice', 'early 2')];
    await tick();
    const cut = Date.now();
    await tick();
    const late = await send(room, 'alice', 'late');
    const unreadBeforeCut = async () =>
      expectOk(await t.asUser(bob, 'POST', '/badges/byRoomTagsAndTime', { tags: [tag], beforeTime: cut }));
    expect(await unreadBeforeCut()).toStrictEqual({ totalBadge: 2, data: { [tag]: 2 } });
    expectOk(await userDelete(bob, { room, messages: [late._id] }));
    expect(await bobUnread(room, tag)).toBe(2);
    expect(await unreadBeforeCut()).toStrictEqual({ totalBadge: 2, data: { [tag]: 2 } });
    expectOk(await userDelete(bob, { room, messages: [early[0]._id] }));
    expect(await unreadBeforeCut()).toStrictEqual({ totalBadge: 1, data: { [tag]: 1 } });
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

  it('answers a socket lastRead with the badge less what I deleted for me, on every SDK generation', async () => {
    // No push carries a badge (history 12): a client learns it from lastRead's answer, or over HTTP.
    for (const generation of ['G1', 'G2', 'G3'] as const) {
      const room = await makeRoom();
      const sent = [];
      for (let i = 0; i < 4; i++) sent.push(await send(room, 'alice', `socket ${generation} ${i}`));
      const socket = pool.add(await connect(url, generation));
      await authenticate(socket, bob, t.clientKey);
      expectOk(await userDelete(bob, { room, messages: [sent[2]._id] }));
      const ack = await socket.call('lastRead', room, sent[0]._id);
      expect(ack, generation).toStrictEqual({
        RC: 0,
        RM: 'OK',
        result: { client: 'bob', lastRead: sent[0]._id, badge: 2 },
      });
      expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread, generation).toBe(2);
    }
  });
});
