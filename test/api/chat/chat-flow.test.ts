import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { badRequest } from '../../helpers/errors.js';

/** The spec's Basic Integration flow, end to end over HTTP (issue 3 "done means"). */
describe('basic integration flow', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
  });
  afterAll(() => t.close());

  it('creates a direct room with the md5 id of the pair, and the same room again', async () => {
    const room = expectOk(await t.admin('POST', '/rooms/', { roomType: 'direct', members: ['bob', 'alice'] }));
    // md5("alice_bob"): ascending ids joined by "_" (spec 1.6).
    expect(room._id).toBe(createHash('md5').update('alice_bob').digest('hex'));
    expect(room.members).toStrictEqual(['bob', 'alice']);
    expect(room.status).toBe(1);
    const again = expectOk(await t.admin('POST', '/rooms/', { roomType: 'direct', members: ['alice', 'bob'] }));
    expect(again._id).toBe(room._id);
  });

  it('creates a group room, exchanges messages, pages back, searches and counts unread', async () => {
    const group = await createRoom(t, { _id: 'team', name: 'Team', roomTags: ['work'], members: ['alice', 'bob'] });
    expect(group._id).toBe('team');
    for (let i = 0; i < 25; i++) {
      const sent = expectOk(
        await t.asUser(i % 2 ? bob : alice, 'POST', '/rooms/team/message', {
          message: `hello number ${i}`,
          messageType: 'text',
        }),
      );
      expect(sent._id).toMatch(/^[0-9a-f]{24}$/);
    }
    const first = expectOk(await t.asUser(alice, 'GET', '/rooms/team/messages/v3?limit=10'));
    expect(first.totalCount).toBe(25);
    expect(first.data).toHaveLength(10);
    expect(first.data[0].message).toBe('hello number 24');
    const last = first.data[9]._id;
    const second = expectOk(await t.asUser(alice, 'GET', `/rooms/team/messages/v3?limit=10&beforeMessage=${last}`));
    expect(second.data[0].message).toBe('hello number 14');
    expect(second.data[9].message).toBe('hello number 5');

    const found = expectOk(await t.asUser(alice, 'POST', '/search', { type: ['messages'], keyword: 'NUMBER 1' }));
    expect(found.messages).toHaveLength(1);
    expect(found.messages[0].room._id).toBe('team');
    expect(found.messages[0].messages.length).toBe(11);

    // Alice sent the last message: she has read the room; Bob has one unread.
    expect(expectOk(await t.asUser(alice, 'GET', '/me/badge')).badge).toBe(0);
    const byTags = expectOk(await t.asUser(bob, 'POST', '/badges/byRoomTags', { tags: ['work'] }));
    expect(byTags).toStrictEqual({ totalBadge: 1, data: { work: 1 } });

    const rooms = expectOk(await t.asUser(bob, 'GET', '/rooms'));
    expect(rooms.totalCount).toBe(2);
    expect(rooms.data[0]._id).toBe('team');
    expect(rooms.data[0].unread).toBe(1);
    const detail = expectOk(await t.asUser(bob, 'GET', '/rooms/team'));
    expect(detail.members.map((m: any) => m._id)).toStrictEqual(['alice', 'bob']);
    expect(detail.lastMessage.message).toBe('hello number 24');

    expect(detail.unread).toBe(1);
    const read = expectOk(await t.asUser(bob, 'PUT', '/rooms/team/lastRead', { message: detail.lastMessage._id }));
    expect(read).toStrictEqual({ client: 'bob', lastRead: detail.lastMessage._id, badge: 0 });
    expect(expectOk(await t.asUser(bob, 'GET', '/me/badge')).badge).toBe(0);
  });

  it('sends as admin, batches, recalls, pins and deletes', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'system', nickname: 'System' });
    const sent = expectOk(
      await t.admin('POST', '/messages', {
        room: 'team',
        sender: 'system',
        message: 'notice',
        messageType: 'announcement',
      }),
    );
    expect(sent.sender).toBe('system');
    const batch = expectOk(
      await t.admin('POST', '/messages/batch', {
        message: 'Hi $name$',
        messageType: 'text',
        sender: 'system',
        paras: [{ receiver: 'alice', $name$: 'Alice' }, { room: 'team', $name$: 'Team' }, { room: 'nope' }],
      }),
    );
    expect(batch.count).toBe(3);
    let status: any;
    for (let i = 0; i < 50; i++) {
      status = expectOk(await t.admin('GET', `/messages/batch/${batch.batchID}`));
      if (status.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toMatchObject({ status: 'done', sent: 2, failures: [{ index: 2, code: 'ROOM_NOT_FOUND' }] });

    const recalled = expectOk(await t.admin('POST', '/rooms/team/message', { messageType: 'recall', _id: sent._id }));
    expect(recalled).toMatchObject({ _id: sent._id, message: '', messageType: 'recall', sender: { _id: 'system' } });
    const pinned = expectOk(await t.admin('POST', `/messages/${sent._id}/pin`));
    expect(pinned).toMatchObject({ pinned: true, isPined: true });
    const removed = await t.admin('DELETE', `/rooms/team/messages/${sent._id}`);
    expect(removed.json()).toMatchObject({
      RC: 0,
      RM: 'Message deleted successfully',
      result: { deletedCount: 1, messageID: sent._id, deletedBy: 'admin' },
    });
    const room = expectOk(await t.admin('GET', '/rooms/team'));
    expect(room.pinnedMessage).toBeNull();
  });

  it('refuses a member send without a message (spec 12 item 46) and answers badges without a body', async () => {
    const missing = await t.asUser(alice, 'POST', '/rooms/team/message', { messageType: 'text' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest('Missing required field: message'));
    const noBody = await t.app.inject({
      method: 'POST',
      url: '/badges/byRoomTags',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': alice },
    });
    expect(noBody.statusCode, noBody.body).toBe(200);
    expect(noBody.json().result).toStrictEqual(expectOk(await t.asUser(alice, 'POST', '/badges/byRoomTags', {})));
  });
});
