import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createNumberedRoom, createRoom, sendMessage } from '../helpers/factories.js';
import {
  badRequest,
  clientNotFound,
  FRESH_MESSAGE_STATE,
  HEX24,
  ISO,
  messageTimes,
  NOT_ROOM_MEMBER,
  ROOM_FROZEN,
  ROOM_NOT_FOUND,
  shapeB,
} from '../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../helpers/expect.js';

/** Messages over HTTP (spec 5.1-5.8, resolutions 12.5 items 46-55). */

const MESSAGE_EXISTS = shapeB(
  409,
  'Conflict',
  'MESSAGE_EXISTS',
  'A message with this ID already exists; choose another _id',
);
const MESSAGE_NOT_FOUND = shapeB(
  404,
  'Message not found',
  'MESSAGE_NOT_FOUND',
  'The specified message does not exist in this room',
);
const DELETE_DENIED = shapeB(
  403,
  'Permission denied',
  'INSUFFICIENT_PERMISSION',
  'Only platform admin, room owner or room manager can delete messages',
);
const EDIT_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only the sender, room owner, manager, or platform admin can edit a message',
);
const RECALL_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only the sender, room owner, manager, or platform admin can recall a message',
);
const PIN_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner, manager, or platform admin can pin messages',
);
const UNPIN_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner, manager, or platform admin can unpin messages',
);

/** Waits until the clock has moved on by at least two milliseconds, so timestamps strictly order. */
async function tick(): Promise<void> {
  const start = Date.now();
  while (Date.now() < start + 2) await sleep(1);
}

/** A user summary as embedded in message payloads (spec 1.9): no tokens, no custom fields. */
function expectSummary(summary: any, id: string, nickname: string): void {
  expect(summary).toMatchObject({
    _id: id,
    id,
    nickname,
    avatarUrl: expect.any(String),
    isRobot: false,
    lastLoginTimeMS: expect.any(Number),
  });
  const allowed = [
    '_id',
    'id',
    'nickname',
    'avatarUrl',
    'description',
    'isRobot',
    'lastLoginTime',
    'lastLoginTimeMS',
    'userAgent',
  ];
  for (const key of Object.keys(summary)) expect(allowed, `unexpected summary field ${key}`).toContain(key);
}

let t: TestApp;
let alice: string;
let bob: string;
let carol: string;
let olga: string;
let mona: string;
/** A fresh group room: olga owns it, mona manages it, alice and bob are plain members. */
const makeRoom = (fields: Record<string, unknown> = {}) =>
  createNumberedRoom(t, 'room', {
    owner: 'olga',
    managers: ['mona'],
    members: ['olga', 'mona', 'alice', 'bob'],
    ...fields,
  });

/** POST /messages (admin send); returns the stored message. */
const send = (room: string, sender: string, message: unknown, fields: Record<string, unknown> = {}) =>
  sendMessage(t, room, sender, message, fields);

/** POST /messages expected to fail. */
async function send400(room: string, message: string): Promise<LightMyRequestResponse> {
  return t.admin('POST', '/messages', { room, sender: 'alice', message, messageType: 'text' });
}

async function list(room: string, query = '', token?: string): Promise<any> {
  const url = `/rooms/${room}/messages/v3${query ? `?${query}` : ''}`;
  return expectOk(token ? await t.asUser(token, 'GET', url) : await t.admin('GET', url));
}

/** A 200 of DELETE /rooms/:id/messages/:messageId, with its own RM (spec 5.6). */
function expectDeleted(response: LightMyRequestResponse): any {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({ RC: 0, RM: 'Message deleted successfully', result: { deletedCount: 1 } });
  return response.json().result;
}

const ids = (page: any): string[] => page.data.map((message: any) => message._id);

beforeAll(async () => {
  t = await buildTestApp();
  alice = await t.createUser('alice', { nickname: 'Alice' });
  bob = await t.createUser('bob', { nickname: 'Bob' });
  carol = await t.createUser('carol', { nickname: 'Carol' });
  olga = await t.createUser('olga', { nickname: 'Olga' });
  mona = await t.createUser('mona', { nickname: 'Mona' });
  await t.createUser('system', { nickname: 'System' });
});
afterAll(() => t.close());

