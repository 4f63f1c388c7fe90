import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createRoom } from '../../helpers/factories.js';
import { badRequest, clientNotFound, INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { shapeB } from '../../helpers/errors.js';
import { expectInvalidRequest, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import type { DomainEvents } from '../../../src/events/event-bus.js';
import { OBJECT_ID, roomFieldsMatcher, summary, memberListMessage, memberView } from '../../helpers/rooms-suite.js';

/** Rooms (spec 4.1-4.4, 7.5; resolutions 12.4 items 28-38). */

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const ROOM_EXISTS = shapeB(409, 'Conflict', 'ROOM_EXISTS', 'A room with this ID already exists');

/** Member ids of a room answer, in order of id. */
const ids = (members: Array<string | { _id: string }>) =>
  members.map((member) => (typeof member === 'string' ? member : member._id)).sort();

describe('POST /rooms (spec 4.1, 12 items 28-31)', () => {
  let t: TestApp;
  let alice: string;
  const roomAsSeenBy = async (token: string, id: string) => expectOk(await t.asUser(token, 'GET', `/rooms/${id}`));
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

  it('accepts a user token (12 item 10): the caller joins its group room as owner, answered in full (other-clients 6.2)', async () => {
    const room = expectOk(await t.asUser(alice, 'POST', '/rooms', { _id: 'by-alice', members: ['bob'] }));
    expect(room).toStrictEqual(await roomAsSeenBy(alice, 'by-alice'));
    expect(room).toMatchObject({ owner: 'alice', isSuperuser: true, unread: 0 });
    expect(ids(room.members)).toStrictEqual(['alice', 'bob']);
    expect(room.members.every((member: any) => member.clientType === 'user')).toBe(true);
    expect(expectOk(await t.asUser(alice, 'GET', '/rooms')).data.map((entry: any) => entry._id)).toContain('by-alice');
  });

  it('a user token may name itself owner, and makes nobody owner of a direct room', async () => {
    const owned = expectOk(await t.asUser(alice, 'POST', '/rooms', { _id: 'owned-by-alice', owner: 'alice' }));
    expect(owned.owner).toBe('alice');
    expect(ids(owned.members)).toStrictEqual(['alice']);
    await t.createUser('dan', { nickname: 'Dan' });
    const direct = expectOk(await t.asUser(alice, 'POST', '/rooms', { roomType: 'direct', members: ['alice', 'dan'] }));
    expect(direct._id).toBe(md5('alice_dan'));
    expect(direct).not.toHaveProperty('owner');
    expect(ids(direct.members)).toStrictEqual(['alice', 'dan']);
    expect(direct).toStrictEqual(await roomAsSeenBy(alice, direct._id));
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
      expect(await createRoom(t, { roomType: 'direct', members: ['carol', 'alice'], name: 'ignored' })).toStrictEqual(
        first,
      );
      const again = expectOk(
        await t.asUser(alice, 'POST', '/rooms', { roomType: 'direct', members: ['carol', 'alice'], name: 'ignored' }),
      );
      // A user token gets it in full, as GET /rooms/:id answers it.
      expect(again).toStrictEqual(await roomAsSeenBy(alice, first._id));
      expect(again).toMatchObject({ _id: first._id, name: '', roomType: 'direct' });
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
      expect(room.lastMessage).toStrictEqual(
        memberListMessage(t, room.lastMessage, {
          room: 'announced',
          message: 'Alice, Bob',
          messageType: 'addMembers',
          listKey: 'invitees',
          users: [summary('alice', 'Alice', { description: 'first user' }), summary('bob', 'Bob')],
          sender: summary('system', 'system', { isRobot: true }),
        }),
      );
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

  it('with systemMessage and a user token, the caller sends the addMembers message, naming itself too', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms', {
        _id: 'alice-announced',
        members: ['bob', 'carol'],
        systemMessage: true,
      }),
    );
    expect(ids(room.members)).toStrictEqual(['alice', 'bob', 'carol']);
    const alicesSummary = summary('alice', 'Alice', { description: 'first user' });
    expect(room.lastMessage).toMatchObject({
      messageType: 'addMembers',
      message: 'Bob, Carol, Alice',
      member: summary('bob', 'Bob'),
      extra: { invitees: [summary('bob', 'Bob'), summary('carol', 'Carol'), alicesSummary] },
      sender: alicesSummary,
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
  let carol: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    carol = await t.createUser('carol', { nickname: 'Carol' });
  });
  afterAll(() => t.close());

  it('adds the caller as owner and a single invitee, and answers the room in full (history 5.1)', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { _id: 'joined', name: 'Joined', invitee: 'bob' }),
    );
    expect(room).toStrictEqual({
      ...roomFieldsMatcher(t, { _id: 'joined', id: 'joined', name: 'Joined', owner: 'alice' }),
      // Invitees first, then the caller (the order they joined in).
      members: [memberView('bob', 'Bob'), memberView('alice', 'Alice')],
      memberProperties: [
        { client: 'bob', badge: 0 },
        { client: 'alice', badge: 0 },
      ],
      pinnedMessage: null,
      unread: 0,
      muted: false,
      isSuperuser: true,
    });
    expect(room).toStrictEqual(expectOk(await t.asUser(alice, 'GET', '/rooms/joined')));
  });

  it('accepts an array of invitees and members together, each once', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', {
        _id: 'many',
        invitee: ['bob', 'carol'],
        members: ['bob'],
      }),
    );
    expect(ids(room.members)).toStrictEqual(['alice', 'bob', 'carol']);
  });

  it('creates the md5 direct room of the caller and the invitee, and answers it again', async () => {
    const room = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: 'carol' }),
    );
    expect(room._id).toBe(md5('alice_carol'));
    expect(room.roomType).toBe('direct');
    // Nobody owns a direct room: neither side may remove the other or delete it.
    expect(room).not.toHaveProperty('owner');
    expect(room.isSuperuser).toBe(false);
    const again = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: ['carol'] }),
    );
    expect(again._id).toBe(room._id);
    expect(again).toStrictEqual(expectOk(await t.asUser(alice, 'GET', `/rooms/${room._id}`)));
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
    expect(ids(room.members)).toStrictEqual(['alice']);
    expect(room.owner).toBe('alice');
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
    // In full, as carol sees it; the API key makes nobody owner.
    expect(ids(room.members)).toStrictEqual(['bob', 'carol']);
    expect(room).not.toHaveProperty('owner');
    expect(room).toStrictEqual(expectOk(await t.asUser(carol, 'GET', '/rooms/admin-cj')));
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

