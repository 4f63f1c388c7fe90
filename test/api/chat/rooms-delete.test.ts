import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createCast, createCastRoom, createRoom } from '../../helpers/factories.js';
import { insufficient, INVALID_TOKEN, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { recorder } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';

/** Rooms (spec 4.1-4.4, 7.5; resolutions 12.4 items 28-38). */

const CANNOT_DELETE = insufficient('Only room owner, manager, or platform admin can delete room');

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
