import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createCast, createCastRoom, createRoom } from '../helpers/factories.js';
import {
  asUserWith,
  badRequest,
  clientNotFound,
  expectInvalidRequest,
  FRESH_MESSAGE_STATE,
  INVALID_TOKEN,
  ISO,
  messageTimes,
  NOT_ROOM_MEMBER,
  recorder,
  ROOM_FROZEN,
  ROOM_NOT_FOUND,
  shapeB,
} from '../helpers/wire.js';
import { expectBody, expectOk } from '../helpers/expect.js';
import type { DomainEvents } from '../../src/events/event-bus.js';

/** Rooms (spec 4.1-4.4, 7.5; resolutions 12.4 items 28-38). */

const OBJECT_ID = /^[0-9a-f]{24}$/;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const ROOM_EXISTS = shapeB(409, 'Conflict', 'ROOM_EXISTS', 'A room with this ID already exists');
const insufficient = (message: string) => ({
  RC: 403,
  RM: 'Forbidden',
  error: { code: 'INSUFFICIENT_PERMISSIONS', message },
});
const CANNOT_UPDATE = insufficient('Only room owner, manager, or platform admin can update room');
// The freeze page (spec 4.3) words its refusal RM "Permission denied".
const CANNOT_FREEZE = {
  ...insufficient('Only room owner, manager, or platform admin can freeze room'),
  RM: 'Permission denied',
};
const CANNOT_DELETE = insufficient('Only room owner, manager, or platform admin can delete room');

/** A user summary as room payloads embed it (spec 1.9), for a user who never logged in. */
function summary(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return { _id: id, id, nickname, avatarUrl: '', isRobot: false, lastLoginTimeMS: 0, ...extra };
}

/** A room member as room payloads show it: a summary with presence (spec 4.2); nobody is connected in these tests. */
function memberView(id: string, nickname: string, extra: Record<string, unknown> = {}) {
  return summary(id, nickname, { isSocketConnected: false, ...extra });
}

/** Every stored room field (spec 1.9, 12 item 30), as create answers it. */
function roomFieldsMatcher(t: TestApp, fields: Record<string, unknown> = {}) {
  return {
    _id: expect.any(String),
    id: expect.any(String),
    appID: t.appId,
    name: '',
    cover: '',
    description: '',
    roomType: 'group',
    roomTags: [],
    managers: [],
    botMode: false,
    encrypted: false,
    serviceStatus: 0,
    status: 1,
    opening: 1,
    historyVisibility: 'shared',
    createdTime: expect.stringMatching(ISO),
    createdTimeMS: expect.any(Number),
    updatedAt: expect.stringMatching(ISO),
    updatedAtMS: expect.any(Number),
    __v: 0,
    ...fields,
  };
}