describe("room creation as IMKIT's mobile and Vue clients send it (other-clients 1.5, 4.5, 6.2)", () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  /** Flutter: `IM-CLIENT-KEY`, `IM-Authorization` and, always, `IM-CLIENT-ID`. */
  const flutter = (user: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        'IM-CLIENT-KEY': t.clientKey,
        'IM-Authorization': tokens[user]!,
        'IM-CLIENT-ID': user,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  /** The Vue client: `IM-Authorization`, `IM-Client-Key`, `x-timezone`, `accept-language`. */
  const vue = (user: string, url: string) =>
    t.app.inject({
      method: 'GET',
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        'IM-Authorization': tokens[user]!,
        'IM-Client-Key': t.clientKey,
        'x-timezone': 'Asia/Taipei',
        'accept-language': 'zh-TW,zh;q=0.9,en;q=0.8',
      },
    });

  /** What Flutter's room model casts (other-clients 1.4): a wrong type there throws in the SDK. */
  const expectFlutterRoom = (room: any) => {
    expect(typeof room._id).toBe('string');
    expect(['direct', 'group']).toContain(room.roomType);
    expect(typeof room.createdTimeMS).toBe('number');
    expect(Number.isInteger(room.unread)).toBe(true);
    expect(typeof room.muted).toBe('boolean');
    expect(Array.isArray(room.roomTags)).toBe(true);
    expect(room.members.length).toBeGreaterThan(0);
    for (const member of room.members) {
      expect(member).toMatchObject({ _id: expect.any(String), nickname: expect.any(String) });
      expect(typeof member.avatarUrl).toBe('string');
      expect(typeof member.lastLoginTimeMS).toBe('number');
    }
    for (const property of room.memberProperties) expect(typeof property.client).toBe('string');
  };
  /** A room the Flutter SDK creates with `POST url`: the answer, once it passed the SDK's room model. */
  const createdByFlutter = async (user: string, url: string, body: unknown) => {
    const room = expectOk(await flutter(user, 'POST', url, body));
    expectFlutterRoom(room);
    return room;
  };
  const memberIds = (room: any) => room.members.map((member: any) => member._id).sort();
  const listed = async (user: string) =>
    expectOk(await flutter(user, 'GET', '/rooms?skip=0&limit=50&sort=lastMessage')).data.map((room: any) => room._id);

  beforeAll(async () => {
    t = await buildTestApp();
    for (const [id, nickname] of [
      ['alice', 'Alice'],
      ['bob', 'Bob'],
      ['carol', 'Carol'],
    ])
      tokens[id!] = await t.createUser(id!, { nickname, avatarUrl: `http://x/${id}.png` });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: ['carol'] }));
  });
  afterAll(() => t.close());

  it('Flutter createDirectRoom: the pair, members as user maps, no owner', async () => {
    const room = await createdByFlutter('alice', '/rooms/createAndJoin', {
      _id: 'flutter-direct',
      roomType: 'direct',
      invitee: 'bob',
      systemMessage: false,
    });
    expect(room).toMatchObject({ _id: 'flutter-direct', roomType: 'direct', unread: 0, muted: false });
    expect(memberIds(room)).toStrictEqual(['alice', 'bob']);
    expect(room.members.find((member: any) => member._id === 'bob')).toMatchObject({
      nickname: 'Bob',
      avatarUrl: 'http://x/bob.png',
      clientType: 'user',
    });
    expect(room).not.toHaveProperty('owner');
    expect(room).not.toHaveProperty('lastMessage');
    for (const user of ['alice', 'bob']) expect(await listed(user)).toContain('flutter-direct');
  });

  it('Flutter createGroupRoom: caller and invitees join, the caller owns it, the system message names them', async () => {
    const room = await createdByFlutter('alice', '/rooms/createAndJoin', {
      _id: 'flutter-group',
      roomType: 'group',
      invitee: ['bob', 'carol'],
      name: 'Trip',
      systemMessage: true,
      invitationRequired: false,
    });
    expect(room).toMatchObject({ _id: 'flutter-group', name: 'Trip', owner: 'alice', isSuperuser: true });
    expect(memberIds(room)).toStrictEqual(['alice', 'bob', 'carol']);
    // Flutter's message model: `room` an id string, `sender` a user map.
    expect(room.lastMessage).toMatchObject({
      room: 'flutter-group',
      messageType: 'addMembers',
      sender: { _id: 'alice', nickname: 'Alice', clientType: 'user' },
      createdAtMS: expect.any(Number),
    });
    for (const user of ['alice', 'bob', 'carol']) expect(await listed(user)).toContain('flutter-group');
  });

  it('Flutter createRoom (POST /rooms): the caller joins and owns it, and finds it in GET /rooms', async () => {
    const room = await createdByFlutter('bob', '/rooms', {
      _id: 'flutter-room',
      name: 'Book club',
      description: 'monthly',
      cover: 'http://x/cover.png',
    });
    expect(room).toMatchObject({ _id: 'flutter-room', roomType: 'group', owner: 'bob', cover: 'http://x/cover.png' });
    expect(memberIds(room)).toStrictEqual(['bob']);
    expect(await listed('bob')).toContain('flutter-room');
  });

  it('the API key POST /rooms is unchanged: members as ids, nobody added, nobody made owner', async () => {
    const room = expectOk(
      await t.admin('POST', '/rooms', { _id: 'key-room', members: ['bob'] }, { 'im-client-id': 'alice' }),
    );
    expect(room.members).toStrictEqual(['bob']);
    expect(room).not.toHaveProperty('owner');
    expect(room).not.toHaveProperty('memberProperties');
    expect(await listed('alice')).not.toContain('key-room');
  });

  it('the Vue client counts members by clientType: "user" for users, "group" for a user group', async () => {
    await createRoom(t, { _id: 'vue-room', members: ['alice', 'bob', 'crew'] });
    const room = expectOk(await vue('alice', '/rooms/vue-room'));
    const types = Object.fromEntries(room.members.map((member: any) => [member._id, member.clientType]));
    expect(types).toStrictEqual({ alice: 'user', bob: 'user', crew: 'group' });
    const crew = room.members.find((member: any) => member._id === 'crew');
    expect(crew.members).toMatchObject([{ _id: 'carol', clientType: 'user' }]);
    const list = expectOk(await vue('alice', `/rooms?skip=0&limit=30&q=${encodeURIComponent('{"members":"alice"}')}`));
    const listedRoom = list.data.find((entry: any) => entry._id === 'vue-room');
    expect(listedRoom.members.map((member: any) => member.clientType)).toStrictEqual(['user', 'user', 'group']);
    expect(list.data.every((entry: any) => entry.members.every((member: any) => member.clientType))).toBe(true);
    // And the caller's own user object.
    expect(expectOk(await vue('alice', '/me'))).toMatchObject({ _id: 'alice', clientType: 'user' });
  });
});
