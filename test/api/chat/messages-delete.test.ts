import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { ISO } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, ids, list, makeRoom, MESSAGE_NOT_FOUND, mona, olga } from '../../helpers/messages-suite.js';
import { send, t, useMessagesApp } from '../../helpers/messages-suite.js';

const DELETE_DENIED = shapeB(
  403,
  'Permission denied',
  'INSUFFICIENT_PERMISSION',
  'Only platform admin, room owner or room manager can delete messages',
);

/** A 200 of DELETE /rooms/:id/messages/:messageId, with its own RM (spec 5.6). */
function expectDeleted(response: LightMyRequestResponse): any {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({ RC: 0, RM: 'Message deleted successfully', result: { deletedCount: 1 } });
  return response.json().result;
}

useMessagesApp();

describe('DELETE /rooms/:id/messages/:messageId (spec 5.6)', () => {
  it('deletes one message with the API key: RM, result, lastMessage moves back, list, badge and search forget it', async () => {
    const room = await makeRoom();
    const one = await send(room, 'alice', 'keep zebra one');
    const two = await send(room, 'alice', 'keep zebra two');
    const three = await send(room, 'alice', 'doomed zebra three');
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(3);
    const found = expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'doomed' }));
    expect(found.messages).toMatchObject([{ room: { _id: room }, messages: [three._id] }]);

    const deleted: Array<{ roomId: string; messageIds: string[]; all: boolean; deletedBy: string }> = [];
    const stop = t.services.bus.subscribe('message.deleted', (event) => {
      if (event.roomId === room)
        deleted.push({
          roomId: event.roomId,
          messageIds: event.messageIds,
          all: event.all,
          deletedBy: event.deletedBy,
        });
    });
    const before = Date.now();
    let response: LightMyRequestResponse;
    try {
      response = await t.admin('DELETE', `/rooms/${room}/messages/${three._id}`);
    } finally {
      stop();
    }
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toStrictEqual({
      RC: 0,
      RM: 'Message deleted successfully',
      result: {
        deletedCount: 1,
        roomID: room,
        messageID: three._id,
        deletedBy: 'admin',
        deletedAt: expect.stringMatching(ISO),
      },
    });
    expect(Date.parse(body.result.deletedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.result.deletedAt)).toBeLessThanOrEqual(Date.now());
    expect(deleted).toStrictEqual([{ roomId: room, messageIds: [three._id], all: false, deletedBy: 'admin' }]);

    const detail = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    expect(detail.lastMessage._id).toBe(two._id);
    expect(detail.unread).toBe(2);
    const page = await list(room, '', bob);
    expect(page.totalCount).toBe(2);
    expect(ids(page)).toStrictEqual([two._id, one._id]);
    expect(
      expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'doomed' })).messages,
    ).toStrictEqual([]);
    expect(
      expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'zebra' })).messages,
    ).toMatchObject([{ messages: [two._id, one._id] }]);

    // Deleting an older message leaves lastMessage where it is.
    expectDeleted(await t.admin('DELETE', `/rooms/${room}/messages/${one._id}`));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).lastMessage._id).toBe(two._id);
    expect(ids(await list(room))).toStrictEqual([two._id]);
  });

  it('lets the owner, a manager and a member with role admin delete; deletedBy is their id', async () => {
    const room = await makeRoom();
    // Bob becomes a room admin first (that adds an assignAdmin system message).
    expectOk(await t.admin('PUT', `/rooms/${room}/member/bob`, { property: 'role', value: 'admin' }));
    const [a, b, c] = [await send(room, 'alice', 'a'), await send(room, 'alice', 'b'), await send(room, 'alice', 'c')];
    const byOwner = await t.asUser(olga, 'DELETE', `/rooms/${room}/messages/${a._id}`);
    expect(byOwner.json()).toMatchObject({
      RC: 0,
      RM: 'Message deleted successfully',
      result: { deletedCount: 1, messageID: a._id, deletedBy: 'olga' },
    });
    const byManager = await t.asUser(mona, 'DELETE', `/rooms/${room}/messages/${b._id}`);
    expect(byManager.json()).toMatchObject({ RC: 0, result: { deletedCount: 1, messageID: b._id, deletedBy: 'mona' } });
    const byRoleAdmin = await t.asUser(bob, 'DELETE', `/rooms/${room}/messages/${c._id}`);
    expect(byRoleAdmin.json()).toMatchObject({
      RC: 0,
      result: { deletedCount: 1, messageID: c._id, deletedBy: 'bob' },
    });
    const page = await list(room);
    expect(page.totalCount).toBe(1);
    expect(page.data.map((message: any) => message.messageType)).toStrictEqual(['assignAdmin']);
  });

  it('refuses plain members (even the sender) and non-members with 403 INSUFFICIENT_PERMISSION, singular', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'stays');
    expectBody(await t.asUser(alice, 'DELETE', `/rooms/${room}/messages/${sent._id}`), 403, DELETE_DENIED);
    expectBody(await t.asUser(bob, 'DELETE', `/rooms/${room}/messages/${sent._id}`), 403, DELETE_DENIED);
    expectBody(await t.asUser(carol, 'DELETE', `/rooms/${room}/messages/${sent._id}`), 403, DELETE_DENIED);
    expectBody(await t.asUser(bob, 'DELETE', `/rooms/${room}/messages/_all`), 403, DELETE_DENIED);
    expect(ids(await list(room))).toStrictEqual([sent._id]);
  });

  it('answers 404 for unknown messages, messages of another room and unknown rooms', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const elsewhere = await send(other, 'alice', 'elsewhere');
    expectBody(await t.admin('DELETE', `/rooms/${room}/messages/ffffffffffffffffffffffff`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.admin('DELETE', `/rooms/${room}/messages/${elsewhere._id}`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.asUser(olga, 'DELETE', `/rooms/${room}/messages/${elsewhere._id}`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.admin('DELETE', `/rooms/no-such-room/messages/${elsewhere._id}`), 404, ROOM_NOT_FOUND);
    expect(ids(await list(other))).toStrictEqual([elsewhere._id]);
    // Deleted twice: the second time it is gone.
    expectDeleted(await t.admin('DELETE', `/rooms/${other}/messages/${elsewhere._id}`));
    expectBody(await t.admin('DELETE', `/rooms/${other}/messages/${elsewhere._id}`), 404, MESSAGE_NOT_FOUND);
  });

  it('deletes every message with _all: RM, count, empty list, no lastMessage, no pin, no unread, no search hits', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const survivor = await send(other, 'alice', 'quokka survivor');
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await send(room, 'alice', `quokka ${i}`));
    expectOk(await t.admin('POST', `/messages/${sent[1]._id}/pin`));
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(4);

    const response = await t.asUser(olga, 'DELETE', `/rooms/${room}/messages/_all`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({
      RC: 0,
      RM: 'All messages deleted successfully',
      result: {
        deletedCount: 4,
        roomID: room,
        messageID: '_all',
        deletedBy: 'olga',
        deletedAt: expect.stringMatching(ISO),
      },
    });
    const page = await list(room, '', bob);
    expect(page.totalCount).toBe(0);
    expect(page.data).toStrictEqual([]);
    const detail = expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`));
    expect(detail.lastMessage).toBeUndefined();
    expect(detail.pinnedMessage).toBeNull();
    expect(detail.unread).toBe(0);
    const found = expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'quokka' }));
    expect(found.messages).toStrictEqual([
      expect.objectContaining({ room: expect.objectContaining({ _id: other }), messages: [survivor._id] }),
    ]);
    // The other room is untouched; _all again removes nothing.
    expect(ids(await list(other))).toStrictEqual([survivor._id]);
    const again = await t.admin('DELETE', `/rooms/${room}/messages/_all`);
    expect(again.json()).toMatchObject({
      RC: 0,
      RM: 'All messages deleted successfully',
      result: { deletedCount: 0, messageID: '_all', deletedBy: 'admin' },
    });
    // The room works on.
    const next = await send(room, 'alice', 'fresh start');
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`))).toMatchObject({
      unread: 1,
      lastMessage: { _id: next._id },
    });
  });

  it('takes the pin away with the pinned message', async () => {
    const room = await makeRoom();
    const pinned = await send(room, 'alice', 'pinned then deleted');
    await send(room, 'alice', 'after');
    expectOk(await t.admin('POST', `/messages/${pinned._id}/pin`));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage._id).toBe(pinned._id);
    expectDeleted(await t.admin('DELETE', `/rooms/${room}/messages/${pinned._id}`));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`)).pinnedMessage).toBeNull();
  });
});