describe('POST /messages (spec 5.1)', () => {
  it('stores the message and answers it with sender as the id string', async () => {
    const room = await makeRoom();
    const before = Date.now();
    const response = await t.admin('POST', '/messages', {
      room,
      sender: 'system',
      message: 'Maintenance at noon',
      messageType: 'announcement',
    });
    const after = Date.now();
    const result = expectOk(response);
    expect(result).toStrictEqual({
      _id: expect.stringMatching(HEX24),
      id: result._id,
      room,
      message: 'Maintenance at noon',
      messageType: 'announcement',
      sender: 'system',
      appID: t.appId,
      ...messageTimes(),
      ...FRESH_MESSAGE_STATE,
    });
    expect(result.messageTimeMS).toBeGreaterThanOrEqual(before);
    expect(result.messageTimeMS).toBeLessThanOrEqual(after);
    expect(result.createdAtMS).toBe(result.messageTimeMS);
    expect(result.updatedAtMS).toBe(result.createdAtMS);
    expect(result.messageTime).toBe(new Date(result.messageTimeMS).toISOString());
    expect(result.createdAt).toBe(new Date(result.createdAtMS).toISOString());
    expect(result.updatedAt).toBe(new Date(result.updatedAtMS).toISOString());
    // ObjectId style (spec 1.6): the first 8 hex digits are the creation time in seconds.
    expect(Number.parseInt(result._id.slice(0, 8), 16)).toBe(Math.floor(result.createdAtMS / 1000));

    // Everywhere else the sender is expanded; the room's last message is this one.
    const page = await list(room);
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      _id: result._id,
      message: 'Maintenance at noon',
      messageType: 'announcement',
    });
    expectSummary(page.data[0].sender, 'system', 'System');
    const detail = expectOk(await t.admin('GET', `/rooms/${room}`));
    expect(detail.lastMessage._id).toBe(result._id);
    expectSummary(detail.lastMessage.sender, 'system', 'System');
  });

  it('counts the message as unread for the other members, not for the sender', async () => {
    const room = await makeRoom();
    await send(room, 'alice', 'one');
    await send(room, 'alice', 'two');
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).unread).toBe(2);
    expect(expectOk(await t.asUser(alice, 'GET', `/rooms/${room}`)).unread).toBe(0);
  });

  it('keeps every field of each message type of spec 1.10 as sent', async () => {
    const room = await makeRoom();
    const bodies: Array<Record<string, unknown>> = [
      { messageType: 'text', message: 'Hello @bob', mentions: ['bob'] },
      {
        messageType: 'image',
        message: '',
        originalUrl: 'https://cdn.example/a.jpg',
        thumbnailUrl: 'https://cdn.example/a_t.jpg',
        width: 1024,
        height: 768,
      },
      {
        messageType: 'image',
        message: '',
        images: [
          {
            originalUrl: 'https://cdn.example/1.jpg',
            thumbnailUrl: 'https://cdn.example/1_t.jpg',
            width: 640,
            height: 480,
          },
          {
            originalUrl: 'https://cdn.example/2.jpg',
            thumbnailUrl: 'https://cdn.example/2_t.jpg',
            width: 480,
            height: 640,
          },
        ],
      },
      {
        messageType: 'video',
        message: '',
        originalUrl: 'https://cdn.example/v.mp4',
        thumbnailUrl: 'https://cdn.example/v.jpg',
        width: 1920,
        height: 1080,
        duration: 93,
      },
      { messageType: 'audio', message: '', originalUrl: 'https://cdn.example/a.m4a', duration: 12.5 },
      { messageType: 'location', message: 'Taipei 101', latitude: 25.033964, longitude: 121.564468 },
      { messageType: 'sticker', message: '', sticker: 'sticker-pack-7/42' },
      {
        messageType: 'url',
        message: 'Look at this',
        url: 'https://example.com/article',
        extra: { title: 'An article', description: 'About things', images: ['https://example.com/og.png'] },
      },
      {
        messageType: 'file',
        message: 'report.pdf',
        url: 'https://cdn.example/report.pdf',
        extra: { title: 'report.pdf', mimetype: 'application/pdf' },
      },
      {
        messageType: 'template',
        message: 'Choose one',
        template: {
          type: 'buttons',
          text: 'Choose',
          actions: [
            { type: 'postback', label: 'A', data: 'a=1' },
            { type: 'uri', label: 'B', uri: 'https://b' },
          ],
        },
      },
      {
        messageType: 'flex',
        message: 'Flex card',
        contents: {
          type: 'bubble',
          body: {
            type: 'box',
            layout: 'vertical',
            contents: [{ type: 'text', text: 'Hi', weight: 'bold', size: 'xl' }],
          },
        },
      },
      {
        messageType: 'payment',
        message: 'Paid',
        extra: {
          type: 'transfer',
          payer: 'alice',
          payee: 'bob',
          value: 1234.56,
          timestamp: 1700000000000,
          status: 'done',
          method: 'card',
          currency: 'TWD',
          remark: 'dinner',
        },
      },
      {
        messageType: 'custom-order',
        message: 'Order #7',
        orderId: 7,
        shipped: false,
        discount: null,
        tags: ['urgent', 'gift'],
        deep: { a: { b: { c: [1, 'two', true, null, { d: 'é🌏' }] } } },
        extra: { anything: 'goes', n: 0 },
      },
      { messageType: 'text', message: 42 },
      { messageType: 'text', message: 0 },
      { messageType: 'text', message: false },
      { messageType: 'text', message: '' },
      { messageType: 'custom', message: { card: { title: 'Object message', items: [1, 2, 3] } } },
      { messageType: 'custom', message: ['an', 'array', 1] },
    ];
    const sentIds: string[] = [];
    for (const body of bodies) {
      const result = expectOk(await t.admin('POST', '/messages', { room, sender: 'alice', ...body }));
      for (const [field, value] of Object.entries(body))
        expect(result[field], `${body.messageType}: ${field}`).toStrictEqual(value);
      expect(result.sender).toBe('alice');
      sentIds.push(result._id);
    }
    // Stored as sent: the list answers the same fields (newest first).
    const page = await list(room, 'limit=100');
    expect(page.totalCount).toBe(bodies.length);
    expect(ids(page)).toStrictEqual([...sentIds].reverse());
    bodies.forEach((body, index) => {
      const stored = page.data[bodies.length - 1 - index];
      for (const [field, value] of Object.entries(body))
        expect(stored[field], `${body.messageType}: ${field} (stored)`).toStrictEqual(value);
      expectSummary(stored.sender, 'alice', 'Alice');
    });
  });

  it('does not let the body override managed fields', async () => {
    const room = await makeRoom();
    const result = expectOk(
      await t.admin('POST', '/messages', {
        room,
        sender: 'alice',
        message: 'hi',
        messageType: 'text',
        _id: 'ffffffffffffffffffffffff',
        appID: 'other-app',
        pinned: true,
        reactionCount: 9,
        createdAtMS: 1,
        messageTimeMS: 1,
      }),
    );
    expect(result._id).not.toBe('ffffffffffffffffffffffff');
    expect(result.appID).toBe(t.appId);
    expect(result.pinned).toBe(false);
    expect(result.reactionCount).toBe(0);
    expect(result.createdAtMS).toBeGreaterThan(1);
    expect(result.messageTimeMS).toBe(result.createdAtMS);
  });

  it('publishes message.created with push true by default and false when asked (spec 5.1, 12 item 49)', async () => {
    const room = await makeRoom();
    const seen: Array<{ id: string; push: boolean; mentions: string[] }> = [];
    const stop = t.services.bus.subscribe('message.created', (event) => {
      if (event.roomId === room)
        seen.push({ id: String(event.message._id), push: event.push, mentions: event.mentions });
    });
    try {
      const first = await send(room, 'alice', 'pushed', { mentions: ['bob'] });
      const second = await send(room, 'alice', 'quiet', { push: false });
      expect(seen).toStrictEqual([
        { id: first._id, push: true, mentions: ['bob'] },
        { id: second._id, push: false, mentions: [] },
      ]);
    } finally {
      stop();
    }
  });

  it('refuses a null message with 400 INVALID_REQUEST (12 item 46)', async () => {
    const room = await makeRoom();
    expectBody(
      await t.admin('POST', '/messages', { room, sender: 'alice', message: null, messageType: 'text' }),
      400,
      badRequest('Missing required field: message'),
    );
    expect((await list(room)).totalCount).toBe(0);
  });

  it('requires message, messageType, room and sender', async () => {
    const room = await makeRoom();
    const full = { room, sender: 'alice', message: 'hi', messageType: 'text' };
    const without = (field: string) => Object.fromEntries(Object.entries(full).filter(([key]) => key !== field));
    expectBody(
      await t.admin('POST', '/messages', without('message')),
      400,
      badRequest('Missing required field: message'),
    );
    expectBody(
      await t.admin('POST', '/messages', without('messageType')),
      400,
      badRequest('Missing required field: messageType'),
    );
    expectBody(await t.admin('POST', '/messages', without('room')), 400, badRequest('Missing required field: room'));
    expectBody(
      await t.admin('POST', '/messages', without('sender')),
      400,
      badRequest('Missing required field: sender'),
    );
    expectBody(
      await t.admin('POST', '/messages', { ...full, messageType: '' }),
      400,
      badRequest('Missing required field: messageType'),
    );
    expectBody(
      await t.admin('POST', '/messages', { ...full, room: '' }),
      400,
      badRequest('Missing required field: room'),
    );
    expectBody(
      await t.admin('POST', '/messages', { ...full, sender: '' }),
      400,
      badRequest('Missing required field: sender'),
    );
    for (const body of [
      { ...full, messageType: 7 },
      { ...full, room: 7 },
      { ...full, sender: ['alice'] },
      { ...full, mentions: 'bob' },
      { ...full, mentions: [1] },
    ]) {
      const response = await t.admin('POST', '/messages', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toStrictEqual(badRequest(expect.any(String)));
    }
    const empty = await t.admin('POST', '/messages', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toStrictEqual(badRequest(expect.stringMatching(/^Missing required field: /)));
    expect((await list(room)).totalCount).toBe(0);
  });

  it('answers 404 ROOM_NOT_FOUND for an unknown room and 404 CLIENT_NOT_FOUND for an unknown sender (12 item 48)', async () => {
    const room = await makeRoom();
    expectBody(
      await t.admin('POST', '/messages', { room: 'no-such-room', sender: 'alice', message: 'hi', messageType: 'text' }),
      404,
      ROOM_NOT_FOUND,
    );
    expectBody(
      await t.admin('POST', '/messages', { room, sender: 'ghost', message: 'hi', messageType: 'text' }),
      404,
      clientNotFound('ghost'),
    );
    expect((await list(room)).totalCount).toBe(0);
  });

  it('lets any existing user send, member of the room or not', async () => {
    const room = await makeRoom();
    const result = await send(room, 'carol', 'from outside');
    expect(result.sender).toBe('carol');
    expect((await list(room, '', alice)).data[0]._id).toBe(result._id);
  });

  it('is refused to a user token', async () => {
    const room = await makeRoom();
    const response = await t.asUser(alice, 'POST', '/messages', {
      room,
      sender: 'alice',
      message: 'hi',
      messageType: 'text',
    });
    expect(response.statusCode).toBe(401);
    expect((await list(room)).totalCount).toBe(0);
  });

  it('refuses content above the default limit of 64 KiB of JSON', async () => {
    const room = await makeRoom();
    expectBody(
      await send400(room, 'x'.repeat(65_536)),
      400,
      badRequest('A message must be at most 65536 bytes of JSON'),
    );
    expect((await send(room, 'alice', 'x'.repeat(60_000))).message).toHaveLength(60_000);
    expect((await list(room)).totalCount).toBe(1);
  });

  it("still takes the admin's messages in a frozen room, while members are refused (12 item 36)", async () => {
    const room = await makeRoom();
    const before = await send(room, 'alice', 'before freezing');
    const frozen = await t.admin('PUT', `/rooms/${room}`, { status: 0 });
    expect(frozen.json()).toMatchObject({ RC: 0, RM: 'Room frozen successfully' });
    const result = await send(room, 'system', 'Room is frozen');
    expect(result.room).toBe(room);
    expectBody(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, { message: 'let me in', messageType: 'text' }),
      403,
      ROOM_FROZEN,
    );
    expectBody(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
        _id: before._id,
        message: 'edited',
        messageType: 'text',
      }),
      403,
      ROOM_FROZEN,
    );
    expectBody(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, { _id: before._id, messageType: 'recall' }),
      403,
      ROOM_FROZEN,
    );
    // Reads still work.
    expect(ids(await list(room, '', alice))).toStrictEqual([result._id, before._id]);
    // The API key may also send through the room endpoint.
    const viaRoom = expectOk(
      await t.admin('POST', `/rooms/${room}/message`, {
        sender: 'system',
        message: 'also frozen',
        messageType: 'text',
      }),
    );
    expect(ids(await list(room))).toStrictEqual([viaRoom._id, result._id, before._id]);
  });
});

