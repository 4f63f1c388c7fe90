import { describe, expect, it } from 'vitest';
import { badRequest, insufficient, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, expectSummary, list, makeRoom, MESSAGE_NOT_FOUND } from '../../helpers/messages-suite.js';
import { mona, olga, send, t, tick, useMessagesApp } from '../../helpers/messages-suite.js';

const PIN_DENIED = insufficient('Only room owner, manager, or platform admin can pin messages');

const UNPIN_DENIED = insufficient('Only room owner, manager, or platform admin can unpin messages');

useMessagesApp();

describe('pin and unpin (spec 5.7, 5.8, 12 item 55)', () => {
  it('pins with the API key: pinned and isPined true, sender expanded, pinnedMessage on the room', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'important');
    await tick();
    const pinned = expectOk(await t.admin('POST', `/messages/${sent._id}/pin`));
    expect(pinned).toMatchObject({
      _id: sent._id,
      id: sent._id,
      room,
      message: 'important',
      messageType: 'text',
      appID: t.appId,
      pinned: true,
      isPined: true,
    });
    expectSummary(pinned.sender, 'alice', 'Alice');
    expect(pinned.createdAtMS).toBe(sent.createdAtMS);
    expect(pinned.updatedAtMS).toBeGreaterThan(sent.updatedAtMS);
    const detail = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    expect(detail.pinnedMessage).toMatchObject({ _id: sent._id, pinned: true, isPined: true, message: 'important' });
    expectSummary(detail.pinnedMessage.sender, 'alice', 'Alice');
    expect((await list(room, '', bob)).data[0]).toMatchObject({ _id: sent._id, pinned: true, isPined: true });
  });

  it('keeps one pinned message per room: pinning another unpins the previous', async () => {
    const room = await makeRoom();
    const first = await send(room, 'alice', 'first');
    const second = await send(room, 'alice', 'second');
    expectOk(await t.asUser(olga, 'POST', `/messages/${first._id}/pin`));
    const events: string[] = [];
    const stops = [
      t.services.bus.subscribe(
        'message.pinned',
        (event) => event.roomId === room && events.push(`pinned ${event.message._id}`),
      ),
      t.services.bus.subscribe(
        'message.unpinned',
        (event) => event.roomId === room && events.push(`unpinned ${event.message._id}`),
      ),
    ];
    try {
      const pinned = expectOk(await t.asUser(mona, 'POST', `/messages/${second._id}/pin`));
      expect(pinned).toMatchObject({ _id: second._id, pinned: true, isPined: true });
    } finally {
      for (const stop of stops) stop();
    }
    expect(events.sort()).toStrictEqual([`pinned ${second._id}`, `unpinned ${first._id}`]);
    const page = await list(room, 'timeRangeField=createdAt');
    expect(page.data.map((message: any) => [message._id, message.pinned, message.isPined])).toStrictEqual([
      [second._id, true, true],
      [first._id, false, false],
    ]);
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(second._id);
    // Pinning the pinned message again changes nothing.
    expect(expectOk(await t.admin('POST', `/messages/${second._id}/pin`))).toMatchObject({ pinned: true });
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(second._id);
  });

  it('pins in one room do not touch another room', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const here = await send(room, 'alice', 'here');
    const there = await send(other, 'alice', 'there');
    expectOk(await t.admin('POST', `/messages/${here._id}/pin`));
    expectOk(await t.admin('POST', `/messages/${there._id}/pin`));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(here._id);
    expect(expectOk(await t.admin('GET', `/rooms/${other}`)).pinnedMessage._id).toBe(there._id);
  });

  it('unpins: pinned false, pinnedMessage null; idempotent, also for a message never pinned', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'briefly pinned');
    const never = await send(room, 'alice', 'never pinned');
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage).toBeNull();
    const pinned = expectOk(await t.asUser(olga, 'POST', `/messages/${sent._id}/pin`));
    await tick();
    const unpinned = expectOk(await t.asUser(olga, 'DELETE', `/messages/${sent._id}/pin`));
    expect(unpinned).toMatchObject({ _id: sent._id, pinned: false, isPined: false, message: 'briefly pinned' });
    expectSummary(unpinned.sender, 'alice', 'Alice');
    expect(unpinned.updatedAtMS).toBeGreaterThan(pinned.updatedAtMS);
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).pinnedMessage).toBeNull();
    const again = expectOk(await t.admin('DELETE', `/messages/${sent._id}/pin`));
    expect(again).toMatchObject({ _id: sent._id, pinned: false, isPined: false });
    expect(expectOk(await t.admin('DELETE', `/messages/${never._id}/pin`))).toMatchObject({
      _id: never._id,
      pinned: false,
      isPined: false,
    });
    // Unpinning some other message leaves the room's pin alone.
    expectOk(await t.admin('POST', `/messages/${sent._id}/pin`));
    expectOk(await t.admin('DELETE', `/messages/${never._id}/pin`));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(sent._id);
  });

  it('refuses plain members with 403 INSUFFICIENT_PERMISSIONS', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'mine');
    expectBody(await t.asUser(alice, 'POST', `/messages/${sent._id}/pin`), 403, PIN_DENIED);
    expectOk(await t.admin('POST', `/messages/${sent._id}/pin`));
    expectBody(await t.asUser(bob, 'DELETE', `/messages/${sent._id}/pin`), 403, UNPIN_DENIED);
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(sent._id);
  });

  it('answers 404 MESSAGE_NOT_FOUND to non-members and for unknown messages', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'members only');
    expectBody(await t.asUser(carol, 'POST', `/messages/${sent._id}/pin`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.asUser(carol, 'DELETE', `/messages/${sent._id}/pin`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.admin('POST', '/messages/ffffffffffffffffffffffff/pin'), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.admin('DELETE', '/messages/ffffffffffffffffffffffff/pin'), 404, MESSAGE_NOT_FOUND);
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage).toBeNull();
  });
});

