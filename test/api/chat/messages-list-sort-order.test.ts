import { beforeAll, describe, expect, it } from 'vitest';
import { badRequest } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { alice, asVue, bob, carol, ids, list, makeRoom, send, t, tick } from '../../helpers/messages-suite.js';
import { useMessagesApp } from '../../helpers/messages-suite.js';

/**
 * `GET /rooms/:id/messages/v3` with `sortOrder`, as the Vue client pages (other-clients 4.5, 5 item 10):
 * older `beforeMessage=<id>&sortOrder=desc&limit=30`, newer `afterMessage=<id>&sortOrder=asc&limit=30`,
 * and the client drops the first item of every page asked with a cursor.
 */

useMessagesApp();

const PAGE = 30;

/** One page as the Vue client asks for it: `result.data`. */
async function vuePage(token: string, room: string, query: string): Promise<any[]> {
  return expectOk(await asVue(token, 'GET', `/rooms/${room}/messages/v3?${query}`)).data;
}

/**
 * Walks a room as the Vue client does, from `cursor` in one direction, dropping each page's head
 * (which must be the cursor) and continuing from the page's last message; answers what it kept and
 * how many requests it made.
 */
async function walk(
  token: string,
  room: string,
  direction: 'older' | 'newer',
  from: string | undefined,
  extra = '',
): Promise<{ kept: string[]; requests: number }> {
  if (from === undefined) throw new Error('a walk starts at a message');
  let cursor = from;
  const kept: string[] = [];
  let requests = 0;
  for (;;) {
    const query =
      direction === 'older'
        ? `beforeMessage=${cursor}&sortOrder=desc&limit=${PAGE}${extra}`
        : `afterMessage=${cursor}&sortOrder=asc&limit=${PAGE}${extra}`;
    const page = await vuePage(token, room, query);
    requests++;
    expect(page.length, query).toBeLessThanOrEqual(PAGE);
    expect(page[0]?._id, `${query}: the cursor heads the page`).toBe(cursor);
    const fresh = page.slice(1);
    if (fresh.length === 0) return { kept, requests };
    kept.push(...fresh.map((message) => message._id));
    cursor = fresh[fresh.length - 1]._id;
    if (requests > 20) throw new Error('the walk does not end');
  }
}

const expectOnce = (seen: string[]) => expect(new Set(seen).size).toBe(seen.length);

