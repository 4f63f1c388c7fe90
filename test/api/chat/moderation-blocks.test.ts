import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, insufficient, INVALID_TOKEN, ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { asUserWith, ISO, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { BLOCK_NOT_FOUND, ids, md5, memberIds, summary } from '../../helpers/moderation-suite.js';

// Personal blocks (7.4).
const USER_NOT_FOUND = shapeB(404, 'User not found', 'USER_NOT_FOUND', 'The specified user does not exist');
const SELF_BLOCK = shapeB(400, 'Cannot block yourself', 'SELF_BLOCK_FORBIDDEN', 'Users cannot block themselves');

const ALREADY_BLOCKED = shapeB(
  409,
  'User already blocked',
  'USER_ALREADY_BLOCKED',
  'This user is already in your block list',
);

const NEEDS_CLIENT_ID = badRequest('IM-CLIENT-ID header is required with IM-API-KEY');

const CLIENT_ID_MISMATCH = insufficient('IM-CLIENT-ID does not match the user of the token');

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