describe('PUT /rooms/:id/lastRead', () => {
  it('sets the read position and answers the badge; the position only moves forward', async () => {
    const room = await makeRoom();
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await send(room, 'alice', `unread ${i}`));
    const [first, second, third] = sent;
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(3);
    const badgeBefore = expectOk(await t.asUser(bob, 'GET', '/me/badge')).badge;

    expect(expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: first._id }))).toStrictEqual({
      client: 'bob',
      lastRead: first._id,
      badge: 2,
    });
    expect(expectOk(await t.asUser(bob, 'GET', '/me/badge')).badge).toBe(badgeBefore - 1);
    expect(expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: third._id }))).toStrictEqual({
      client: 'bob',
      lastRead: third._id,
      badge: 0,
    });
    // Backwards: ignored.
    expect(expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: second._id }))).toStrictEqual({
      client: 'bob',
      lastRead: third._id,
      badge: 0,
    });
    expect(expectOk(await t.asUser(bob, 'GET', '/me/badge')).badge).toBe(badgeBefore - 3);

    const detail = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    expect(detail.unread).toBe(0);
    expect(detail.lastRead).toBe(third._id);
    expect(detail.memberProperties.find((entry: any) => entry.client === 'bob')).toMatchObject({
      client: 'bob',
      badge: 0,
      lastRead: third._id,
    });

    // A new message counts again.
    await send(room, 'alice', 'one more');
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(1);
  });

  it('publishes read.updated', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'read me');
    const seen: unknown[] = [];
    const stop = t.services.bus.subscribe('read.updated', (event) => {
      if (event.roomId === room) seen.push({ userId: event.userId, lastRead: event.lastRead, badge: event.badge });
    });
    try {
      expectOk(await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: sent._id }));
    } finally {
      stop();
    }
    expect(seen).toStrictEqual([{ userId: 'bob', lastRead: sent._id, badge: 0 }]);
  });

  it('works with the API key for the IM-CLIENT-ID user, and needs that header', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'for bob');
    expectBody(
      await t.admin('PUT', `/rooms/${room}/lastRead`, { message: sent._id }),
      400,
      badRequest('IM-CLIENT-ID header is required with IM-API-KEY'),
    );
    expect(
      expectOk(await t.admin('PUT', `/rooms/${room}/lastRead`, { message: sent._id }, { 'im-client-id': 'bob' })),
    ).toStrictEqual({ client: 'bob', lastRead: sent._id, badge: 0 });
  });

  it('answers 404 MESSAGE_NOT_FOUND for a message of another room or an unknown one, 403 to non-members, 404 for unknown rooms', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    await send(room, 'alice', 'here');
    const elsewhere = await send(other, 'alice', 'elsewhere');
    expectBody(
      await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: elsewhere._id }),
      404,
      MESSAGE_NOT_FOUND,
    );
    expectBody(
      await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, { message: 'ffffffffffffffffffffffff' }),
      404,
      MESSAGE_NOT_FOUND,
    );
    expectBody(
      await t.asUser(carol, 'PUT', `/rooms/${other}/lastRead`, { message: elsewhere._id }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(bob, 'PUT', '/rooms/no-such-room/lastRead', { message: elsewhere._id }),
      404,
      ROOM_NOT_FOUND,
    );
    const missing = await t.asUser(bob, 'PUT', `/rooms/${room}/lastRead`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest(expect.any(String)));
    // Nothing moved.
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(1);
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${other}`)).unread).toBe(1);
  });
});
