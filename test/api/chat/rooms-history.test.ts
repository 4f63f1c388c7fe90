import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createNamedUsers, createRoom } from '../../helpers/factories.js';
import { memberListMessage, summary } from '../../helpers/rooms-suite.js';

/** Room operations of the older documentation ([hist] 5.3, 5.5, 5.6, 5.7) and the application's `invitationRequired` default (6.1, 13.6). */

describe('rooms of the older documentation ([hist] 5)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (user: string) => (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    t.asUser(tokens[user]!, method, url, body);

  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['ann', 'ben', 'cat', 'dan', 'out']));
    await createRoom(t, { _id: 'hall', name: 'Hall', members: ['ann', 'ben'] });
  });
  afterAll(() => t.close());

  describe('GET /rooms/:id/exists (5.5)', () => {
    it('answers exists true or false to any user, never 404, and tells nothing else', async () => {
      expect(await as('ann')('GET', '/rooms/hall/exists').then((response) => response.json())).toStrictEqual({
        RC: 0,
        RM: 'OK',
        result: { exists: true },
      });
      // A non-member learns only that the room exists.
      expect(expectOk(await as('out')('GET', '/rooms/hall/exists'))).toStrictEqual({ exists: true });
      const missing = await as('out')('GET', '/rooms/no-such-room/exists');
      expect(missing.statusCode).toBe(200);
      expect(missing.json().result).toStrictEqual({ exists: false });
      expect(expectOk(await t.admin('GET', '/rooms/hall/exists', undefined, { 'im-client-id': 'out' }))).toStrictEqual({
        exists: true,
      });
    });

    // Another application's rooms: test/helpers/chat-bola-cases.ts.
    it('answers false once the room is deleted', async () => {
      await createRoom(t, { _id: 'brief', members: ['ann'] });
      expectOk(await t.admin('DELETE', '/rooms/brief'));
      expect(expectOk(await as('ann')('GET', '/rooms/brief/exists'))).toStrictEqual({ exists: false });
    });
  });

  describe('POST /rooms/:id/members/:invitee (5.3)', () => {
    it('adds without a body, as the SDK sends it', async () => {
      const room = expectOk(await as('ann')('POST', '/rooms/hall/members/cat'));
      expect(room.members.map((member: any) => member._id)).toStrictEqual(['ann', 'ben', 'cat']);
      expect(room.lastMessage).toBeUndefined();
    });

    it('with systemMessage, writes the addMembers message from the caller', async () => {
      await createRoom(t, { _id: 'noted', members: ['ann'] });
      const room = expectOk(await as('ann')('POST', '/rooms/noted/members/ben', { systemMessage: true }));
      expect(room.lastMessage).toStrictEqual(
        memberListMessage(t, room.lastMessage, {
          room: 'noted',
          message: 'Ben',
          messageType: 'addMembers',
          listKey: 'invitees',
          users: [summary('ben', 'Ben')],
          sender: summary('ann', 'Ann'),
        }),
      );
    });

    it('with invitationRequired, invites instead of adding', async () => {
      await createRoom(t, { _id: 'guarded', members: ['ann'] });
      const room = expectOk(await as('ann')('POST', '/rooms/guarded/members/dan', { invitationRequired: true }));
      expect(room.members.map((member: any) => member._id)).toStrictEqual(['ann']);
      const mine = expectOk(await as('dan')('GET', '/rooms/invitations'));
      expect(mine.data.map((entry: any) => [entry.room._id, entry.inviter._id])).toStrictEqual([['guarded', 'ann']]);
      expectBody(await as('dan')('GET', '/rooms/guarded'), 403, NOT_ROOM_MEMBER);
    });

    it('refuses a bad body, a non-member caller and a missing room', async () => {
      expectBody(await as('ann')('POST', '/rooms/hall/members/dan', { systemMessage: 'yes' }), 400, INVALID_REQUEST);
      expectBody(await as('out')('POST', '/rooms/hall/members/out', {}), 403, NOT_ROOM_MEMBER);
      expectBody(await as('ann')('POST', '/rooms/no-such-room/members/dan', {}), 404, ROOM_NOT_FOUND);
      const hall = expectOk(await as('ann')('GET', '/rooms/hall'));
      expect(hall.members.map((member: any) => member._id)).not.toContain('out');
    });
  });

  describe('the defaultInvitationRequired setting ([hist] 6.1, 13.6)', () => {
    const memberIds = async (room: string) =>
      expectOk(await t.admin('GET', `/rooms/${room}`)).members.map((member: any) => member._id);
    const invitedTo = async (user: string) =>
      expectOk(await as(user)('GET', '/rooms/invitations')).data.map((entry: any) => entry.room._id);

    it('is off by default, and only a boolean is taken', async () => {
      expect(expectOk(await t.admin('GET', '/admin/app')).settings.defaultInvitationRequired).toBe(false);
      expectBody(await t.admin('PATCH', '/admin/app', { defaultInvitationRequired: 'yes' }), 400, INVALID_REQUEST);
      expect(expectOk(await t.admin('GET', '/admin/app')).settings.defaultInvitationRequired).toBe(false);
    });

    it('when on, additions that do not say are invitations; an explicit false still adds', async () => {
      await createRoom(t, { _id: 'lobby', members: ['ann'] });
      const patched = expectOk(await t.admin('PATCH', '/admin/app', { defaultInvitationRequired: true }));
      expect(patched.settings.defaultInvitationRequired).toBe(true);
      try {
        expectOk(await as('ann')('POST', '/rooms/lobby/members', { invitees: ['ben'] }));
        expectOk(await as('ann')('POST', '/rooms/lobby/members/cat'));
        const made = expectOk(await as('ann')('POST', '/rooms/createAndJoin', { _id: 'salon', invitee: ['dan'] }));
        expect(made.members.map((member: any) => member._id)).toStrictEqual(['ann']);
        expect(await memberIds('lobby')).toStrictEqual(['ann']);
        expect(await invitedTo('ben')).toStrictEqual(['lobby']);
        expect(await invitedTo('cat')).toContain('lobby');
        expect(await invitedTo('dan')).toContain('salon');
        expectOk(await as('ann')('POST', '/rooms/lobby/members', { invitees: ['out'], invitationRequired: false }));
        expect(await memberIds('lobby')).toStrictEqual(['ann', 'out']);
        // A direct room is never an invitation.
        const direct = expectOk(
          await as('ann')('POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: 'ben' }),
        );
        expect(direct.members.map((member: any) => member._id).sort()).toStrictEqual(['ann', 'ben']);
      } finally {
        expectOk(await t.admin('PATCH', '/admin/app', { defaultInvitationRequired: false }));
      }
      expectOk(await as('ann')('POST', '/rooms/lobby/members', { invitees: ['dan'] }));
      expect(await memberIds('lobby')).toStrictEqual(['ann', 'out', 'dan']);
    });
  });

  describe('GET /rooms?q= (5.7)', () => {
    const listed = async (user: string, q: unknown, extra = '') =>
      expectOk(await as(user)('GET', `/rooms?q=${encodeURIComponent(JSON.stringify(q))}${extra}`));
    const ids = async (q: unknown, extra = '') =>
      (await listed('fil', q, extra)).data.map((room: any) => room._id).sort();
    let middle = '';

    beforeAll(async () => {
      Object.assign(tokens, await createNamedUsers(t, ['fil']));
      await createRoom(t, {
        _id: 'f-hello',
        name: 'Hello there',
        owner: 'fil',
        roomTags: ['foo', 'bar'],
        members: ['fil', 'ben'],
        botMode: true,
        botState: 'CONTACT',
        webhook: 'meet-taipei',
        extParams: '{"level":3}',
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      middle = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await createRoom(t, { _id: 'f-yellow', name: 'yELLow', opening: 0, roomTags: ['foo'], members: ['fil'] });
      expectOk(
        await as('fil')('POST', '/rooms/createAndJoin', { _id: 'f-direct', roomType: 'direct', invitee: 'cat' }),
      );
      // Someone else's room that every condition below would match.
      await createRoom(t, { _id: 'f-other', name: 'Hello other', owner: 'ben', roomTags: ['foo'], members: ['ben'] });
      expectOk(await as('fil')('POST', '/roomPrefs/f-yellow', { tags: ['demo'] }));
    });

    it('filters on the room fields the history lists, within my rooms only', async () => {
      expect(await ids({ name: { $regex: '.*el.*' } })).toStrictEqual(['f-hello']);
      expect(await ids({ name: { $regex: 'el', $options: 'i' } })).toStrictEqual(['f-hello', 'f-yellow']);
      expect(await ids({ roomTags: 'foo' })).toStrictEqual(['f-hello', 'f-yellow']);
      expect(await ids({ roomTags: { $all: ['foo', 'bar'] } })).toStrictEqual(['f-hello']);
      expect(await ids({ roomTags: { $nin: ['bar'] } })).toStrictEqual(['f-direct', 'f-yellow']);
      expect(await ids({ roomType: 'direct' })).toStrictEqual(['f-direct']);
      expect(await ids({ owner: 'fil' })).toStrictEqual(['f-hello']);
      expect(await ids({ opening: 0 })).toStrictEqual(['f-yellow']);
      expect(await ids({ botMode: true, botState: 'CONTACT', webhook: 'meet-taipei' })).toStrictEqual(['f-hello']);
      expect(await ids({ extParams: { $exists: true, $ne: null } })).toStrictEqual(['f-hello']);
      expect(await ids({ createdTime: { $gt: middle } })).toStrictEqual(['f-direct', 'f-yellow']);
      expect(await ids({ status: 1, serviceStatus: 0, _id: { $in: ['f-hello', 'f-other'] } })).toStrictEqual([
        'f-hello',
      ]);
      // Fields Parley does not store are absent, as in MongoDB.
      expect(await ids({ assignTo: 'agent' })).toStrictEqual([]);
      expect(await ids({ refRoom: { $exists: false } })).toStrictEqual(['f-direct', 'f-hello', 'f-yellow']);
    });

    it('members narrows, never widens; q combines with pref, paging and totalCount', async () => {
      expect(await ids({ members: 'fil' })).toStrictEqual(['f-direct', 'f-hello', 'f-yellow']);
      expect(await ids({ members: 'ben' })).toStrictEqual(['f-hello']);
      expect(await ids({ members: { $in: ['ben', 'cat'] } })).toStrictEqual(['f-direct', 'f-hello']);
      expect(await ids({ members: 'out' })).toStrictEqual([]);
      const pref = `&pref=${encodeURIComponent(JSON.stringify({ tags: 'demo' }))}`;
      expect(await ids({ roomTags: 'foo' }, pref)).toStrictEqual(['f-yellow']);
      const page = await listed('fil', { roomTags: 'foo' }, '&limit=1&skip=1');
      expect([page.totalCount, page.data.length]).toStrictEqual([2, 1]);
    });

    it('refuses bad JSON, unknown fields, unsupported operators and unsafe patterns with 400 INVALID_QUERY', async () => {
      const invalid = {
        RC: 400,
        RM: 'Invalid query syntax',
        error: { code: 'INVALID_QUERY', message: expect.any(String) },
      };
      expectBody(await as('fil')('GET', '/rooms?q=%7Bnope'), 400, invalid);
      for (const q of [
        { password: 'x' },
        { name: { $where: 'sleep(1000)' } },
        { name: { $regex: 'a', $options: 'g' } },
        { name: { $regex: '(a+)+\\1' } },
        { name: { $options: 'i' } },
        { members: { $elemMatch: { $eq: 'ben' } } },
        { roomTags: { $all: 'foo' } },
        { roomTags: { $in: 'foo' } },
        { refRoom: { $exists: 'yes' } },
        'text',
      ])
        expectBody(await as('fil')('GET', `/rooms?q=${encodeURIComponent(JSON.stringify(q))}`), 400, invalid);
    });
  });

  describe('GET /rooms/quitted (5.6)', () => {
    const quitted = async (user: string) => expectOk(await as(user)('GET', '/rooms/quitted')).data;

    it('lists the rooms I left or was removed from, newest first, with my preference and quittedAt', async () => {
      Object.assign(tokens, await createNamedUsers(t, ['gus']));
      expect(await quitted('gus')).toStrictEqual([]);
      await createRoom(t, { _id: 'q-left', name: 'Left', description: 'd', roomTags: ['t1'], members: ['gus', 'ann'] });
      await createRoom(t, { _id: 'q-removed', name: 'Removed', owner: 'ann', members: ['ann', 'gus'] });
      expectOk(await as('gus')('POST', '/roomPrefs/q-left', { tags: ['mine'], folder: 'F' }));
      const before = Date.now();
      expectOk(await as('gus')('DELETE', '/rooms/q-left/members/gus', {}));
      await new Promise((resolve) => setTimeout(resolve, 5));
      expectOk(await as('ann')('POST', '/rooms/q-removed/delete/members', { members: ['gus'] }));
      const list = await quitted('gus');
      expect(list.map((room: any) => room._id)).toStrictEqual(['q-removed', 'q-left']);
      expect(list[1]).toStrictEqual({
        _id: 'q-left',
        id: 'q-left',
        name: 'Left',
        cover: '',
        description: 'd',
        roomType: 'group',
        roomTags: ['t1'],
        encrypted: false,
        pref: expect.objectContaining({ tags: ['mine'], folder: 'F', quittedAt: expect.any(String) }),
        createdTimeMS: expect.any(Number),
      });
      expect(Date.parse(list[1].pref.quittedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(list[0].pref).toStrictEqual({ tags: [], quittedAt: expect.any(String) });
      // Nobody else's departures; the members stay out of it.
      expect(await quitted('ann')).toStrictEqual([]);
      expect(list[0]).not.toHaveProperty('members');
      // A former member still reads nothing of the room.
      expectBody(await as('gus')('GET', '/rooms/q-left'), 403, NOT_ROOM_MEMBER);
    });

    it('forgets a room once I join it again or it is deleted', async () => {
      expectOk(await as('ann')('POST', '/rooms/q-left/members', { invitees: ['gus'] }));
      expect((await quitted('gus')).map((room: any) => room._id)).toStrictEqual(['q-removed']);
      expectOk(await t.admin('DELETE', '/rooms/q-removed'));
      expect(await quitted('gus')).toStrictEqual([]);
      // Leaving again records the new departure.
      expectOk(await as('gus')('POST', '/rooms/q-left/delete/members', { members: ['gus'] }));
      expect((await quitted('gus')).map((room: any) => room._id)).toStrictEqual(['q-left']);
    });
  });
});
