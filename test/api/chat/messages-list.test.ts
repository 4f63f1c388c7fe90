import { beforeAll, describe, expect, it } from 'vitest';
import { badRequest, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, expectSummary, ids, list, makeRoom, send, t, tick } from '../../helpers/messages-suite.js';
import { useMessagesApp } from '../../helpers/messages-suite.js';

useMessagesApp();

describe('GET /rooms/:id/messages/v3 (spec 5.4, 12 item 52)', () => {
  let room: string;
  /** m[0] oldest … m[24] newest; a clock gap lies between m[9] and m[10]. */
  const m: string[] = [];
  let gap = 0;

  beforeAll(async () => {
    room = await makeRoom();
    for (let i = 0; i < 25; i++) {
      if (i === 10) {
        await tick();
        gap = Date.now();
        await tick();
      }
      m.push((await send(room, i % 2 ? 'bob' : 'alice', `message ${i}`))._id);
    }
  });

  const range = (from: number, to: number) => m.slice(from, to + 1).reverse();

  it('answers the 20 newest by default, newest first, with totalCount, inspect and userDeletedIDs', async () => {
    const page = await list(room, '', alice);
    expect(Object.keys(page).sort()).toStrictEqual(['data', 'inspect', 'totalCount', 'userDeletedIDs']);
    expect(page.totalCount).toBe(25);
    expect(page.userDeletedIDs).toStrictEqual([]);
    expect(page.inspect).toStrictEqual({ query: { appID: t.appId, room }, tookMS: expect.any(Number) });
    expect(ids(page)).toStrictEqual(range(5, 24));
    expect(page.data[0]).toMatchObject({
      room,
      message: 'message 24',
      messageType: 'text',
      appID: t.appId,
      reactions: [],
      reactionCount: 0,
      pinned: false,
    });
    expectSummary(page.data[0].sender, 'alice', 'Alice');
    expectSummary(page.data[1].sender, 'bob', 'Bob');
  });

  it('honours limit', async () => {
    expect(ids(await list(room, 'limit=5', bob))).toStrictEqual(range(20, 24));
    expect(ids(await list(room, 'limit=1'))).toStrictEqual([m[24]]);
    const all = await list(room, 'limit=100');
    expect(ids(all)).toStrictEqual(range(0, 24));
    expect(all.totalCount).toBe(25);
  });

  it('pages back with beforeMessage until nothing is left', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 5; round++) {
      const page = await list(room, `limit=10${cursor ? `&beforeMessage=${cursor}` : ''}`, alice);
      expect(page.totalCount).toBe(25);
      if (page.data.length === 0) break;
      seen.push(...ids(page));
      cursor = page.data[page.data.length - 1]._id;
    }
    expect(seen).toStrictEqual(range(0, 24));
    expect(ids(await list(room, `beforeMessage=${m[0]}`))).toStrictEqual([]);
    expect(ids(await list(room, `limit=3&beforeMessage=${m[10]}`))).toStrictEqual(range(7, 9));
  });

  it('answers the messages closest after afterMessage, newest first', async () => {
    expect(ids(await list(room, `limit=3&afterMessage=${m[4]}`))).toStrictEqual(range(5, 7));
    expect(ids(await list(room, `afterMessage=${m[4]}`))).toStrictEqual(range(5, 24));
    expect(ids(await list(room, `afterMessage=${m[2]}`))).toStrictEqual(range(3, 22));
    expect(ids(await list(room, `afterMessage=${m[24]}`))).toStrictEqual([]);
  });

  it('combines beforeMessage and afterMessage into a window', async () => {
    expect(ids(await list(room, `afterMessage=${m[4]}&beforeMessage=${m[10]}`))).toStrictEqual(range(5, 9));
    expect(ids(await list(room, `afterMessage=${m[4]}&beforeMessage=${m[10]}&limit=2`))).toStrictEqual(range(5, 6));
  });

  it('filters with afterTime as an ISO string or a millisecond epoch', async () => {
    const iso = new Date(gap).toISOString();
    for (const value of [encodeURIComponent(iso), String(gap), encodeURIComponent(iso.replace('Z', '+00:00'))]) {
      const page = await list(room, `afterTime=${value}`, alice);
      expect(ids(page), value).toStrictEqual(range(10, 24));
      expect(page.totalCount).toBe(25);
      expect(ids(await list(room, `afterTime=${value}&limit=3`)), value).toStrictEqual(range(10, 12));
    }
    expect(ids(await list(room, `afterTime=${Date.now() + 60_000}`))).toStrictEqual([]);
    // The messages closest after the time: the oldest ones.
    expect(ids(await list(room, 'afterTime=0'))).toStrictEqual(range(0, 19));
    const page = await list(room, `afterTime=${gap}&timeRangeField=createdAt`);
    expect(ids(page)).toStrictEqual(range(10, 24));
    expect(page.inspect.query).toStrictEqual({ appID: t.appId, room, createdAt: { $gt: iso } });
  });

  it('refuses a bad afterTime, an unknown timeRangeField and unknown cursors with 400', async () => {
    const other = await makeRoom();
    const foreign = (await send(other, 'alice', 'elsewhere'))._id;
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterTime=yesterday`),
      400,
      badRequest('afterTime must be an ISO-8601 time or a millisecond epoch'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterTime=2024-02-30T00:00:00Z`),
      400,
      badRequest('afterTime must be an ISO-8601 time or a millisecond epoch'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?beforeMessage=ffffffffffffffffffffffff`),
      400,
      badRequest('beforeMessage is not a message of this room'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterMessage=${foreign}`),
      400,
      badRequest('afterMessage is not a message of this room'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?beforeMessage=not-an-id`),
      400,
      badRequest('beforeMessage is not a message of this room'),
    );
    for (const query of ['timeRangeField=sentAt', 'limit=-1', 'limit=ten']) {
      const response = await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toStrictEqual(badRequest(expect.any(String)));
    }
  });

  it('refuses non-members with 403 NOT_ROOM_MEMBER, unknown rooms with 404, and lets the API key read', async () => {
    expectBody(await t.asUser(carol, 'GET', `/rooms/${room}/messages/v3`), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(carol, 'GET', '/rooms/no-such-room/messages/v3'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/rooms/no-such-room/messages/v3'), 404, ROOM_NOT_FOUND);
    expect((await list(room)).totalCount).toBe(25);
  });

  it('refuses a member once removed from the room', async () => {
    const other = await makeRoom();
    await send(other, 'alice', 'before removal');
    expect((await list(other, '', bob)).totalCount).toBe(1);
    expectOk(await t.admin('POST', `/rooms/${other}/delete/members`, { members: ['bob'] }));
    expectBody(await t.asUser(bob, 'GET', `/rooms/${other}/messages/v3`), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(bob, 'POST', `/rooms/${other}/message`, { message: 'still here?', messageType: 'text' }),
      403,
      NOT_ROOM_MEMBER,
    );
  });

  it('caps limit at 100 (spec 5.4)', async () => {
    const big = await makeRoom();
    const sent = new Set<string>();
    // A few sends at a time: their order among themselves does not matter here.
    for (let chunk = 0; chunk < 17; chunk++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => send(big, 'alice', `bulk ${chunk * 6 + i}`)),
      );
      for (const result of results) sent.add(result._id);
    }
    expect(sent.size).toBe(102);
    const capped = await list(big, 'limit=1000', alice);
    expect(capped.totalCount).toBe(102);
    expect(capped.data).toHaveLength(100);
    const times = capped.data.map((message: any) => message.updatedAtMS);
    expect(times).toStrictEqual([...times].sort((a, b) => b - a));
    // The two left out are the two oldest.
    const [secondOldest, oldest] = ids(await list(big, 'limit=2&afterTime=0'));
    expect(new Set([...ids(capped), secondOldest, oldest])).toStrictEqual(sent);
    expect(ids(await list(big, 'limit=101'))).toStrictEqual(ids(capped));
    expect(ids(await list(big, `limit=500&afterMessage=${secondOldest}`))).toStrictEqual(ids(capped));
    // After the oldest: the 100 closest, i.e. all but the newest.
    expect(ids(await list(big, `limit=500&afterMessage=${oldest}`))).toStrictEqual([
      ...ids(capped).slice(1),
      secondOldest,
    ]);
  });

  describe('timeRangeField: edits and recalls resurface on updatedAt', () => {
    let timed: string;
    let n: string[];
    let mark = 0;

    beforeAll(async () => {
      timed = await makeRoom();
      n = [];
      for (let i = 0; i < 4; i++) {
        n.push(
          expectOk(await t.asUser(alice, 'POST', `/rooms/${timed}/message`, { message: `n${i}`, messageType: 'text' }))
            ._id,
        );
        await tick();
      }
      mark = Date.now();
      await tick();
      expectOk(
        await t.asUser(alice, 'POST', `/rooms/${timed}/message`, {
          _id: n[1],
          message: 'n1 edited',
          messageType: 'text',
        }),
      );
      await tick();
      expectOk(await t.asUser(alice, 'POST', `/rooms/${timed}/message`, { _id: n[2], messageType: 'recall' }));
      await tick();
      n.push(
        expectOk(await t.asUser(bob, 'POST', `/rooms/${timed}/message`, { message: 'n4', messageType: 'text' }))._id,
      );
    });

    it('lists by updatedAt by default: changed messages come back as newest', async () => {
      const [n0, n1, n2, n3, n4] = n;
      expect(ids(await list(timed, '', bob))).toStrictEqual([n4, n2, n1, n3, n0]);
      expect(ids(await list(timed, 'timeRangeField=updatedAt'))).toStrictEqual([n4, n2, n1, n3, n0]);
      expect(ids(await list(timed, 'timeRangeField=createdAt'))).toStrictEqual([n4, n3, n2, n1, n0]);
      expect(ids(await list(timed, 'timeRangeField=messageTime'))).toStrictEqual([n4, n3, n2, n1, n0]);
      expect((await list(timed)).totalCount).toBe(5);
    });

    it('afterTime on updatedAt finds the edited and recalled messages; on createdAt/messageTime it does not', async () => {
      const [, n1, n2, , n4] = n;
      const updated = await list(timed, `afterTime=${mark}`, bob);
      expect(ids(updated)).toStrictEqual([n4, n2, n1]);
      expect(updated.data[1]).toMatchObject({ _id: n2, messageType: 'recall', message: '' });
      expect(updated.data[2]).toMatchObject({ _id: n1, message: 'n1 edited' });
      expect(updated.inspect.query).toStrictEqual({
        appID: t.appId,
        room: timed,
        updatedAt: { $gt: new Date(mark).toISOString() },
      });
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=updatedAt`))).toStrictEqual([n4, n2, n1]);
      expect(
        ids(
          await list(timed, `afterTime=${encodeURIComponent(new Date(mark).toISOString())}&timeRangeField=updatedAt`),
        ),
      ).toStrictEqual([n4, n2, n1]);
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=createdAt`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=messageTime`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterTime=${mark}&limit=2`))).toStrictEqual([n2, n1]);
    });

    it('compares beforeMessage and afterMessage on the chosen field', async () => {
      const [n0, n1, n2, n3, n4] = n;
      expect(ids(await list(timed, `beforeMessage=${n3}`))).toStrictEqual([n0]);
      expect(ids(await list(timed, `beforeMessage=${n3}&timeRangeField=createdAt`))).toStrictEqual([n2, n1, n0]);
      expect(ids(await list(timed, `afterMessage=${n0}`))).toStrictEqual([n4, n2, n1, n3]);
      expect(ids(await list(timed, `afterMessage=${n3}`))).toStrictEqual([n4, n2, n1]);
      expect(ids(await list(timed, `afterMessage=${n3}&timeRangeField=createdAt`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterMessage=${n1}&timeRangeField=messageTime`))).toStrictEqual([n4, n3, n2]);
    });
  });
});
