import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { badRequest, clientNotFound, insufficient, NOT_ROOM_MEMBER, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { shapeB } from '../../helpers/errors.js';
import { HEX24 } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import {
  alice,
  bob,
  carol,
  expectSummary,
  ids,
  list,
  makeRoom,
  MESSAGE_NOT_FOUND,
} from '../../helpers/messages-suite.js';
import { mona, olga, send, t, tick, useMessagesApp } from '../../helpers/messages-suite.js';

const MESSAGE_EXISTS = shapeB(
  409,
  'Conflict',
  'MESSAGE_EXISTS',
  'A message with this ID already exists; choose another _id',
);

const EDIT_DENIED = insufficient('Only the sender, room owner, manager, or platform admin can edit a message');

const RECALL_DENIED = insufficient('Only the sender, room owner, manager, or platform admin can recall a message');

/** POST /rooms/:id/message of a text message as the user of the token. */
const postText = (token: string, room: string, fields: Record<string, unknown>) =>
  t.asUser(token, 'POST', `/rooms/${room}/message`, { ...fields, messageType: 'text' });

/** Runs `action` and answers its result with the ids of the messages of `room` that `type` events carried meanwhile. */
async function idsOf<T>(
  type: 'message.updated' | 'message.recalled',
  room: string,
  action: () => Promise<T>,
): Promise<[T, string[]]> {
  const seen: string[] = [];
  const stop = t.services.bus.subscribe(type, (event) => {
    if (event.roomId === room) seen.push(String(event.message._id));
  });
  try {
    return [await action(), seen];
  } finally {
    stop();
  }
}

useMessagesApp();

describe('POST /rooms/:id/message (spec 5.2)', () => {
  it('sends as the member of the token, with the sender expanded', async () => {
    const room = await makeRoom();
    const before = Date.now();
    const result = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
        message: 'hi all',
        messageType: 'text',
        extra: { mood: 'happy' },
      }),
    );
    expect(result).toMatchObject({
      _id: expect.stringMatching(HEX24),
      room,
      message: 'hi all',
      messageType: 'text',
      extra: { mood: 'happy' },
      appID: t.appId,
      reactions: [],
      reactionCount: 0,
      pinned: false,
      isPined: false,
    });
    expect(result.id).toBe(result._id);
    expect(result.createdAtMS).toBeGreaterThanOrEqual(before);
    expect(result.updatedAtMS).toBe(result.createdAtMS);
    expectSummary(result.sender, 'alice', 'Alice');
    expect(ids(await list(room, '', bob))).toStrictEqual([result._id]);
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(1);
  });

  it('ignores a sender in the body when called with a token', async () => {
    const room = await makeRoom();
    const result = expectOk(await postText(alice, room, { message: 'I am bob', sender: 'bob' }));
    expectSummary(result.sender, 'alice', 'Alice');
    expect((await list(room)).data[0].sender._id).toBe('alice');
  });

  it('refuses non-members with 403 NOT_ROOM_MEMBER and unknown rooms with 404', async () => {
    const room = await makeRoom();
    expectBody(
      await t.asUser(carol, 'POST', `/rooms/${room}/message`, { message: 'hi', messageType: 'text' }),
      403,
      NOT_ROOM_MEMBER,
    );
    expectBody(
      await t.asUser(carol, 'POST', '/rooms/no-such-room/message', { message: 'hi', messageType: 'text' }),
      404,
      ROOM_NOT_FOUND,
    );
    expect((await list(room)).totalCount).toBe(0);
  });

  it('validates messageType and message', async () => {
    const room = await makeRoom();
    expectBody(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'hi' }),
      400,
      badRequest('Missing required field: messageType'),
    );
    expectBody(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: null, messageType: 'text' }),
      400,
      badRequest('Missing required field: message'),
    );
    expect((await list(room)).totalCount).toBe(0);
  });

  describe('edit: _id of an existing message of the room', () => {
    it('lets the sender edit: same id and creation time, new content and updatedAt', async () => {
      const room = await makeRoom();
      const original = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'typo', messageType: 'text' }),
      );
      await tick();
      const [edited, seen] = await idsOf('message.updated', room, async () =>
        expectOk(await postText(alice, room, { _id: original._id, message: 'fixed', extra: { edited: true } })),
      );
      expect(seen).toStrictEqual([original._id]);
      expect(edited).toMatchObject({
        _id: original._id,
        id: original._id,
        room,
        message: 'fixed',
        messageType: 'text',
        extra: { edited: true },
      });
      expect(edited.createdAtMS).toBe(original.createdAtMS);
      expect(edited.messageTimeMS).toBe(original.messageTimeMS);
      expect(edited.updatedAtMS).toBeGreaterThan(original.updatedAtMS);
      expectSummary(edited.sender, 'alice', 'Alice');
      const page = await list(room);
      expect(page.totalCount).toBe(1);
      expect(page.data).toHaveLength(1);
      expect(page.data[0]).toMatchObject({ _id: original._id, message: 'fixed', extra: { edited: true } });
      // The room's last message shows the new content; search finds the new text, not the old.
      expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).lastMessage).toMatchObject({
        _id: original._id,
        message: 'fixed',
      });
      expect(
        expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'typo' })).messages,
      ).toStrictEqual([]);
      expect(
        expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'fixed' })).messages,
      ).toMatchObject([{ room: { _id: room }, messages: [original._id] }]);
    });

    it('lets the API key edit, the sender staying the author; superusers (owner, manager) may not rewrite it (issue 9 item 19)', async () => {
      const room = await makeRoom();
      const original = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'v1', messageType: 'text' }),
      );
      const REWRITE_DENIED = insufficient(
        'Only the sender or the platform admin can edit a message; a room superuser may recall or delete it',
      );
      expectBody(await postText(olga, room, { _id: original._id, message: 'v2' }), 403, REWRITE_DENIED);
      expectBody(await postText(mona, room, { _id: original._id, message: 'v3' }), 403, REWRITE_DENIED);
      const byAdmin = expectOk(
        await t.admin('POST', `/rooms/${room}/message`, {
          _id: original._id,
          message: 'v4',
          messageType: 'text',
          sender: 'system',
        }),
      );
      expect(byAdmin.message).toBe('v4');
      expect(byAdmin.sender._id).toBe('alice');
      expect((await list(room)).totalCount).toBe(1);
    });

    it('refuses other members with 403 INSUFFICIENT_PERMISSIONS and keeps the message', async () => {
      const room = await makeRoom();
      const original = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'mine', messageType: 'text' }),
      );
      expectBody(await postText(bob, room, { _id: original._id, message: 'hijacked' }), 403, EDIT_DENIED);
      expectBody(await postText(carol, room, { _id: original._id, message: 'hijacked' }), 403, NOT_ROOM_MEMBER);
      const page = await list(room);
      expect(page.data).toHaveLength(1);
      expect(page.data[0]).toMatchObject({ _id: original._id, message: 'mine', updatedAtMS: original.updatedAtMS });
    });

    it('answers 409 MESSAGE_EXISTS for the _id of a message of another room, which stays as it was (issue 9 item 5)', async () => {
      const room = await makeRoom();
      const other = await makeRoom();
      const elsewhere = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${other}/message`, { message: 'elsewhere', messageType: 'text' }),
      );
      expectBody(await postText(alice, room, { _id: elsewhere._id, message: 'moved?' }), 409, MESSAGE_EXISTS);
      expectBody(
        await t.admin('POST', `/rooms/${room}/message`, {
          _id: elsewhere._id,
          message: 'moved?',
          messageType: 'text',
          sender: 'alice',
        }),
        409,
        MESSAGE_EXISTS,
      );
      expect((await list(room)).totalCount).toBe(0);
      const page = await list(other);
      expect(page.data[0]).toMatchObject({ _id: elsewhere._id, message: 'elsewhere', room: other });
    });
  });

  describe('client-chosen _id', () => {
    it('uses a new 24-hex _id as the message id; the same _id again edits it', async () => {
      const room = await makeRoom();
      const chosen = randomBytes(12).toString('hex');
      const created = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { _id: chosen, message: 'first', messageType: 'text' }),
      );
      expect(created._id).toBe(chosen);
      expect(created.id).toBe(chosen);
      const again = expectOk(await postText(alice, room, { _id: chosen, message: 'second' }));
      expect(again._id).toBe(chosen);
      expect(again.message).toBe('second');
      const page = await list(room);
      expect(page.totalCount).toBe(1);
      expect(ids(page)).toStrictEqual([chosen]);
      expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).lastMessage._id).toBe(chosen);
    });

    it('refuses a new _id that is not 24 lowercase hex characters with 400', async () => {
      const room = await makeRoom();
      const notHex = badRequest('_id of a new message must be 24 lowercase hex characters');
      for (const _id of [
        'my-message',
        'ABCDEF0123456789ABCDEF01',
        '0123456789abcdef0123456',
        '0123456789abcdef012345678',
        'g123456789abcdef01234567',
      ]) {
        expectBody(
          await t.asUser(alice, 'POST', `/rooms/${room}/message`, { _id, message: 'x', messageType: 'text' }),
          400,
          notHex,
        );
      }
      expectBody(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { _id: '', message: 'x', messageType: 'text' }),
        400,
        badRequest('_id must be a message id'),
      );
      const numeric = await postText(alice, room, { _id: 12345, message: 'x' });
      expect(numeric.statusCode).toBe(400);
      expect(numeric.json()).toStrictEqual(badRequest(expect.any(String)));
      expect((await list(room)).totalCount).toBe(0);
    });
  });

  describe('recall (spec 5.5, 12 item 54)', () => {
    it('lets the sender recall: message "", type recall, sender kept, media and extra cleared, updatedAt moves', async () => {
      const room = await makeRoom();
      const original = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
          message: 'oops',
          messageType: 'image',
          originalUrl: 'https://cdn.example/x.jpg',
          width: 10,
          height: 10,
          extra: { secret: 'recall me' },
        }),
      );
      await tick();
      const [recalled, seen] = await idsOf('message.recalled', room, async () =>
        expectOk(await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: original._id })),
      );
      expect(seen).toStrictEqual([original._id]);
      expect(recalled).toMatchObject({
        _id: original._id,
        id: original._id,
        room,
        message: '',
        messageType: 'recall',
        appID: t.appId,
      });
      expectSummary(recalled.sender, 'alice', 'Alice');
      expect(recalled.createdAtMS).toBe(original.createdAtMS);
      expect(recalled.messageTimeMS).toBe(original.messageTimeMS);
      expect(recalled.updatedAtMS).toBeGreaterThan(original.updatedAtMS);
      for (const field of ['originalUrl', 'width', 'height', 'extra'])
        expect(recalled, field).not.toHaveProperty(field);

      // Everyone sees it recalled; nothing new was created.
      const page = await list(room, '', bob);
      expect(page.totalCount).toBe(1);
      expect(page.data[0]).toMatchObject({ _id: original._id, message: '', messageType: 'recall' });
      expect(page.data[0]).not.toHaveProperty('extra');
      const found = expectOk(await t.asUser(bob, 'POST', '/search', { type: 'messages', keyword: 'recall me' }));
      expect(found.messages).toStrictEqual([]);
      expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).lastMessage).toMatchObject({
        _id: original._id,
        message: '',
        messageType: 'recall',
      });
    });

    it('is idempotent', async () => {
      const room = await makeRoom();
      const original = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'twice', messageType: 'text' }),
      );
      await tick();
      const first = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: original._id }),
      );
      await tick();
      const second = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: original._id }),
      );
      expect(second).toStrictEqual(first);
      const byAdmin = expectOk(
        await t.admin('POST', `/rooms/${room}/message`, { messageType: 'recall', _id: original._id }),
      );
      expect(byAdmin).toStrictEqual(first);
      expect((await list(room)).totalCount).toBe(1);
    });

    it('lets a superuser and the API key recall; others get 403 INSUFFICIENT_PERMISSIONS', async () => {
      const room = await makeRoom();
      const one = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'one', messageType: 'text' }),
      );
      const two = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'two', messageType: 'text' }),
      );
      const three = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'three', messageType: 'text' }),
      );

      expectBody(
        await t.asUser(bob, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: one._id }),
        403,
        RECALL_DENIED,
      );
      expectBody(
        await t.asUser(carol, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: one._id }),
        403,
        NOT_ROOM_MEMBER,
      );
      expect((await list(room)).data.find((message: any) => message._id === one._id).message).toBe('one');

      const byOwner = expectOk(
        await t.asUser(olga, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: one._id }),
      );
      expect(byOwner).toMatchObject({ message: '', messageType: 'recall' });
      expect(byOwner.sender._id).toBe('alice');
      const byManager = expectOk(
        await t.asUser(mona, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: two._id }),
      );
      expect(byManager.sender._id).toBe('alice');
      const byAdmin = expectOk(
        await t.admin('POST', `/rooms/${room}/message`, { messageType: 'recall', _id: three._id }),
      );
      expect(byAdmin).toMatchObject({ _id: three._id, message: '', messageType: 'recall' });
      expect(byAdmin.sender._id).toBe('alice');
    });

    it('lets a member with role admin recall', async () => {
      const room = await makeRoom();
      const sent = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'hmm', messageType: 'text' }),
      );
      expectOk(await t.admin('PUT', `/rooms/${room}/member/bob`, { property: 'role', value: 'admin' }));
      const recalled = expectOk(
        await t.asUser(bob, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: sent._id }),
      );
      expect(recalled).toMatchObject({ _id: sent._id, messageType: 'recall', message: '' });
      expect(recalled.sender._id).toBe('alice');
    });

    it('needs _id, and answers 404 for unknown messages and messages of another room', async () => {
      const room = await makeRoom();
      const other = await makeRoom();
      const elsewhere = await send(other, 'alice', 'elsewhere');
      expectBody(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall' }),
        400,
        badRequest('Missing required field: _id (the message to recall)'),
      );
      expectBody(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
          messageType: 'recall',
          _id: 'ffffffffffffffffffffffff',
        }),
        404,
        MESSAGE_NOT_FOUND,
      );
      expectBody(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: elsewhere._id }),
        404,
        MESSAGE_NOT_FOUND,
      );
      expectBody(
        await t.asUser(alice, 'POST', '/rooms/no-such-room/message', { messageType: 'recall', _id: elsewhere._id }),
        404,
        ROOM_NOT_FOUND,
      );
      expect((await list(other)).data[0]).toMatchObject({
        _id: elsewhere._id,
        message: 'elsewhere',
        messageType: 'text',
      });
      expect((await list(room)).totalCount).toBe(0);
    });
  });

  describe('with the API key', () => {
    it('sends as body.sender', async () => {
      const room = await makeRoom();
      const result = expectOk(
        await t.admin('POST', `/rooms/${room}/message`, { sender: 'bob', message: 'via key', messageType: 'text' }),
      );
      expectSummary(result.sender, 'bob', 'Bob');
      expect(result.message).toBe('via key');
    });

    it('sends as the IM-CLIENT-ID user when the body names no sender; body.sender wins over it', async () => {
      const room = await makeRoom();
      const byHeader = expectOk(
        await t.admin(
          'POST',
          `/rooms/${room}/message`,
          { message: 'header', messageType: 'text' },
          { 'im-client-id': 'alice' },
        ),
      );
      expectSummary(byHeader.sender, 'alice', 'Alice');
      const both = expectOk(
        await t.admin(
          'POST',
          `/rooms/${room}/message`,
          { sender: 'bob', message: 'both', messageType: 'text' },
          { 'im-client-id': 'alice' },
        ),
      );
      expectSummary(both.sender, 'bob', 'Bob');
      expect((await list(room)).data.map((message: any) => message.sender._id)).toStrictEqual(['bob', 'alice']);
    });

    it('answers 400 without a sender, 404 CLIENT_NOT_FOUND for an unknown one, 404 ROOM_NOT_FOUND for an unknown room', async () => {
      const room = await makeRoom();
      expectBody(
        await t.admin('POST', `/rooms/${room}/message`, { message: 'who?', messageType: 'text' }),
        400,
        badRequest('Missing required field: sender (or IM-CLIENT-ID) with IM-API-KEY'),
      );
      expectBody(
        await t.admin('POST', `/rooms/${room}/message`, { sender: 'ghost', message: 'boo', messageType: 'text' }),
        404,
        clientNotFound('ghost'),
      );
      expectBody(
        await t.admin(
          'POST',
          `/rooms/${room}/message`,
          { message: 'boo', messageType: 'text' },
          { 'im-client-id': 'ghost' },
        ),
        404,
        clientNotFound('ghost'),
      );
      expectBody(
        await t.admin('POST', '/rooms/no-such-room/message', { sender: 'alice', message: 'hi', messageType: 'text' }),
        404,
        ROOM_NOT_FOUND,
      );
      expect((await list(room)).totalCount).toBe(0);
    });
  });
});
