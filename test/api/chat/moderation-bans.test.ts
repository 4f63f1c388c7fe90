import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { ISO, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { BANNED, CANNOT_READD, memberIds, summary } from '../../helpers/moderation-suite.js';

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