describe('POST /rooms (spec 4.1, 12 items 28-31)', () => {
  let t: TestApp;
  let alice: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice', description: 'first user' });
    await t.createUser('bob', { nickname: 'Bob' });
    await t.createUser('carol', { nickname: 'Carol' });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: ['bob', 'carol'] }));
  });
  afterAll(() => t.close());

  it('creates a group room with defaults and a generated 24-hex id', async () => {
    const before = Date.now();
    const room = await createRoom(t, {});
    expect(room).toStrictEqual(roomFieldsMatcher(t, { members: [] }));
    expect(room._id).toMatch(OBJECT_ID);
    expect(room.id).toBe(room._id);
    expect(room.createdTimeMS).toBeGreaterThanOrEqual(before - 1000);
    expect(room.createdTime).toBe(new Date(room.createdTimeMS).toISOString());
    expect(room.updatedAtMS).toBe(room.createdTimeMS);
    const other = await createRoom(t, {});
    expect(other._id).toMatch(OBJECT_ID);
    expect(other._id).not.toBe(room._id);
  });

  it('stores every documented field and answers members as ids (12 items 29-30)', async () => {
    const body = {
      _id: 'project-room-001',
      name: 'Project',
      cover: 'http://x/c.png',
      description: '{"k":1}',
      roomType: 'group',
      members: ['alice', 'bob', 'carol'],
      roomTags: ['project', 'team-a'],
      webhook: 'hook-key',
      botMode: true,
      extParams: 'param1=value1&param2=value2',
      owner: 'alice',
      managers: ['bob'],
      encrypted: true,
      botState: 'CONTACT',
    };
    const room = expectOk(await t.admin('POST', '/rooms/', body));
    expect(room).toStrictEqual(
      roomFieldsMatcher(t, {
        _id: 'project-room-001',
        id: 'project-room-001',
        name: 'Project',
        cover: 'http://x/c.png',
        description: '{"k":1}',
        roomTags: ['project', 'team-a'],
        managers: ['bob'],
        botMode: true,
        webhook: 'hook-key',
        encrypted: true,
        botState: 'CONTACT',
        extParams: 'param1=value1&param2=value2',
        owner: 'alice',
        members: ['alice', 'bob', 'carol'],
      }),
    );
    // The stored room reads back the same.
    const read = expectOk(await t.admin('GET', '/rooms/project-room-001'));
    expect(read).toMatchObject({
      name: 'Project',
      owner: 'alice',
      managers: ['bob'],
      webhook: 'hook-key',
      botMode: true,
      roomTags: ['project', 'team-a'],
    });
    expect(read.members.map((member: any) => member._id)).toStrictEqual(['alice', 'bob', 'carol']);
  });

  it('accepts a user token without adding the caller (12 item 10)', async () => {
    const room = expectOk(await t.asUser(alice, 'POST', '/rooms', { _id: 'by-alice', members: ['bob'] }));
    expect(room.members).toStrictEqual(['bob']);
    expectBody(await t.asUser(alice, 'GET', '/rooms/by-alice'), 403, NOT_ROOM_MEMBER);
  });

  it('refuses a roomType other than direct or group', async () => {
    expectBody(
      await t.admin('POST', '/rooms', { _id: 'bad-type', roomType: 'channel' }),
      400,
      badRequest('roomType must be "direct" or "group"'),
    );
    expectBody(await t.admin('GET', '/rooms/bad-type'), 404, ROOM_NOT_FOUND);
  });

  it('refuses malformed bodies with 400 INVALID_REQUEST', async () => {
    expectInvalidRequest(await t.admin('POST', '/rooms', { members: 'alice' }));
    expectInvalidRequest(await t.admin('POST', '/rooms', { roomTags: [1, 2] }));
    expectInvalidRequest(await t.admin('POST', '/rooms', { _id: '' }));
    expectInvalidRequest(await t.admin('POST', '/rooms', { botMode: 'yes' }));
    expectInvalidRequest(await t.admin('POST', '/rooms', { status: 2 }));
  });

  it('gives a direct room without _id the md5 of the pair, ascending and joined by "_" (12 item 28)', async () => {
    const room = await createRoom(t, { roomType: 'direct', members: ['carol', 'bob'] });
    expect(room).toStrictEqual(
      roomFieldsMatcher(t, {
        _id: md5('bob_carol'),
        id: md5('bob_carol'),
        roomType: 'direct',
        members: ['carol', 'bob'],
      }),
    );
    expect(room._id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers the existing direct room with 200 when the pair asks again, in either order', async () => {
    const events = recorder(t, 'room.created');
    try {
      const first = await createRoom(t, { roomType: 'direct', members: ['alice', 'carol'] });
      const again = expectOk(
        await t.asUser(alice, 'POST', '/rooms', { roomType: 'direct', members: ['carol', 'alice'], name: 'ignored' }),
      );
      expect(again).toStrictEqual(first);
      expect(again._id).toBe(md5('alice_carol'));
      expect(events.seen.filter((event) => event.payload.roomId === first._id)).toHaveLength(1);
    } finally {
      events.stop();
    }
  });

  it('uses an explicit _id for a direct room, and then refuses it again with 409', async () => {
    const room = await createRoom(t, { _id: 'dm-custom', roomType: 'direct', members: ['alice', 'bob'] });
    expect(room._id).toBe('dm-custom');
    expectBody(
      await t.admin('POST', '/rooms', { _id: 'dm-custom', roomType: 'direct', members: ['alice', 'bob'] }),
      409,
      ROOM_EXISTS,
    );
  });

  it('answers concurrent creations of the same direct room with the one room', async () => {
    const events = recorder(t, 'room.created');
    try {
      const responses = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          t.admin('POST', '/rooms', { roomType: 'direct', members: i % 2 ? ['bob', 'alice'] : ['alice', 'bob'] }),
        ),
      );
      for (const response of responses) expect(expectOk(response)._id).toBe(md5('alice_bob'));
      expect(events.seen.filter((event) => event.payload.roomId === md5('alice_bob'))).toHaveLength(1);
    } finally {
      events.stop();
    }
  });

  it('lets exactly one of concurrent creations with the same explicit _id win; the others get 409', async () => {
    const responses = await Promise.all(
      [0, 1, 2].map(() => t.admin('POST', '/rooms', { _id: 'race', members: ['alice'] })),
    );
    expect(responses.map((response) => response.statusCode).sort()).toStrictEqual([200, 409, 409]);
    for (const response of responses.filter((entry) => entry.statusCode === 409))
      expect(response.json()).toStrictEqual(ROOM_EXISTS);
  });

  it('requires exactly two members in a direct room', async () => {
    const message = 'A direct room has exactly two members';
    expectBody(await t.admin('POST', '/rooms', { roomType: 'direct', members: ['alice'] }), 400, badRequest(message));
    expectBody(await t.admin('POST', '/rooms', { roomType: 'direct' }), 400, badRequest(message));
    expectBody(
      await t.admin('POST', '/rooms', { roomType: 'direct', members: ['alice', 'bob', 'carol'] }),
      400,
      badRequest(message),
    );
    // Duplicates count once.
    expectBody(
      await t.admin('POST', '/rooms', { roomType: 'direct', members: ['alice', 'alice'] }),
      400,
      badRequest(message),
    );
  });

  it('refuses an explicit _id already in use with 409 ROOM_EXISTS and leaves the room unchanged', async () => {
    await createRoom(t, { _id: 'taken', name: 'Original', members: ['alice'] });
    expectBody(await t.admin('POST', '/rooms', { _id: 'taken', name: 'Second', members: ['bob'] }), 409, ROOM_EXISTS);
    expectBody(await t.asUser(alice, 'POST', '/rooms', { _id: 'taken' }), 409, ROOM_EXISTS);
    const room = expectOk(await t.admin('GET', '/rooms/taken'));
    expect(room.name).toBe('Original');
    expect(room.members.map((member: any) => member._id)).toStrictEqual(['alice']);
  });

  it('refuses unknown members, owners and managers with 404 CLIENT_NOT_FOUND naming the first one, creating nothing', async () => {
    expectBody(
      await t.admin('POST', '/rooms', { _id: 'ghosts', members: ['alice', 'ghost-1', 'ghost-2'] }),
      404,
      clientNotFound('ghost-1'),
    );
    expectBody(
      await t.admin('POST', '/rooms', { _id: 'ghosts', members: ['alice'], owner: 'ghost-owner' }),
      404,
      clientNotFound('ghost-owner'),
    );
    expectBody(
      await t.admin('POST', '/rooms', { _id: 'ghosts', members: ['alice'], managers: ['bob', 'ghost-manager'] }),
      404,
      clientNotFound('ghost-manager'),
    );
    expectBody(
      await t.admin('POST', '/rooms', { roomType: 'direct', members: ['alice', 'ghost-dm'] }),
      404,
      clientNotFound('ghost-dm'),
    );
    expectBody(await t.admin('GET', '/rooms/ghosts'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', `/rooms/${md5('alice_ghost-dm')}`), 404, ROOM_NOT_FOUND);
  });

  it('accepts a user group as a member', async () => {
    const room = await createRoom(t, { _id: 'with-crew', members: ['alice', 'crew'] });
    expect(room.members).toStrictEqual(['alice', 'crew']);
  });

  it('creates no message without systemMessage', async () => {
    const room = await createRoom(t, { _id: 'quiet', members: ['alice', 'bob'] });
    expect(room).not.toHaveProperty('lastMessage');
    const messages = expectOk(await t.asUser(alice, 'GET', '/rooms/quiet/messages/v3'));
    expect(messages.totalCount).toBe(0);
  });

  it('with systemMessage sends one addMembers message from the system robot, shown as lastMessage (12 item 42)', async () => {
    const events = recorder(t, 'message.created');
    try {
      const room = await createRoom(t, { _id: 'announced', members: ['alice', 'bob'], systemMessage: true });
      const invitees = [summary('alice', 'Alice', { description: 'first user' }), summary('bob', 'Bob')];
      expect(room.lastMessage).toStrictEqual({
        _id: expect.stringMatching(OBJECT_ID),
        id: room.lastMessage._id,
        room: 'announced',
        message: 'Alice, Bob',
        messageType: 'addMembers',
        member: invitees[0],
        extra: { invitees },
        sender: summary('system', 'system', { isRobot: true }),
        appID: t.appId,
        ...messageTimes(),
        ...FRESH_MESSAGE_STATE,
      });
      const messages = expectOk(await t.asUser(alice, 'GET', '/rooms/announced/messages/v3'));
      expect(messages.totalCount).toBe(1);
      expect(messages.data[0]._id).toBe(room.lastMessage._id);
      const detail = expectOk(await t.asUser(alice, 'GET', '/rooms/announced'));
      expect(detail.lastMessage._id).toBe(room.lastMessage._id);
      expect(
        events.seen.some(
          (event) => event.payload.roomId === 'announced' && event.payload.message._id === room.lastMessage._id,
        ),
      ).toBe(true);
    } finally {
      events.stop();
    }
  });

  it('with systemMessage and a user token, the caller sends the addMembers message', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms', {
        _id: 'alice-announced',
        members: ['bob', 'carol'],
        systemMessage: true,
      }),
    );
    expect(room.members).toStrictEqual(['bob', 'carol']);
    expect(room.lastMessage).toMatchObject({
      messageType: 'addMembers',
      message: 'Bob, Carol',
      member: summary('bob', 'Bob'),
      extra: { invitees: [summary('bob', 'Bob'), summary('carol', 'Carol')] },
      sender: summary('alice', 'Alice', { description: 'first user' }),
    });
  });

  it('publishes room.created and member.added', async () => {
    const events = recorder(t, 'room.created', 'member.added');
    try {
      await createRoom(t, { _id: 'evented', members: ['alice', 'bob'] });
      const mine = events.seen.filter((event) => event.payload.roomId === 'evented');
      expect(mine.map((event) => event.type).sort()).toStrictEqual(['member.added', 'room.created']);
      const added = mine.find((event) => event.type === 'member.added')!.payload as DomainEvents['member.added'];
      expect(added.userIds).toStrictEqual(['alice', 'bob']);
    } finally {
      events.stop();
    }
  });

  it('answers 401 INVALID_TOKEN to an unknown user token', async () => {
    expectBody(await t.asUser('not-a-token', 'POST', '/rooms', {}), 401, INVALID_TOKEN);
  });
});

