import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  asUserWith,
  clientNotFound,
  INVALID_TOKEN,
  ISO,
  NOT_ROOM_MEMBER,
  recorder,
  ROOM_FROZEN,
  ROOM_NOT_FOUND,
  shapeB,
} from '../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../helpers/socket-clients.js';
import { waitFor, waitForCount } from '../helpers/realtime-tools.js';
import type { DomainEvents } from '../../src/events/event-bus.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Moderation (spec 7.1-7.7; resolutions 12.4 items 35-36, 45 and 12.6 items 60-64): room bans,
 * personal blocks and the admin's notification mute, endpoint by endpoint with their error bodies
 * and permission rules; then a matrix of what a ban, a personal block, a mute and a freeze each
 * prevent and what they leave alone, over REST and over the sockets of two SDK generations.
 */

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// Bans (7.1-7.3).
const CANNOT_BAN = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only platform admin and room owner can block users in group chat rooms',
);
const CANNOT_UNBAN = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner can unblock users in group chat rooms',
);
const CANNOT_LIST = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner can view blocklist in group chat rooms',
);
const ROOM_OR_USER_NOT_FOUND = shapeB(
  404,
  'Resource not found',
  'ROOM_OR_USER_NOT_FOUND',
  'The specified room or user does not exist',
);
const INVALID_USER_ID = shapeB(
  400,
  'Invalid parameters',
  'INVALID_USER_ID',
  'The room owner and yourself cannot be banned',
);
const ALREADY_BANNED = shapeB(
  409,
  'User already blocked',
  'USER_ALREADY_BLOCKED',
  'This user is already blocked in this room',
);
const BAN_NOT_FOUND = shapeB(
  404,
  'Block relationship not found',
  'BLOCK_NOT_FOUND',
  'No block relationship exists for this user in the specified room',
);
const BANNED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'You are banned from writing in this room');
const CANNOT_READD = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A banned user cannot be added back to this room');
// Personal blocks (7.4).
const USER_NOT_FOUND = shapeB(404, 'User not found', 'USER_NOT_FOUND', 'The specified user does not exist');
const SELF_BLOCK = shapeB(400, 'Cannot block yourself', 'SELF_BLOCK_FORBIDDEN', 'Users cannot block themselves');
const ALREADY_BLOCKED = shapeB(
  409,
  'User already blocked',
  'USER_ALREADY_BLOCKED',
  'This user is already in your block list',
);
const BLOCK_NOT_FOUND = shapeB(
  404,
  'Block relationship not found',
  'BLOCK_NOT_FOUND',
  'No block relationship exists with this user',
);
const BLOCKED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A block between you closes this direct room');
const NEEDS_CLIENT_ID = shapeB(
  400,
  'Bad Request',
  'INVALID_REQUEST',
  'IM-CLIENT-ID header is required with IM-API-KEY',
);
const CLIENT_ID_MISMATCH = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'IM-CLIENT-ID does not match the user of the token',
);
// Admin mute (7.6-7.7).
const mutedClientNotFound = (id: string) => clientNotFound(id, 'Client not found');
const ROOM_NOT_MUTED = shapeB(400, 'Room is not muted', 'ROOM_NOT_MUTED', 'The specified room is not in the mute list');
const MISSING_API_KEY = { error: 'MISSING_API_KEY', message: 'IM-API-KEY header is required' };

/** A user summary as block records embed it (spec 7), for a user who never connected. */
function summary(id: string, nickname = id) {
  return { _id: id, id, nickname, avatarUrl: '', isRobot: false, lastLoginTimeMS: 0 };
}

const ids = (list: Array<{ _id: string }>) => list.map((entry) => entry._id);
const memberIds = (room: { members: Array<string | { _id: string }> }) =>
  room.members.map((member) => (typeof member === 'string' ? member : member._id)).sort();

/** Everything about a room that a refused write could have changed, as the platform admin reads it. */
async function roomState(t: TestApp, roomId: string) {
  const room = expectOk(await t.admin('GET', `/rooms/${roomId}`));
  const messages = expectOk(await t.admin('GET', `/rooms/${roomId}/messages/v3?limit=100`));
  delete messages.inspect;
  return { room, messages };
}

