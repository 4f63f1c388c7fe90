import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, insufficient, INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_FROZEN } from '../../helpers/errors.js';
import { ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { expectInvalidRequest, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createCastRoom, createNamedUsers } from '../../helpers/factories.js';
import { summary, systemMessage } from '../../helpers/rooms-suite.js';
import { ids, messageCount, property, setStatus, SYSTEM } from '../../helpers/members-suite.js';

/** Room members (spec 4.6-4.11; resolutions 12.4 items 37, 41-45). */

const notAMember = (id: string) =>
  shapeB(404, 'Not Found', 'CLIENT_NOT_FOUND', `Client with id '${id}' is not a member of this room`);

const CANNOT_CHANGE_ROLE = insufficient('Only room owner, manager, or platform admin can change member roles');

const CANNOT_CHANGE_PROPERTY = insufficient(
  "Only the member, room owner, manager, or platform admin can change a member's properties",
);

describe('PUT /rooms/:id/member/:client (spec 4.8-4.9, 12 item 44)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    Object.assign(tokens, await createNamedUsers(t, ['owner', 'manager', 'ann', 'ben', 'cat', 'outsider']));
    await createCastRoom(t, 'room', { members: ['owner', 'manager', 'ann', 'ben', 'cat'] });
  });
  afterAll(() => t.close());

  it('lets a member set their own custom property, any JSON value, and answers the room in full', async () => {
    const events = recorder(t, 'member.updated');
    try {
      const room = expectOk(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Taipei' }),
      );
      expect(room).toMatchObject({ _id: 'room', owner: 'owner', isSuperuser: false, unread: 0, pinnedMessage: null });
      expect(ids(room)).toStrictEqual(['owner', 'manager', 'ann', 'ben', 'cat']);
      expect(property(room, 'ann')).toStrictEqual({ client: 'ann', badge: 0, location: 'Taipei' });
      expect(events.of('room')).toHaveLength(1);
      expect(events.of('room')[0]!.payload).toStrictEqual({
        appId: t.appId,
        roomId: 'room',
        userId: 'ann',
        property: 'location',
        value: 'Taipei',
        actor: 'ann',
      });
    } finally {
      events.stop();
    }
    expectOk(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'score', value: 42 }));
    expectOk(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', {
        property: 'prefs',
        value: { level: 3, tags: ['x'] },
      }),
    );
    const room = expectOk(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Tainan' }),
    );
    expect(property(room, 'ann')).toStrictEqual({
      client: 'ann',
      badge: 0,
      location: 'Tainan',
      score: 42,
      prefs: { level: 3, tags: ['x'] },
    });
    // Every member sees it, as does the API key.
    expect(property(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')), 'ann')).toMatchObject({
      location: 'Tainan',
      score: 42,
    });
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).toMatchObject({ location: 'Tainan' });
  });

  it('accepts names such as nickname that are not reserved', async () => {
    const room = expectOk(
      await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/ben', { property: 'nickname', value: 'Benny' }),
    );
    expect(property(room, 'ben')).toStrictEqual({ client: 'ben', badge: 0, nickname: 'Benny' });
    // The user summary is not touched.
    expect(room.members.find((member: any) => member._id === 'ben').nickname).toBe('Ben');
  });

  it("refuses a plain member changing someone else's property with 403", async () => {
    expectBody(
      await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/ann', { property: 'location', value: 'Moon' }),
      403,
      CANNOT_CHANGE_PROPERTY,
    );
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann').location).toBe('Tainan');
  });

  it("lets superusers and the API key change anyone's property", async () => {
    expect(
      property(
        expectOk(await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 1 })),
        'ann',
      ).level,
    ).toBe(1);
    expect(
      property(
        expectOk(await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 2 })),
        'ann',
      ).level,
    ).toBe(2);
    expect(
      property(expectOk(await t.admin('PUT', '/rooms/room/member/ann', { property: 'level', value: 3 })), 'ann').level,
    ).toBe(3);
  });

  it('refuses the server-maintained names client, badge and lastRead with 400', async () => {
    for (const name of ['client', 'badge', 'lastRead']) {
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: name, value: 'x' }),
        400,
        badRequest(`"${name}" is maintained by the server`),
      );
      expectBody(
        await t.admin('PUT', '/rooms/room/member/ann', { property: name, value: 0 }),
        400,
        badRequest(`"${name}" is maintained by the server`),
      );
    }
    expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).toMatchObject({ client: 'ann', badge: 0 });
  });

  it('refuses a missing property or value with 400 INVALID_REQUEST', async () => {
    expectInvalidRequest(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'location' }),
      /value/,
    );
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { value: 'x' }), /property/);
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: '', value: 'x' }));
    expectInvalidRequest(await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 5, value: 'x' }));
    expectInvalidRequest(
      await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'bad name!', value: 'x' }),
    );
  });

  it('answers 404 CLIENT_NOT_FOUND for a target who is not a member, and 404 ROOM_NOT_FOUND for an unknown room', async () => {
    expectBody(
      await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/outsider', { property: 'level', value: 1 }),
      404,
      notAMember('outsider'),
    );
    expectBody(
      await t.admin('PUT', '/rooms/room/member/ghost', { property: 'role', value: 'admin' }),
      404,
      notAMember('ghost'),
    );
    expectBody(
      await t.asUser(tokens.owner!, 'PUT', '/rooms/nope/member/ann', { property: 'level', value: 1 }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(await t.admin('PUT', '/rooms/nope/member/ann', { property: 'level', value: 1 }), 404, ROOM_NOT_FOUND);
  });

  it('refuses a caller who is not a member with 403 NOT_ROOM_MEMBER, and a bad token with 401', async () => {
    expectBody(
      await t.asUser(tokens.outsider!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 9 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(tokens.outsider!, 'PUT', '/rooms/room/member/outsider', { property: 'level', value: 9 }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser('bogus', 'PUT', '/rooms/room/member/ann', { property: 'level', value: 9 }),
      401,
      INVALID_TOKEN,
    );
  });

  describe('role (spec 4.9)', () => {
    it('accepts only "admin" or "member"', async () => {
      for (const value of ['owner', 'Admin', '', 1, null, ['admin']]) {
        expectBody(
          await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'role', value }),
          400,
          badRequest('role must be "admin" or "member"'),
        );
      }
    });

    it('refuses role changes by plain members, themselves included, with 403', async () => {
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'role', value: 'admin' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'member' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
      expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'ann')).not.toHaveProperty('role');
    });

    it('promotion to admin by the owner creates an assignAdmin system message and makes a superuser', async () => {
      const before = await messageCount(t, 'room');
      const events = recorder(t, 'message.created');
      let room: any;
      try {
        room = expectOk(
          await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'admin' }),
        );
        expect(events.of('room').map((event) => event.payload.message._id)).toContain(room.lastMessage._id);
      } finally {
        events.stop();
      }
      expect(property(room, 'ben')).toMatchObject({ client: 'ben', role: 'admin' });
      expect(room.lastMessage).toStrictEqual(
        systemMessage(t, room.lastMessage, {
          room: 'room',
          message: 'Ben',
          messageType: 'assignAdmin',
          member: summary('ben', 'Ben'),
          sender: summary('owner', 'Owner'),
        }),
      );
      expect(await messageCount(t, 'room')).toBe(before + 1);
      expect(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')).isSuperuser).toBe(true);

      // A role admin is a superuser: may change roles and others' properties.
      expectOk(await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'role', value: 'member' }));
      expectOk(await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'level', value: 5 }));
      expect(property(expectOk(await t.admin('GET', '/rooms/room')), 'cat')).toMatchObject({
        role: 'member',
        level: 5,
      });
    });

    it('setting the same role again creates no second message', async () => {
      const before = await messageCount(t, 'room');
      expect(
        property(
          expectOk(
            await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'admin' }),
          ),
          'ben',
        ).role,
      ).toBe('admin');
      expect(await messageCount(t, 'room')).toBe(before);
    });

    it('demotion creates no message and ends superuser rights', async () => {
      const before = await messageCount(t, 'room');
      const room = expectOk(
        await t.asUser(tokens.manager!, 'PUT', '/rooms/room/member/ben', { property: 'role', value: 'member' }),
      );
      expect(property(room, 'ben')).toMatchObject({ role: 'member' });
      expect(await messageCount(t, 'room')).toBe(before);
      expect(expectOk(await t.asUser(tokens.ben!, 'GET', '/rooms/room')).isSuperuser).toBe(false);
      expectBody(
        await t.asUser(tokens.ben!, 'PUT', '/rooms/room/member/cat', { property: 'role', value: 'admin' }),
        403,
        CANNOT_CHANGE_ROLE,
      );
    });

    it('promotion with the API key is announced by the system robot', async () => {
      const room = expectOk(await t.admin('PUT', '/rooms/room/member/cat', { property: 'role', value: 'admin' }));
      expect(room.lastMessage).toMatchObject({
        messageType: 'assignAdmin',
        message: 'Cat',
        member: summary('cat', 'Cat'),
        sender: SYSTEM,
      });
      expect(room.lastMessage).not.toHaveProperty('extra');
      expect(property(room, 'cat')).toMatchObject({ role: 'admin', level: 5 });
    });

    it('refuses role and property changes in a frozen room with 403 ROOM_FROZEN, except by the API key', async () => {
      await setStatus(t, 'room', 0);
      expectBody(
        await t.asUser(tokens.owner!, 'PUT', '/rooms/room/member/ann', { property: 'role', value: 'admin' }),
        403,
        ROOM_FROZEN,
      );
      expectBody(
        await t.asUser(tokens.ann!, 'PUT', '/rooms/room/member/ann', { property: 'level', value: 0 }),
        403,
        ROOM_FROZEN,
      );
      expect(
        property(expectOk(await t.admin('PUT', '/rooms/room/member/ann', { property: 'level', value: 0 })), 'ann')
          .level,
      ).toBe(0);
      await setStatus(t, 'room', 1);
    });
  });
});
