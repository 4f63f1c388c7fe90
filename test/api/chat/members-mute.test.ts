import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { ISO, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { NEED_CLIENT_ID } from '../../helpers/members-suite.js';

/** Room members (spec 4.6-4.11; resolutions 12.4 items 37, 41-45). */

describe('POST and DELETE /me/mute/:room (spec 4.10-4.11, 12 item 45)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice', email: 'alice@example.com' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    await createRoom(t, { _id: 'loud', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'calm', members: ['alice', 'bob'] });
  });
  afterAll(() => t.close());

  const userMatcher = (t: TestApp, mute: string[]) => ({
    _id: 'alice',
    id: 'alice',
    appID: t.appId,
    __v: 0,
    nickname: 'Alice',
    avatarUrl: '',
    clientType: 'user',
    email: 'alice@example.com',
    lastLoginTimeMS: 0,
    isRobot: false,
    mute,
    notificationEnabled: true,
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
  });
  const mutedFlags = async (token: string) =>
    Object.fromEntries(
      expectOk(await t.asUser(token, 'GET', '/rooms')).data.map((room: any) => [room._id, room.muted]),
    );

  it("mutes: answers the caller's user object with mute, idempotently", async () => {
    const events = recorder(t, 'room.muted');
    try {
      expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['loud']));
      expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['loud']));
      expect(events.of('loud').map((event) => event.payload)).toStrictEqual([
        { appId: t.appId, roomId: 'loud', userId: 'alice', muted: true },
      ]);
    } finally {
      events.stop();
    }
    expect(expectOk(await t.asUser(alice, 'GET', '/me')).mute).toStrictEqual(['loud']);
  });

  it('shows muted in GET /rooms and GET /rooms/:id for the caller only', async () => {
    expect(await mutedFlags(alice)).toStrictEqual({ loud: true, calm: false });
    expect(await mutedFlags(bob)).toStrictEqual({ loud: false, calm: false });
    expect(expectOk(await t.asUser(alice, 'GET', '/rooms/loud')).muted).toBe(true);
    expect(expectOk(await t.asUser(bob, 'GET', '/rooms/loud')).muted).toBe(false);
  });

  it('keeps several muted rooms', async () => {
    expect(expectOk(await t.asUser(alice, 'POST', '/me/mute/calm')).mute).toStrictEqual(['loud', 'calm']);
    expect(await mutedFlags(alice)).toStrictEqual({ loud: true, calm: true });
  });

  it('unmutes, idempotently', async () => {
    const events = recorder(t, 'room.muted');
    try {
      expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['calm']));
      expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/loud'))).toStrictEqual(userMatcher(t, ['calm']));
      expect(events.of('loud').map((event) => event.payload.muted)).toStrictEqual([false]);
    } finally {
      events.stop();
    }
    expect(await mutedFlags(alice)).toStrictEqual({ loud: false, calm: true });
    expect(expectOk(await t.asUser(alice, 'DELETE', '/me/mute/calm')).mute).toStrictEqual([]);
    expect(await mutedFlags(alice)).toStrictEqual({ loud: false, calm: false });
  });

  it('answers 404 ROOM_NOT_FOUND for an unknown room, changing nothing', async () => {
    expectBody(await t.asUser(alice, 'POST', '/me/mute/nope'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(alice, 'DELETE', '/me/mute/nope'), 404, ROOM_NOT_FOUND);
    expect(expectOk(await t.asUser(alice, 'GET', '/me')).mute).toStrictEqual([]);
  });

  it('with the API key, acts for the user named by IM-CLIENT-ID and needs the header', async () => {
    expectBody(await t.admin('POST', '/me/mute/loud'), 400, NEED_CLIENT_ID);
    expectBody(await t.admin('DELETE', '/me/mute/loud'), 400, NEED_CLIENT_ID);
    const muted = expectOk(await t.admin('POST', '/me/mute/loud', undefined, { 'im-client-id': 'bob' }));
    expect(muted).toMatchObject({ _id: 'bob', mute: ['loud'] });
    expect(await mutedFlags(bob)).toStrictEqual({ loud: true, calm: false });
    expect(expectOk(await t.admin('DELETE', '/me/mute/loud', undefined, { 'im-client-id': 'bob' })).mute).toStrictEqual(
      [],
    );
    // An unknown user is no member of the room.
    expectBody(await t.admin('POST', '/me/mute/loud', undefined, { 'im-client-id': 'ghost' }), 403, NOT_ROOM_MEMBER);
  });

  it('refuses a non-member with 403 NOT_ROOM_MEMBER, but lets a former member unmute a room they muted', async () => {
    const carol = await t.createUser('carol', { nickname: 'Carol' });
    expectBody(await t.asUser(carol, 'POST', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(carol, 'DELETE', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expect(expectOk(await t.asUser(carol, 'GET', '/me')).mute).toStrictEqual([]);

    expectOk(await t.admin('POST', '/rooms/loud/members', { invitees: ['carol'] }));
    expect(expectOk(await t.asUser(carol, 'POST', '/me/mute/loud')).mute).toStrictEqual(['loud']);
    expectOk(await t.asUser(carol, 'POST', '/rooms/loud/delete/members', { members: ['carol'] }));
    expectBody(await t.asUser(carol, 'POST', '/me/mute/loud'), 403, NOT_ROOM_MEMBER);
    expect(expectOk(await t.asUser(carol, 'DELETE', '/me/mute/loud')).mute).toStrictEqual([]);
  });

  it('refuses a bad token with 401', async () => {
    expectBody(await t.asUser('bogus', 'POST', '/me/mute/loud'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('bogus', 'DELETE', '/me/mute/loud'), 401, INVALID_TOKEN);
  });

  it('answers 404 to unmuting a room deleted since it was muted', async () => {
    await createRoom(t, { _id: 'gone', members: ['alice'] });
    expectOk(await t.asUser(alice, 'POST', '/me/mute/gone'));
    expectOk(await t.admin('DELETE', '/rooms/gone'));
    expectBody(await t.asUser(alice, 'DELETE', '/me/mute/gone'), 404, ROOM_NOT_FOUND);
  });
});