describe('room bans: POST, DELETE and GET /blockStatus/room (spec 7.1-7.3, 12 items 35, 60-62, 64)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let ownedCreatedMS: number;
  const ban = (who: string, room: string, user: string, body?: unknown) =>
    t.asUser(tokens[who]!, 'POST', `/blockStatus/room/${room}/${user}`, body);
  const unban = (who: string, room: string, user: string) =>
    t.asUser(tokens[who]!, 'DELETE', `/blockStatus/room/${room}/${user}`);
  const list = (who: string, room: string) => t.asUser(tokens[who]!, 'GET', `/blockStatus/room/${room}`);

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['olga', 'mia', 'ada', 'pete', 'otto', 'tom', 'tina', 'nina'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    // "owned": olga owns it, mia manages it, ada is a member with role admin, pete a plain member.
    const owned = await createRoom(t, {
      _id: 'owned',
      owner: 'olga',
      managers: ['mia'],
      members: ['olga', 'mia', 'ada', 'pete', 'tom', 'tina'],
    });
    ownedCreatedMS = owned.createdTimeMS;
    // "ownerless": the same people but no owner.
    await createRoom(t, {
      _id: 'ownerless',
      managers: ['mia'],
      members: ['mia', 'ada', 'pete', 'tom', 'tina'],
    });
    for (const room of ['owned', 'ownerless'])
      expectOk(await t.admin('PUT', `/rooms/${room}/member/ada`, { property: 'role', value: 'admin' }));
    // "lobby": an open room olga owns, with nobody else in it.
    await createRoom(t, { _id: 'lobby', owner: 'olga', opening: 1, members: ['olga'] });
  });
  afterAll(() => t.close());

  it('lets the owner ban a member: the record names blocker and room by id; the banned user stays a member', async () => {
    const before = Date.now();
    const record = expectOk(await ban('olga', 'owned', 'tom'));
    expect(record).toStrictEqual({
      appID: t.appId,
      blockee: summary('tom', 'TOM'),
      blocker: 'olga',
      room: 'owned',
      createdAt: expect.stringMatching(ISO),
      updatedAt: record.createdAt,
    });
    expect(Date.parse(record.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(record.createdAt)).toBeLessThanOrEqual(Date.now());
    // The list shows blocker and room as summaries.
    expect(expectOk(await list('olga', 'owned'))).toStrictEqual({
      data: [
        {
          appID: t.appId,
          blockee: summary('tom', 'TOM'),
          blocker: summary('olga', 'OLGA'),
          room: { _id: 'owned', id: 'owned', roomType: 'group', createdTimeMS: ownedCreatedMS },
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
        },
      ],
    });
    expect(memberIds(expectOk(await t.asUser(tokens.tom!, 'GET', '/rooms/owned')))).toContain('tom');
    expectOk(await unban('olga', 'owned', 'tom'));
    expect(expectOk(await list('olga', 'owned'))).toStrictEqual({ data: [] });
  });

  it('accepts {} as the body; the platform admin bans as "admin", or as the user IM-CLIENT-ID names', async () => {
    const byKey = expectOk(await t.admin('POST', '/blockStatus/room/owned/tom', {}));
    expect(byKey).toMatchObject({ blocker: 'admin', room: 'owned', blockee: summary('tom', 'TOM') });
    const listed = expectOk(await t.admin('GET', '/blockStatus/room/owned'));
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0].blocker).toStrictEqual(summary('admin', ''));
    expect(expectOk(await t.admin('DELETE', '/blockStatus/room/owned/tom'))).toMatchObject({
      blocker: 'admin',
      room: 'owned',
    });

    const named = expectOk(await t.admin('POST', '/blockStatus/room/owned/tom', undefined, { 'im-client-id': 'olga' }));
    expect(named.blocker).toBe('olga');
    expectOk(await ban('olga', 'owned', 'tina', {}));
    expect(
      expectOk(await list('olga', 'owned'))
        .data.map((entry: any) => entry.blockee._id)
        .sort(),
    ).toStrictEqual(['tina', 'tom']);
    expectOk(await unban('olga', 'owned', 'tom'));
    expectOk(await unban('olga', 'owned', 'tina'));
  });

  it('refuses managers, member admins, plain members, outsiders and the banned themselves in a room with an owner (12 items 35, 60)', async () => {
    expectOk(await ban('olga', 'owned', 'tina'));
    const events = recorder(t, 'room.banned');
    try {
      for (const who of ['mia', 'ada', 'pete', 'otto', 'tina']) {
        expectBody(await ban(who, 'owned', 'tom'), 403, CANNOT_BAN);
        // Whether the user exists is not told to those who may not ban.
        expectBody(await ban(who, 'owned', 'ghost'), 403, CANNOT_BAN);
        expectBody(await unban(who, 'owned', 'tina'), 403, CANNOT_UNBAN);
        expectBody(await list(who, 'owned'), 403, CANNOT_LIST);
      }
      expect(events.seen).toStrictEqual([]);
      expect(expectOk(await list('olga', 'owned')).data.map((entry: any) => entry.blockee._id)).toStrictEqual(['tina']);
    } finally {
      events.stop();
      await unban('olga', 'owned', 'tina');
    }
  });

  it('lets any superuser ban, unban and list in a room without owner; members and outsiders not', async () => {
    const byManager = expectOk(await ban('mia', 'ownerless', 'tom'));
    expect(byManager).toMatchObject({ blocker: 'mia', room: 'ownerless', blockee: summary('tom', 'TOM') });
    const listed = expectOk(await list('ada', 'ownerless'));
    expect(listed.data.map((entry: any) => [entry.blockee._id, entry.blocker])).toStrictEqual([
      ['tom', summary('mia', 'MIA')],
    ]);
    expect(listed.data[0].room).toMatchObject({ _id: 'ownerless', roomType: 'group' });
    for (const who of ['pete', 'otto', 'tom']) {
      expectBody(await ban(who, 'ownerless', 'tina'), 403, CANNOT_BAN);
      expectBody(await unban(who, 'ownerless', 'tom'), 403, CANNOT_UNBAN);
      expectBody(await list(who, 'ownerless'), 403, CANNOT_LIST);
    }
    expect(expectOk(await unban('ada', 'ownerless', 'tom'))).toMatchObject({ blocker: 'mia', room: 'ownerless' });
    expect(expectOk(await ban('ada', 'ownerless', 'tina')).blocker).toBe('ada');
    expectOk(await unban('mia', 'ownerless', 'tina'));
    expect(expectOk(await list('mia', 'ownerless'))).toStrictEqual({ data: [] });
  });

  it('refuses to ban the owner or oneself (400), twice (409), and unknown rooms or users (404)', async () => {
    expectBody(await ban('olga', 'owned', 'olga'), 400, INVALID_USER_ID);
    expectBody(await t.admin('POST', '/blockStatus/room/owned/olga'), 400, INVALID_USER_ID);
    expectBody(await ban('mia', 'ownerless', 'mia'), 400, INVALID_USER_ID);
    expectBody(await ban('olga', 'no-such-room', 'tom'), 404, ROOM_OR_USER_NOT_FOUND);
    expectBody(await t.admin('POST', '/blockStatus/room/no-such-room/tom'), 404, ROOM_OR_USER_NOT_FOUND);
    expectBody(await ban('olga', 'owned', 'ghost'), 404, ROOM_OR_USER_NOT_FOUND);
    expectBody(await t.admin('POST', '/blockStatus/room/owned/ghost'), 404, ROOM_OR_USER_NOT_FOUND);
    expect(expectOk(await list('olga', 'owned'))).toStrictEqual({ data: [] });

    const first = expectOk(await ban('olga', 'owned', 'tom'));
    expectBody(await ban('olga', 'owned', 'tom'), 409, ALREADY_BANNED);
    expectBody(await t.admin('POST', '/blockStatus/room/owned/tom'), 409, ALREADY_BANNED);
    // The first record stands unchanged (12 item 62).
    const listed = expectOk(await list('olga', 'owned'));
    expect(listed.data.map((entry: any) => [entry.blockee._id, entry.createdAt, entry.updatedAt])).toStrictEqual([
      ['tom', first.createdAt, first.updatedAt],
    ]);
    expectOk(await unban('olga', 'owned', 'tom'));
  });

  it('unbans: the removed record with updatedAt now (12 item 64); 404 BLOCK_NOT_FOUND when there is none, ROOM_NOT_FOUND for an unknown room', async () => {
    expectBody(await unban('olga', 'owned', 'tom'), 404, BAN_NOT_FOUND);
    expectBody(await unban('olga', 'owned', 'ghost'), 404, BAN_NOT_FOUND);
    expectBody(await unban('olga', 'no-such-room', 'tom'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('DELETE', '/blockStatus/room/no-such-room/tom'), 404, ROOM_NOT_FOUND);
    expectBody(await list('olga', 'no-such-room'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/blockStatus/room/no-such-room'), 404, ROOM_NOT_FOUND);

    const record = expectOk(await ban('olga', 'owned', 'tom'));
    await sleep(20);
    const started = Date.now();
    const removed = expectOk(await unban('olga', 'owned', 'tom'));
    expect(removed).toStrictEqual({ ...record, updatedAt: expect.stringMatching(ISO) });
    expect(Date.parse(removed.updatedAt)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(removed.updatedAt)).toBeGreaterThan(Date.parse(record.createdAt));
    expectBody(await unban('olga', 'owned', 'tom'), 404, BAN_NOT_FOUND);
    expect(expectOk(await list('olga', 'owned'))).toStrictEqual({ data: [] });
  });

  it('lists the bans newest first, blockers as summaries', async () => {
    expectOk(await ban('olga', 'owned', 'tom'));
    await sleep(5);
    expectOk(await ban('olga', 'owned', 'tina'));
    await sleep(5);
    expectOk(await t.admin('POST', '/blockStatus/room/owned/pete'));
    const listed = expectOk(await t.admin('GET', '/blockStatus/room/owned')).data;
    expect(listed.map((entry: any) => [entry.blockee, entry.blocker])).toStrictEqual([
      [summary('pete', 'PETE'), summary('admin', '')],
      [summary('tina', 'TINA'), summary('olga', 'OLGA')],
      [summary('tom', 'TOM'), summary('olga', 'OLGA')],
    ]);
    const times = listed.map((entry: any) => Date.parse(entry.createdAt));
    expect([...times].sort((a, b) => b - a)).toStrictEqual(times);
    expect(expectOk(await list('olga', 'owned'))).toStrictEqual({ data: listed });
    for (const user of ['tom', 'tina', 'pete']) expectOk(await unban('olga', 'owned', user));
  });

  it('bans a non-member: no non-admin may add them (even with an invitation), the platform admin may; they cannot join an open room (12 item 61)', async () => {
    expectOk(await ban('olga', 'owned', 'nina'));
    expectBody(await t.asUser(tokens.olga!, 'POST', '/rooms/owned/members', { invitees: ['nina'] }), 403, CANNOT_READD);
    expectBody(
      await t.asUser(tokens.olga!, 'POST', '/rooms/owned/members', { invitees: ['nina'], invitationRequired: true }),
      403,
      CANNOT_READD,
    );
    expectBody(
      await t.asUser(tokens.ada!, 'POST', '/rooms/owned/members', { invitees: ['otto', 'nina'] }),
      403,
      CANNOT_READD,
    );
    expectBody(await t.asUser(tokens.olga!, 'POST', '/rooms/owned/members/nina', {}), 403, CANNOT_READD);
    // Nobody was added, otto neither.
    expect(memberIds(expectOk(await t.admin('GET', '/rooms/owned')))).toStrictEqual([
      'ada',
      'mia',
      'olga',
      'pete',
      'tina',
      'tom',
    ]);
    expectBody(await t.asUser(tokens.nina!, 'GET', '/rooms/owned'), 403, NOT_ROOM_MEMBER);

    // The platform admin adds her: a member now, reading, but still banned from writing.
    expect(memberIds(expectOk(await t.admin('POST', '/rooms/owned/members', { invitees: ['nina'] })))).toContain(
      'nina',
    );
    expect(memberIds(expectOk(await t.asUser(tokens.nina!, 'GET', '/rooms/owned')))).toContain('nina');
    expectBody(
      await t.asUser(tokens.nina!, 'POST', '/rooms/owned/message', { message: 'let me speak', messageType: 'text' }),
      403,
      BANNED,
    );
    expectOk(await t.asUser(tokens.olga!, 'POST', '/rooms/owned/delete/members', { members: ['nina'] }));

    // An open room: anyone may join, except those banned in it.
    expectOk(await ban('olga', 'lobby', 'nina'));
    expectBody(await t.asUser(tokens.nina!, 'POST', '/rooms/lobby/join'), 403, BANNED);
    expect(memberIds(expectOk(await t.asUser(tokens.otto!, 'POST', '/rooms/lobby/join')))).toStrictEqual([
      'olga',
      'otto',
    ]);
    expectOk(await unban('olga', 'lobby', 'nina'));
    expect(memberIds(expectOk(await t.asUser(tokens.nina!, 'POST', '/rooms/lobby/join')))).toStrictEqual([
      'nina',
      'olga',
      'otto',
    ]);
    expectOk(await unban('olga', 'owned', 'nina'));
    expect(
      memberIds(expectOk(await t.asUser(tokens.olga!, 'POST', '/rooms/owned/members', { invitees: ['nina'] }))),
    ).toContain('nina');
  });

  it('publishes room.banned with the members on ban and unban, and nothing on a refusal', async () => {
    const events = recorder(t, 'room.banned');
    try {
      expectOk(await ban('olga', 'owned', 'tom'));
      expectBody(await ban('olga', 'owned', 'tom'), 409, ALREADY_BANNED);
      expectOk(await unban('olga', 'owned', 'tom'));
      expectBody(await unban('olga', 'owned', 'tom'), 404, BAN_NOT_FOUND);
      expect(
        events.seen.map(({ type, payload }) => ({
          type,
          payload: { ...payload, members: [...payload.members].sort() },
        })),
      ).toStrictEqual([
        {
          type: 'room.banned',
          payload: {
            appId: t.appId,
            roomId: 'owned',
            userId: 'tom',
            banned: true,
            members: ['ada', 'mia', 'nina', 'olga', 'pete', 'tina', 'tom'],
          },
        },
        {
          type: 'room.banned',
          payload: {
            appId: t.appId,
            roomId: 'owned',
            userId: 'tom',
            banned: false,
            members: ['ada', 'mia', 'nina', 'olga', 'pete', 'tina', 'tom'],
          },
        },
      ]);
    } finally {
      events.stop();
    }
  });

  it('answers a bad token with 401 INVALID_TOKEN on all three', async () => {
    expectBody(await t.asUser('not-a-token', 'POST', '/blockStatus/room/owned/tom'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('not-a-token', 'DELETE', '/blockStatus/room/owned/tom'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('not-a-token', 'GET', '/blockStatus/room/owned'), 401, INVALID_TOKEN);
  });
});

describe('personal blocks: POST, DELETE and GET /blockStatus/my (spec 7.4, 12 items 62-64)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const block = (who: string, user: string) => t.asUser(tokens[who]!, 'POST', `/blockStatus/my/${user}`);
  const unblock = (who: string, user: string) => t.asUser(tokens[who]!, 'DELETE', `/blockStatus/my/${user}`);
  const mine = (who: string) => t.asUser(tokens[who]!, 'GET', '/blockStatus/my');

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['pat', 'quin', 'rex', 'sam', 'uma'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: ['rex', 'sam'] }));
  });
  afterAll(() => t.close());

  it("blocks a user: the record names the pair's direct room, created on the spot (7.4.1, 1.6)", async () => {
    const events = recorder(t, 'room.created', 'room.updated');
    const direct = md5('pat_quin');
    try {
      expectBody(await t.admin('GET', `/rooms/${direct}`), 404, ROOM_NOT_FOUND);
      const record = expectOk(await block('pat', 'quin'));
      expect(record).toStrictEqual({
        appID: t.appId,
        blockee: summary('quin', 'QUIN'),
        blocker: 'pat',
        room: direct,
        createdAt: expect.stringMatching(ISO),
        updatedAt: record.createdAt,
      });
      const room = expectOk(await t.asUser(tokens.pat!, 'GET', `/rooms/${direct}`));
      expect(room).toMatchObject({ _id: direct, roomType: 'direct' });
      expect(memberIds(room)).toStrictEqual(['pat', 'quin']);
      expect(events.seen.map(({ type, payload }) => [type, payload.roomId, [...payload.members].sort()])).toStrictEqual(
        [['room.created', direct, ['pat', 'quin']]],
      );

      expect(expectOk(await mine('pat'))).toStrictEqual({
        data: [
          {
            appID: t.appId,
            blockee: summary('quin', 'QUIN'),
            blocker: 'pat',
            room: { _id: direct, id: direct, roomType: 'direct', createdTimeMS: room.createdTimeMS },
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
          },
        ],
      });
      // Only the caller's own blocks.
      expect(expectOk(await mine('quin'))).toStrictEqual({ data: [] });
    } finally {
      events.stop();
    }
  });

  it('reuses an existing direct room, history and all', async () => {
    const direct = (await createRoom(t, { roomType: 'direct', members: ['sam', 'rex'] }))._id;
    expect(direct).toBe(md5('rex_sam'));
    const sent = expectOk(
      await t.admin('POST', '/messages', {
        room: direct,
        sender: 'sam',
        message: 'before the block',
        messageType: 'text',
      }),
    );
    const events = recorder(t, 'room.created', 'room.updated');
    try {
      expect(expectOk(await block('rex', 'sam'))).toMatchObject({
        blocker: 'rex',
        room: direct,
        blockee: summary('sam', 'SAM'),
      });
      expect(events.seen.map(({ type, payload }) => [type, payload.roomId, [...payload.members].sort()])).toStrictEqual(
        [['room.updated', direct, ['rex', 'sam']]],
      );
    } finally {
      events.stop();
    }
    expect(ids(expectOk(await t.asUser(tokens.rex!, 'GET', `/rooms/${direct}/messages/v3`)).data)).toContain(sent._id);
    expectOk(await unblock('rex', 'sam'));
  });

  it('refuses unknown users and groups (404), oneself (400), a second block (409) and a direct-room id another room took', async () => {
    expectBody(await block('pat', 'ghost'), 404, USER_NOT_FOUND);
    expectBody(await block('pat', 'crew'), 404, USER_NOT_FOUND);
    expectBody(await block('pat', 'pat'), 400, SELF_BLOCK);
    expectBody(await block('pat', 'quin'), 409, ALREADY_BLOCKED);
    // A group room under the id the pair's direct room would have (the API key's own choice).
    await createRoom(t, { _id: md5('rex_uma'), members: ['rex', 'uma', 'sam'] });
    expectBody(
      await block('uma', 'rex'),
      409,
      shapeB(409, 'Conflict', 'ROOM_EXISTS', "The direct room id of 'uma' and 'rex' is taken by another room"),
    );
    expect(expectOk(await mine('uma'))).toStrictEqual({ data: [] });
    expect(expectOk(await mine('pat')).data.map((entry: any) => entry.blockee._id)).toStrictEqual(['quin']);
  });

  it('with the API key, blocks as the user IM-CLIENT-ID names, and needs one; a token may not name another user (7.4.1, 12 item 12)', async () => {
    expectBody(await t.admin('POST', '/blockStatus/my/rex'), 400, NEEDS_CLIENT_ID);
    expectBody(await t.admin('GET', '/blockStatus/my'), 400, NEEDS_CLIENT_ID);
    expectBody(await t.admin('DELETE', '/blockStatus/my/rex'), 400, NEEDS_CLIENT_ID);
    for (const [method, url] of [
      ['POST', '/blockStatus/my/rex'],
      ['GET', '/blockStatus/my'],
      ['DELETE', '/blockStatus/my/quin'],
    ] as const) {
      expectBody(await asUserWith(t, tokens.sam!, method, url, { 'im-client-id': 'pat' }), 403, CLIENT_ID_MISMATCH);
    }
    expect(expectOk(await mine('pat')).data).toHaveLength(1);

    const record = expectOk(await t.admin('POST', '/blockStatus/my/rex', undefined, { 'im-client-id': 'sam' }));
    expect(record).toMatchObject({ blocker: 'sam', blockee: summary('rex', 'REX'), room: md5('rex_sam') });
    const listed = expectOk(await mine('sam'));
    expect(listed.data.map((entry: any) => [entry.blocker, entry.blockee._id])).toStrictEqual([['sam', 'rex']]);
    expect(expectOk(await t.admin('GET', '/blockStatus/my', undefined, { 'im-client-id': 'sam' }))).toStrictEqual(
      listed,
    );
    expect(
      expectOk(await t.admin('DELETE', '/blockStatus/my/rex', undefined, { 'im-client-id': 'sam' })),
    ).toMatchObject({ blocker: 'sam', room: md5('rex_sam') });
    expect(expectOk(await mine('sam'))).toStrictEqual({ data: [] });
  });

  it('unblocks: the removed record with updatedAt now; the direct room and its history stay; 404 afterwards (7.4.2)', async () => {
    const direct = md5('pat_quin');
    const sent = expectOk(
      await t.admin('POST', '/messages', {
        room: direct,
        sender: 'quin',
        message: 'kept after unblock',
        messageType: 'text',
      }),
    );
    const [record] = expectOk(await mine('pat')).data;
    await sleep(20);
    const started = Date.now();
    const events = recorder(t, 'room.updated');
    let removed: any;
    try {
      removed = expectOk(await unblock('pat', 'quin'));
      expect(events.seen.map(({ type, payload }) => [type, payload.roomId, [...payload.members].sort()])).toStrictEqual(
        [['room.updated', direct, ['pat', 'quin']]],
      );
    } finally {
      events.stop();
    }
    expect(removed).toStrictEqual({ ...record, room: direct, updatedAt: expect.stringMatching(ISO) });
    expect(Date.parse(removed.updatedAt)).toBeGreaterThanOrEqual(started);
    expectBody(await unblock('pat', 'quin'), 404, BLOCK_NOT_FOUND);
    // Quin never blocked pat; unknown users have no block either.
    expectBody(await unblock('quin', 'pat'), 404, BLOCK_NOT_FOUND);
    expectBody(await unblock('pat', 'ghost'), 404, BLOCK_NOT_FOUND);
    expect(expectOk(await mine('pat'))).toStrictEqual({ data: [] });
    expect(ids(expectOk(await t.asUser(tokens.pat!, 'GET', `/rooms/${direct}/messages/v3`)).data)).toContain(sent._id);
  });

  it('lists my blocks newest first, each with its direct room', async () => {
    for (const user of ['quin', 'rex', 'sam']) {
      expectOk(await block('pat', user));
      await sleep(5);
    }
    // Sam blocks pat too: his block is not in pat's list.
    expectOk(await block('sam', 'pat'));
    const listed = expectOk(await mine('pat')).data;
    expect(
      listed.map((entry: any) => [entry.blockee._id, entry.blocker, entry.room._id, entry.room.roomType]),
    ).toStrictEqual([
      ['sam', 'pat', md5('pat_sam'), 'direct'],
      ['rex', 'pat', md5('pat_rex'), 'direct'],
      ['quin', 'pat', md5('pat_quin'), 'direct'],
    ]);
    expect(expectOk(await mine('sam')).data.map((entry: any) => [entry.blocker, entry.blockee._id])).toStrictEqual([
      ['sam', 'pat'],
    ]);
    for (const user of ['quin', 'rex', 'sam']) expectOk(await unblock('pat', user));
    expectOk(await unblock('sam', 'pat'));
  });

  it('answers a bad token with 401 INVALID_TOKEN on all three', async () => {
    expectBody(await t.asUser('not-a-token', 'POST', '/blockStatus/my/quin'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('not-a-token', 'DELETE', '/blockStatus/my/quin'), 401, INVALID_TOKEN);
    expectBody(await t.asUser('not-a-token', 'GET', '/blockStatus/my'), 401, INVALID_TOKEN);
  });
});

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
describe('moderation matrix: bans, personal blocks, mutes and frozen rooms over REST and sockets', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, Record<'G3' | 'G1', TestSocket>> = {};
  const all: TestSocket[] = [];
  const direct = md5('pia_quentin');
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}-zq`;
  /** Message ids written before the states were applied, by name. */
  const m: Record<string, string> = {};

  const as = (who: string, method: InjectOptions['method'], path: string, body?: unknown) =>
    t.asUser(tokens[who]!, method, path, body);
  const send = (who: string, room: string, text: string) =>
    as(who, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' });
  const socketSend = (socket: TestSocket, room: string, text: string) =>
    socket.call('chat message', { room, message: text, messageType: 'text' });
  const gotMessage = (socket: TestSocket, text: string) =>
    waitFor(socket, 'chat message', (message) => message.message === text);
  /** After the positive checks: no push of that text reached these sockets. */
  const expectNotDelivered = async (text: string, ms = 150) => {
    await sleep(ms);
    for (const socket of all)
      expect(
        socket.received('chat message').filter((message) => message.message === text),
        `${socket.generation} got "${text}"`,
      ).toStrictEqual([]);
  };
  const roomIds = async (who: string) => ids(expectOk(await as(who, 'GET', '/rooms?limit=0')).data);
  const searchHits = async (who: string, keyword: string) =>
    (expectOk(await as(who, 'POST', '/search', { type: ['messages'], keyword })).messages as any[]).flatMap((group) =>
      group.messages.map((id: string) => [group.room._id, id]),
    );

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['olive', 'bart', 'wendy', 'pia', 'quentin', 'mo', 'fred', 'fay', 'otto', 'nate'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    await createRoom(t, { _id: 'main', owner: 'olive', members: ['olive', 'bart', 'wendy', 'nate'] });
    expectOk(await t.admin('PUT', '/rooms/main/member/bart', { property: 'role', value: 'admin' }));
    await createRoom(t, { _id: 'side', members: ['bart', 'wendy'] });
    await createRoom(t, { _id: 'lobby', owner: 'olive', opening: 1, members: ['olive'] });
    expect((await createRoom(t, { roomType: 'direct', owner: 'pia', members: ['pia', 'quentin'] }))._id).toBe(direct);
    await createRoom(t, { _id: 'pair', owner: 'pia', members: ['pia', 'quentin', 'wendy'] });
    await createRoom(t, { _id: 'quiet', owner: 'mo', members: ['mo', 'wendy', 'nate'] });
    await createRoom(t, { _id: 'ice', owner: 'fred', opening: 1, members: ['fred', 'fay', 'wendy'] });

    // What the subjects wrote before: to edit, recall and pin afterwards.
    const write = async (name: string, who: string, room: string) =>
      (m[name] = expectOk(await send(who, room, `${name} text zq`))._id);
    for (const [name, who, room] of [
      ['b1', 'bart', 'main'],
      ['b2', 'bart', 'main'],
      ['s1', 'bart', 'side'],
      ['p1', 'pia', direct],
      ['p2', 'pia', direct],
      ['q1', 'quentin', direct],
      ['g1', 'pia', 'pair'],
      ['g2', 'quentin', 'pair'],
      ['m1', 'mo', 'quiet'],
      ['m2', 'mo', 'quiet'],
      ['f1', 'fay', 'ice'],
      ['f2', 'fay', 'ice'],
      ['f3', 'fred', 'ice'],
    ] as const)
      await write(name, who, room);
    expectOk(await as('olive', 'POST', `/messages/${m.b1}/pin`));
    // Pia owns the direct room: she pins in it while no block closes it.
    expectOk(await as('pia', 'POST', `/messages/${m.p2}/pin`));

    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    for (const who of ['bart', 'pia', 'quentin', 'mo', 'fay', 'wendy']) {
      sockets[who] = {} as Record<'G3' | 'G1', TestSocket>;
      for (const generation of ['G3', 'G1'] as Generation[]) {
        const socket = await connect(url, generation);
        all.push(socket);
        expect(await authenticate(socket, tokens[who]!, t.clientKey)).toMatchObject({ RC: 0, result: { _id: who } });
        sockets[who]![generation as 'G3' | 'G1'] = socket;
      }
    }
  });
  afterAll(async () => {
    for (const socket of all) socket.close();
    await t.close();
  });

  describe('a banned member (spec 7.1-7.2, 12 items 60-61)', () => {
    const events: Array<DomainEvents['room.banned']> = [];
    let stop: () => void;
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      stop = t.services.bus.subscribe('room.banned', (payload) => {
        events.push(payload);
      });
      expectOk(await as('olive', 'POST', '/blockStatus/room/main/bart'));
      // Also in the open lobby, where he is not a member.
      expectOk(await as('olive', 'POST', '/blockStatus/room/lobby/bart'));
      before = await roomState(t, 'main');
    });
    afterAll(() => stop());

    it('pushes the room to every member, the banned one included, on every connection', async () => {
      expect(
        events.map((event) => [event.roomId, event.userId, event.banned, [...event.members].sort()]),
      ).toStrictEqual([
        ['main', 'bart', true, ['bart', 'nate', 'olive', 'wendy']],
        ['lobby', 'bart', true, ['olive']],
      ]);
      for (const who of ['bart', 'wendy']) {
        for (const socket of Object.values(sockets[who]!)) {
          const room = await waitFor(socket, 'room', (pushed) => pushed._id === 'main');
          expect(memberIds(room)).toStrictEqual(['bart', 'nate', 'olive', 'wendy']);
        }
      }
      // Nobody outside the room hears of it.
      await sleep(50);
      for (const who of ['pia', 'mo', 'fay']) {
        for (const socket of Object.values(sockets[who]!))
          expect(socket.received('room').filter((pushed) => pushed._id === 'main')).toStrictEqual([]);
      }
    });

    it('refuses his sends in that room over REST and over both sockets (G3, G1)', async () => {
      const texts = [unique('banned-rest'), unique('banned-g3'), unique('banned-g1')];
      expectBody(await send('bart', 'main', texts[0]!), 403, BANNED);
      expect(await socketSend(sockets.bart!.G3, 'main', texts[1]!)).toStrictEqual(BANNED);
      expect(await socketSend(sockets.bart!.G1, 'main', texts[2]!)).toStrictEqual(BANNED);
      for (const text of texts) await expectNotDelivered(text, 50);
    });

    it('refuses his edits, recalls, pins, unpins and member changes there, role admin though he is', async () => {
      expectBody(
        await as('bart', 'POST', '/rooms/main/message', {
          _id: m.b1,
          message: 'edited while banned',
          messageType: 'text',
        }),
        403,
        BANNED,
      );
      expectBody(await as('bart', 'POST', '/rooms/main/message', { _id: m.b2, messageType: 'recall' }), 403, BANNED);
      expect(
        await sockets.bart!.G1.call('chat message', { room: 'main', _id: m.b2, messageType: 'recall' }),
      ).toStrictEqual(BANNED);
      expectBody(await as('bart', 'POST', `/messages/${m.b2}/pin`), 403, BANNED);
      expectBody(await as('bart', 'DELETE', `/messages/${m.b1}/pin`), 403, BANNED);
      expectBody(await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'] }), 403, BANNED);
      expectBody(
        await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'], invitationRequired: true }),
        403,
        BANNED,
      );
      expectBody(await as('bart', 'POST', '/rooms/main/members/otto', {}), 403, BANNED);
      expectBody(await as('bart', 'POST', '/rooms/main/delete/members', { members: ['nate'] }), 403, BANNED);
      expectBody(await as('bart', 'DELETE', '/rooms/main/members/nate', {}), 403, BANNED);
      expectBody(await as('bart', 'PUT', '/rooms/main/member/nate', { property: 'role', value: 'admin' }), 403, BANNED);
      expectBody(
        await as('bart', 'PUT', '/rooms/main/member/bart', { property: 'title', value: 'still here' }),
        403,
        BANNED,
      );
      // Joining an open room he is banned from.
      expectBody(await as('bart', 'POST', '/rooms/lobby/join'), 403, BANNED);
      expect(memberIds(expectOk(await t.admin('GET', '/rooms/lobby')))).toStrictEqual(['olive']);
      expect(await roomState(t, 'main')).toStrictEqual(before);
    });

    it('keeps his reads: the room, its messages, the room list, search, his read position; typing is refused (issue 9 item 17)', async () => {
      const room = expectOk(await as('bart', 'GET', '/rooms/main'));
      expect(memberIds(room)).toStrictEqual(['bart', 'nate', 'olive', 'wendy']);
      expect(room.pinnedMessage._id).toBe(m.b1);
      const messages = expectOk(await as('bart', 'GET', '/rooms/main/messages/v3'));
      expect(ids(messages.data)).toEqual(expect.arrayContaining([m.b1, m.b2]));
      expect(await roomIds('bart')).toEqual(expect.arrayContaining(['main', 'side']));
      expect(await searchHits('bart', 'b1 text zq')).toStrictEqual([['main', m.b1]]);
      expectBody(await as('bart', 'POST', '/rooms/main/typing', { message: 'typing...' }), 403, BANNED);
      expect(expectOk(await as('bart', 'PUT', '/rooms/main/lastRead', { message: m.b2 }))).toMatchObject({
        client: 'bart',
        lastRead: m.b2,
      });
    });

    it("still delivers the room's messages to his sockets, and lets the platform admin write as him", async () => {
      const text = unique('to-bart');
      expectOk(await send('wendy', 'main', text));
      for (const socket of Object.values(sockets.bart!)) await gotMessage(socket, text);
      const asBart = unique('admin-as-bart');
      expectOk(
        await t.admin('POST', '/messages', { room: 'main', sender: 'bart', message: asBart, messageType: 'text' }),
      );
      await gotMessage(sockets.wendy!.G1, asBart);
    });

    it('leaves his other rooms alone: sends over REST and both sockets, edits and recalls in "side"', async () => {
      const texts = [unique('side-rest'), unique('side-g3'), unique('side-g1')];
      expectOk(await send('bart', 'side', texts[0]!));
      expect(await socketSend(sockets.bart!.G3, 'side', texts[1]!)).toMatchObject({
        RC: 0,
        result: { room: 'side', message: texts[1] },
      });
      expect(await socketSend(sockets.bart!.G1, 'side', texts[2]!)).toMatchObject({
        RC: 0,
        result: { room: 'side', message: texts[2] },
      });
      for (const text of texts) await gotMessage(sockets.wendy!.G3, text);
      expect(
        expectOk(
          await as('bart', 'POST', '/rooms/side/message', { _id: m.s1, message: 'side edited', messageType: 'text' }),
        ).message,
      ).toBe('side edited');
      expect(
        expectOk(await as('bart', 'POST', '/rooms/side/message', { _id: m.s1, messageType: 'recall' })).messageType,
      ).toBe('recall');
    });

    it('unban restores his writing, and pushes the room again', async () => {
      expectOk(await as('olive', 'DELETE', '/blockStatus/room/main/bart'));
      expect(events.at(-1)).toMatchObject({ roomId: 'main', userId: 'bart', banned: false });
      for (const socket of Object.values(sockets.bart!))
        await waitForCount(socket, 'room', 2, (pushed) => pushed._id === 'main');
      const texts = [unique('unbanned-rest'), unique('unbanned-g3'), unique('unbanned-g1')];
      expectOk(await send('bart', 'main', texts[0]!));
      expect(await socketSend(sockets.bart!.G3, 'main', texts[1]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.bart!.G1, 'main', texts[2]!)).toMatchObject({ RC: 0 });
      for (const text of texts) await gotMessage(sockets.wendy!.G3, text);
      expect(
        expectOk(
          await as('bart', 'POST', '/rooms/main/message', { _id: m.b1, message: 'b1 edited', messageType: 'text' }),
        ).message,
      ).toBe('b1 edited');
      expect(expectOk(await as('bart', 'POST', `/messages/${m.b2}/pin`)).pinned).toBe(true);
      expect(
        expectOk(await as('bart', 'POST', '/rooms/main/message', { _id: m.b2, messageType: 'recall' })).messageType,
      ).toBe('recall');
      expect(memberIds(expectOk(await as('bart', 'POST', '/rooms/main/members', { invitees: ['otto'] })))).toContain(
        'otto',
      );
      expect(
        memberIds(expectOk(await as('bart', 'POST', '/rooms/main/delete/members', { members: ['otto'] }))),
      ).not.toContain('otto');
      // Still banned from the lobby.
      expectBody(await as('bart', 'POST', '/rooms/lobby/join'), 403, BANNED);
    });

    it('lets a banned member leave, and then keeps him out: no re-adding by the owner, no joining', async () => {
      expectOk(await as('olive', 'POST', '/blockStatus/room/main/bart'));
      expect(memberIds(expectOk(await as('bart', 'DELETE', '/rooms/main/members/bart', {})))).not.toContain('bart');
      expectBody(await as('bart', 'GET', '/rooms/main'), 403, NOT_ROOM_MEMBER);
      expectBody(await as('olive', 'POST', '/rooms/main/members', { invitees: ['bart'] }), 403, CANNOT_READD);
      expectBody(await as('bart', 'POST', '/rooms/main/join'), 403, BANNED);
      expect(
        expectOk(await as('olive', 'GET', '/blockStatus/room/main')).data.map((entry: any) => entry.blockee._id),
      ).toStrictEqual(['bart']);
      // The platform admin brings him back; the owner lifts the ban.
      expect(memberIds(expectOk(await t.admin('POST', '/rooms/main/members', { invitees: ['bart'] })))).toContain(
        'bart',
      );
      expectOk(await as('olive', 'DELETE', '/blockStatus/room/main/bart'));
      expectOk(await send('bart', 'main', unique('back')));
    });
  });

  describe('a personally blocked pair (spec 7.4, 12 item 63)', () => {
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      expectOk(await as('pia', 'POST', '/blockStatus/my/quentin'));
      before = await roomState(t, direct);
    });

    it('pushes their direct room to both of them', async () => {
      for (const who of ['pia', 'quentin']) {
        for (const socket of Object.values(sockets[who]!))
          await waitFor(socket, 'room', (pushed) => pushed._id === direct);
      }
    });

    it('refuses sends into their direct room from either party, over REST and both sockets', async () => {
      const texts = [
        unique('pia-rest'),
        unique('quentin-rest'),
        unique('pia-g3'),
        unique('pia-g1'),
        unique('quentin-g3'),
        unique('quentin-g1'),
      ];
      expectBody(await send('pia', direct, texts[0]!), 403, BLOCKED);
      expectBody(await send('quentin', direct, texts[1]!), 403, BLOCKED);
      expect(await socketSend(sockets.pia!.G3, direct, texts[2]!)).toStrictEqual(BLOCKED);
      expect(await socketSend(sockets.pia!.G1, direct, texts[3]!)).toStrictEqual(BLOCKED);
      expect(await socketSend(sockets.quentin!.G3, direct, texts[4]!)).toStrictEqual(BLOCKED);
      expect(await socketSend(sockets.quentin!.G1, direct, texts[5]!)).toStrictEqual(BLOCKED);
      for (const text of texts) await expectNotDelivered(text, 30);
    });

    it('refuses edits, recalls, pins, unpins and member changes in the direct room, though pia owns it', async () => {
      expectBody(
        await as('pia', 'POST', `/rooms/${direct}/message`, {
          _id: m.p1,
          message: 'edited while blocked',
          messageType: 'text',
        }),
        403,
        BLOCKED,
      );
      expectBody(
        await as('quentin', 'POST', `/rooms/${direct}/message`, { _id: m.q1, messageType: 'recall' }),
        403,
        BLOCKED,
      );
      expect(
        await sockets.quentin!.G3.call('chat message', {
          room: direct,
          _id: m.q1,
          message: 'edit over the socket',
          messageType: 'text',
        }),
      ).toStrictEqual(BLOCKED);
      expectBody(await as('pia', 'POST', `/messages/${m.p1}/pin`), 403, BLOCKED);
      expectBody(await as('pia', 'DELETE', `/messages/${m.p2}/pin`), 403, BLOCKED);
      expectBody(await as('pia', 'POST', `/rooms/${direct}/members`, { invitees: ['otto'] }), 403, BLOCKED);
      expectBody(await as('pia', 'POST', `/rooms/${direct}/delete/members`, { members: ['quentin'] }), 403, BLOCKED);
      expectBody(await as('pia', 'DELETE', `/rooms/${direct}/members/quentin`, {}), 403, BLOCKED);
      expect(await roomState(t, direct)).toStrictEqual(before);
    });

    it('keeps their reads of the direct room: the room, its messages, the room list, search', async () => {
      for (const who of ['pia', 'quentin']) {
        const room = expectOk(await as(who, 'GET', `/rooms/${direct}`));
        expect(room).toMatchObject({ roomType: 'direct', pinnedMessage: { _id: m.p2 } });
        expect(ids(expectOk(await as(who, 'GET', `/rooms/${direct}/messages/v3`)).data)).toEqual(
          expect.arrayContaining([m.p1, m.p2, m.q1]),
        );
        expect(await roomIds(who)).toEqual(expect.arrayContaining([direct, 'pair']));
        expect(await searchHits(who, 'p1 text zq')).toStrictEqual([[direct, m.p1]]);
      }
      // Typing carries text: closed like sending (issue 9 item 17).
      expectBody(await as('quentin', 'POST', `/rooms/${direct}/typing`, {}), 403, BLOCKED);
    });

    it('leaves their group rooms working between them: sends over REST and both sockets, delivery, edits, pins, member changes, joins', async () => {
      const fromPia = unique('pair-pia');
      expectOk(await send('pia', 'pair', fromPia));
      for (const socket of Object.values(sockets.quentin!)) await gotMessage(socket, fromPia);
      const fromQuentin = [unique('pair-quentin-g3'), unique('pair-quentin-g1')];
      expect(await socketSend(sockets.quentin!.G3, 'pair', fromQuentin[0]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.quentin!.G1, 'pair', fromQuentin[1]!)).toMatchObject({ RC: 0 });
      for (const text of fromQuentin) {
        for (const socket of Object.values(sockets.pia!)) await gotMessage(socket, text);
      }
      expect(await socketSend(sockets.pia!.G1, 'pair', unique('pair-pia-g1'))).toMatchObject({ RC: 0 });
      expect(
        expectOk(
          await as('quentin', 'POST', '/rooms/pair/message', { _id: m.g2, message: 'g2 edited', messageType: 'text' }),
        ).message,
      ).toBe('g2 edited');
      // Pia owns the group room: she pins quentin's message and recalls her own.
      expect(expectOk(await as('pia', 'POST', `/messages/${m.g2}/pin`)).pinned).toBe(true);
      expect(
        expectOk(await as('pia', 'POST', '/rooms/pair/message', { _id: m.g1, messageType: 'recall' })).messageType,
      ).toBe('recall');
      expect(memberIds(expectOk(await as('pia', 'POST', '/rooms/pair/members', { invitees: ['otto'] })))).toContain(
        'otto',
      );
      expect(
        memberIds(expectOk(await as('pia', 'POST', '/rooms/pair/delete/members', { members: ['otto'] }))),
      ).not.toContain('otto');
      expect(memberIds(expectOk(await as('quentin', 'POST', '/rooms/lobby/join')))).toContain('quentin');
      expectOk(await as('quentin', 'DELETE', '/rooms/lobby/members/quentin', {}));
    });

    it('still delivers to both what the platform admin writes into the direct room', async () => {
      const text = unique('admin-into-direct');
      expectOk(await t.admin('POST', '/messages', { room: direct, sender: 'pia', message: text, messageType: 'text' }));
      for (const who of ['pia', 'quentin']) {
        for (const socket of Object.values(sockets[who]!)) await gotMessage(socket, text);
      }
    });

    it('unblock restores the direct room; while the other side still blocks, it stays closed', async () => {
      expectOk(await as('quentin', 'POST', '/blockStatus/my/pia'));
      expectOk(await as('pia', 'DELETE', '/blockStatus/my/quentin'));
      expectBody(await send('pia', direct, unique('one-block-left')), 403, BLOCKED);
      expect(await socketSend(sockets.quentin!.G1, direct, unique('one-block-left-g1'))).toStrictEqual(BLOCKED);
      expectOk(await as('quentin', 'DELETE', '/blockStatus/my/pia'));

      const fromPia = unique('direct-open-rest');
      expectOk(await send('pia', direct, fromPia));
      for (const socket of Object.values(sockets.quentin!)) await gotMessage(socket, fromPia);
      const overSockets = [unique('direct-open-g3'), unique('direct-open-g1')];
      expect(await socketSend(sockets.quentin!.G3, direct, overSockets[0]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.pia!.G1, direct, overSockets[1]!)).toMatchObject({ RC: 0 });
      await gotMessage(sockets.pia!.G3, overSockets[0]!);
      await gotMessage(sockets.quentin!.G1, overSockets[1]!);
      expect(
        expectOk(
          await as('pia', 'POST', `/rooms/${direct}/message`, { _id: m.p1, message: 'p1 edited', messageType: 'text' }),
        ).message,
      ).toBe('p1 edited');
      expect(expectOk(await as('pia', 'POST', `/messages/${m.p1}/pin`)).pinned).toBe(true);
    });
  });

  describe('a muted user (spec 7.6-7.7, 12 item 45): the mute changes nothing but the muted flag', () => {
    it('sets the muted flag of his room view and list entry, and nothing else; he gets a roomPref push', async () => {
      const roomBefore = expectOk(await as('mo', 'GET', '/rooms/quiet'));
      const listBefore = expectOk(await as('mo', 'GET', '/rooms')).data.find((room: any) => room._id === 'quiet');
      expect([roomBefore.muted, listBefore.muted]).toStrictEqual([false, false]);
      expect(expectOk(await t.admin('POST', '/admin/clients/mo/mute/quiet')).mute).toStrictEqual(['quiet']);
      expect(expectOk(await as('mo', 'GET', '/rooms/quiet'))).toStrictEqual({ ...roomBefore, muted: true });
      expect(expectOk(await as('mo', 'GET', '/rooms')).data.find((room: any) => room._id === 'quiet')).toStrictEqual({
        ...listBefore,
        muted: true,
      });
      for (const socket of Object.values(sockets.mo!))
        expect(await waitFor(socket, 'roomPref', (pref) => pref.room === 'quiet')).toStrictEqual({
          room: 'quiet',
          muted: true,
        });
      // The other members see no difference.
      expect(expectOk(await as('wendy', 'GET', '/rooms/quiet')).muted).toBe(false);
    });

    it('keeps every write open to him: sends over REST and both sockets, edits, recalls, pins, member changes, joins', async () => {
      const texts = [unique('muted-rest'), unique('muted-g3'), unique('muted-g1')];
      expectOk(await send('mo', 'quiet', texts[0]!));
      expect(await socketSend(sockets.mo!.G3, 'quiet', texts[1]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.mo!.G1, 'quiet', texts[2]!)).toMatchObject({ RC: 0 });
      for (const text of texts) await gotMessage(sockets.wendy!.G3, text);
      expect(
        expectOk(
          await as('mo', 'POST', '/rooms/quiet/message', { _id: m.m1, message: 'm1 edited', messageType: 'text' }),
        ).message,
      ).toBe('m1 edited');
      expect(expectOk(await as('mo', 'POST', `/messages/${m.m1}/pin`)).pinned).toBe(true);
      expect(
        expectOk(await as('mo', 'POST', '/rooms/quiet/message', { _id: m.m2, messageType: 'recall' })).messageType,
      ).toBe('recall');
      expect(memberIds(expectOk(await as('mo', 'POST', '/rooms/quiet/members', { invitees: ['otto'] })))).toContain(
        'otto',
      );
      expect(
        memberIds(expectOk(await as('mo', 'POST', '/rooms/quiet/delete/members', { members: ['otto'] }))),
      ).not.toContain('otto');
      expect(memberIds(expectOk(await as('mo', 'POST', '/rooms/lobby/join')))).toContain('mo');
      expectOk(await as('mo', 'DELETE', '/rooms/lobby/members/mo', {}));
    });

    it('keeps his reads and his deliveries: the room, its messages, the list, search, and pushes on both sockets', async () => {
      expect(ids(expectOk(await as('mo', 'GET', '/rooms/quiet/messages/v3')).data)).toContain(m.m1);
      expect(await roomIds('mo')).toContain('quiet');
      expect(await searchHits('mo', 'm1 edited')).toStrictEqual([['quiet', m.m1]]);
      const text = unique('to-muted');
      expectOk(await send('wendy', 'quiet', text));
      for (const socket of Object.values(sockets.mo!)) await gotMessage(socket, text);
      // Unmuting puts the flag back, again with nothing else.
      const muted = expectOk(await as('mo', 'GET', '/rooms/quiet'));
      expect(expectOk(await t.admin('DELETE', '/admin/clients/mo/mute/quiet')).mute).toStrictEqual([]);
      expect(expectOk(await as('mo', 'GET', '/rooms/quiet'))).toStrictEqual({ ...muted, muted: false });
    });
  });

  describe('a frozen room (spec 4.3, 7.5, 12 item 36)', () => {
    let before: Awaited<ReturnType<typeof roomState>>;

    beforeAll(async () => {
      const frozen = await as('fred', 'PUT', '/rooms/ice', { status: 0 });
      expect(frozen.json()).toMatchObject({ RC: 0, RM: 'Room frozen successfully', result: { status: 0 } });
      before = await roomState(t, 'ice');
    });

    it('pushes the frozen room to its members', async () => {
      for (const socket of Object.values(sockets.fay!))
        await waitFor(socket, 'room', (pushed) => pushed._id === 'ice' && pushed.status === 0);
    });

    it("refuses every non-admin send, the owner's included, over REST and both sockets", async () => {
      const texts = [unique('ice-fay'), unique('ice-fred'), unique('ice-g3'), unique('ice-g1')];
      expectBody(await send('fay', 'ice', texts[0]!), 403, ROOM_FROZEN);
      expectBody(await send('fred', 'ice', texts[1]!), 403, ROOM_FROZEN);
      expect(await socketSend(sockets.fay!.G3, 'ice', texts[2]!)).toStrictEqual(ROOM_FROZEN);
      expect(await socketSend(sockets.fay!.G1, 'ice', texts[3]!)).toStrictEqual(ROOM_FROZEN);
      for (const text of texts) await expectNotDelivered(text, 40);
    });

    it('refuses edits, recalls, pins, member changes and joins by non-admins', async () => {
      expectBody(
        await as('fay', 'POST', '/rooms/ice/message', {
          _id: m.f1,
          message: 'edited while frozen',
          messageType: 'text',
        }),
        403,
        ROOM_FROZEN,
      );
      expectBody(await as('fay', 'POST', '/rooms/ice/message', { _id: m.f2, messageType: 'recall' }), 403, ROOM_FROZEN);
      expect(
        await sockets.fay!.G1.call('chat message', { room: 'ice', _id: m.f2, messageType: 'recall' }),
      ).toStrictEqual(ROOM_FROZEN);
      expectBody(await as('fred', 'POST', `/messages/${m.f3}/pin`), 403, ROOM_FROZEN);
      expectBody(await as('fred', 'POST', '/rooms/ice/members', { invitees: ['otto'] }), 403, ROOM_FROZEN);
      expectBody(await as('fred', 'POST', '/rooms/ice/delete/members', { members: ['fay'] }), 403, ROOM_FROZEN);
      expectBody(
        await as('fred', 'PUT', '/rooms/ice/member/fay', { property: 'role', value: 'admin' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(await as('otto', 'POST', '/rooms/ice/join'), 403, ROOM_FROZEN);
      expect(await roomState(t, 'ice')).toStrictEqual(before);
    });

    it('keeps reads (the room, its messages, search) but leaves it out of the room lists', async () => {
      expect(expectOk(await as('fay', 'GET', '/rooms/ice'))).toMatchObject({ _id: 'ice', status: 0 });
      expect(ids(expectOk(await as('fay', 'GET', '/rooms/ice/messages/v3')).data)).toEqual(
        expect.arrayContaining([m.f1, m.f2, m.f3]),
      );
      expect(await searchHits('fay', 'f1 text zq')).toStrictEqual([['ice', m.f1]]);
      expect(await roomIds('fay')).not.toContain('ice');
      expect(await roomIds('wendy')).not.toContain('ice');
      expect(expectOk(await as('fay', 'GET', '/rooms/ids')).data).not.toContain('ice');
      expectBody(await as('fay', 'POST', '/rooms/ice/typing', {}), 403, ROOM_FROZEN);
    });

    it('lets the platform admin write, and delivers it to the members on both sockets', async () => {
      const text = unique('admin-into-ice');
      const sent = expectOk(
        await t.admin('POST', '/messages', { room: 'ice', sender: 'fred', message: text, messageType: 'text' }),
      );
      for (const socket of Object.values(sockets.fay!)) await gotMessage(socket, text);
      expect(expectOk(await t.admin('POST', `/messages/${sent._id}/pin`)).pinned).toBe(true);
    });

    it('unfreezing restores writing and the room lists', async () => {
      expectOk(await as('fred', 'PUT', '/rooms/ice', { status: 1 }));
      const texts = [unique('thawed-rest'), unique('thawed-g3'), unique('thawed-g1')];
      expectOk(await send('fay', 'ice', texts[0]!));
      expect(await socketSend(sockets.fay!.G3, 'ice', texts[1]!)).toMatchObject({ RC: 0 });
      expect(await socketSend(sockets.fay!.G1, 'ice', texts[2]!)).toMatchObject({ RC: 0 });
      for (const text of texts) await gotMessage(sockets.wendy!.G1, text);
      expect(
        expectOk(
          await as('fay', 'POST', '/rooms/ice/message', { _id: m.f1, message: 'f1 edited', messageType: 'text' }),
        ).message,
      ).toBe('f1 edited');
      expect(await roomIds('fay')).toContain('ice');
    });
  });
});