describe('overridden limits: limits.messageBytes and limits.pageSize', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await buildTestApp({
      limits: { messageBytes: 1024, batchSize: 5, pageSize: 10, roomMembers: 100, fileBytes: 1_048_576 },
    });
    await small.createUser('alice');
    await createRoom(small, { _id: 'r', members: ['alice'] });
    await createRoom(small, { _id: 'paged', members: ['alice'] });
    for (let i = 0; i < 15; i++)
      expectOk(
        await small.admin('POST', '/messages', {
          room: 'paged',
          sender: 'alice',
          message: `m${i}`,
          messageType: 'text',
        }),
      );
  });
  afterAll(() => small.close());

  const tooLarge = badRequest('A message must be at most 1024 bytes of JSON');
  const post = (body: Record<string, unknown>) =>
    small.admin('POST', '/messages', { room: 'r', sender: 'alice', messageType: 'text', ...body });

  it('takes content within the limit', async () => {
    expectOk(await post({ message: 'x'.repeat(900) }));
  });

  it('refuses a larger message with 400 INVALID_REQUEST', async () => {
    expectBody(await post({ message: 'x'.repeat(2000) }), 400, tooLarge);
  });

  it('counts bytes, not characters', async () => {
    // 300 four-byte characters: 600 UTF-16 units, 1200 bytes.
    expectBody(await post({ message: '🌏'.repeat(300) }), 400, tooLarge);
  });

  it('counts every field of the content, not only message', async () => {
    expectBody(await post({ message: 'small', extra: { blob: 'y'.repeat(2000) } }), 400, tooLarge);
    expectBody(await post({ message: { nested: 'z'.repeat(2000) } }), 400, tooLarge);
  });

  it('applies to member sends and edits too', async () => {
    const token = await small.createUser('alice');
    expectBody(
      await small.asUser(token, 'POST', '/rooms/r/message', { message: 'x'.repeat(2000), messageType: 'text' }),
      400,
      tooLarge,
    );
    const sent = expectOk(
      await small.asUser(token, 'POST', '/rooms/r/message', { message: 'short', messageType: 'text' }),
    );
    expectBody(
      await small.asUser(token, 'POST', '/rooms/r/message', {
        _id: sent._id,
        message: 'x'.repeat(2000),
        messageType: 'text',
      }),
      400,
      tooLarge,
    );
    const page = expectOk(await small.admin('GET', '/rooms/r/messages/v3'));
    expect(page.data.find((message: any) => message._id === sent._id).message).toBe('short');
  });

  it('caps limit, and the default of 20, at the configured page size', async () => {
    for (const query of ['', '?limit=20', '?limit=100']) {
      const page = expectOk(await small.admin('GET', `/rooms/paged/messages/v3${query}`));
      expect(page.totalCount).toBe(15);
      expect(
        page.data.map((message: any) => message.message),
        query,
      ).toStrictEqual(['m14', 'm13', 'm12', 'm11', 'm10', 'm9', 'm8', 'm7', 'm6', 'm5']);
    }
    const three = expectOk(await small.admin('GET', '/rooms/paged/messages/v3?limit=3'));
    expect(three.data).toHaveLength(3);
  });
});

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
    const result = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
        message: 'I am bob',
        messageType: 'text',
        sender: 'bob',
      }),
    );
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
      const seen: string[] = [];
      const stop = t.services.bus.subscribe('message.updated', (event) => {
        if (event.roomId === room) seen.push(String(event.message._id));
      });
      let edited: any;
      try {
        edited = expectOk(
          await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
            _id: original._id,
            message: 'fixed',
            messageType: 'text',
            extra: { edited: true },
          }),
        );
      } finally {
        stop();
      }
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
      const REWRITE_DENIED = shapeB(
        403,
        'Forbidden',
        'INSUFFICIENT_PERMISSIONS',
        'Only the sender or the platform admin can edit a message; a room superuser may recall or delete it',
      );
      expectBody(
        await t.asUser(olga, 'POST', `/rooms/${room}/message`, {
          _id: original._id,
          message: 'v2',
          messageType: 'text',
        }),
        403,
        REWRITE_DENIED,
      );
      expectBody(
        await t.asUser(mona, 'POST', `/rooms/${room}/message`, {
          _id: original._id,
          message: 'v3',
          messageType: 'text',
        }),
        403,
        REWRITE_DENIED,
      );
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
      expectBody(
        await t.asUser(bob, 'POST', `/rooms/${room}/message`, {
          _id: original._id,
          message: 'hijacked',
          messageType: 'text',
        }),
        403,
        EDIT_DENIED,
      );
      expectBody(
        await t.asUser(carol, 'POST', `/rooms/${room}/message`, {
          _id: original._id,
          message: 'hijacked',
          messageType: 'text',
        }),
        403,
        NOT_ROOM_MEMBER,
      );
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
      expectBody(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
          _id: elsewhere._id,
          message: 'moved?',
          messageType: 'text',
        }),
        409,
        MESSAGE_EXISTS,
      );
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
      const again = expectOk(
        await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
          _id: chosen,
          message: 'second',
          messageType: 'text',
        }),
      );
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
      const numeric = await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
        _id: 12345,
        message: 'x',
        messageType: 'text',
      });
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
      const seen: string[] = [];
      const stop = t.services.bus.subscribe('message.recalled', (event) => {
        if (event.roomId === room) seen.push(String(event.message._id));
      });
      let recalled: any;
      try {
        recalled = expectOk(
          await t.asUser(alice, 'POST', `/rooms/${room}/message`, { messageType: 'recall', _id: original._id }),
        );
      } finally {
        stop();
      }
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