describe('POST /rooms/createAndJoin (spec 13, 12 item 32)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    await t.createUser('carol', { nickname: 'Carol' });
  });
  afterAll(() => t.close());

  it('adds the caller and a single invitee', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { _id: 'joined', name: 'Joined', invitee: 'bob' }),
    );
    expect(room).toStrictEqual(
      roomFieldsMatcher(t, { _id: 'joined', id: 'joined', name: 'Joined', members: expect.any(Array) }),
    );
    expect([...room.members].sort()).toStrictEqual(['alice', 'bob']);
    const detail = expectOk(await t.asUser(alice, 'GET', '/rooms/joined'));
    expect(detail.members.map((member: any) => member._id).sort()).toStrictEqual(['alice', 'bob']);
  });

  it('accepts an array of invitees and members together, each once', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', {
        _id: 'many',
        invitee: ['bob', 'carol'],
        members: ['bob'],
      }),
    );
    expect([...room.members].sort()).toStrictEqual(['alice', 'bob', 'carol']);
  });

  it('creates the md5 direct room of the caller and the invitee, and answers it again', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: 'carol' }),
    );
    expect(room._id).toBe(md5('alice_carol'));
    expect(room.roomType).toBe('direct');
    const again = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: ['carol'] }),
    );
    expect(again._id).toBe(room._id);
  });

  it('with systemMessage names every member, the caller included', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', {
        _id: 'cj-announced',
        invitee: 'bob',
        systemMessage: true,
      }),
    );
    expect(room.lastMessage).toMatchObject({ messageType: 'addMembers', sender: { _id: 'alice' } });
    expect(room.lastMessage.extra.invitees.map((user: any) => user._id).sort()).toStrictEqual(['alice', 'bob']);
  });

  it('with invitationRequired, adds the caller and leaves the invitees pending until they join (spec 13, 4.6)', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', {
        _id: 'cj-invite',
        invitee: ['bob'],
        invitationRequired: true,
      }),
    );
    expect(room.members).toStrictEqual(['alice']);
    expectBody(await t.asUser(bob, 'GET', '/rooms/cj-invite'), 403, NOT_ROOM_MEMBER);
    const joined = expectOk(await t.asUser(bob, 'POST', '/rooms/cj-invite/join'));
    expect(joined.members.map((member: any) => member._id)).toStrictEqual(['alice', 'bob']);
  });

  it('joins the user named by IM-CLIENT-ID with the API key, and needs the header', async () => {
    expectBody(
      await t.admin('POST', '/rooms/createAndJoin', { _id: 'admin-cj', invitee: 'bob' }),
      400,
      badRequest('IM-CLIENT-ID header is required with IM-API-KEY'),
    );
    expectBody(await t.admin('GET', '/rooms/admin-cj'), 404, ROOM_NOT_FOUND);
    const room = expectOk(
      await t.admin('POST', '/rooms/createAndJoin', { _id: 'admin-cj', invitee: 'bob' }, { 'im-client-id': 'carol' }),
    );
    expect([...room.members].sort()).toStrictEqual(['bob', 'carol']);
  });

  it('refuses unknown invitees, taken ids and bad room types like POST /rooms', async () => {
    expectBody(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { _id: 'cj-ghost', invitee: 'ghost' }),
      404,
      clientNotFound('ghost'),
    );
    expectBody(await t.admin('GET', '/rooms/cj-ghost'), 404, ROOM_NOT_FOUND);
    expectBody(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { _id: 'joined', invitee: 'bob' }),
      409,
      ROOM_EXISTS,
    );
    expectBody(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'forum' }),
      400,
      badRequest('roomType must be "direct" or "group"'),
    );
    expectBody(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: ['bob', 'carol'] }),
      400,
      badRequest('A direct room has exactly two members'),
    );
    expectInvalidRequest(await t.asUser(alice, 'POST', '/rooms/createAndJoin', { invitee: 5 }));
  });
});

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
        memberView('crew', 'Crew', { avatarUrl: 'http://x/crew.png', members: crewMembers }),
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

