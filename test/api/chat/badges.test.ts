import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createRoom } from '../../helpers/factories.js';
import { INVALID_TOKEN, shapeB } from '../../helpers/errors.js';
import { expectInvalidRequest } from '../../helpers/wire.js';

/** Unread counts (spec 6, 12 items 57-59): `GET /me/badge`, `POST /badges/byRoomTags`, and the badges on room payloads. */

const INVALID_TAGS = shapeB(400, 'Bad Request', 'INVALID_TAGS', 'Tags must be an array of strings');
const INVALID_ROOM_TAGS = shapeB(400, 'Bad Request', 'INVALID_ROOM_TAGS', 'Room tags must be valid strings');

describe('badges', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  const send = async (user: string, room: string, message = 'hello'): Promise<string> =>
    expectOk(await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, { message, messageType: 'text' }))._id;
  const badge = async (user: string, query = ''): Promise<number> =>
    expectOk(await t.asUser(tokens[user]!, 'GET', `/me/badge${query}`)).badge;
  const byTags = async (user: string, body: unknown) =>
    expectOk(await t.asUser(tokens[user]!, 'POST', '/badges/byRoomTags', body));
  const roomBadge = async (user: string, room: string): Promise<number> =>
    expectOk(await t.asUser(tokens[user]!, 'GET', `/rooms/${room}`)).unread;
  const properties = async (room: string) => expectOk(await t.admin('GET', `/rooms/${room}`)).memberProperties;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['ann', 'ben', 'don', 'cy', 'dz', 'ek', 'gus', 'gia', 'gsend'])
      tokens[id] = await t.createUser(id, { nickname: `Nick ${id}` });
  });
  afterAll(() => t.close());

  describe('totals and tags', () => {
    // Ben sends, Ann reads: b-wu [work, urgent] 2, b-w [work] 1, b-h [home] 3, b-x [] 1; b-other [work] is not Ann's.
    const wu: string[] = [];
    beforeAll(async () => {
      await createRoom(t, { _id: 'b-wu', roomTags: ['work', 'urgent'], members: ['ann', 'ben'] });
      await createRoom(t, { _id: 'b-w', roomTags: ['work'], members: ['ann', 'ben'] });
      await createRoom(t, { _id: 'b-h', roomTags: ['home'], members: ['ann', 'ben'] });
      await createRoom(t, { _id: 'b-x', members: ['ann', 'ben'] });
      await createRoom(t, { _id: 'b-other', roomTags: ['work', 'secret'], members: ['ben', 'don'] });
      wu.push(await send('ben', 'b-wu'), await send('ben', 'b-wu'));
      await send('ben', 'b-w');
      for (let i = 0; i < 3; i++) await send('ben', 'b-h');
      await send('ben', 'b-x');
      await send('ben', 'b-other');
    });

    it('GET /me/badge counts the unread messages of all my rooms', async () => {
      expect(await badge('ann')).toBe(7);
      expect(await badge('don')).toBe(1);
      expect(expectOk(await t.asUser(tokens.ann!, 'GET', '/me/badge'))).toStrictEqual({ badge: 7 });
    });

    it('my own messages never count', async () => {
      expect(await badge('ben')).toBe(0);
      expect(await byTags('ben', {})).toStrictEqual({
        totalBadge: 0,
        data: { work: 0, urgent: 0, home: 0, secret: 0 },
      });
    });

    it('GET /me/badge roomTags combine with AND', async () => {
      expect(await badge('ann', '?roomTags=work')).toBe(3);
      expect(await badge('ann', '?roomTags=urgent')).toBe(2);
      expect(await badge('ann', '?roomTags=work&roomTags=urgent')).toBe(2);
      expect(await badge('ann', '?roomTags=urgent&roomTags=work')).toBe(2);
      expect(await badge('ann', '?roomTags=home')).toBe(3);
      expect(await badge('ann', '?roomTags=urgent&roomTags=home')).toBe(0);
      expect(await badge('ann', '?roomTags=nope')).toBe(0);
      expect(await badge('ann', '?roomTags=secret')).toBe(0);
      expect(await badge('ann', '?roomTags=WORK')).toBe(0);
    });

    it('GET /me/badge answers 400 INVALID_ROOM_TAGS for an empty tag', async () => {
      expectBody(await t.asUser(tokens.ann!, 'GET', '/me/badge?roomTags='), 400, INVALID_ROOM_TAGS);
      expectBody(await t.asUser(tokens.ann!, 'GET', '/me/badge?roomTags=work&roomTags='), 400, INVALID_ROOM_TAGS);
      expectBody(await t.asUser(tokens.ann!, 'GET', '/me/badge?roomTags=%20%20'), 400, INVALID_ROOM_TAGS);
    });

    it('POST /badges/byRoomTags counts per tag; totalBadge counts a room with two queried tags once', async () => {
      expect(await byTags('ann', { tags: ['work', 'urgent'] })).toStrictEqual({
        totalBadge: 3,
        data: { work: 3, urgent: 2 },
      });
      expect(await byTags('ann', { tags: ['work'] })).toStrictEqual({ totalBadge: 3, data: { work: 3 } });
      expect(await byTags('ann', { tags: ['urgent', 'home'] })).toStrictEqual({
        totalBadge: 5,
        data: { urgent: 2, home: 3 },
      });
      expect(await byTags('ann', { tags: ['work', 'urgent', 'home'] })).toStrictEqual({
        totalBadge: 6,
        data: { work: 3, urgent: 2, home: 3 },
      });
    });

    it("answers only the tags asked for; unknown tags and tags of other users' rooms show 0", async () => {
      expect(await byTags('ann', { tags: ['home', 'nope'] })).toStrictEqual({
        totalBadge: 3,
        data: { home: 3, nope: 0 },
      });
      expect(await byTags('ann', { tags: ['secret'] })).toStrictEqual({ totalBadge: 0, data: { secret: 0 } });
      expect(await byTags('ann', { tags: ['work', 'work'] })).toStrictEqual({ totalBadge: 3, data: { work: 3 } });
    });

    it('empty or absent tags mean every tag of my rooms; rooms without tags are left out', async () => {
      const all = { totalBadge: 6, data: { work: 3, urgent: 2, home: 3 } };
      expect(await byTags('ann', { tags: [] })).toStrictEqual(all);
      expect(await byTags('ann', {})).toStrictEqual(all);
      expect(await byTags('don', {})).toStrictEqual({ totalBadge: 1, data: { work: 1, secret: 1 } });
    });

    it('POST /badges/byRoomTags answers 400 INVALID_TAGS when tags is not an array of strings', async () => {
      for (const tags of ['work', ['work', 1], ['work', null], [['work']], { work: true }, 5, true]) {
        expectBody(await t.asUser(tokens.ann!, 'POST', '/badges/byRoomTags', { tags }), 400, INVALID_TAGS);
      }
    });

    it('with the API key, IM-CLIENT-ID names the user; without it 400 INVALID_REQUEST', async () => {
      expect(expectOk(await t.admin('GET', '/me/badge', undefined, { 'im-client-id': 'ann' }))).toStrictEqual({
        badge: 7,
      });
      expect(
        expectOk(await t.admin('GET', '/me/badge?roomTags=work&roomTags=urgent', undefined, { 'im-client-id': 'ann' })),
      ).toStrictEqual({ badge: 2 });
      expect(
        expectOk(await t.admin('POST', '/badges/byRoomTags', { tags: ['work', 'urgent'] }, { 'im-client-id': 'ann' })),
      ).toStrictEqual({ totalBadge: 3, data: { work: 3, urgent: 2 } });
      expect(
        expectOk(await t.admin('POST', '/badges/byRoomTags', { tags: ['work'] }, { 'im-client-id': 'don' })),
      ).toStrictEqual({ totalBadge: 1, data: { work: 1 } });
      expectInvalidRequest(await t.admin('GET', '/me/badge'));
      expectInvalidRequest(await t.admin('POST', '/badges/byRoomTags', { tags: ['work'] }));
    });

    it('needs a valid token', async () => {
      const invalid = INVALID_TOKEN;
      expectBody(await t.asUser('not-a-token', 'GET', '/me/badge'), 401, invalid);
      expectBody(await t.asUser('not-a-token', 'POST', '/badges/byRoomTags', {}), 401, invalid);
    });

    it('counts only messages after my read position, which only moves forward', async () => {
      const read = expectOk(await t.asUser(tokens.ann!, 'PUT', '/rooms/b-wu/lastRead', { message: wu[0] }));
      expect(read).toStrictEqual({ client: 'ann', lastRead: wu[0], badge: 1 });
      expect(await badge('ann')).toBe(6);
      expect(await badge('ann', '?roomTags=urgent')).toBe(1);
      expect(await byTags('ann', { tags: ['work', 'urgent'] })).toStrictEqual({
        totalBadge: 2,
        data: { work: 2, urgent: 1 },
      });
      expect(await roomBadge('ann', 'b-wu')).toBe(1);

      expect(expectOk(await t.asUser(tokens.ann!, 'PUT', '/rooms/b-wu/lastRead', { message: wu[1] })).badge).toBe(0);
      expect(await badge('ann', '?roomTags=urgent')).toBe(0);
      // Reporting an older message does not bring unread messages back.
      expect(expectOk(await t.asUser(tokens.ann!, 'PUT', '/rooms/b-wu/lastRead', { message: wu[0] })).badge).toBe(0);
      expect(await badge('ann', '?roomTags=urgent')).toBe(0);
      expect(await badge('ann')).toBe(5);
    });
  });

  describe('what counts (spec 6)', () => {
    it("sending moves the sender's read position to their message", async () => {
      await createRoom(t, { _id: 'c-send', members: ['cy', 'dz'] });
      const theirs = [await send('dz', 'c-send'), await send('dz', 'c-send'), await send('dz', 'c-send')];
      expect(await roomBadge('cy', 'c-send')).toBe(3);
      const mine = await send('cy', 'c-send', 'my reply');
      expect(await roomBadge('cy', 'c-send')).toBe(0);
      expect(await roomBadge('dz', 'c-send')).toBe(1);
      expect(await properties('c-send')).toStrictEqual([
        { client: 'cy', badge: 0, lastRead: mine },
        { client: 'dz', badge: 1, lastRead: theirs[2] },
      ]);
    });

    it("the admin sending as a member moves that member's read position too", async () => {
      await createRoom(t, { _id: 'c-admin', members: ['cy', 'dz'] });
      await send('dz', 'c-admin');
      expect(await roomBadge('cy', 'c-admin')).toBe(1);
      const sent = expectOk(
        await t.admin('POST', '/messages', {
          room: 'c-admin',
          sender: 'cy',
          message: 'via the API',
          messageType: 'text',
        }),
      );
      expect(await roomBadge('cy', 'c-admin')).toBe(0);
      expect(await roomBadge('dz', 'c-admin')).toBe(1);
      expect((await properties('c-admin'))[0]).toStrictEqual({ client: 'cy', badge: 0, lastRead: sent._id });
    });

    it('members added later start at 0 and count what comes after', async () => {
      await createRoom(t, { _id: 'c-late', members: ['cy', 'dz'] });
      for (let i = 0; i < 4; i++) await send('dz', 'c-late');
      expect(await roomBadge('cy', 'c-late')).toBe(4);
      expectOk(await t.asUser(tokens.cy!, 'POST', '/rooms/c-late/members', { invitees: ['ek'] }));
      expect(await badge('ek')).toBe(0);
      expect(await roomBadge('ek', 'c-late')).toBe(0);
      expect((await properties('c-late')).find((property: any) => property.client === 'ek')).toStrictEqual({
        client: 'ek',
        badge: 0,
      });
      await send('dz', 'c-late');
      expect(await badge('ek')).toBe(1);
      expect(await roomBadge('cy', 'c-late')).toBe(5);
    });

    it('a recalled message still counts; a deleted one does not', async () => {
      await createRoom(t, { _id: 'c-gone', members: ['cy', 'dz'] });
      const first = await send('dz', 'c-gone');
      const second = await send('dz', 'c-gone');
      expect(await roomBadge('cy', 'c-gone')).toBe(2);
      expectOk(await t.asUser(tokens.dz!, 'POST', '/rooms/c-gone/message', { _id: first, messageType: 'recall' }));
      expect(await roomBadge('cy', 'c-gone')).toBe(2);
      const removed = await t.admin('DELETE', `/rooms/c-gone/messages/${second}`);
      expect(removed.json()).toMatchObject({ RC: 0, RM: 'Message deleted successfully' });
      expect(await roomBadge('cy', 'c-gone')).toBe(1);
      await t.admin('DELETE', `/rooms/c-gone/messages/${first}`);
      expect(await roomBadge('cy', 'c-gone')).toBe(0);
      expect((await properties('c-gone')).find((property: any) => property.client === 'cy').badge).toBe(0);
    });

    it('only my own messages are exempt: a room where only I wrote has nothing unread for me', async () => {
      await createRoom(t, { _id: 'c-mono', members: ['cy', 'dz'] });
      for (let i = 0; i < 3; i++) await send('cy', 'c-mono');
      expect(await roomBadge('cy', 'c-mono')).toBe(0);
      expect(await roomBadge('dz', 'c-mono')).toBe(3);
    });

    it("GET /rooms/:id memberProperties carries each member's own badge; unread is the caller's", async () => {
      await createRoom(t, { _id: 'c-props', members: ['cy', 'dz', 'ek'] });
      await send('dz', 'c-props');
      const dzLast = await send('dz', 'c-props');
      const ekLast = await send('ek', 'c-props');
      expect(await properties('c-props')).toStrictEqual([
        { client: 'cy', badge: 3 },
        { client: 'dz', badge: 1, lastRead: dzLast },
        { client: 'ek', badge: 0, lastRead: ekLast },
      ]);
      const asCy = expectOk(await t.asUser(tokens.cy!, 'GET', '/rooms/c-props'));
      expect(asCy.unread).toBe(3);
      expect(asCy.memberProperties.map((property: any) => property.badge)).toStrictEqual([3, 1, 0]);
      expect(expectOk(await t.asUser(tokens.dz!, 'GET', '/rooms/c-props')).unread).toBe(1);
      expect(expectOk(await t.admin('GET', '/rooms/c-props')).unread).toBe(0);
      const listed = expectOk(await t.asUser(tokens.cy!, 'GET', '/rooms')).data.find(
        (room: any) => room._id === 'c-props',
      );
      expect(listed.unread).toBe(3);
    });
  });

  describe('rooms through a user group (spec 12 item 26)', () => {
    it('users of a member group get badges for the room', async () => {
      expectOk(
        await t.admin('POST', '/admin/groups', {
          _id: 'badge-group',
          nickname: 'Badge group',
          members: ['gus', 'gia'],
        }),
      );
      await createRoom(t, { _id: 'g-room', roomTags: ['grp'], members: ['badge-group', 'gsend'] });
      await send('gsend', 'g-room');
      await send('gsend', 'g-room');
      expect(await badge('gus')).toBe(2);
      expect(await badge('gia', '?roomTags=grp')).toBe(2);
      expect(await byTags('gus', { tags: ['grp'] })).toStrictEqual({ totalBadge: 2, data: { grp: 2 } });
      expect(await badge('gsend')).toBe(0);
    });
  });
});
