import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { clientNotFound, ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';

// Admin mute (7.6-7.7).
const mutedClientNotFound = (id: string) => clientNotFound(id, 'Client not found');
const ROOM_NOT_MUTED = shapeB(400, 'Room is not muted', 'ROOM_NOT_MUTED', 'The specified room is not in the mute list');

const MISSING_API_KEY = { error: 'MISSING_API_KEY', message: 'IM-API-KEY header is required' };

describe('admin mute: POST and DELETE /admin/clients/:uid/mute/:room (spec 7.6-7.7, 12 item 45)', () => {
  let t: TestApp;
  let mona: string;

  beforeAll(async () => {
    t = await buildTestApp();
    mona = await t.createUser('mona', { nickname: 'Mona' });
    await t.createUser('mike', { nickname: 'Mike' });
    for (const room of ['mute-a', 'mute-b']) await createRoom(t, { _id: room, members: ['mona', 'mike'] });
  });
  afterAll(() => t.close());

  const listed = async () => {
    const rooms = expectOk(await t.asUser(mona, 'GET', '/rooms')).data as any[];
    return Object.fromEntries(rooms.map((room) => [room._id, room]));
  };

  it("adds the room to the user's mute list, once; answers the user; GET /rooms and GET /rooms/:id follow, nothing else changes", async () => {
    const before = await listed();
    const roomBefore = expectOk(await t.asUser(mona, 'GET', '/rooms/mute-a'));
    expect(before['mute-a'].muted).toBe(false);
    const events = recorder(t, 'room.muted');
    try {
      const user = expectOk(await t.admin('POST', '/admin/clients/mona/mute/mute-a'));
      expect(user).toMatchObject({
        _id: 'mona',
        id: 'mona',
        appID: t.appId,
        nickname: 'Mona',
        mute: ['mute-a'],
        isRobot: false,
      });
      expect(user).not.toHaveProperty('token');
      // Idempotent, also with the paging parameters the page says it tolerates.
      expect(expectOk(await t.admin('POST', '/admin/clients/mona/mute/mute-a')).mute).toStrictEqual(['mute-a']);
      expect(expectOk(await t.admin('POST', '/admin/clients/mona/mute/mute-a?limit=10&skip=5', {})).mute).toStrictEqual(
        ['mute-a'],
      );
      expect(events.seen.map((event) => event.payload)).toStrictEqual([
        { appId: t.appId, roomId: 'mute-a', userId: 'mona', muted: true },
      ]);
    } finally {
      events.stop();
    }
    expect(expectOk(await t.asUser(mona, 'GET', '/me')).mute).toStrictEqual(['mute-a']);
    const after = await listed();
    expect(after).toStrictEqual({ ...before, 'mute-a': { ...before['mute-a'], muted: true } });
    expect(expectOk(await t.asUser(mona, 'GET', '/rooms/mute-a'))).toStrictEqual({ ...roomBefore, muted: true });
    // Another member's view is untouched.
    expect(expectOk(await t.admin('GET', '/rooms/mute-a', undefined, { 'im-client-id': 'mike' })).muted).toBe(false);
  });

  it('shares the list with /me/mute: either side undoes the other (12 item 45)', async () => {
    expectOk(await t.asUser(mona, 'POST', '/me/mute/mute-b'));
    expect(expectOk(await t.admin('DELETE', '/admin/clients/mona/mute/mute-b')).mute).toStrictEqual(['mute-a']);
    expect((await listed())['mute-b'].muted).toBe(false);
    expect(expectOk(await t.asUser(mona, 'DELETE', '/me/mute/mute-a')).mute).toStrictEqual([]);
    expectBody(await t.admin('DELETE', '/admin/clients/mona/mute/mute-a'), 400, ROOM_NOT_MUTED);
    expect(expectOk(await t.admin('POST', '/admin/clients/mona/mute/mute-b?limit=1')).mute).toStrictEqual(['mute-b']);
    expect(expectOk(await t.admin('DELETE', '/admin/clients/mona/mute/mute-b?limit=1&skip=0')).mute).toStrictEqual([]);
    expectBody(await t.admin('DELETE', '/admin/clients/mona/mute/mute-b'), 400, ROOM_NOT_MUTED);
    expect(Object.values(await listed()).map((room: any) => room.muted)).toStrictEqual([false, false]);
  });

  it('refuses unknown users (404 CLIENT_NOT_FOUND, RM "Client not found") and rooms (404 ROOM_NOT_FOUND)', async () => {
    for (const method of ['POST', 'DELETE'] as const) {
      expectBody(await t.admin(method, '/admin/clients/ghost/mute/mute-a'), 404, mutedClientNotFound('ghost'));
      expectBody(await t.admin(method, '/admin/clients/ghost/mute/no-such-room'), 404, mutedClientNotFound('ghost'));
      expectBody(await t.admin(method, '/admin/clients/mona/mute/no-such-room'), 404, ROOM_NOT_FOUND);
    }
    expect(expectOk(await t.asUser(mona, 'GET', '/me')).mute).toStrictEqual([]);
  });

  it('is for the API key only: a user token gets 401 MISSING_API_KEY', async () => {
    for (const method of ['POST', 'DELETE'] as const) {
      expectBody(await t.asUser(mona, method, '/admin/clients/mona/mute/mute-a'), 401, MISSING_API_KEY);
    }
    expect(expectOk(await t.asUser(mona, 'GET', '/me')).mute).toStrictEqual([]);
  });
});

/**
 * What each moderation state prevents and what it leaves alone. Subjects: bart, banned in room
 * "main" (where he is a member with role admin, so only the ban stops him); pia and quentin, whose
 * direct room a personal block closes (pia owns it, so only the block stops her pinning); mo, whose
 * room "quiet" the platform admin muted for him; fay and fred (its owner) in the frozen room "ice".
 * Wendy is in every group room and watches.
 */