describe('PUT /rooms/:id (spec 4.3, 7.5, 12 items 35-37)', () => {
  let t: TestApp;
  let owner: string, manager: string, admin: string, member: string, outsider: string;
  beforeAll(async () => {
    t = await buildTestApp();
    ({ owner, manager, admin, member, outsider } = await createCast(t));
    await createCastRoom(t, 'room', { name: 'Room', description: 'before', roomTags: ['a', 'b'] }, 'admin-member');
  });
  afterAll(() => t.close());

  it('lets the owner change only the supplied fields and answers the full room', async () => {
    const before = expectOk(await t.admin('GET', '/rooms/room'));
    // webhook and botMode are the API key's alone (issue 9 item 3).
    expect((await t.asUser(owner, 'PUT', '/rooms/room', { webhook: 'new-hook' })).statusCode).toBe(403);
    expect((await t.asUser(owner, 'PUT', '/rooms/room', { botMode: true })).statusCode).toBe(403);
    expectOk(await t.admin('PUT', '/rooms/room', { webhook: 'new-hook', botMode: true }));
    const response = await t.asUser(owner, 'PUT', '/rooms/room', {
      name: 'Renamed',
      cover: 'http://x/new.png',
      roomTags: ['c'],
      extParams: 'x=1',
    });
    const room = expectOk(response);
    expect(room).toMatchObject({
      _id: 'room',
      name: 'Renamed',
      cover: 'http://x/new.png',
      description: 'before',
      roomTags: ['c'],
      webhook: 'new-hook',
      botMode: true,
      extParams: 'x=1',
      owner: 'owner',
      managers: ['manager'],
      status: 1,
      opening: 1,
      roomType: 'group',
      createdTimeMS: before.createdTimeMS,
      isSuperuser: true,
      muted: false,
      pinnedMessage: null,
    });
    expect(room.updatedAtMS).toBeGreaterThanOrEqual(before.updatedAtMS);
    expect(room.members.map((entry: any) => entry._id)).toStrictEqual(['owner', 'manager', 'admin-member', 'member']);
    expect(room.members[0]).toStrictEqual(memberView('owner', 'Owner'));
    expect(room.memberProperties).toHaveLength(4);
    const read = expectOk(await t.asUser(member, 'GET', '/rooms/room'));
    expect(read).toMatchObject({ name: 'Renamed', description: 'before', roomTags: ['c'] });
  });

  it('lets a manager, a member with role admin and the API key update', async () => {
    expect(expectOk(await t.asUser(manager, 'PUT', '/rooms/room', { description: 'by manager' })).description).toBe(
      'by manager',
    );
    expect(expectOk(await t.asUser(admin, 'PUT', '/rooms/room', { description: 'by admin member' })).description).toBe(
      'by admin member',
    );
    const byKey = expectOk(await t.admin('PUT', '/rooms/room', { description: 'by api key' }));
    expect(byKey).toMatchObject({ description: 'by api key', isSuperuser: true, unread: 0 });
  });

  it('accepts an empty body and the same roomType as no-ops', async () => {
    expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', {})).description).toBe('by api key');
    expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { roomType: 'group' })).roomType).toBe('group');
  });

  it('refuses a plain member and a non-member with 403 INSUFFICIENT_PERMISSIONS (shape B)', async () => {
    expectBody(await t.asUser(member, 'PUT', '/rooms/room', { name: 'Hijacked' }), 403, CANNOT_UPDATE);
    expectBody(await t.asUser(outsider, 'PUT', '/rooms/room', { name: 'Hijacked' }), 403, CANNOT_UPDATE);
    expectBody(await t.asUser(member, 'PUT', '/rooms/room', { owner: 'member' }), 403, CANNOT_UPDATE);
    expectBody(await t.asUser(member, 'PUT', '/rooms/room', { managers: ['member'] }), 403, CANNOT_UPDATE);
    expect(expectOk(await t.admin('GET', '/rooms/room')).name).toBe('Renamed');
  });

  it('refuses a freeze by a non-superuser with the freeze wording', async () => {
    expectBody(await t.asUser(member, 'PUT', '/rooms/room', { status: 0 }), 403, CANNOT_FREEZE);
    expectBody(await t.asUser(member, 'PUT', '/rooms/room', { status: 1 }), 403, CANNOT_FREEZE);
    expect(expectOk(await t.admin('GET', '/rooms/room')).status).toBe(1);
  });

  it('refuses status and opening other than 0 or 1, and a roomType change, with 400', async () => {
    expectInvalidRequest(await t.asUser(owner, 'PUT', '/rooms/room', { status: 2 }));
    expectInvalidRequest(await t.asUser(owner, 'PUT', '/rooms/room', { status: '0' }));
    expectInvalidRequest(await t.asUser(owner, 'PUT', '/rooms/room', { opening: 5 }));
    expectInvalidRequest(await t.asUser(owner, 'PUT', '/rooms/room', { roomTags: 'tag' }));
    expectBody(
      await t.asUser(owner, 'PUT', '/rooms/room', { roomType: 'direct' }),
      400,
      badRequest('roomType cannot be changed'),
    );
    const room = expectOk(await t.admin('GET', '/rooms/room'));
    expect(room).toMatchObject({ status: 1, opening: 1, roomType: 'group' });
  });

  it('answers 404 for an unknown room and for an unknown owner or manager', async () => {
    expectBody(await t.asUser(owner, 'PUT', '/rooms/nope', { name: 'x' }), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('PUT', '/rooms/nope', { name: 'x' }), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(owner, 'PUT', '/rooms/room', { owner: 'ghost' }), 404, clientNotFound('ghost'));
    expectBody(
      await t.asUser(owner, 'PUT', '/rooms/room', { managers: ['manager', 'ghost-2'] }),
      404,
      clientNotFound('ghost-2'),
    );
  });

  it('hands superuser rights over through owner and managers', async () => {
    expect(expectOk(await t.asUser(member, 'GET', '/rooms/room')).isSuperuser).toBe(false);
    // Only the owner appoints managers and hands ownership over (issue 9 item 3).
    expect((await t.asUser(manager, 'PUT', '/rooms/room', { managers: ['member'] })).statusCode).toBe(403);
    expect((await t.asUser(manager, 'PUT', '/rooms/room', { owner: 'manager' })).statusCode).toBe(403);
    const room = expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { managers: ['member'] }));
    expect(room.managers).toStrictEqual(['member']);
    expect(expectOk(await t.asUser(member, 'GET', '/rooms/room')).isSuperuser).toBe(true);
    expect(expectOk(await t.asUser(manager, 'GET', '/rooms/room')).isSuperuser).toBe(false);
    expectBody(await t.asUser(manager, 'PUT', '/rooms/room', { name: 'no longer' }), 403, CANNOT_UPDATE);
    expectOk(await t.asUser(member, 'PUT', '/rooms/room', { name: 'By new manager' }));

    expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { owner: 'manager', managers: [] })).owner).toBe(
      'manager',
    );
    expect(expectOk(await t.asUser(manager, 'GET', '/rooms/room')).isSuperuser).toBe(true);
    expect(expectOk(await t.asUser(owner, 'GET', '/rooms/room')).isSuperuser).toBe(false);
    expectBody(await t.asUser(owner, 'PUT', '/rooms/room', { name: 'old owner' }), 403, CANNOT_UPDATE);
    // Back to the start for the tests that follow.
    expectOk(await t.admin('PUT', '/rooms/room', { owner: 'owner', managers: ['manager'] }));
  });

  it('publishes room.updated with the members', async () => {
    const events = recorder(t, 'room.updated');
    try {
      expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { name: 'Evented' }));
      const mine = events.seen.filter((event) => event.payload.roomId === 'room');
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine[0]!.payload).toMatchObject({
        actor: 'owner',
        members: ['owner', 'manager', 'admin-member', 'member'],
      });
    } finally {
      events.stop();
    }
  });

  describe('freeze and unfreeze (spec 7.5, 12 item 36)', () => {
    it('freezes with RM "Room frozen successfully" and unfreezes with RM "OK"', async () => {
      const frozen = await t.asUser(owner, 'PUT', '/rooms/room', { status: 0 });
      expect(frozen.statusCode, frozen.body).toBe(200);
      const body = frozen.json();
      expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'result']);
      expect(body).toMatchObject({ RC: 0, RM: 'Room frozen successfully', result: { _id: 'room', status: 0 } });
      expect(body.result.members).toHaveLength(4);

      const thawed = await t.asUser(owner, 'PUT', '/rooms/room', { status: 1 });
      expect(thawed.json()).toMatchObject({ RC: 0, RM: 'OK', result: { _id: 'room', status: 1 } });
    });

    it('lets the API key freeze and a manager unfreeze', async () => {
      expect(expectOk(await t.admin('GET', '/rooms/room')).status).toBe(1);
      expect((await t.admin('PUT', '/rooms/room', { status: 0 })).json()).toMatchObject({
        RC: 0,
        RM: 'Room frozen successfully',
        result: { status: 0 },
      });
      expect((await t.asUser(manager, 'PUT', '/rooms/room', { status: 1 })).json()).toMatchObject({
        RC: 0,
        RM: 'OK',
        result: { status: 1 },
      });
    });

    it('in a frozen room: refuses member writes with 403 ROOM_FROZEN, keeps reads, hides the room from GET /rooms', async () => {
      const sent = expectOk(
        await t.asUser(member, 'POST', '/rooms/room/message', { message: 'before the freeze', messageType: 'text' }),
      );
      expect((await t.asUser(admin, 'PUT', '/rooms/room', { status: 0 })).json().RM).toBe('Room frozen successfully');

      // Writes by members, superusers included.
      expectBody(
        await t.asUser(member, 'POST', '/rooms/room/message', { message: 'frozen', messageType: 'text' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(
        await t.asUser(owner, 'POST', '/rooms/room/message', { message: 'frozen', messageType: 'text' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(await t.asUser(owner, 'POST', '/rooms/room/members', { invitees: ['outsider'] }), 403, ROOM_FROZEN);
      expectBody(
        await t.asUser(owner, 'POST', '/rooms/room/delete/members', { members: ['member'] }),
        403,
        ROOM_FROZEN,
      );
      expectBody(
        await t.asUser(member, 'PUT', '/rooms/room/member/member', { property: 'mood', value: 'cold' }),
        403,
        ROOM_FROZEN,
      );

      // Reads.
      const room = expectOk(await t.asUser(member, 'GET', '/rooms/room'));
      expect(room.status).toBe(0);
      expect(room.lastMessage._id).toBe(sent._id);
      const messages = expectOk(await t.asUser(member, 'GET', '/rooms/room/messages/v3'));
      expect(messages.data.map((message: any) => message._id)).toContain(sent._id);

      // Left out of the room list.
      const list = expectOk(await t.asUser(member, 'GET', '/rooms'));
      expect(list.data.map((entry: any) => entry._id)).not.toContain('room');

      // The platform admin may still write.
      expectOk(
        await t.admin('POST', '/messages', {
          room: 'room',
          sender: 'owner',
          message: 'admin notice',
          messageType: 'text',
        }),
      );
      expectOk(await t.admin('POST', '/rooms/room/members', { invitees: ['outsider'] }));
      expectOk(await t.admin('POST', '/rooms/room/delete/members', { members: ['outsider'] }));

      // Unfreezing restores everything.
      expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { status: 1 })).status).toBe(1);
      expectOk(await t.asUser(member, 'POST', '/rooms/room/message', { message: 'thawed', messageType: 'text' }));
      expect(expectOk(await t.asUser(member, 'GET', '/rooms')).data.map((entry: any) => entry._id)).toContain('room');
    });
  });

  describe('opening (12 item 37)', () => {
    it('stores opening 0 and 1', async () => {
      expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { opening: 0 })).opening).toBe(0);
      expectBody(
        await t.asUser(member, 'POST', '/rooms/room/members', { invitees: ['outsider'] }),
        403,
        insufficient('The room is closed to new members (opening 0)'),
      );
      expect(expectOk(await t.asUser(owner, 'PUT', '/rooms/room', { opening: 1 })).opening).toBe(1);
    });
  });
});

