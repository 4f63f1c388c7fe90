import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createCast, createCastRoom } from '../../helpers/factories.js';
import { badRequest, clientNotFound, insufficient, ROOM_FROZEN, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectInvalidRequest, recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { memberView } from '../../helpers/rooms-suite.js';

/** Rooms (spec 4.1-4.4, 7.5; resolutions 12.4 items 28-38). */

const CANNOT_UPDATE = insufficient('Only room owner, manager, or platform admin can update room');

// The freeze page (spec 4.3) words its refusal RM "Permission denied".
const CANNOT_FREEZE = {
  ...insufficient('Only room owner, manager, or platform admin can freeze room'),
  RM: 'Permission denied',
};

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
