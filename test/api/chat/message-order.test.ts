import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageStore } from '../../../src/modules/chat/message-store.js';
import type { DomainEvents } from '../../../src/events/event-bus.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { buildTestApp, onPostgres, type TestApp } from '../../helpers/test-app.js';

type Created = DomainEvents['message.created'];

/**
 * Concurrent writers of one room (issue 11): on PostgreSQL a user's message is written in one
 * statement that takes the room's lock only while the room is as its sender read it; every
 * message still names its predecessor, and a room that changed meanwhile writes nothing that way.
 */
describe('the messages of one room, written at once', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['ada', 'bo', 'cy', 'dee']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 'busy', members: ['ada', 'bo', 'cy'] });
    await createRoom(t, { _id: 'guarded', members: ['ada', 'bo'] });
  });
  afterAll(() => t.close());

  it('form one chain: each names the message before it as its predecessor', async () => {
    const created: Created[] = [];
    const stop = t.services.bus.subscribe('message.created', (event) => {
      if (event.roomId === 'busy') created.push(event);
    });
    const first = expectOk(
      await t.asUser(tokens.ada!, 'POST', '/rooms/busy/message', { message: 'first', messageType: 'text' }),
    );
    await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        t
          .asUser(tokens[['ada', 'bo', 'cy'][n % 3]!]!, 'POST', '/rooms/busy/message', {
            message: `m${n}`,
            messageType: 'text',
          })
          .then(expectOk),
      ),
    );
    stop();
    expect(created).toHaveLength(31);
    const chain = [...created].sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(chain[0]!.message._id).toBe(first._id);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.previousSeq).toBe(chain[i - 1]!.seq);
    const room = expectOk(await t.admin('GET', '/rooms/busy'));
    expect(room.lastMessage._id).toBe(chain.at(-1)!.message._id);
    // Time order is the same order: a message is never earlier than the one before it.
    const byTime = expectOk(await t.admin('GET', '/rooms/busy/messages/v3?limit=31&timeRangeField=createdAt')).data.map(
      (message: { _id: string }) => message._id,
    );
    expect(byTime.reverse()).toStrictEqual(chain.map((event) => event.message._id));
    // Every other member has all 31 unread; a sender has read up to its own last message.
    const badge = (user: string) => t.asUser(tokens[user]!, 'GET', '/me/badge').then((r) => expectOk(r).badge);
    const lastOf = (user: string) =>
      chain.findLastIndex((event) => (event.message.sender as { _id: string })._id === user);
    for (const user of ['ada', 'bo', 'cy']) expect(await badge(user)).toBe(chain.length - 1 - lastOf(user));
  });

  it('a message joins the chain when a member joined just before it', async () => {
    expectOk(await t.admin('POST', '/rooms/busy/members', { invitees: ['dee'] }));
    const sent = expectOk(
      await t.asUser(tokens.dee!, 'POST', '/rooms/busy/message', { message: 'hi all', messageType: 'text' }),
    );
    expect(expectOk(await t.admin('GET', '/rooms/busy')).lastMessage._id).toBe(sent._id);
  });

  describe.skipIf(!onPostgres)('the write without a held lock (PostgreSQL)', () => {
    const store = () =>
      new MessageStore({
        storage: t.services.storage,
        messages: t.services.messagesRepository,
        rooms: t.services.roomsRepository,
        readStates: t.services.readStatesRepository,
      });
    let counter = 0;
    const draft = (senderId: string) => ({
      appId: t.appId,
      id: `a${String(++counter).padStart(23, '0')}`,
      roomId: 'guarded',
      senderId,
      messageType: 'text',
      content: { message: 'guarded' },
      searchText: 'guarded',
      batchId: null,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    const room = async () => (await t.services.roomsRepository.find(t.appId, 'guarded'))!;
    const guardOf = async (direct = false) => {
      const current = await room();
      return { membersStamp: current.membersStamp, status: current.status, recheckBan: true, recheckBlocks: direct };
    };
    const count = async () => (await room()).messageCount;

    it('writes when the room is as read, naming the last message as predecessor', async () => {
      const before = await room();
      const written = await store().insertIfRoomUnchanged(draft('ada'), await guardOf());
      expect(written?.previousSeq).toBe(before.lastMessageSeq);
      expect((await room()).lastMessageSeq).toBe(written?.stored.seq);
    });

    it('writes nothing when the members changed, the room was frozen or the sender banned since', async () => {
      const stale = await guardOf();
      expectOk(await t.admin('POST', '/rooms/guarded/members', { invitees: ['cy'] }));
      const written = await count();
      expect(await store().insertIfRoomUnchanged(draft('ada'), stale)).toBeUndefined();
      expect(await count()).toBe(written);

      const open = await guardOf();
      expect((await t.admin('PUT', '/rooms/guarded', { status: 0 })).statusCode).toBe(200);
      expect(await store().insertIfRoomUnchanged(draft('ada'), open)).toBeUndefined();
      expect((await t.admin('PUT', '/rooms/guarded', { status: 1 })).statusCode).toBe(200);

      const unbanned = await guardOf();
      expectOk(await t.admin('POST', '/blockStatus/room/guarded/bo'));
      expect(await store().insertIfRoomUnchanged(draft('bo'), unbanned)).toBeUndefined();
      expect(await count()).toBe(written);
    });

    it('writes nothing in a direct room a block closed since', async () => {
      const direct = expectOk(
        await t.asUser(tokens.ada!, 'POST', '/rooms', { roomType: 'direct', members: ['ada', 'cy'] }),
      );
      const guard = async () => {
        const current = (await t.services.roomsRepository.find(t.appId, direct._id))!;
        return { membersStamp: current.membersStamp, status: current.status, recheckBan: true, recheckBlocks: true };
      };
      const open = await guard();
      expectOk(await t.asUser(tokens.cy!, 'POST', `/blockStatus/my/ada`));
      expect(await store().insertIfRoomUnchanged({ ...draft('ada'), roomId: direct._id }, open)).toBeUndefined();
      // Through the API the locked path then decides: the block refuses the message.
      const refused = await t.asUser(tokens.ada!, 'POST', `/rooms/${direct._id}/message`, {
        message: 'hey',
        messageType: 'text',
      });
      expect(refused.statusCode).toBe(403);
    });
  });
});
