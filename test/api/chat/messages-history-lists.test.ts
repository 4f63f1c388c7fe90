import { describe, expect, it } from 'vitest';
import { badRequest, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import {
  alice,
  bob,
  carol,
  expectSummary,
  makeRoom,
  send,
  t,
  tick,
  useMessagesApp,
} from '../../helpers/messages-suite.js';

/** The message lists of the older IMKIT documentation: pinned messages (history 7.3) and by date (7.10). */

useMessagesApp();

const pinnedOf = async (room: string, token?: string) =>
  expectOk(
    token
      ? await t.asUser(token, 'GET', `/rooms/${room}/pined-messages`)
      : await t.admin('GET', `/rooms/${room}/pined-messages`),
  );

describe('GET /rooms/:id/pined-messages (history 7.3)', () => {
  it('answers {totalCount, inspect, data}: empty before a pin, the pinned message after, the latest pin only', async () => {
    const room = await makeRoom();
    const first = await send(room, 'alice', 'first pin');
    const second = await send(room, 'bob', 'second pin');
    const empty = await pinnedOf(room, bob);
    expect(empty).toStrictEqual({
      totalCount: 0,
      inspect: { query: { appID: t.appId, room, pinned: true }, tookMS: expect.any(Number) },
      data: [],
    });

    expectOk(await t.admin('POST', `/messages/${first._id}/pin`));
    const one = await pinnedOf(room, alice);
    expect(one.totalCount).toBe(1);
    expect(one.data).toHaveLength(1);
    expect(one.data[0]).toMatchObject({
      _id: first._id,
      id: first._id,
      room,
      message: 'first pin',
      messageType: 'text',
      appID: t.appId,
      pinned: true,
      isPined: true,
    });
    expectSummary(one.data[0].sender, 'alice', 'Alice');

    // One pin per room (spec 12 item 55): pinning another replaces it in the list.
    await tick();
    expectOk(await t.admin('POST', `/messages/${second._id}/pin`));
    const replaced = await pinnedOf(room);
    expect(replaced.data.map((message: any) => message._id)).toStrictEqual([second._id]);
    expectSummary(replaced.data[0].sender, 'bob', 'Bob');

    expectOk(await t.admin('DELETE', `/messages/${second._id}/pin`));
    expect((await pinnedOf(room, alice)).data).toStrictEqual([]);
  });

  it("lists only the room's own pin", async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const there = await send(other, 'alice', 'pinned elsewhere');
    expectOk(await t.admin('POST', `/messages/${there._id}/pin`));
    expect((await pinnedOf(room, alice)).totalCount).toBe(0);
    expect((await pinnedOf(other, alice)).data.map((message: any) => message._id)).toStrictEqual([there._id]);
  });

  it('refuses non-members (403 NOT_ROOM_MEMBER) and unknown rooms (404 ROOM_NOT_FOUND)', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'members only');
    expectOk(await t.admin('POST', `/messages/${sent._id}/pin`));
    const refused = await t.asUser(carol, 'GET', `/rooms/${room}/pined-messages`);
    expectBody(refused, 403, NOT_ROOM_MEMBER);
    expect(refused.body).not.toContain('members only');
    expectBody(await t.asUser(carol, 'GET', '/rooms/no-such-room/pined-messages'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/rooms/no-such-room/pined-messages'), 404, ROOM_NOT_FOUND);
  });
});

