import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import type { DomainEvents, EventType } from '../../../src/events/event-bus.js';
import { createRoom } from '../../helpers/factories.js';
import { CHAT_EVENTS } from '../../helpers/wire.js';

/**
 * Every state change of the chat surface publishes its domain event on the bus (what the real-time
 * gateway, webhooks and caches build on), with the payload of src/events/event-bus.ts; a refused
 * request publishes nothing. The tests run in order and share one room ("ev-room").
 */

type Recorded = { [T in EventType]: { type: T; payload: DomainEvents[T] } }[EventType];

const ROOM = 'ev-room';
const ANN = 'ann';
const BEN = 'ben';
const CAT = 'cat';
const DAN = 'dan';

describe('chat domain events', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let events: Recorded[] = [];
  const unsubscribe: Array<() => void> = [];

  /** The events published since the last call, and a fresh start. */
  const take = (): Recorded[] => {
    const taken = events;
    events = [];
    return taken;
  };
  const types = (list: Recorded[]) => list.map((event) => event.type);
  const only = <T extends EventType>(list: Recorded[], type: T): DomainEvents[T] => {
    const found = list.filter((event) => event.type === type);
    expect(found, `exactly one ${type} in ${JSON.stringify(types(list))}`).toHaveLength(1);
    return found[0]!.payload as DomainEvents[T];
  };
  const as = (user: string) => (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    t.asUser(tokens[user]!, method, url, body);
  const ann = as(ANN);
  const ben = as(BEN);
  const cat = as(CAT);
  const dan = as(DAN);
  const appId = () => t.appId;
  /** The result of a 200 answer whose RM is the endpoint's own text (spec 5.6). */
  const resultWith = (response: LightMyRequestResponse, rm: string) => {
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ RC: 0, RM: rm });
    return response.json().result;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const [id, nickname] of [
      [ANN, 'Ann'],
      [BEN, 'Ben'],
      [CAT, 'Cat'],
      [DAN, 'Dan'],
    ])
      tokens[id!] = await t.createUser(id!, { nickname });
    for (const type of CHAT_EVENTS) {
      unsubscribe.push(t.services.bus.subscribe(type, (payload) => events.push({ type, payload } as Recorded)));
    }
  });
  afterAll(async () => {
    for (const stop of unsubscribe) stop();
    await t.close();
  });

  describe('rooms', () => {
    it('room.created and member.added for a created room, plus message.created for its system message', async () => {
      take();
      const room = await createRoom(t, {
        _id: ROOM,
        name: 'Events',
        roomTags: ['ev'],
        owner: ANN,
        members: [ANN, BEN],
        systemMessage: true,
      });
      const published = take();
      expect(types(published)).toStrictEqual(['room.created', 'member.added', 'message.created']);
      const created = only(published, 'room.created');
      expect(created).toMatchObject({ appId: appId(), roomId: ROOM, members: [ANN, BEN], actor: null });
      const { lastMessage: _last, members: memberIds, ...fields } = room;
      expect(created.room).toMatchObject(fields);
      // The room in full, as its `room` push carries it: members as users (IMKIT's mobile SDKs parse them so).
      expect(created.room!.members).toMatchObject(
        memberIds.map((id: string) => ({ _id: id, id, clientType: 'user', isSocketConnected: false })),
      );
      expect(only(published, 'member.added')).toStrictEqual({
        appId: appId(),
        roomId: ROOM,
        userIds: [ANN, BEN],
        members: [ANN, BEN],
        actor: null,
      });
      const message = only(published, 'message.created');
      expect(message).toMatchObject({
        appId: appId(),
        roomId: ROOM,
        members: [ANN, BEN],
        push: true,
        skipTotalBadge: false,
        mentions: [],
      });
      expect(message.message).toMatchObject({
        _id: room.lastMessage._id,
        room: ROOM,
        messageType: 'addMembers',
        message: 'Ann, Ben',
      });
    });

    it('names the acting user: createAndJoin by a user', async () => {
      take();
      const room = expectOk(await cat('POST', '/rooms/createAndJoin', { name: 'Cat joins', invitee: DAN }));
      const published = take();
      expect(types(published)).toStrictEqual(['room.created', 'member.added']);
      expect(only(published, 'room.created')).toMatchObject({ appId: appId(), roomId: room._id, actor: CAT });
      expect([...only(published, 'room.created').members].sort()).toStrictEqual([CAT, DAN]);
      const added = only(published, 'member.added');
      expect(added.actor).toBe(CAT);
      expect([...added.userIds].sort()).toStrictEqual([CAT, DAN]);
    });

    it('publishes room.created once for a direct room: creating it again changes nothing', async () => {
      take();
      const room = expectOk(await ann('POST', '/rooms', { roomType: 'direct', members: [ANN, DAN] }));
      expect(room._id).toBe(createHash('md5').update([ANN, DAN].sort().join('_')).digest('hex'));
      expect(types(take())).toStrictEqual(['room.created', 'member.added']);
      await createRoom(t, { roomType: 'direct', members: [DAN, ANN] });
      expect(take()).toStrictEqual([]);
    });

    it('room.updated with the updated room, for an update and for a freeze', async () => {
      take();
      const updated = expectOk(await ann('PUT', `/rooms/${ROOM}`, { name: 'Events renamed', description: 'new' }));
      let published = take();
      expect(types(published)).toStrictEqual(['room.updated']);
      const event = only(published, 'room.updated');
      expect(event).toMatchObject({ appId: appId(), roomId: ROOM, members: [ANN, BEN], actor: ANN });
      expect(event.room).toStrictEqual(updated);
      expect(event.room).toMatchObject({ name: 'Events renamed', description: 'new' });

      const frozen = await t.admin('PUT', `/rooms/${ROOM}`, { status: 0 });
      expect(resultWith(frozen, 'Room frozen successfully').status).toBe(0);
      published = take();
      expect(only(published, 'room.updated')).toMatchObject({ roomId: ROOM, actor: null, room: { status: 0 } });
      expectOk(await t.admin('PUT', `/rooms/${ROOM}`, { status: 1 }, { 'im-client-id': ANN }));
      expect(only(take(), 'room.updated')).toMatchObject({ roomId: ROOM, actor: ANN, room: { status: 1 } });
    });

    it('room.muted when a user mutes or unmutes, once per change', async () => {
      take();
      expectOk(await ben('POST', `/me/mute/${ROOM}`));
      expect(take()).toStrictEqual([
        { type: 'room.muted', payload: { appId: appId(), roomId: ROOM, userId: BEN, muted: true } },
      ]);
      expectOk(await ben('POST', `/me/mute/${ROOM}`));
      expect(take()).toStrictEqual([]);
      expectOk(await ben('DELETE', `/me/mute/${ROOM}`));
      expect(take()).toStrictEqual([
        { type: 'room.muted', payload: { appId: appId(), roomId: ROOM, userId: BEN, muted: false } },
      ]);
    });
  });

  describe('members', () => {
    it('member.added with the new members and everyone now in the room', async () => {
      take();
      expectOk(await ben('POST', `/rooms/${ROOM}/members`, { invitees: [CAT, BEN] }));
      expect(take()).toStrictEqual([
        {
          type: 'member.added',
          payload: { appId: appId(), roomId: ROOM, userIds: [CAT], members: [ANN, BEN, CAT], actor: BEN },
        },
      ]);
      // Already a member: nothing changes.
      expectOk(await ben('POST', `/rooms/${ROOM}/members`, { invitees: [CAT] }));
      expect(take()).toStrictEqual([]);
    });

    it('invitation.created for an invitation; member.added when the invitee joins', async () => {
      take();
      const room = expectOk(await ann('POST', `/rooms/${ROOM}/members`, { invitees: [DAN], invitationRequired: true }));
      expect(room.members.map((member: any) => member._id)).not.toContain(DAN);
      expect(take()).toStrictEqual([
        {
          type: 'invitation.created',
          payload: {
            appId: appId(),
            roomId: ROOM,
            userIds: [DAN],
            members: [ANN, BEN, CAT],
            actor: ANN,
            inviter: {
              _id: ANN,
              id: ANN,
              nickname: 'Ann',
              avatarUrl: '',
              clientType: 'user',
              isRobot: false,
              lastLoginTimeMS: 0,
            },
            invitedAt: expect.any(Number),
            // Each invitee's summary, for the complete `invitation` push (history 12.3).
            invitees: {
              [DAN]: {
                _id: DAN,
                id: DAN,
                nickname: 'Dan',
                avatarUrl: '',
                clientType: 'user',
                isRobot: false,
                lastLoginTimeMS: 0,
              },
            },
          },
        },
      ]);
      expectOk(await dan('POST', `/rooms/${ROOM}/join`));
      expect(take()).toStrictEqual([
        {
          type: 'member.added',
          payload: { appId: appId(), roomId: ROOM, userIds: [DAN], members: [ANN, BEN, CAT, DAN], actor: DAN },
        },
      ]);
      // Joining again is no change.
      expectOk(await dan('POST', `/rooms/${ROOM}/join`));
      expect(take()).toStrictEqual([]);
    });

    it('member.updated for a custom property and for a role, with the assignAdmin message', async () => {
      take();
      expectOk(await cat('PUT', `/rooms/${ROOM}/member/${CAT}`, { property: 'level', value: { n: 3 } }));
      expect(take()).toStrictEqual([
        {
          type: 'member.updated',
          payload: { appId: appId(), roomId: ROOM, userId: CAT, property: 'level', value: { n: 3 }, actor: CAT },
        },
      ]);
      expectOk(await ann('PUT', `/rooms/${ROOM}/member/${BEN}`, { property: 'role', value: 'admin' }));
      const published = take();
      expect(types(published)).toStrictEqual(['member.updated', 'message.created']);
      expect(only(published, 'member.updated')).toStrictEqual({
        appId: appId(),
        roomId: ROOM,
        userId: BEN,
        property: 'role',
        value: 'admin',
        actor: ANN,
      });
      const message = only(published, 'message.created');
      expect(message).toMatchObject({
        roomId: ROOM,
        members: [ANN, BEN, CAT, DAN],
        push: true,
        skipTotalBadge: false,
        mentions: [],
      });
      expect(message.message).toMatchObject({ messageType: 'assignAdmin', room: ROOM, sender: { _id: ANN } });
    });

    it('member.removed with the removed users and the members before, plus the system message', async () => {
      take();
      expectOk(await ann('POST', `/rooms/${ROOM}/delete/members`, { members: [DAN], systemMessage: true }));
      let published = take();
      expect(types(published)).toStrictEqual(['member.removed', 'message.created']);
      expect(only(published, 'member.removed')).toStrictEqual({
        appId: appId(),
        roomId: ROOM,
        userIds: [DAN],
        members: [ANN, BEN, CAT, DAN],
        actor: ANN,
      });
      expect(only(published, 'message.created')).toMatchObject({
        roomId: ROOM,
        message: { messageType: 'deleteMember', extra: { members: [{ _id: DAN }] } },
      });

      expectOk(await cat('POST', `/rooms/${ROOM}/delete/members`, { members: [CAT] }));
      published = take();
      expect(published).toStrictEqual([
        {
          type: 'member.removed',
          payload: { appId: appId(), roomId: ROOM, userIds: [CAT], members: [ANN, BEN, CAT], actor: CAT },
        },
      ]);
      // Back in, for the message tests.
      expectOk(await ann('POST', `/rooms/${ROOM}/members`, { invitees: [CAT] }));
      expect(types(take())).toStrictEqual(['member.added']);
    });
  });

  describe('messages', () => {
    let first: any;
    let second: any;

    it('message.created from POST /messages with push, skipTotalBadge, mentions and the members', async () => {
      take();
      const sent = expectOk(
        await t.admin('POST', '/messages', {
          room: ROOM,
          sender: BEN,
          message: 'hello @cat',
          messageType: 'text',
          push: false,
          skipTotalBadge: true,
          mentions: [CAT, CAT, ANN],
        }),
      );
      const published = take();
      expect(types(published)).toStrictEqual(['message.created']);
      const event = only(published, 'message.created');
      expect(event).toMatchObject({
        appId: appId(),
        roomId: ROOM,
        members: [ANN, BEN, CAT],
        push: false,
        skipTotalBadge: true,
        mentions: [CAT, ANN],
      });
      // The message as the API answers it, with the sender expanded (spec 1.9, 12 item 47).
      expect(event.message).toStrictEqual({ ...sent, sender: expect.objectContaining({ _id: BEN, nickname: 'Ben' }) });
      first = sent;

      // The defaults: push true (spec 5.1, 12 item 49), skipTotalBadge false, no mentions.
      expectOk(await t.admin('POST', '/messages', { room: ROOM, sender: ANN, message: 'plain', messageType: 'text' }));
      expect(only(take(), 'message.created')).toMatchObject({ push: true, skipTotalBadge: false, mentions: [] });
    });

    it('message.created from a member send, equal to the response', async () => {
      take();
      const sent = expectOk(
        await cat('POST', `/rooms/${ROOM}/message`, { message: 'from cat', messageType: 'text', mentions: [BEN] }),
      );
      const event = only(take(), 'message.created');
      expect(event).toMatchObject({
        appId: appId(),
        roomId: ROOM,
        members: [ANN, BEN, CAT],
        push: true,
        skipTotalBadge: false,
        mentions: [BEN],
      });
      expect(event.message).toStrictEqual(sent);
      second = sent;
    });

    it('message.created from a batch: push false by default (spec 12 item 49), with the batchID', async () => {
      take();
      const batch = expectOk(
        await t.admin('POST', '/messages/batch', {
          message: 'batch to $who$',
          messageType: 'text',
          sender: ANN,
          paras: [{ room: ROOM, $who$: 'all' }],
        }),
      );
      let published: Recorded[] = [];
      for (let i = 0; i < 100 && published.length === 0; i++) {
        await sleep(20);
        published = events.filter((event) => event.type === 'message.created');
      }
      const event = only(take(), 'message.created');
      expect(event).toMatchObject({
        roomId: ROOM,
        members: [ANN, BEN, CAT],
        push: false,
        skipTotalBadge: false,
        mentions: [],
      });
      expect(event.message).toMatchObject({ message: 'batch to all', batchID: batch.batchID, sender: { _id: ANN } });
    });

    it('message.updated for an edit', async () => {
      take();
      const edited = expectOk(
        await cat('POST', `/rooms/${ROOM}/message`, {
          _id: second._id,
          message: 'from cat, edited',
          messageType: 'text',
        }),
      );
      expect(take()).toStrictEqual([
        {
          type: 'message.updated',
          payload: { appId: appId(), roomId: ROOM, message: edited, members: [ANN, BEN, CAT] },
        },
      ]);
      expect(edited).toMatchObject({ _id: second._id, message: 'from cat, edited' });
    });

    it('message.recalled for a recall, and nothing for a second recall', async () => {
      take();
      const recalled = expectOk(
        await cat('POST', `/rooms/${ROOM}/message`, { messageType: 'recall', _id: second._id }),
      );
      expect(take()).toStrictEqual([
        {
          type: 'message.recalled',
          payload: { appId: appId(), roomId: ROOM, message: recalled, members: [ANN, BEN, CAT] },
        },
      ]);
      expect(recalled).toMatchObject({ _id: second._id, message: '', messageType: 'recall', sender: { _id: CAT } });
      expectOk(await cat('POST', `/rooms/${ROOM}/message`, { messageType: 'recall', _id: second._id }));
      expect(take()).toStrictEqual([]);
    });

    it('message.pinned; pinning another also publishes message.unpinned for the previous one', async () => {
      take();
      const pinned = expectOk(await ann('POST', `/messages/${first._id}/pin`));
      expect(take()).toStrictEqual([
        {
          type: 'message.pinned',
          payload: { appId: appId(), roomId: ROOM, message: pinned, members: [ANN, BEN, CAT] },
        },
      ]);
      expect(pinned).toMatchObject({ _id: first._id, pinned: true, isPined: true });

      const next = expectOk(await ben('POST', `/messages/${second._id}/pin`));
      const published = take();
      expect(types(published).sort()).toStrictEqual(['message.pinned', 'message.unpinned']);
      expect(only(published, 'message.pinned')).toStrictEqual({
        appId: appId(),
        roomId: ROOM,
        message: next,
        members: [ANN, BEN, CAT],
      });
      const unpinned = only(published, 'message.unpinned');
      expect(unpinned).toMatchObject({
        appId: appId(),
        roomId: ROOM,
        members: [ANN, BEN, CAT],
        message: { _id: first._id, pinned: false, isPined: false },
      });
      // Pinning the pinned message again changes nothing.
      expectOk(await ben('POST', `/messages/${second._id}/pin`));
      expect(take()).toStrictEqual([]);
    });

    it('message.unpinned for an unpin, and nothing for an unpin of an unpinned message', async () => {
      take();
      const unpinned = expectOk(await ann('DELETE', `/messages/${second._id}/pin`));
      expect(take()).toStrictEqual([
        {
          type: 'message.unpinned',
          payload: { appId: appId(), roomId: ROOM, message: unpinned, members: [ANN, BEN, CAT] },
        },
      ]);
      expect(unpinned).toMatchObject({ pinned: false, isPined: false });
      expectOk(await ann('DELETE', `/messages/${second._id}/pin`));
      expect(take()).toStrictEqual([]);
    });

    it('read.updated with the read position and the new badge', async () => {
      take();
      const latest = expectOk(await ann('GET', `/rooms/${ROOM}/messages/v3?limit=1&timeRangeField=createdAt`)).data[0];
      const read = expectOk(await ben('PUT', `/rooms/${ROOM}/lastRead`, { message: first._id }));
      expect(take()).toStrictEqual([
        {
          type: 'read.updated',
          payload: { appId: appId(), roomId: ROOM, userId: BEN, lastRead: first._id, badge: read.badge },
        },
      ]);
      expect(read.badge).toBeGreaterThan(0);
      const caughtUp = expectOk(await ben('PUT', `/rooms/${ROOM}/lastRead`, { message: latest._id }));
      expect(caughtUp.badge).toBe(0);
      expect(take()).toStrictEqual([
        {
          type: 'read.updated',
          payload: { appId: appId(), roomId: ROOM, userId: BEN, lastRead: latest._id, badge: 0 },
        },
      ]);
    });

    it('message.deleted for one message, by a user and by the API key', async () => {
      take();
      const removed = resultWith(
        await ann('DELETE', `/rooms/${ROOM}/messages/${first._id}`),
        'Message deleted successfully',
      );
      expect(take()).toStrictEqual([
        {
          type: 'message.deleted',
          payload: {
            appId: appId(),
            roomId: ROOM,
            messageIds: [first._id],
            all: false,
            deletedBy: ANN,
            members: [ANN, BEN, CAT],
          },
        },
      ]);
      expect(removed.deletedBy).toBe(ANN);
      resultWith(await t.admin('DELETE', `/rooms/${ROOM}/messages/${second._id}`), 'Message deleted successfully');
      expect(take()).toStrictEqual([
        {
          type: 'message.deleted',
          payload: {
            appId: appId(),
            roomId: ROOM,
            messageIds: [second._id],
            all: false,
            deletedBy: 'admin',
            members: [ANN, BEN, CAT],
          },
        },
      ]);
    });

    it('message.deleted with all: true for _all', async () => {
      take();
      const result = resultWith(
        await ben('DELETE', `/rooms/${ROOM}/messages/_all`),
        'All messages deleted successfully',
      );
      expect(result.deletedCount).toBeGreaterThan(0);
      const published = take();
      expect(types(published)).toStrictEqual(['message.deleted']);
      const event = only(published, 'message.deleted');
      expect(event).toMatchObject({
        appId: appId(),
        roomId: ROOM,
        all: true,
        deletedBy: BEN,
        members: [ANN, BEN, CAT],
      });
      expect(Array.isArray(event.messageIds)).toBe(true);
    });
  });

  describe('refused requests', () => {
    it('publish nothing', async () => {
      // A closed second room where cat is not a member, with a message; and one more message in ev-room.
      await createRoom(t, { _id: 'ev-closed', owner: ANN, opening: 0, members: [ANN, BEN] });
      const message = expectOk(
        await t.admin('POST', '/messages', { room: ROOM, sender: ANN, message: 'keep me', messageType: 'text' }),
      );
      const closedMessage = expectOk(
        await t.admin('POST', '/messages', { room: 'ev-closed', sender: BEN, message: 'closed', messageType: 'text' }),
      );
      take();

      const refused: Array<[string, () => Promise<LightMyRequestResponse>, number]> = [
        ['create: bad roomType', () => ann('POST', '/rooms', { roomType: 'channel', members: [ANN] }), 400],
        ['create: existing id', () => ann('POST', '/rooms', { _id: ROOM, members: [ANN] }), 409],
        ['create: unknown member', () => ann('POST', '/rooms', { members: [ANN, 'nobody'], systemMessage: true }), 404],
        ['create and join: existing id', () => dan('POST', '/rooms/createAndJoin', { _id: ROOM }), 409],
        ['update: not a superuser', () => cat('PUT', `/rooms/${ROOM}`, { name: 'no' }), 403],
        ['update: change roomType', () => ann('PUT', `/rooms/${ROOM}`, { roomType: 'direct' }), 400],
        ['update: unknown room', () => ann('PUT', '/rooms/nope', { name: 'no' }), 404],
        ['freeze: not a superuser', () => cat('PUT', `/rooms/${ROOM}`, { status: 0 }), 403],
        ['delete room: not a superuser', () => cat('DELETE', `/rooms/${ROOM}`), 403],
        ['mute: unknown room', () => cat('POST', '/me/mute/nope'), 404],
        ['add: not a member', () => dan('POST', `/rooms/${ROOM}/members`, { invitees: [DAN] }), 403],
        [
          'add: unknown invitee',
          () => ann('POST', `/rooms/${ROOM}/members`, { invitees: [DAN, 'nobody'], systemMessage: true }),
          404,
        ],
        [
          'invite: unknown invitee',
          () => ann('POST', `/rooms/${ROOM}/members`, { invitees: ['nobody'], invitationRequired: true }),
          404,
        ],
        ['add: closed room, not a superuser', () => ben('POST', '/rooms/ev-closed/members', { invitees: [CAT] }), 403],
        ['join: closed room', () => cat('POST', '/rooms/ev-closed/join'), 403],
        [
          'remove: none is a member',
          () => ann('POST', `/rooms/${ROOM}/delete/members`, { members: [DAN], systemMessage: true }),
          400,
        ],
        [
          'remove: not a superuser in an owned room',
          () => cat('POST', `/rooms/${ROOM}/delete/members`, { members: [BEN] }),
          403,
        ],
        ['remove: not a member', () => dan('POST', `/rooms/${ROOM}/delete/members`, { members: [CAT] }), 403],
        [
          'member property: reserved name',
          () => cat('PUT', `/rooms/${ROOM}/member/${CAT}`, { property: 'badge', value: 0 }),
          400,
        ],
        [
          'member role: not a superuser',
          () => cat('PUT', `/rooms/${ROOM}/member/${CAT}`, { property: 'role', value: 'admin' }),
          403,
        ],
        [
          'member role: bad value',
          () => ann('PUT', `/rooms/${ROOM}/member/${CAT}`, { property: 'role', value: 'king' }),
          400,
        ],
        [
          "member property: someone else's",
          () => cat('PUT', `/rooms/${ROOM}/member/${ANN}`, { property: 'level', value: 1 }),
          403,
        ],
        [
          'member property: not a member',
          () => ann('PUT', `/rooms/${ROOM}/member/${DAN}`, { property: 'level', value: 1 }),
          404,
        ],
        [
          'admin send: unknown room',
          () => t.admin('POST', '/messages', { room: 'nope', sender: ANN, message: 'x', messageType: 'text' }),
          404,
        ],
        [
          'admin send: unknown sender',
          () => t.admin('POST', '/messages', { room: ROOM, sender: 'nobody', message: 'x', messageType: 'text' }),
          404,
        ],
        [
          'admin send: no message',
          () => t.admin('POST', '/messages', { room: ROOM, sender: ANN, messageType: 'text' }),
          400,
        ],
        [
          'admin send: too large',
          () =>
            t.admin('POST', '/messages', { room: ROOM, sender: ANN, message: 'x'.repeat(70_000), messageType: 'text' }),
          400,
        ],
        ['send: not a member', () => dan('POST', `/rooms/${ROOM}/message`, { message: 'x', messageType: 'text' }), 403],
        ['send: no messageType', () => cat('POST', `/rooms/${ROOM}/message`, { message: 'x' }), 400],
        [
          'send: bad new _id',
          () => cat('POST', `/rooms/${ROOM}/message`, { _id: 'not-hex', message: 'x', messageType: 'text' }),
          400,
        ],
        [
          "edit: someone else's message",
          () => cat('POST', `/rooms/${ROOM}/message`, { _id: message._id, message: 'x', messageType: 'text' }),
          403,
        ],
        [
          'edit: message of another room',
          () => ann('POST', `/rooms/${ROOM}/message`, { _id: closedMessage._id, message: 'x', messageType: 'text' }),
          409,
        ],
        [
          "recall: someone else's message",
          () => cat('POST', `/rooms/${ROOM}/message`, { messageType: 'recall', _id: message._id }),
          403,
        ],
        [
          'recall: unknown message',
          () => ann('POST', `/rooms/${ROOM}/message`, { messageType: 'recall', _id: 'aaaaaaaaaaaaaaaaaaaaaaaa' }),
          404,
        ],
        ['delete message: not a superuser', () => cat('DELETE', `/rooms/${ROOM}/messages/${message._id}`), 403],
        ['delete all: not a superuser', () => cat('DELETE', `/rooms/${ROOM}/messages/_all`), 403],
        ['delete message: unknown', () => ann('DELETE', `/rooms/${ROOM}/messages/aaaaaaaaaaaaaaaaaaaaaaaa`), 404],
        ['pin: not a superuser', () => cat('POST', `/messages/${message._id}/pin`), 403],
        ['pin: not a member', () => dan('POST', `/messages/${message._id}/pin`), 404],
        ['unpin: not a superuser', () => cat('DELETE', `/messages/${message._id}/pin`), 403],
        ['read: not a member', () => dan('PUT', `/rooms/${ROOM}/lastRead`, { message: message._id }), 403],
        [
          'read: message of another room',
          () => ann('PUT', `/rooms/${ROOM}/lastRead`, { message: closedMessage._id }),
          404,
        ],
        [
          'batch: too few fields',
          () => t.admin('POST', '/messages/batch', { message: 'x', messageType: 'text', paras: [] }),
          400,
        ],
        [
          'any: a wrong IM-CLIENT-ID',
          () =>
            t.app.inject({
              method: 'POST',
              url: `/rooms/${ROOM}/message`,
              payload: { message: 'x', messageType: 'text' },
              headers: { 'im-client-key': t.clientKey, 'im-authorization': tokens[CAT]!, 'im-client-id': ANN },
            }),
          403,
        ],
        [
          'any: an invalid token',
          () => t.asUser('not-a-token', 'POST', `/rooms/${ROOM}/message`, { message: 'x', messageType: 'text' }),
          401,
        ],
      ];
      for (const [what, request, status] of refused) {
        const response = await request();
        expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
        expect(take(), what).toStrictEqual([]);
      }

      // Frozen: sends and member changes by non-admins are refused, silently.
      resultWith(await ann('PUT', `/rooms/${ROOM}`, { status: 0 }), 'Room frozen successfully');
      expect(types(take())).toStrictEqual(['room.updated']);
      for (const [what, request] of [
        ['send', () => cat('POST', `/rooms/${ROOM}/message`, { message: 'x', messageType: 'text' })],
        ['add', () => ann('POST', `/rooms/${ROOM}/members`, { invitees: [DAN] })],
        ['pin', () => ann('POST', `/messages/${message._id}/pin`)],
        ['recall', () => ann('POST', `/rooms/${ROOM}/message`, { messageType: 'recall', _id: message._id })],
      ] as const) {
        const response = await request();
        expect(response.json().error?.code, `${what} in a frozen room: ${response.body}`).toBe('ROOM_FROZEN');
        expect(take(), `${what} in a frozen room`).toStrictEqual([]);
      }
      expectOk(await ann('PUT', `/rooms/${ROOM}`, { status: 1 }));
      take();
      // Give a late (e.g. Redis-relayed) delivery the chance to show up.
      await sleep(50);
      expect(take()).toStrictEqual([]);
    });
  });

  it('room.deleted with the members the room had', async () => {
    take();
    expect(expectOk(await ben('DELETE', `/rooms/${ROOM}`))).toStrictEqual({ n: 1, ok: 1 });
    expect(take()).toStrictEqual([
      {
        type: 'room.deleted',
        payload: {
          appId: appId(),
          roomId: ROOM,
          members: [ANN, BEN, CAT],
          actor: BEN,
          // The room is gone when the event is fanned out: its fields and members (as users) come with it.
          room: expect.objectContaining({
            _id: ROOM,
            id: ROOM,
            members: [ANN, BEN, CAT].map((id) => expect.objectContaining({ _id: id, clientType: 'user' })),
          }),
        },
      },
    ]);
    expect((await t.admin('DELETE', `/rooms/${ROOM}`)).statusCode).toBe(404);
    expect(take()).toStrictEqual([]);
  });
});
