import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, insufficient, INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_FROZEN } from '../../helpers/errors.js';
import { ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectInvalidRequest, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createCastRoom, createNamedUsers, createRoom } from '../../helpers/factories.js';
import { memberView, summary, memberListMessage } from '../../helpers/rooms-suite.js';
import { ids, messageCount, property, setStatus, SYSTEM } from '../../helpers/members-suite.js';

/** Room members (spec 4.6-4.11; resolutions 12.4 items 37, 41-45). */

const CANNOT_REMOVE = insufficient('Only room owner, manager, or platform admin can remove members');

const NONE_REMOVED = badRequest('None of the given users is a member of this room');

describe('POST /rooms/:id/delete/members (spec 4.7, 12 items 42-43)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['owner', 'manager', 'boss', 'ann', 'ben', 'cat', 'outsider']));
  });
  afterAll(() => t.close());

  const owned = async (id: string) => {
    await createCastRoom(t, id, { members: ['owner', 'manager', 'boss', 'ann', 'ben', 'cat'] }, 'boss');
  };
  const ownerless = async (id: string) => await createRoom(t, { _id: id, members: ['ann', 'ben', 'cat'] });

  it('lets any member remove others from a room without an owner; answers the room in full', async () => {
    await ownerless('commons');
    const events = recorder(t, 'member.removed');
    try {
      const room = expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/commons/delete/members', { members: ['ben'] }));
      expect(room).toMatchObject({ _id: 'commons', status: 1, pinnedMessage: null, unread: 0, isSuperuser: false });
      expect(room.members).toStrictEqual([memberView('ann', 'Ann'), memberView('cat', 'Cat')]);
      expect(room.memberProperties.map((entry: any) => entry.client)).toStrictEqual(['ann', 'cat']);
      expect(events.of('commons')).toHaveLength(1);
      expect(events.of('commons')[0]!.payload).toMatchObject({
        userIds: ['ben'],
        actor: 'ann',
        members: ['ann', 'ben', 'cat'],
      });
    } finally {
      events.stop();
    }
    expect(await messageCount(t, 'commons')).toBe(0);
  });

  it('sends a deleteMember message when removing others with systemMessage', async () => {
    await ownerless('commons-2');
    const room = expectOk(
      await t.asUser(tokens.ann!, 'POST', '/rooms/commons-2/delete/members', {
        members: ['ben', 'cat', 'outsider'],
        systemMessage: true,
      }),
    );
    expect(ids(room)).toStrictEqual(['ann']);
    expect(room.lastMessage).toStrictEqual(
      memberListMessage(t, room.lastMessage, {
        room: 'commons-2',
        message: 'Ben, Cat',
        messageType: 'deleteMember',
        listKey: 'members',
        users: [summary('ben', 'Ben'), summary('cat', 'Cat')],
        sender: summary('ann', 'Ann'),
      }),
    );
    expect(await messageCount(t, 'commons-2')).toBe(1);
  });

  it('lets any member leave, even a room with an owner, with a leaveRoom message', async () => {
    await owned('leaving');
    const room = expectOk(
      await t.asUser(tokens.ann!, 'POST', '/rooms/leaving/delete/members', { members: ['ann'], systemMessage: true }),
    );
    expect(ids(room)).toStrictEqual(['owner', 'manager', 'boss', 'ben', 'cat']);
    expect(room.lastMessage).toMatchObject({
      messageType: 'leaveRoom',
      message: 'Ann',
      member: summary('ann', 'Ann'),
      extra: { members: [summary('ann', 'Ann')] },
      sender: summary('ann', 'Ann'),
    });
    // The owner may leave too.
    expect(
      ids(expectOk(await t.asUser(tokens.owner!, 'POST', '/rooms/leaving/delete/members', { members: ['owner'] }))),
    ).toStrictEqual(['manager', 'boss', 'ben', 'cat']);
  });

  it('in a room with an owner, refuses a plain member removing others with 403 INSUFFICIENT_PERMISSIONS', async () => {
    await owned('guarded');
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['ben'] }),
      403,
      CANNOT_REMOVE,
    );
    // Leaving together with someone else is removing others.
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['ann', 'ben'] }),
      403,
      CANNOT_REMOVE,
    );
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/guarded/delete/members', { members: ['owner'] }),
      403,
      CANNOT_REMOVE,
    );
    expect(ids(expectOk(await t.admin('GET', '/rooms/guarded')))).toStrictEqual([
      'owner',
      'manager',
      'boss',
      'ann',
      'ben',
      'cat',
    ]);
  });

  it('in a room with an owner, lets the owner, a manager, a role admin and the API key remove others', async () => {
    await owned('ruled');
    expect(
      ids(expectOk(await t.asUser(tokens.owner!, 'POST', '/rooms/ruled/delete/members', { members: ['ann'] }))),
    ).not.toContain('ann');
    expect(
      ids(expectOk(await t.asUser(tokens.manager!, 'POST', '/rooms/ruled/delete/members', { members: ['ben'] }))),
    ).not.toContain('ben');
    expect(
      ids(expectOk(await t.asUser(tokens.boss!, 'POST', '/rooms/ruled/delete/members', { members: ['cat'] }))),
    ).not.toContain('cat');
    const room = expectOk(
      await t.admin('POST', '/rooms/ruled/delete/members', { members: ['boss'], systemMessage: true }),
    );
    expect(ids(room)).toStrictEqual(['owner', 'manager']);
    expect(room.lastMessage).toMatchObject({
      messageType: 'deleteMember',
      message: 'Boss',
      member: summary('boss', 'Boss'),
      sender: SYSTEM,
    });
    expect(room).toMatchObject({ isSuperuser: true, unread: 0 });
  });

  it('lets a member leave a frozen room, but not remove others (12 items 36, 43)', async () => {
    await ownerless('frozen-exit');
    await setStatus(t, 'frozen-exit', 0);
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/frozen-exit/delete/members', { members: ['ben'] }),
      403,
      ROOM_FROZEN,
    );
    expect(
      ids(expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/frozen-exit/delete/members', { members: ['ann'] }))),
    ).toStrictEqual(['ben', 'cat']);
    expect(
      ids(expectOk(await t.admin('POST', '/rooms/frozen-exit/delete/members', { members: ['ben'] }))),
    ).toStrictEqual(['cat']);
  });

  it('refuses a caller who is not a member with 403 NOT_ROOM_MEMBER', async () => {
    await ownerless('private');
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/private/delete/members', { members: ['ann'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(tokens.outsider!, 'POST', '/rooms/private/delete/members', { members: ['outsider'] }),
      403,
      NOT_ROOM_MEMBER,
    );
    expect(ids(expectOk(await t.admin('GET', '/rooms/private')))).toStrictEqual(['ann', 'ben', 'cat']);
  });

  it('refuses with 400 INVALID_REQUEST when none of the ids is a member, ignoring non-members otherwise', async () => {
    await ownerless('sparse');
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: ['outsider', 'nobody-at-all'] }),
      400,
      NONE_REMOVED,
    );
    expectBody(await t.admin('POST', '/rooms/sparse/delete/members', { members: ['outsider'] }), 400, NONE_REMOVED);
    expectBody(await t.admin('POST', '/rooms/sparse/delete/members', { members: [] }), 400, NONE_REMOVED);
    expect(
      ids(
        expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: ['outsider', 'cat'] })),
      ),
    ).toStrictEqual(['ann', 'ben']);
  });

  it('refuses malformed bodies with 400, an unknown room with 404 and a bad token with 401', async () => {
    expectInvalidRequest(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', {}), /members/);
    expectInvalidRequest(await t.asUser(tokens.ann!, 'POST', '/rooms/sparse/delete/members', { members: 'ben' }));
    expectBody(
      await t.asUser(tokens.ann!, 'POST', '/rooms/nope/delete/members', { members: ['ann'] }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(await t.admin('POST', '/rooms/nope/delete/members', { members: ['ann'] }), 404, ROOM_NOT_FOUND);
    expectBody(
      await t.asUser('bogus', 'POST', '/rooms/sparse/delete/members', { members: ['ann'] }),
      401,
      INVALID_TOKEN,
    );
  });

  it('takes every access away from removed users, and their member properties', async () => {
    await ownerless('exit');
    const sent = expectOk(
      await t.asUser(tokens.ben!, 'POST', '/rooms/exit/message', { message: 'hello', messageType: 'text' }),
    );
    expectOk(await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/member/cat', { property: 'score', value: 7 }));
    const exitRoom = expectOk(await t.asUser(tokens.cat!, 'GET', '/rooms/exit'));
    expect(exitRoom.unread).toBe(1);
    const badgeBefore = expectOk(await t.asUser(tokens.cat!, 'GET', '/me/badge')).badge;
    expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/exit/delete/members', { members: ['cat'] }));

    expectBody(await t.asUser(tokens.cat!, 'GET', '/rooms/exit'), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(tokens.cat!, 'GET', '/rooms/exit/messages/v3'), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(tokens.cat!, 'POST', '/rooms/exit/message', { message: 'still here?', messageType: 'text' }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(await t.asUser(tokens.cat!, 'POST', '/rooms/exit/members', { invitees: ['cat'] }), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/member/cat', { property: 'score', value: 8 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expect(expectOk(await t.asUser(tokens.cat!, 'GET', '/rooms')).data.map((room: any) => room._id)).not.toContain(
      'exit',
    );
    expect(expectOk(await t.asUser(tokens.cat!, 'GET', '/me/badge')).badge).toBe(badgeBefore - 1);
    expect((await t.asUser(tokens.cat!, 'PUT', '/rooms/exit/lastRead', { message: sent._id })).statusCode).toBe(403);

    // Back in the room: a fresh member entry, without the old custom property.
    const back = expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/exit/members', { invitees: ['cat'] }));
    expect(property(back, 'cat')).toStrictEqual({ client: 'cat', badge: 0 });
  });
});