describe('DELETE /rooms/:id (spec 4.4, 12 item 38)', () => {
  let t: TestApp;
  let owner: string, manager: string, admin: string, member: string, outsider: string;
  beforeAll(async () => {
    t = await buildTestApp();
    ({ owner, manager, admin, member, outsider } = await createCast(t));
  });
  afterAll(() => t.close());

  it('lets the owner delete: result {n: 1, ok: 1}, then the room is gone', async () => {
    await createCastRoom(t, 'by-owner');
    expectBody(await t.asUser(owner, 'DELETE', '/rooms/by-owner'), 200, { RC: 0, RM: 'OK', result: { n: 1, ok: 1 } });
    expectBody(await t.asUser(owner, 'GET', '/rooms/by-owner'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/rooms/by-owner'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(owner, 'DELETE', '/rooms/by-owner'), 404, ROOM_NOT_FOUND);
  });

  it('lets a manager, a member with role admin and the API key delete', async () => {
    await createCastRoom(t, 'by-manager');
    expectBody(await t.asUser(manager, 'DELETE', '/rooms/by-manager'), 200, {
      RC: 0,
      RM: 'OK',
      result: { n: 1, ok: 1 },
    });
    await createCastRoom(t, 'by-admin-member');
    expectOk(
      await t.asUser(owner, 'PUT', '/rooms/by-admin-member/member/admin-member', { property: 'role', value: 'admin' }),
    );
    expectBody(await t.asUser(admin, 'DELETE', '/rooms/by-admin-member'), 200, {
      RC: 0,
      RM: 'OK',
      result: { n: 1, ok: 1 },
    });
    await createCastRoom(t, 'by-key');
    expectBody(await t.admin('DELETE', '/rooms/by-key'), 200, { RC: 0, RM: 'OK', result: { n: 1, ok: 1 } });
    for (const id of ['by-manager', 'by-admin-member', 'by-key'])
      expectBody(await t.admin('GET', `/rooms/${id}`), 404, ROOM_NOT_FOUND);
  });

  it('refuses a plain member and a non-member with 403 INSUFFICIENT_PERMISSIONS, keeping the room', async () => {
    await createCastRoom(t, 'kept');
    expectBody(await t.asUser(member, 'DELETE', '/rooms/kept'), 403, CANNOT_DELETE);
    expectBody(await t.asUser(outsider, 'DELETE', '/rooms/kept'), 403, CANNOT_DELETE);
    expect(expectOk(await t.admin('GET', '/rooms/kept'))._id).toBe('kept');
  });

  it('lets no plain member delete a room without an owner either', async () => {
    await createRoom(t, { _id: 'ownerless', members: ['member', 'outsider'] });
    expectBody(await t.asUser(member, 'DELETE', '/rooms/ownerless'), 403, CANNOT_DELETE);
  });

  it('answers 404 ROOM_NOT_FOUND for an unknown room, and 401 for a bad token', async () => {
    expectBody(await t.admin('DELETE', '/rooms/never-was'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(owner, 'DELETE', '/rooms/never-was'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser('bogus', 'DELETE', '/rooms/kept'), 401, INVALID_TOKEN);
  });

  it('takes the messages, members, read state and pins with it', async () => {
    await createCastRoom(t, 'doomed');
    const first = expectOk(
      await t.asUser(owner, 'POST', '/rooms/doomed/message', { message: 'one', messageType: 'text' }),
    );
    expectOk(await t.asUser(owner, 'POST', '/rooms/doomed/message', { message: 'two', messageType: 'text' }));
    expectOk(await t.admin('POST', `/messages/${first._id}/pin`));
    expectOk(await t.asUser(member, 'PUT', '/rooms/doomed/member/member', { property: 'nickname', value: 'Memo' }));
    expect(expectOk(await t.asUser(member, 'GET', '/me/badge')).badge).toBe(2);
    const events = recorder(t, 'room.deleted');
    try {
      expectBody(await t.asUser(owner, 'DELETE', '/rooms/doomed'), 200, { RC: 0, RM: 'OK', result: { n: 1, ok: 1 } });
      const mine = events.seen.filter((event) => event.payload.roomId === 'doomed');
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect([...mine[0]!.payload.members].sort()).toStrictEqual(['admin-member', 'manager', 'member', 'owner']);
    } finally {
      events.stop();
    }

    // Members lose access to everything of the room.
    expectBody(await t.asUser(member, 'GET', '/rooms/doomed'), 404, ROOM_NOT_FOUND);
    expectBody(await t.asUser(member, 'GET', '/rooms/doomed/messages/v3'), 404, ROOM_NOT_FOUND);
    expectBody(
      await t.asUser(member, 'POST', '/rooms/doomed/message', { message: 'x', messageType: 'text' }),
      404,
      ROOM_NOT_FOUND,
    );
    expect(expectOk(await t.asUser(member, 'GET', '/rooms')).data.map((room: any) => room._id)).not.toContain('doomed');
    expect(expectOk(await t.asUser(member, 'GET', '/me/badge')).badge).toBe(0);
    expect((await t.admin('POST', `/messages/${first._id}/pin`)).statusCode).toBe(404);

    // A new room under the same id starts empty: no old messages, members, properties or pin.
    const reborn = await createRoom(t, { _id: 'doomed', members: ['member'] });
    expect(reborn.members).toStrictEqual(['member']);
    expect(reborn).not.toHaveProperty('lastMessage');
    const detail = expectOk(await t.asUser(member, 'GET', '/rooms/doomed'));
    expect(detail.memberProperties).toStrictEqual([{ client: 'member', badge: 0 }]);
    expect(detail.pinnedMessage).toBeNull();
    expect(detail).not.toHaveProperty('owner');
    expect(detail.unread).toBe(0);
    const messages = expectOk(await t.asUser(member, 'GET', '/rooms/doomed/messages/v3'));
    expect(messages.totalCount).toBe(0);
    expect(messages.data).toStrictEqual([]);
    expectBody(await t.asUser(owner, 'GET', '/rooms/doomed'), 403, NOT_ROOM_MEMBER);
  });
});
