import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { ReadStatesRepository } from '../../../src/modules/chat/read-states.repository.js';
import { createRoom } from '../../helpers/factories.js';
import { insufficient, INVALID_REQUEST, INVALID_TOKEN } from '../../helpers/errors.js';
import { expectInvalidRequest } from '../../helpers/wire.js';

/** `GET /rooms` (spec 4.5, 12 items 26, 36, 39, 40): the caller's active rooms, filtered, sorted and paged. */

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const IM_CLIENT_ID_REQUIRED = INVALID_REQUEST;

const ids = (result: { data: Array<{ _id: string }> }) => result.data.map((room) => room._id);

/** A 24-hex message id whose first 8 digits are the given time in seconds (spec 1.6). */
const messageIdAt = (ms: number) =>
  Math.floor(ms / 1000)
    .toString(16)
    .padStart(8, '0') + randomBytes(8).toString('hex');

describe('GET /rooms', () => {
  let t: TestApp;
  let prefs: ReadStatesRepository;
  const tokens: Record<string, string> = {};

  const list = async (user: string, query = '') => expectOk(await t.asUser(tokens[user]!, 'GET', `/rooms${query}`));
  const send = async (user: string, room: string, message: string, extra: Record<string, unknown> = {}) =>
    expectOk(
      await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, { message, messageType: 'text', ...extra }),
    );
  /** A user call with extra headers (asUser sets only the client key and the token). */
  const asUserWith = (token: string, url: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'GET',
      url,
      remoteAddress: '127.0.0.1',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': token, ...headers },
    });

  beforeAll(async () => {
    t = await buildTestApp();
    prefs = new ReadStatesRepository(t.services.storage);
    for (const id of [
      'idu1',
      'idu2',
      'sorter',
      'pal',
      'upd',
      'prefu',
      'prefpal',
      'mu1',
      'mu2',
      'frz',
      'g1',
      'g2',
      'gout',
      'gsender',
      'inv',
      'invhost',
      'shape',
      'shapepal',
    ]) {
      tokens[id] = await t.createUser(id, { nickname: `Nick ${id}` });
    }
  });
  afterAll(() => t.close());

  describe('who is asking (IM-CLIENT-ID, spec 1.2 and 4.5)', () => {
    beforeAll(async () => {
      await createRoom(t, { _id: 'id-one', members: ['idu1'] });
      await createRoom(t, { _id: 'id-both', members: ['idu1', 'idu2'] });
      await createRoom(t, { _id: 'id-two', members: ['idu2'] });
    });

    it('with a user token the rooms are those of the token user; IM-CLIENT-ID is optional', async () => {
      const mine = await list('idu1');
      expect(ids(mine).sort()).toStrictEqual(['id-both', 'id-one']);
      expect(mine.totalCount).toBe(2);
      const theirs = await list('idu2');
      expect(ids(theirs).sort()).toStrictEqual(['id-both', 'id-two']);
    });

    it('accepts IM-CLIENT-ID equal to the token user', async () => {
      const result = expectOk(await asUserWith(tokens.idu1!, '/rooms', { 'im-client-id': 'idu1' }));
      expect(ids(result).sort()).toStrictEqual(['id-both', 'id-one']);
    });

    it('answers 403 INSUFFICIENT_PERMISSIONS in shape B when IM-CLIENT-ID names another user', async () => {
      const response = await asUserWith(tokens.idu1!, '/rooms', { 'im-client-id': 'idu2' });
      expectBody(response, 403, insufficient(expect.any(String)));
    });

    it('with the API key, IM-CLIENT-ID names the user whose rooms are listed', async () => {
      const result = expectOk(await t.admin('GET', '/rooms', undefined, { 'im-client-id': 'idu2' }));
      expect(ids(result).sort()).toStrictEqual(['id-both', 'id-two']);
      expect(result.totalCount).toBe(2);
      expect(result.inspect.query.members).toBe('idu2');
    });

    it('with the API key and no IM-CLIENT-ID: 400 INVALID_REQUEST', async () => {
      expectBody(await t.admin('GET', '/rooms'), 400, IM_CLIENT_ID_REQUIRED);
      expectBody(await t.admin('GET', '/rooms', undefined, { 'im-client-id': '' }), 400, IM_CLIENT_ID_REQUIRED);
    });

    it('needs a valid token', async () => {
      expectBody(await t.asUser('not-a-token', 'GET', '/rooms'), 401, INVALID_TOKEN);
    });
  });

  describe('result shape', () => {
    let last: any;
    beforeAll(async () => {
      await createRoom(t, {
        _id: 'shape-room',
        name: 'Shape',
        cover: 'http://x/c.png',
        description: 'desc',
        roomTags: ['t1'],
        members: ['shape', 'shapepal'],
      });
      last = await send('shapepal', 'shape-room', 'hello shape');
    });

    it('answers {totalCount, inspect: {query, tookMS}, data}', async () => {
      const result = await list('shape');
      expect(Object.keys(result).sort()).toStrictEqual(['data', 'inspect', 'totalCount']);
      expect(result.totalCount).toBe(1);
      expect(result.inspect).toStrictEqual({ query: expect.any(Object), tookMS: expect.any(Number) });
      expect(result.inspect.tookMS).toBeGreaterThanOrEqual(0);
      expect(result.inspect.query).toMatchObject({ appID: t.appId, members: 'shape', status: 1 });
      expect(result.inspect.query).not.toHaveProperty('$or');
    });

    it('gives each room its fields, member summaries, the expanded last message and the caller state', async () => {
      const [room] = (await list('shape')).data;
      expect(room).toMatchObject({
        _id: 'shape-room',
        id: 'shape-room',
        appID: t.appId,
        name: 'Shape',
        cover: 'http://x/c.png',
        description: 'desc',
        roomType: 'group',
        roomTags: ['t1'],
        status: 1,
        createdTime: expect.stringMatching(ISO),
        createdTimeMS: expect.any(Number),
        unread: 1,
        muted: false,
      });
      expect(room.members.map((member: any) => member._id)).toStrictEqual(['shape', 'shapepal']);
      for (const member of room.members) {
        expect(member).toMatchObject({
          id: member._id,
          nickname: `Nick ${member._id}`,
          isRobot: false,
          lastLoginTimeMS: expect.any(Number),
        });
        expect(member).not.toHaveProperty('token');
      }
      expect(room.lastMessage).toMatchObject({
        _id: last._id,
        id: last._id,
        room: 'shape-room',
        message: 'hello shape',
        messageType: 'text',
        appID: t.appId,
        messageTimeMS: expect.any(Number),
        sender: { _id: 'shapepal', id: 'shapepal', nickname: 'Nick shapepal' },
      });
      expect(room).not.toHaveProperty('pref');
    });

    it('counts nothing unread for the sender of the last message', async () => {
      const [room] = (await list('shapepal')).data;
      expect(room.unread).toBe(0);
    });
  });

  describe('sorting and paging', () => {
    /** The rooms of `sorter` listed with `?sort=`, the value URL-encoded. */
    const sortedBy = (sort: string) => list('sorter', `?sort=${encodeURIComponent(sort)}`);
    // Created a..e in that order; names out of creation order; unread for `sorter`: s-a 1, s-c 2.
    beforeAll(async () => {
      const names: Record<string, string> = {
        's-a': 'charlie',
        's-b': 'alpha',
        's-c': 'bravo',
        's-d': 'delta',
        's-e': 'echo',
      };
      for (const [id, name] of Object.entries(names)) {
        await createRoom(t, { _id: id, name, members: ['sorter', 'pal'] });
        await sleep(5);
      }
      await send('pal', 's-a', 'one');
      await send('pal', 's-c', 'two');
      await send('pal', 's-c', 'three');
      await send('sorter', 's-b', 'my own, newest');
    });

    it('defaults to -lastMessage -createdTime: newest activity first, rooms without messages newest created first', async () => {
      const result = await list('sorter');
      expect(ids(result)).toStrictEqual(['s-b', 's-c', 's-a', 's-e', 's-d']);
      expect(result.totalCount).toBe(5);
      expect(result.data.map((room: any) => room.unread)).toStrictEqual([0, 2, 1, 0, 0]);
      expect(ids(await sortedBy('-lastMessage -createdTime'))).toStrictEqual(['s-b', 's-c', 's-a', 's-e', 's-d']);
    });

    it('sorts by createdTime, ascending and descending', async () => {
      expect(ids(await list('sorter', '?sort=createdTime'))).toStrictEqual(['s-a', 's-b', 's-c', 's-d', 's-e']);
      expect(ids(await list('sorter', '?sort=-createdTime'))).toStrictEqual(['s-e', 's-d', 's-c', 's-b', 's-a']);
    });

    it('sorts by lastMessage ascending: rooms without messages first', async () => {
      expect(ids(await sortedBy('lastMessage createdTime'))).toStrictEqual(['s-d', 's-e', 's-a', 's-c', 's-b']);
    });

    it('sorts by name and by _id', async () => {
      expect(ids(await list('sorter', '?sort=name'))).toStrictEqual(['s-b', 's-c', 's-a', 's-d', 's-e']);
      expect(ids(await list('sorter', '?sort=-name'))).toStrictEqual(['s-e', 's-d', 's-a', 's-c', 's-b']);
      expect(ids(await list('sorter', '?sort=_id'))).toStrictEqual(['s-a', 's-b', 's-c', 's-d', 's-e']);
      expect(ids(await list('sorter', '?sort=-_id'))).toStrictEqual(['s-e', 's-d', 's-c', 's-b', 's-a']);
    });

    it('sorts by unread, with later fields breaking ties', async () => {
      expect(ids(await sortedBy('-unread name'))).toStrictEqual(['s-c', 's-a', 's-b', 's-d', 's-e']);
      expect(ids(await sortedBy('unread -name'))).toStrictEqual(['s-e', 's-d', 's-b', 's-a', 's-c']);
    });

    it('sorts by updatedAt', async () => {
      await sleep(5);
      expectOk(await t.admin('PUT', '/rooms/s-d', { description: 'touched last' }));
      const result = await list('sorter', '?sort=-updatedAt');
      expect(ids(result)[0]).toBe('s-d');
      expect(ids(result).sort()).toStrictEqual(['s-a', 's-b', 's-c', 's-d', 's-e']);
      expect(ids(await list('sorter', '?sort=updatedAt')).at(-1)).toBe('s-d');
    });

    it('rejects an unknown sort field with 400 INVALID_REQUEST', async () => {
      expectInvalidRequest(await t.asUser(tokens.sorter!, 'GET', '/rooms?sort=bogus'));
      expectInvalidRequest(await t.asUser(tokens.sorter!, 'GET', '/rooms?sort=-bogus'));
      expectInvalidRequest(
        await t.asUser(tokens.sorter!, 'GET', `/rooms?sort=${encodeURIComponent('-lastMessage members')}`),
      );
    });

    it('sortUnreadFirst=1 or true puts rooms with unread messages first, keeping the sort within each part', async () => {
      expect(ids(await list('sorter', '?sortUnreadFirst=1'))).toStrictEqual(['s-c', 's-a', 's-b', 's-e', 's-d']);
      expect(ids(await list('sorter', '?sortUnreadFirst=true'))).toStrictEqual(['s-c', 's-a', 's-b', 's-e', 's-d']);
      expect(ids(await list('sorter', '?sortUnreadFirst=1&sort=createdTime'))).toStrictEqual([
        's-a',
        's-c',
        's-b',
        's-d',
        's-e',
      ]);
      expect(ids(await list('sorter', '?sortUnreadFirst=0'))).toStrictEqual(['s-b', 's-c', 's-a', 's-e', 's-d']);
      expect(ids(await list('sorter', '?sortUnreadFirst=false'))).toStrictEqual(['s-b', 's-c', 's-a', 's-e', 's-d']);
    });

    it('pages with skip and limit; totalCount counts every match', async () => {
      let result = await list('sorter', '?limit=2');
      expect(ids(result)).toStrictEqual(['s-b', 's-c']);
      expect(result.totalCount).toBe(5);
      result = await list('sorter', '?skip=2&limit=2');
      expect(ids(result)).toStrictEqual(['s-a', 's-e']);
      expect(result.totalCount).toBe(5);
      result = await list('sorter', '?skip=4&limit=2');
      expect(ids(result)).toStrictEqual(['s-d']);
      result = await list('sorter', '?skip=3');
      expect(ids(result)).toStrictEqual(['s-e', 's-d']);
      result = await list('sorter', '?skip=10');
      expect(result.data).toStrictEqual([]);
      expect(result.totalCount).toBe(5);
      result = await list('sorter', '?sort=name&skip=1&limit=3');
      expect(ids(result)).toStrictEqual(['s-c', 's-a', 's-d']);
    });

    it('limit=0 means no limit', async () => {
      const result = await list('sorter', '?limit=0');
      expect(ids(result)).toStrictEqual(['s-b', 's-c', 's-a', 's-e', 's-d']);
      expect(ids(await list('sorter', '?limit=0&skip=1'))).toStrictEqual(['s-c', 's-a', 's-e', 's-d']);
    });

    it('rejects a negative or non-numeric skip or limit with 400 INVALID_REQUEST', async () => {
      for (const query of ['limit=-1', 'limit=abc', 'skip=-1', 'skip=x', 'limit=1.5']) {
        expectInvalidRequest(await t.asUser(tokens.sorter!, 'GET', `/rooms?${query}`));
      }
    });
  });

  describe('updatedAfter', () => {
    // u-new: no message; u-old: its last message (id claiming 2020) sent before `messageTime`;
    // u-future: its last message (id claiming an hour ahead) sent after it. Stored times decide,
    // not the timestamps in client-chosen ids (issue 9 item 1).
    let created: number;
    let messageTime: number;
    beforeAll(async () => {
      created = (await createRoom(t, { _id: 'u-new', members: ['upd', 'pal'] })).createdTimeMS;
      await sleep(5);
      await createRoom(t, { _id: 'u-future', members: ['upd', 'pal'] });
      await createRoom(t, { _id: 'u-old', members: ['upd', 'pal'] });
      await send('pal', 'u-old', 'from 2020', { _id: messageIdAt(Date.parse('2020-10-15T03:32:31.000Z')) });
      await sleep(5);
      messageTime = Date.now();
      await sleep(5);
      await send('pal', 'u-future', 'from the future', { _id: messageIdAt(Date.now() + 3_600_000) });
    });

    it('keeps rooms created after the time (ISO or milliseconds)', async () => {
      const past = Date.now() - 60_000;
      expect(ids(await list('upd', `?updatedAfter=${new Date(past).toISOString()}`)).sort()).toStrictEqual([
        'u-future',
        'u-new',
        'u-old',
      ]);
      expect(ids(await list('upd', `?updatedAfter=${past}`)).sort()).toStrictEqual(['u-future', 'u-new', 'u-old']);
      expect(ids(await list('upd', '?updatedAfter=2020-01-01T00:00:00Z')).sort()).toStrictEqual([
        'u-future',
        'u-new',
        'u-old',
      ]);
    });

    it('keeps rooms whose last message is newer than the time, even if created before it', async () => {
      const iso = new Date(messageTime).toISOString();
      const result = await list('upd', `?updatedAfter=${encodeURIComponent(iso)}`);
      expect(ids(result)).toStrictEqual(['u-future']);
      expect(result.totalCount).toBe(1);
      expect(ids(await list('upd', `?updatedAfter=${messageTime}`))).toStrictEqual(['u-future']);
      expect(result.inspect.query.$or).toStrictEqual([
        {
          lastMessage: {
            $gt: `${Math.floor(messageTime / 1000)
              .toString(16)
              .padStart(8, '0')}0000000000000000`,
          },
        },
        { createdTime: { $gt: iso } },
      ]);
    });

    it('a timestamp in a client-chosen message id counts for nothing', async () => {
      expect(ids(await list('upd', `?updatedAfter=${Date.now() + 60_000}`))).toStrictEqual([]);
    });

    it('is strict: a room created exactly at the time is left out', async () => {
      expect(ids(await list('upd', `?updatedAfter=${created}`)).sort()).toStrictEqual(['u-future', 'u-old']);
    });

    it('accepts an ISO time with an offset', async () => {
      // The same instant written in +08:00.
      const local = new Date(messageTime + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
      expect(ids(await list('upd', `?updatedAfter=${encodeURIComponent(local)}`))).toStrictEqual(['u-future']);
    });

    it('rejects a time that is neither ISO-8601 nor milliseconds with 400 INVALID_REQUEST', async () => {
      for (const value of ['yesterday', '2024-02-30T00:00:00Z', '2024-13-01', 'May%205%202024', '12abc']) {
        expectInvalidRequest(await t.asUser(tokens.upd!, 'GET', `/rooms?updatedAfter=${value}`));
      }
    });
  });

  describe('pref filter (spec 4.5, 12 item 40)', () => {
    // The caller's own preferences: p-work {tags [work, urgent], folder Projects, sticky}, p-home {tags [home], folder Personal, hidden}, p-none unset.
    beforeAll(async () => {
      for (const id of ['p-work', 'p-home', 'p-none']) await createRoom(t, { _id: id, members: ['prefu', 'prefpal'] });
      const now = Date.now();
      await prefs.setPref(
        t.appId,
        'p-work',
        'prefu',
        { tags: ['work', 'urgent'], tagColors: { work: '#f2d700' }, folder: 'Projects', sticky: true, hidden: false },
        now,
      );
      await prefs.setPref(t.appId, 'p-home', 'prefu', { tags: ['home'], folder: 'Personal', hidden: true }, now);
      // Another user's preferences never filter the caller's list.
      await prefs.setPref(t.appId, 'p-none', 'prefpal', { tags: ['work'], folder: 'Projects' }, now);
    });

    const filtered = async (pref: unknown) =>
      ids(
        await list('prefu', `?pref=${encodeURIComponent(typeof pref === 'string' ? pref : JSON.stringify(pref))}`),
      ).sort();

    it("returns the caller's pref on each room that has one", async () => {
      const result = await list('prefu');
      const byId = new Map(result.data.map((room: any) => [room._id, room]));
      expect((byId.get('p-work') as any).pref).toStrictEqual({
        tags: ['work', 'urgent'],
        tagColors: { work: '#f2d700' },
        folder: 'Projects',
        sticky: true,
        hidden: false,
      });
      expect((byId.get('p-home') as any).pref).toStrictEqual({ tags: ['home'], folder: 'Personal', hidden: true });
      expect(byId.get('p-none')).not.toHaveProperty('pref');
      const other = await list('prefpal');
      expect(other.data.find((room: any) => room._id === 'p-none').pref).toStrictEqual({
        tags: ['work'],
        folder: 'Projects',
      });
      expect(other.data.find((room: any) => room._id === 'p-work')).not.toHaveProperty('pref');
    });

    it('a tag matches rooms whose pref tags contain it', async () => {
      expect(await filtered({ tags: 'work' })).toStrictEqual(['p-work']);
      expect(await filtered({ tags: 'urgent' })).toStrictEqual(['p-work']);
      expect(await filtered({ tags: 'home' })).toStrictEqual(['p-home']);
      expect(await filtered({ tags: 'nothing' })).toStrictEqual([]);
      expect(await filtered({ tags: ['work', 'urgent'] })).toStrictEqual(['p-work']);
    });

    it("other keys must equal the caller's value; all keys must match", async () => {
      expect(await filtered({ folder: 'Personal' })).toStrictEqual(['p-home']);
      expect(await filtered({ folder: 'Projects' })).toStrictEqual(['p-work']);
      expect(await filtered({ hidden: true })).toStrictEqual(['p-home']);
      expect(await filtered({ sticky: true })).toStrictEqual(['p-work']);
      expect(await filtered({ folder: 'Projects', tags: 'home' })).toStrictEqual([]);
      expect(await filtered({ folder: 'Projects', tags: 'work' })).toStrictEqual(['p-work']);
      const result = await list('prefu', `?pref=${encodeURIComponent(JSON.stringify({ folder: 'Personal' }))}`);
      expect(result.totalCount).toBe(1);
    });

    it('hidden: false also matches rooms without the flag', async () => {
      expect(await filtered({ hidden: false })).toStrictEqual(['p-none', 'p-work']);
    });

    it('ignores a pref that is not a JSON object (pref=true, numbers, strings, arrays, empty)', async () => {
      for (const value of ['true', '123', '"work"', '[1,2]', 'null', '{}']) {
        expect(await filtered(value)).toStrictEqual(['p-home', 'p-none', 'p-work']);
      }
    });

    it('rejects invalid JSON with 400 INVALID_REQUEST', async () => {
      for (const value of ['{bad', '{"tags":', 'work']) {
        expectInvalidRequest(await t.asUser(tokens.prefu!, 'GET', `/rooms?pref=${encodeURIComponent(value)}`));
      }
    });
  });

  describe('unread and muted per caller', () => {
    beforeAll(async () => {
      await createRoom(t, { _id: 'm-room', members: ['mu1', 'mu2'] });
      await createRoom(t, { _id: 'm-quiet', members: ['mu1', 'mu2'] });
      await send('mu1', 'm-room', 'from mu1');
      await send('mu2', 'm-room', 'from mu2, first');
      await send('mu2', 'm-room', 'from mu2, second');
    });

    const room = async (user: string, id: string) => (await list(user)).data.find((item: any) => item._id === id);

    it('counts unread messages for each caller', async () => {
      expect((await room('mu1', 'm-room')).unread).toBe(2);
      expect((await room('mu2', 'm-room')).unread).toBe(0);
      expect((await room('mu1', 'm-quiet')).unread).toBe(0);
      const viaKey = expectOk(await t.admin('GET', '/rooms', undefined, { 'im-client-id': 'mu1' }));
      expect(viaKey.data.find((item: any) => item._id === 'm-room').unread).toBe(2);
    });

    it('reading moves the count down', async () => {
      const messages = expectOk(await t.asUser(tokens.mu1!, 'GET', '/rooms/m-room/messages/v3'));
      // Newest first: [mu2 second, mu2 first, mu1]; read up to "mu2, first".
      expectOk(await t.asUser(tokens.mu1!, 'PUT', '/rooms/m-room/lastRead', { message: messages.data[1]._id }));
      expect((await room('mu1', 'm-room')).unread).toBe(1);
    });

    it("muted follows the caller's mute list", async () => {
      expect((await room('mu1', 'm-quiet')).muted).toBe(false);
      expectOk(await t.asUser(tokens.mu1!, 'POST', '/me/mute/m-quiet'));
      expect((await room('mu1', 'm-quiet')).muted).toBe(true);
      expect((await room('mu2', 'm-quiet')).muted).toBe(false);
      expect((await room('mu1', 'm-room')).muted).toBe(false);
      const viaKey = expectOk(await t.admin('GET', '/rooms', undefined, { 'im-client-id': 'mu1' }));
      expect(viaKey.data.find((item: any) => item._id === 'm-quiet').muted).toBe(true);
      expectOk(await t.asUser(tokens.mu1!, 'DELETE', '/me/mute/m-quiet'));
      expect((await room('mu1', 'm-quiet')).muted).toBe(false);
    });

    it("muted is also true when the caller's pref says muted (12 item 40)", async () => {
      await prefs.setPref(t.appId, 'm-room', 'mu2', { muted: true }, Date.now());
      expect((await room('mu2', 'm-room')).muted).toBe(true);
      expect((await room('mu1', 'm-room')).muted).toBe(false);
    });
  });

  describe('frozen rooms (spec 4.3, 12 item 36)', () => {
    beforeAll(async () => {
      await createRoom(t, { _id: 'f-live', members: ['frz'] });
      await createRoom(t, { _id: 'f-ice', members: ['frz'] });
    });

    it('leaves rooms with status 0 out, and brings them back when unfrozen', async () => {
      expect(ids(await list('frz')).sort()).toStrictEqual(['f-ice', 'f-live']);
      const frozen = await t.admin('PUT', '/rooms/f-ice', { status: 0 });
      expect(frozen.statusCode, frozen.body).toBe(200);
      const result = await list('frz');
      expect(ids(result)).toStrictEqual(['f-live']);
      expect(result.totalCount).toBe(1);
      // Reads of the frozen room itself still work.
      expect(expectOk(await t.asUser(tokens.frz!, 'GET', '/rooms/f-ice')).status).toBe(0);
      expectOk(await t.admin('PUT', '/rooms/f-ice', { status: 1 }));
      expect(ids(await list('frz')).sort()).toStrictEqual(['f-ice', 'f-live']);
    });
  });

  describe('rooms through a user group (spec 3.6, 12 item 26)', () => {
    beforeAll(async () => {
      expectOk(await t.admin('POST', '/admin/groups', { _id: 'grp-team', nickname: 'Team', members: ['g1', 'g2'] }));
      await createRoom(t, { _id: 'g-room', name: 'Group room', members: ['grp-team', 'gsender'] });
      await createRoom(t, { _id: 'g-own', members: ['g1'] });
    });

    it('lists the rooms where a group containing the caller is a member', async () => {
      expect(ids(await list('g1')).sort()).toStrictEqual(['g-own', 'g-room']);
      expect(ids(await list('g2'))).toStrictEqual(['g-room']);
      expect(ids(await list('gout'))).toStrictEqual([]);
      expect((await list('gout')).totalCount).toBe(0);
      const viaKey = expectOk(await t.admin('GET', '/rooms', undefined, { 'im-client-id': 'g2' }));
      expect(ids(viaKey)).toStrictEqual(['g-room']);
    });

    it('shows the group entry among the members with its users expanded', async () => {
      const room = (await list('g2')).data[0];
      expect(room.members.map((member: any) => member._id)).toStrictEqual(['grp-team', 'gsender']);
      expect(room.members[0].members.map((member: any) => member._id)).toStrictEqual(['g1', 'g2']);
      expect(room.members[0].members[0]).toMatchObject({ _id: 'g1', nickname: 'Nick g1' });
    });

    it('counts unread messages for the users of a member group', async () => {
      await send('gsender', 'g-room', 'hello team');
      await send('gsender', 'g-room', 'hello again');
      const room = (await list('g2')).data.find((item: any) => item._id === 'g-room');
      expect(room.lastMessage.message).toBe('hello again');
      expect(room.unread).toBe(2);
      expect((await list('gsender')).data.find((item: any) => item._id === 'g-room').unread).toBe(0);
    });
  });

  describe('pending invitations (spec 4.5)', () => {
    it('does not list a room where the caller only has a pending invitation', async () => {
      await createRoom(t, { _id: 'inv-room', members: ['invhost'] });
      expectOk(
        await t.asUser(tokens.invhost!, 'POST', '/rooms/inv-room/members', {
          invitees: ['inv'],
          invitationRequired: true,
        }),
      );
      expect(ids(await list('inv'))).toStrictEqual([]);
      expectOk(await t.asUser(tokens.inv!, 'POST', '/rooms/inv-room/join'));
      expect(ids(await list('inv'))).toStrictEqual(['inv-room']);
    });
  });
});