describe('GET /rooms/:id/messages/v3 (spec 5.4, 12 item 52)', () => {
  let room: string;
  /** m[0] oldest … m[24] newest; a clock gap lies between m[9] and m[10]. */
  const m: string[] = [];
  let gap = 0;

  beforeAll(async () => {
    room = await makeRoom();
    for (let i = 0; i < 25; i++) {
      if (i === 10) {
        await tick();
        gap = Date.now();
        await tick();
      }
      m.push((await send(room, i % 2 ? 'bob' : 'alice', `message ${i}`))._id);
    }
  });

  const range = (from: number, to: number) => m.slice(from, to + 1).reverse();

  it('answers the 20 newest by default, newest first, with totalCount, inspect and userDeletedIDs', async () => {
    const page = await list(room, '', alice);
    expect(Object.keys(page).sort()).toStrictEqual(['data', 'inspect', 'totalCount', 'userDeletedIDs']);
    expect(page.totalCount).toBe(25);
    expect(page.userDeletedIDs).toStrictEqual([]);
    expect(page.inspect).toStrictEqual({ query: { appID: t.appId, room }, tookMS: expect.any(Number) });
    expect(ids(page)).toStrictEqual(range(5, 24));
    expect(page.data[0]).toMatchObject({
      room,
      message: 'message 24',
      messageType: 'text',
      appID: t.appId,
      reactions: [],
      reactionCount: 0,
      pinned: false,
    });
    expectSummary(page.data[0].sender, 'alice', 'Alice');
    expectSummary(page.data[1].sender, 'bob', 'Bob');
  });

  it('honours limit', async () => {
    expect(ids(await list(room, 'limit=5', bob))).toStrictEqual(range(20, 24));
    expect(ids(await list(room, 'limit=1'))).toStrictEqual([m[24]]);
    const all = await list(room, 'limit=100');
    expect(ids(all)).toStrictEqual(range(0, 24));
    expect(all.totalCount).toBe(25);
  });

  it('pages back with beforeMessage until nothing is left', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 5; round++) {
      const page = await list(room, `limit=10${cursor ? `&beforeMessage=${cursor}` : ''}`, alice);
      expect(page.totalCount).toBe(25);
      if (page.data.length === 0) break;
      seen.push(...ids(page));
      cursor = page.data[page.data.length - 1]._id;
    }
    expect(seen).toStrictEqual(range(0, 24));
    expect(ids(await list(room, `beforeMessage=${m[0]}`))).toStrictEqual([]);
    expect(ids(await list(room, `limit=3&beforeMessage=${m[10]}`))).toStrictEqual(range(7, 9));
  });

  it('answers the messages closest after afterMessage, newest first', async () => {
    expect(ids(await list(room, `limit=3&afterMessage=${m[4]}`))).toStrictEqual(range(5, 7));
    expect(ids(await list(room, `afterMessage=${m[4]}`))).toStrictEqual(range(5, 24));
    expect(ids(await list(room, `afterMessage=${m[2]}`))).toStrictEqual(range(3, 22));
    expect(ids(await list(room, `afterMessage=${m[24]}`))).toStrictEqual([]);
  });

  it('combines beforeMessage and afterMessage into a window', async () => {
    expect(ids(await list(room, `afterMessage=${m[4]}&beforeMessage=${m[10]}`))).toStrictEqual(range(5, 9));
    expect(ids(await list(room, `afterMessage=${m[4]}&beforeMessage=${m[10]}&limit=2`))).toStrictEqual(range(5, 6));
  });

  it('filters with afterTime as an ISO string or a millisecond epoch', async () => {
    const iso = new Date(gap).toISOString();
    for (const value of [encodeURIComponent(iso), String(gap), encodeURIComponent(iso.replace('Z', '+00:00'))]) {
      const page = await list(room, `afterTime=${value}`, alice);
      expect(ids(page), value).toStrictEqual(range(10, 24));
      expect(page.totalCount).toBe(25);
      expect(ids(await list(room, `afterTime=${value}&limit=3`)), value).toStrictEqual(range(10, 12));
    }
    expect(ids(await list(room, `afterTime=${Date.now() + 60_000}`))).toStrictEqual([]);
    // The messages closest after the time: the oldest ones.
    expect(ids(await list(room, 'afterTime=0'))).toStrictEqual(range(0, 19));
    const page = await list(room, `afterTime=${gap}&timeRangeField=createdAt`);
    expect(ids(page)).toStrictEqual(range(10, 24));
    expect(page.inspect.query).toStrictEqual({ appID: t.appId, room, createdAt: { $gt: iso } });
  });

  it('refuses a bad afterTime, an unknown timeRangeField and unknown cursors with 400', async () => {
    const other = await makeRoom();
    const foreign = (await send(other, 'alice', 'elsewhere'))._id;
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterTime=yesterday`),
      400,
      badRequest('afterTime must be an ISO-8601 time or a millisecond epoch'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterTime=2024-02-30T00:00:00Z`),
      400,
      badRequest('afterTime must be an ISO-8601 time or a millisecond epoch'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?beforeMessage=ffffffffffffffffffffffff`),
      400,
      badRequest('beforeMessage is not a message of this room'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?afterMessage=${foreign}`),
      400,
      badRequest('afterMessage is not a message of this room'),
    );
    expectBody(
      await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?beforeMessage=not-an-id`),
      400,
      badRequest('beforeMessage is not a message of this room'),
    );
    for (const query of ['timeRangeField=sentAt', 'limit=-1', 'limit=ten']) {
      const response = await t.asUser(alice, 'GET', `/rooms/${room}/messages/v3?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toStrictEqual(badRequest(expect.any(String)));
    }
  });

  it('refuses non-members with 403 NOT_ROOM_MEMBER, unknown rooms with 404, and lets the API key read', async () => {
    expectBody(await t.asUser(carol, 'GET', `/rooms/${room}/messages/v3`), 403, NOT_ROOM_MEMBER);
    expectBody(await t.asUser(carol, 'GET', '/rooms/no-such-room/messages/v3'), 404, ROOM_NOT_FOUND);
    expectBody(await t.admin('GET', '/rooms/no-such-room/messages/v3'), 404, ROOM_NOT_FOUND);
    expect((await list(room)).totalCount).toBe(25);
  });

  it('refuses a member once removed from the room', async () => {
    const other = await makeRoom();
    await send(other, 'alice', 'before removal');
    expect((await list(other, '', bob)).totalCount).toBe(1);
    expectOk(await t.admin('POST', `/rooms/${other}/delete/members`, { members: ['bob'] }));
    expectBody(await t.asUser(bob, 'GET', `/rooms/${other}/messages/v3`), 403, NOT_ROOM_MEMBER);
    expectBody(
      await t.asUser(bob, 'POST', `/rooms/${other}/message`, { message: 'still here?', messageType: 'text' }),
      403,
      NOT_ROOM_MEMBER,
    );
  });

  it('caps limit at 100 (spec 5.4)', async () => {
    const big = await makeRoom();
    const sent = new Set<string>();
    // A few sends at a time: their order among themselves does not matter here.
    for (let chunk = 0; chunk < 17; chunk++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => send(big, 'alice', `bulk ${chunk * 6 + i}`)),
      );
      for (const result of results) sent.add(result._id);
    }
    expect(sent.size).toBe(102);
    const capped = await list(big, 'limit=1000', alice);
    expect(capped.totalCount).toBe(102);
    expect(capped.data).toHaveLength(100);
    const times = capped.data.map((message: any) => message.updatedAtMS);
    expect(times).toStrictEqual([...times].sort((a, b) => b - a));
    // The two left out are the two oldest.
    const [secondOldest, oldest] = ids(await list(big, 'limit=2&afterTime=0'));
    expect(new Set([...ids(capped), secondOldest, oldest])).toStrictEqual(sent);
    expect(ids(await list(big, 'limit=101'))).toStrictEqual(ids(capped));
    expect(ids(await list(big, `limit=500&afterMessage=${secondOldest}`))).toStrictEqual(ids(capped));
    // After the oldest: the 100 closest, i.e. all but the newest.
    expect(ids(await list(big, `limit=500&afterMessage=${oldest}`))).toStrictEqual([
      ...ids(capped).slice(1),
      secondOldest,
    ]);
  });

  describe('timeRangeField: edits and recalls resurface on updatedAt', () => {
    let timed: string;
    let n: string[];
    let mark = 0;

    beforeAll(async () => {
      timed = await makeRoom();
      n = [];
      for (let i = 0; i < 4; i++) {
        n.push(
          expectOk(await t.asUser(alice, 'POST', `/rooms/${timed}/message`, { message: `n${i}`, messageType: 'text' }))
            ._id,
        );
        await tick();
      }
      mark = Date.now();
      await tick();
      expectOk(
        await t.asUser(alice, 'POST', `/rooms/${timed}/message`, {
          _id: n[1],
          message: 'n1 edited',
          messageType: 'text',
        }),
      );
      await tick();
      expectOk(await t.asUser(alice, 'POST', `/rooms/${timed}/message`, { _id: n[2], messageType: 'recall' }));
      await tick();
      n.push(
        expectOk(await t.asUser(bob, 'POST', `/rooms/${timed}/message`, { message: 'n4', messageType: 'text' }))._id,
      );
    });

    it('lists by updatedAt by default: changed messages come back as newest', async () => {
      const [n0, n1, n2, n3, n4] = n;
      expect(ids(await list(timed, '', bob))).toStrictEqual([n4, n2, n1, n3, n0]);
      expect(ids(await list(timed, 'timeRangeField=updatedAt'))).toStrictEqual([n4, n2, n1, n3, n0]);
      expect(ids(await list(timed, 'timeRangeField=createdAt'))).toStrictEqual([n4, n3, n2, n1, n0]);
      expect(ids(await list(timed, 'timeRangeField=messageTime'))).toStrictEqual([n4, n3, n2, n1, n0]);
      expect((await list(timed)).totalCount).toBe(5);
    });

    it('afterTime on updatedAt finds the edited and recalled messages; on createdAt/messageTime it does not', async () => {
      const [, n1, n2, , n4] = n;
      const updated = await list(timed, `afterTime=${mark}`, bob);
      expect(ids(updated)).toStrictEqual([n4, n2, n1]);
      expect(updated.data[1]).toMatchObject({ _id: n2, messageType: 'recall', message: '' });
      expect(updated.data[2]).toMatchObject({ _id: n1, message: 'n1 edited' });
      expect(updated.inspect.query).toStrictEqual({
        appID: t.appId,
        room: timed,
        updatedAt: { $gt: new Date(mark).toISOString() },
      });
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=updatedAt`))).toStrictEqual([n4, n2, n1]);
      expect(
        ids(
          await list(timed, `afterTime=${encodeURIComponent(new Date(mark).toISOString())}&timeRangeField=updatedAt`),
        ),
      ).toStrictEqual([n4, n2, n1]);
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=createdAt`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterTime=${mark}&timeRangeField=messageTime`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterTime=${mark}&limit=2`))).toStrictEqual([n2, n1]);
    });

    it('compares beforeMessage and afterMessage on the chosen field', async () => {
      const [n0, n1, n2, n3, n4] = n;
      expect(ids(await list(timed, `beforeMessage=${n3}`))).toStrictEqual([n0]);
      expect(ids(await list(timed, `beforeMessage=${n3}&timeRangeField=createdAt`))).toStrictEqual([n2, n1, n0]);
      expect(ids(await list(timed, `afterMessage=${n0}`))).toStrictEqual([n4, n2, n1, n3]);
      expect(ids(await list(timed, `afterMessage=${n3}`))).toStrictEqual([n4, n2, n1]);
      expect(ids(await list(timed, `afterMessage=${n3}&timeRangeField=createdAt`))).toStrictEqual([n4]);
      expect(ids(await list(timed, `afterMessage=${n1}&timeRangeField=messageTime`))).toStrictEqual([n4, n3, n2]);
    });
  });
});

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
