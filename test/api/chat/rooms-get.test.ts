import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createRoom } from '../../helpers/factories.js';
import { insufficient, INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { asUserWith, FRESH_MESSAGE_STATE, messageTimes } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { memberView, roomFieldsMatcher, summary } from '../../helpers/rooms-suite.js';

/** Rooms (spec 4.1-4.4, 7.5; resolutions 12.4 items 28-38). */

describe('GET /rooms/:id (spec 4.2, 12 items 33-35)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  let outsider: string;
  let firstId: string;
  let secondId: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice', avatarUrl: 'http://x/a.png', description: 'owner here' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    carol = await t.createUser('carol', { nickname: 'Carol' });
    dave = await t.createUser('dave', { nickname: 'Dave' });
    outsider = await t.createUser('outsider', { nickname: 'Out' });
    await t.createUser('erin', { nickname: 'Erin' });
    expectOk(
      await t.admin('POST', '/admin/groups', {
        _id: 'crew',
        nickname: 'Crew',
        avatarUrl: 'http://x/crew.png',
        members: ['dave', 'erin'],
      }),
    );
    await createRoom(t, {
      _id: 'hq',
      name: 'HQ',
      cover: 'http://x/hq.png',
      description: 'Head quarters',
      roomTags: ['work'],
      owner: 'alice',
      managers: ['bob'],
      members: ['alice', 'bob', 'carol', 'crew'],
      webhook: 'hq-hook',
    });
    firstId = expectOk(
      await t.asUser(alice, 'POST', '/rooms/hq/message', { message: 'first', messageType: 'text' }),
    )._id;
    secondId = expectOk(
      await t.asUser(bob, 'POST', '/rooms/hq/message', { message: { rich: true }, messageType: 'card' }),
    )._id;
    expectOk(await t.asUser(carol, 'PUT', '/rooms/hq/member/carol', { property: 'location', value: 'Taipei' }));
    expectOk(await t.asUser(alice, 'PUT', '/rooms/hq/member/carol', { property: 'role', value: 'member' }));
  });
  afterAll(() => t.close());

  it('answers a member the full room: fields, expanded members, memberProperties, lastMessage and caller state', async () => {
    const room = expectOk(await t.asUser(carol, 'GET', '/rooms/hq'));
    const crewMembers = [memberView('dave', 'Dave'), memberView('erin', 'Erin')];
    expect(room).toStrictEqual({
      ...roomFieldsMatcher(t, {
        _id: 'hq',
        id: 'hq',
        name: 'HQ',
        cover: 'http://x/hq.png',
        description: 'Head quarters',
        roomTags: ['work'],
        owner: 'alice',
        managers: ['bob'],
        webhook: 'hq-hook',
      }),
      members: [
        memberView('alice', 'Alice', { avatarUrl: 'http://x/a.png', description: 'owner here' }),
        memberView('bob', 'Bob'),
        memberView('carol', 'Carol'),
        memberView('crew', 'Crew', { avatarUrl: 'http://x/crew.png', clientType: 'group', members: crewMembers }),
      ],
      memberProperties: [
        { client: 'alice', badge: 1, lastRead: firstId },
        { client: 'bob', badge: 0, lastRead: secondId },
        { client: 'carol', badge: 2, role: 'member', location: 'Taipei' },
        { client: 'crew', badge: expect.any(Number) },
      ],
      lastMessage: {
        _id: secondId,
        id: secondId,
        room: 'hq',
        message: { rich: true },
        messageType: 'card',
        sender: summary('bob', 'Bob'),
        appID: t.appId,
        ...messageTimes(),
        ...FRESH_MESSAGE_STATE,
      },
      pinnedMessage: null,
      unread: 2,
      muted: false,
      isSuperuser: false,
    });
  });

  it('shows the caller their own read position, superuser flag and mute', async () => {
    const asAlice = expectOk(await t.asUser(alice, 'GET', '/rooms/hq'));
    expect(asAlice).toMatchObject({ unread: 1, isSuperuser: true, muted: false, lastRead: firstId });
    const asBob = expectOk(await t.asUser(bob, 'GET', '/rooms/hq'));
    expect(asBob).toMatchObject({ unread: 0, isSuperuser: true, lastRead: secondId });

    expectOk(await t.asUser(carol, 'POST', '/me/mute/hq'));
    expectOk(await t.asUser(carol, 'PUT', '/rooms/hq/lastRead', { message: secondId }));
    const asCarol = expectOk(await t.asUser(carol, 'GET', '/rooms/hq'));
    expect(asCarol).toMatchObject({ unread: 0, muted: true, isSuperuser: false, lastRead: secondId });
    expect(asCarol.memberProperties.find((property: any) => property.client === 'carol')).toStrictEqual({
      client: 'carol',
      badge: 0,
      role: 'member',
      location: 'Taipei',
      lastRead: secondId,
    });
    expectOk(await t.asUser(carol, 'DELETE', '/me/mute/hq'));
    expect(expectOk(await t.asUser(carol, 'GET', '/rooms/hq')).muted).toBe(false);
  });

  it('lets a user read the room through a group that is a member', async () => {
    const room = expectOk(await t.asUser(dave, 'GET', '/rooms/hq'));
    expect(room._id).toBe('hq');
    expect(room.isSuperuser).toBe(false);
  });

  it('answers the API key without IM-CLIENT-ID as the platform admin: unread 0, isSuperuser true', async () => {
    const room = expectOk(await t.admin('GET', '/rooms/hq'));
    expect(room.unread).toBe(0);
    expect(room.isSuperuser).toBe(true);
    expect(room).not.toHaveProperty('lastRead');
    expect(room.members.map((member: any) => member._id)).toStrictEqual(['alice', 'bob', 'carol', 'crew']);
    expect(room.memberProperties).toHaveLength(4);
  });

  it('answers the API key with IM-CLIENT-ID as that member sees it', async () => {
    const room = expectOk(await t.admin('GET', '/rooms/hq', undefined, { 'im-client-id': 'alice' }));
    expect(room).toMatchObject({ unread: 1, isSuperuser: true, lastRead: firstId, muted: false });
  });

  it('shows a pinned message as pinnedMessage', async () => {
    expectOk(await t.admin('POST', `/messages/${firstId}/pin`));
    const room = expectOk(await t.asUser(carol, 'GET', '/rooms/hq'));
    expect(room.pinnedMessage).toMatchObject({
      _id: firstId,
      message: 'first',
      pinned: true,
      isPined: true,
      sender: { _id: 'alice' },
    });
    expectOk(await t.admin('DELETE', `/messages/${firstId}/pin`));
    expect(expectOk(await t.asUser(carol, 'GET', '/rooms/hq')).pinnedMessage).toBeNull();
  });

  it('treats a trailing slash as insignificant (spec 1.1)', async () => {
    expect(expectOk(await t.asUser(carol, 'GET', '/rooms/hq/'))._id).toBe('hq');
    expectBody(await t.asUser(outsider, 'GET', '/rooms/hq/'), 403, NOT_ROOM_MEMBER);
  });

  it('refuses a non-member with 403 NOT_ROOM_MEMBER and an unknown room with 404 ROOM_NOT_FOUND', async () => {
    expectBody(await t.asUser(outsider, 'GET', '/rooms/hq'), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(outsider, 'GET', '/rooms/nope'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/rooms/nope'), 404, ROOM_NOT_FOUND);
    // Ids are case-sensitive (spec 1.6).
    expectBody(await t.admin('GET', '/rooms/HQ'), 404, ROOM_NOT_FOUND);
  });

  it('refuses a bad token with 401 and an IM-CLIENT-ID naming someone else with 403', async () => {
    expectBody(await t.asUser('bogus-token', 'GET', '/rooms/hq'), 401, INVALID_TOKEN);
    expectBody(
      await asUserWith(t, carol, 'GET', '/rooms/hq', { 'im-client-id': 'alice' }),
      403,
      insufficient('IM-CLIENT-ID does not match the user of the token'),
    );
    expectOk(await asUserWith(t, carol, 'GET', '/rooms/hq', { 'im-client-id': 'carol' }));
  });
});