describe('GET /admin/messages (history 7.10)', () => {
  /** Three messages in two fresh rooms, sent strictly after `start` and strictly before `end`. */
  async function threeMessages() {
    const start = Date.now();
    await tick();
    const room = await makeRoom();
    const other = await makeRoom();
    const oldest = await send(room, 'alice', 'oldest');
    await tick();
    const middle = await send(other, 'bob', 'middle');
    await tick();
    const newest = await send(room, 'alice', 'newest');
    await tick();
    const end = Date.now();
    return { start, end, room, other, oldest, middle, newest };
  }
  const inRange = async (query: string) => expectOk(await t.admin('GET', `/admin/messages?${query}`));
  const ids = (page: any) => page.data.map((message: any) => message._id);

  it('answers {totalCount, data} of the range, newest first, with the room and the sender on each item', async () => {
    const { start, end, room, other, oldest, middle, newest } = await threeMessages();
    const iso = (ms: number) => new Date(ms).toISOString();
    const page = await inRange(`startDate=${iso(start)}&endDate=${iso(end)}`);
    expect(Object.keys(page).sort()).toStrictEqual(['data', 'totalCount']);
    expect(page.totalCount).toBe(3);
    expect(ids(page)).toStrictEqual([newest._id, middle._id, oldest._id]);
    expect(page.data.map((message: any) => message.room)).toStrictEqual([room, other, room]);
    expect(page.data[0]).toMatchObject({ message: 'newest', appID: t.appId, messageType: 'text' });
    expectSummary(page.data[1].sender, 'bob', 'Bob');
    // Millisecond epochs are accepted too; `startDate` is inclusive, `endDate` exclusive.
    expect(ids(await inRange(`startDate=${oldest.createdAtMS}&endDate=${newest.createdAtMS}`))).toStrictEqual([
      middle._id,
      oldest._id,
    ]);
    // Only one bound.
    expect(ids(await inRange(`startDate=${middle.createdAtMS}`)).slice(0, 2)).toStrictEqual([newest._id, middle._id]);
    expect(ids(await inRange(`endDate=${middle.createdAtMS}`))).not.toContain(middle._id);
  });

  it('pages with limit and skip; totalCount counts the whole range', async () => {
    const { start, end, oldest, middle, newest } = await threeMessages();
    const range = `startDate=${start}&endDate=${end}`;
    const first = await inRange(`${range}&limit=2`);
    expect(first.totalCount).toBe(3);
    expect(ids(first)).toStrictEqual([newest._id, middle._id]);
    const second = await inRange(`${range}&limit=2&skip=2`);
    expect(second.totalCount).toBe(3);
    expect(ids(second)).toStrictEqual([oldest._id]);
    expect((await inRange(`${range}&skip=3`)).data).toStrictEqual([]);
    // A limit over the bound is served at the bound (1000), not refused.
    expect(ids(await inRange(`${range}&limit=5000`))).toHaveLength(3);
  });

  it('answers 400 INVALID_REQUEST for bad dates, a reversed range and bad paging', async () => {
    for (const query of [
      'startDate=yesterday',
      'endDate=2024-02-30T00:00:00Z',
      'startDate=2024-01-02T00:00:00Z&endDate=2024-01-01T00:00:00Z',
      'limit=-1',
      'skip=-5',
      'limit=ten',
    ]) {
      const response = await t.admin('GET', `/admin/messages?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe('INVALID_REQUEST');
    }
    expectBody(
      await t.admin('GET', '/admin/messages?startDate=yesterday'),
      400,
      badRequest('startDate must be an ISO-8601 time or a millisecond epoch'),
    );
  });

  it('is refused to a user token', async () => {
    const response = await t.asUser(alice, 'GET', '/admin/messages');
    expect([401, 403]).toContain(response.statusCode);
    expect(response.body).not.toContain('"data"');
  });
});

describe('GET /messages/recent (history 7.6)', () => {
  const recent = async (token: string, query = '') =>
    expectOk(await t.asUser(token, 'GET', `/messages/recent${query ? `?${query}` : ''}`));
  const ids = (page: any) => page.data.map((message: any) => message._id);

  it("answers {count, data}: the caller's newest messages across her rooms, newest first, nothing of other rooms", async () => {
    const dora = await t.createUser('dora-recent', { nickname: 'Dora' });
    expect(await recent(dora)).toStrictEqual({ count: 0, data: [] });
    const withBob = await createRoom(t, { name: 'dora and bob', members: ['dora-recent', 'bob'] }).then(
      (room: any) => room._id,
    );
    const withAlice = await createRoom(t, { name: 'dora and alice', members: ['dora-recent', 'alice'] }).then(
      (room: any) => room._id,
    );
    const elsewhere = await makeRoom();
    const first = await send(withBob, 'bob', 'one');
    await tick();
    await send(elsewhere, 'alice', 'not for dora');
    const second = await send(withAlice, 'alice', 'two');
    await tick();
    const third = await send(withBob, 'dora-recent', 'three');
    const page = await recent(dora);
    expect(Object.keys(page).sort()).toStrictEqual(['count', 'data']);
    expect(ids(page)).toStrictEqual([third._id, second._id, first._id]);
    expect(page.count).toBe(3);
    expect(page.data.map((message: any) => message.room)).toStrictEqual([withBob, withAlice, withBob]);
    expectSummary(page.data[1].sender, 'alice', 'Alice');
    expect(ids(await recent(dora, 'limit=2'))).toStrictEqual([third._id, second._id]);
    // The API key acts for the user IM-CLIENT-ID names, and needs one.
    expect(
      ids(expectOk(await t.admin('GET', '/messages/recent', undefined, { 'IM-CLIENT-ID': 'dora-recent' }))),
    ).toStrictEqual([third._id, second._id, first._id]);
    expect((await t.admin('GET', '/messages/recent')).statusCode).toBe(400);
  });

  it('shows a late joiner of a "joined" room nothing from before she joined', async () => {
    const erin = await t.createUser('erin-recent', { nickname: 'Erin' });
    const room = (await createRoom(t, { name: 'joined only', members: ['bob'], historyVisibility: 'joined' }))._id;
    await send(room, 'bob', 'before erin');
    expectOk(await t.admin('POST', `/rooms/${room}/members`, { invitees: ['erin-recent'] }));
    await tick();
    const after = await send(room, 'bob', 'after erin');
    const page = await recent(erin);
    expect(page.data.filter((message: any) => message.message === 'before erin')).toStrictEqual([]);
    expect(ids(page)).toContain(after._id);
  });

  it('defaults to 20, serves at most 100, and refuses a bad limit with 400', async () => {
    const fay = await t.createUser('fay-recent', { nickname: 'Fay' });
    const room = (await createRoom(t, { name: 'busy', members: ['fay-recent', 'bob'] }))._id;
    for (let batch = 0; batch < 11; batch++)
      await Promise.all(Array.from({ length: 10 }, (_, i) => send(room, 'bob', `busy ${batch * 10 + i}`)));
    expect((await recent(fay)).data).toHaveLength(20);
    expect((await recent(fay, 'limit=0')).data).toHaveLength(20);
    const most = await recent(fay, 'limit=1000');
    expect(most.count).toBe(100);
    expect(most.data).toHaveLength(100);
    const times = most.data.map((message: any) => message.createdAtMS);
    expect([...times].sort((a: number, b: number) => b - a)).toStrictEqual(times);
    for (const query of ['limit=-1', 'limit=many']) {
      const response = await t.asUser(fay, 'GET', `/messages/recent?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe('INVALID_REQUEST');
    }
  });
});

describe('GET /messages/batch?batchID= (history 7.5)', () => {
  /** Polls the batch's progress until it is done (bounded: fails after 10 s). */
  async function waitDone(batchID: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (expectOk(await t.admin('GET', `/messages/batch/${batchID}`)).status !== 'done') {
      if (Date.now() > deadline) throw new Error(`batch ${batchID} not done in time`);
      await sleep(10);
    }
  }
  const ofBatch = async (query: string) => expectOk(await t.admin('GET', `/messages/batch?${query}`));

  it('answers {count, data}: every message the batch sent, in send order, each carrying batchID', async () => {
    const rooms = [await makeRoom(), await makeRoom(), await makeRoom()];
    const other = await makeRoom();
    const { batchID } = expectOk(
      await t.admin('POST', '/messages/batch', {
        sender: 'olga',
        message: 'hello {{name}}',
        messageType: 'text',
        paras: rooms.map((room, index) => ({ room, name: `n${index}` })),
      }),
    );
    await send(other, 'alice', 'not of the batch');
    await waitDone(batchID);
    const result = await ofBatch(`batchID=${batchID}`);
    expect(Object.keys(result).sort()).toStrictEqual(['count', 'data']);
    expect(result.count).toBe(3);
    expect(result.data.map((message: any) => message.room)).toStrictEqual(rooms);
    for (const message of result.data) expect(message).toMatchObject({ batchID, appID: t.appId, messageType: 'text' });
    expectSummary(result.data[0].sender, 'olga', 'Olga');
    // Paged: count stays the batch's.
    const second = await ofBatch(`batchID=${batchID}&limit=1&skip=1`);
    expect(second.count).toBe(3);
    expect(second.data.map((message: any) => message._id)).toStrictEqual([result.data[1]._id]);
  });

  it('matches nothing for an unknown batch, answers 400 without batchID; a user token is refused', async () => {
    expect(await ofBatch('batchID=batch-20200101-0000000000000000')).toStrictEqual({ count: 0, data: [] });
    for (const query of ['', '?batchID=', '?batchID=x&limit=-1']) {
      const response = await t.admin('GET', `/messages/batch${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe('INVALID_REQUEST');
    }
    expect([401, 403]).toContain((await t.asUser(alice, 'GET', '/messages/batch?batchID=x')).statusCode);
  });
});

describe('POST /badges/byRoomTagsAndTime (history 8.1)', () => {
  const byTime = async (token: string, body: unknown) =>
    expectOk(await t.asUser(token, 'POST', '/badges/byRoomTagsAndTime', body));

  it('counts only unread messages sent before beforeTime, per tag, in the byRoomTags shape', async () => {
    const gil = await t.createUser('gil-badge', { nickname: 'Gil' });
    const demo = (await createRoom(t, { name: 'demo', roomTags: ['demo'], members: ['gil-badge', 'bob'] }))._id;
    const both = (await createRoom(t, { name: 'both', roomTags: ['demo', 'sample'], members: ['gil-badge', 'bob'] }))
      ._id;
    await send(demo, 'bob', 'early demo');
    // Her own message reads the room up to it: only what bob sends after it is unread.
    await send(both, 'bob', 'read by sending');
    await send(both, 'gil-badge', 'my own, never unread');
    await send(both, 'bob', 'early both');
    await tick();
    const cut = Date.now();
    await tick();
    await send(demo, 'bob', 'late demo');
    await send(both, 'bob', 'late both');

    const iso = new Date(cut).toISOString();
    expect(await byTime(gil, { tags: ['demo', 'sample'], beforeTime: iso })).toStrictEqual({
      totalBadge: 2,
      data: { demo: 2, sample: 1 },
    });
    // A millisecond epoch works the same; without beforeTime every unread message counts.
    expect(await byTime(gil, { tags: ['demo', 'sample'], beforeTime: cut })).toStrictEqual({
      totalBadge: 2,
      data: { demo: 2, sample: 1 },
    });
    expect(await byTime(gil, { tags: ['demo', 'sample'] })).toStrictEqual({
      totalBadge: 4,
      data: { demo: 4, sample: 2 },
    });
    expect(await byTime(gil, { tags: ['sample'], beforeTime: 0 })).toStrictEqual({
      totalBadge: 0,
      data: { sample: 0 },
    });

    // Reading the room up to its early message leaves nothing unread before the cut there.
    const early = (await byTime(gil, {})).data;
    expect(early).toStrictEqual({ demo: 4, sample: 2 });
    const demoPage = expectOk(await t.asUser(gil, 'GET', `/rooms/${demo}/messages/v3?timeRangeField=createdAt`));
    const earlyDemo = demoPage.data.find((message: any) => message.message === 'early demo');
    expectOk(await t.asUser(gil, 'PUT', `/rooms/${demo}/lastRead`, { message: earlyDemo._id }));
    expect(await byTime(gil, { tags: ['demo'], beforeTime: iso })).toStrictEqual({ totalBadge: 1, data: { demo: 1 } });
  });

  it('answers 400 for a bad beforeTime or bad tags', async () => {
    for (const body of [{ beforeTime: 'tomorrow' }, { beforeTime: true }, { beforeTime: '2024-02-30T00:00:00Z' }]) {
      const response = await t.asUser(alice, 'POST', '/badges/byRoomTagsAndTime', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
    }
    const badTags = await t.asUser(alice, 'POST', '/badges/byRoomTagsAndTime', { tags: 'demo' });
    expect(badTags.statusCode).toBe(400);
    expect(badTags.json().error.code).toBe('INVALID_TAGS');
  });
});
