import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createRoom } from '../../helpers/factories.js';
import { badRequest, clientNotFound, ROOM_FROZEN, ROOM_NOT_FOUND } from '../../helpers/errors.js';
import { FRESH_MESSAGE_STATE, HEX24, messageTimes } from '../../helpers/wire.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import {
  alice,
  bob,
  expectSummary,
  ids,
  list,
  makeRoom,
  send,
  t,
  useMessagesApp,
} from '../../helpers/messages-suite.js';

/** POST /messages expected to fail. */
async function send400(room: string, message: string): Promise<LightMyRequestResponse> {
  return t.admin('POST', '/messages', { room, sender: 'alice', message, messageType: 'text' });
}

useMessagesApp();

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