describe('sortOrder: the Vue client pages a room of 95 messages with limit 30', () => {
  let room: string;
  /** m[0] oldest … m[94] newest. */
  const m: string[] = [];

  beforeAll(async () => {
    room = await makeRoom();
    for (let i = 0; i < 95; i++) m.push((await send(room, i % 2 ? 'bob' : 'alice', `message ${i}`))._id);
  });

  const newestFirst = (from: number, to: number) => m.slice(from, to + 1).reverse();

  it('scrolls back from the first page to the oldest message: every message once, newest first', async () => {
    const first = await vuePage(alice, room, `limit=${PAGE}`);
    expect(first.map((message) => message._id)).toStrictEqual(newestFirst(65, 94));
    const { kept, requests } = await walk(alice, room, 'older', first[first.length - 1]._id);
    const seen = [...first.map((message) => message._id), ...kept];
    expectOnce(seen);
    expect(seen).toStrictEqual(newestFirst(0, 94));
    // 30 on the first page, 29 new on each full page after it, then the rest and an empty last one.
    expect(requests).toBe(4);
  });

  it('scrolls forward from the oldest, and from a jump into the middle: every message once, oldest first', async () => {
    const forward = await walk(bob, room, 'newer', m[0]);
    expectOnce(forward.kept);
    expect([m[0], ...forward.kept]).toStrictEqual(m);
    const jump = await walk(bob, room, 'newer', m[40]);
    expect(jump.kept).toStrictEqual(m.slice(41));
  });

  it('answers the cursor at the head of each page, counted in limit, the page in sortOrder', async () => {
    expect(ids(await list(room, `beforeMessage=${m[50]}&sortOrder=desc&limit=4`, alice))).toStrictEqual(
      newestFirst(47, 50),
    );
    expect(ids(await list(room, `afterMessage=${m[50]}&sortOrder=asc&limit=4`, alice))).toStrictEqual(m.slice(50, 54));
    // The same windows the other way round: the cursor then closes the page.
    expect(ids(await list(room, `beforeMessage=${m[50]}&sortOrder=asc&limit=4`))).toStrictEqual(m.slice(47, 51));
    expect(ids(await list(room, `afterMessage=${m[50]}&sortOrder=desc&limit=4`))).toStrictEqual(newestFirst(50, 53));
    expect(ids(await list(room, `beforeMessage=${m[50]}&sortOrder=desc&limit=1`))).toStrictEqual([m[50]]);
    expect(ids(await list(room, `beforeMessage=${m[0]}&sortOrder=desc`))).toStrictEqual([m[0]]);
    expect(ids(await list(room, `afterMessage=${m[94]}&sortOrder=asc`))).toStrictEqual([m[94]]);
    // Both cursors: both ends belong to the window.
    const window = await list(room, `afterMessage=${m[10]}&beforeMessage=${m[20]}&sortOrder=asc&limit=100`);
    expect(ids(window)).toStrictEqual(m.slice(10, 21));
    expect(Object.keys(window.inspect.query.updatedAt).sort()).toStrictEqual(['$gte', '$lte']);
    expect(window.totalCount).toBe(95);
  });

  it('without a cursor answers the newest page in sortOrder; afterTime=0 with asc starts at the oldest', async () => {
    const newest = ids(await list(room, `limit=${PAGE}`));
    expect(newest).toStrictEqual(newestFirst(65, 94));
    expect(ids(await list(room, `sortOrder=desc&limit=${PAGE}`))).toStrictEqual(newest);
    expect(ids(await list(room, `sortOrder=asc&limit=${PAGE}`))).toStrictEqual([...newest].reverse());
    expect(ids(await list(room, `afterTime=0&sortOrder=asc&limit=${PAGE}`))).toStrictEqual(m.slice(0, PAGE));
  });

  it('reads sortOrder in any case and refuses anything else with 400 INVALID_REQUEST', async () => {
    for (const value of ['ASC', 'Asc', 'aSc'])
      expect(ids(await list(room, `sortOrder=${value}&limit=3`)), value).toStrictEqual(m.slice(92));
    for (const value of ['DESC', 'Desc'])
      expect(ids(await list(room, `sortOrder=${value}&limit=3`)), value).toStrictEqual(newestFirst(92, 94));
    for (const value of ['up', 'ascending', '', '1', 'desc%20']) {
      expectBody(
        await asVue(alice, 'GET', `/rooms/${room}/messages/v3?sortOrder=${value}`),
        400,
        badRequest('sortOrder must be asc or desc'),
      );
    }
    const tooLong = await asVue(alice, 'GET', `/rooms/${room}/messages/v3?sortOrder=${'a'.repeat(100)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toStrictEqual(badRequest(expect.any(String)));
  });

  it('documents sortOrder in the OpenAPI document, on both list paths', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '127.0.0.1' })).json();
    for (const path of ['/rooms/{id}/messages/v3', '/rooms/{id}/messages']) {
      const parameter = doc.paths[path].get.parameters.find((entry: any) => entry.name === 'sortOrder');
      expect(parameter, path).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    }
  });

  it('leaves requests without sortOrder as documented: cursors excluded, newest first', async () => {
    expect(ids(await list(room, `beforeMessage=${m[50]}&limit=4`))).toStrictEqual(newestFirst(46, 49));
    expect(ids(await list(room, `afterMessage=${m[50]}&limit=4`))).toStrictEqual(newestFirst(51, 54));
    const page = await list(room, `afterMessage=${m[10]}&beforeMessage=${m[20]}`);
    expect(Object.keys(page.inspect.query.updatedAt).sort()).toStrictEqual(['$gt', '$lt']);
  });
});

describe('sortOrder with timeRangeField, recalled, edited and deleted cursors', () => {
  let room: string;
  /** n[0] … n[5] in the order sent; then n[2] is recalled and n[4] edited, in that order. */
  const n: string[] = [];

  beforeAll(async () => {
    room = await makeRoom();
    for (let i = 0; i < 6; i++) {
      n.push(
        expectOk(await asVue(alice, 'POST', `/rooms/${room}/message`, { message: `n${i}`, messageType: 'text' }))._id,
      );
      await tick();
    }
    expectOk(await asVue(alice, 'POST', `/rooms/${room}/message`, { _id: n[2], messageType: 'recall' }));
    await tick();
    expectOk(await asVue(alice, 'POST', `/rooms/${room}/message`, { _id: n[4], message: 'n4 edited' }));
  });

  it('orders by updatedAt by default: a recalled or edited cursor anchors where its change put it', async () => {
    const [n0, n1, n2, n3, n4, n5] = n;
    // By update: n0 n1 n3 n5 n2 (recalled) n4 (edited).
    const recalled = await list(room, `beforeMessage=${n2}&sortOrder=desc&limit=3`, bob);
    expect(ids(recalled)).toStrictEqual([n2, n5, n3]);
    expect(recalled.data[0]).toMatchObject({ _id: n2, messageType: 'recall', message: '' });
    expect(ids(await list(room, `afterMessage=${n5}&sortOrder=asc`, bob))).toStrictEqual([n5, n2, n4]);
    const first = ids(await list(room, 'limit=2', bob));
    expect(first).toStrictEqual([n4, n2]);
    const { kept } = await walk(bob, room, 'older', n2);
    expect([...first, ...kept]).toStrictEqual([n4, n2, n5, n3, n1, n0]);
  });

  it('orders by creation with timeRangeField=createdAt (or messageTime): the timeline as sent', async () => {
    const [n0, n1, n2, n3, n4, n5] = n;
    for (const field of ['createdAt', 'messageTime']) {
      const extra = `&timeRangeField=${field}`;
      expect(ids(await list(room, `beforeMessage=${n3}&sortOrder=desc&limit=3${extra}`, bob))).toStrictEqual([
        n3,
        n2,
        n1,
      ]);
      expect((await walk(bob, room, 'older', n5, extra)).kept).toStrictEqual([n4, n3, n2, n1, n0]);
      expect((await walk(bob, room, 'newer', n0, extra)).kept).toStrictEqual([n1, n2, n3, n4, n5]);
    }
  });

  it('answers 400 for a cursor deleted by a moderator, as without sortOrder', async () => {
    const other = await makeRoom();
    const gone = (await send(other, 'alice', 'to delete'))._id;
    await send(other, 'alice', 'stays');
    expect((await t.admin('DELETE', `/rooms/${other}/messages/${gone}`)).statusCode).toBe(200);
    for (const query of [`beforeMessage=${gone}&sortOrder=desc`, `beforeMessage=${gone}`]) {
      expectBody(
        await asVue(alice, 'GET', `/rooms/${other}/messages/v3?${query}`),
        400,
        badRequest('beforeMessage is not a message of this room'),
      );
    }
    expectBody(
      await asVue(alice, 'GET', `/rooms/${other}/messages/v3?afterMessage=${gone}&sortOrder=asc`),
      400,
      badRequest('afterMessage is not a message of this room'),
    );
  });

  it('never puts a cursor the reader may not read into the page (historyVisibility "joined")', async () => {
    const joined = (
      await createRoom(t, { name: 'joined only', members: ['alice', 'bob'], historyVisibility: 'joined' })
    )._id as string;
    const before = (await send(joined, 'alice', 'before carol'))._id;
    expectOk(await t.admin('POST', `/rooms/${joined}/members`, { invitees: ['carol'] }));
    const after = (await send(joined, 'alice', 'after carol'))._id;
    expect(ids(await list(joined, `afterMessage=${before}&sortOrder=asc`, carol))).toStrictEqual([after]);
    expect(ids(await list(joined, `beforeMessage=${before}&sortOrder=desc`, carol))).toStrictEqual([]);
    expect(ids(await list(joined, `beforeMessage=${after}&sortOrder=desc`, carol))).toStrictEqual([after]);
    expect(ids(await list(joined, `beforeMessage=${after}&sortOrder=desc`, alice))).toStrictEqual([after, before]);
  });
});
