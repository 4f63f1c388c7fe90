import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, clientNotFound, shapeB } from '../../helpers/errors.js';
import { ISO } from '../../helpers/wire.js';
import { expectBody, expectOk, sleep } from '../../helpers/expect.js';
import { createNumberedRoom, createRoom } from '../../helpers/factories.js';

/** Batch send (spec 5.3, 12.5 items 49-51) and its status page (extension). */

const BATCH_NOT_FOUND = shapeB(404, 'Not Found', 'BATCH_NOT_FOUND', 'The specified batch does not exist');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

let t: TestApp;
let bob: string;
const makeRoom = (members = ['alice', 'bob']) => createNumberedRoom(t, 'batch-room', { members });

/** Accepts a batch and checks the acknowledgement: `{batchID, count}` only. */
async function accept(body: Record<string, unknown>): Promise<string> {
  const result = expectOk(await t.admin('POST', '/messages/batch', body));
  expect(result).toStrictEqual({ batchID: expect.any(String), count: (body.paras as unknown[]).length });
  expect(result.batchID).not.toBe('');
  return result.batchID;
}

/** Polls the status page until the batch is done (bounded: fails after 10 s). */
async function waitDone(batchID: string): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = expectOk(await t.admin('GET', `/messages/batch/${encodeURIComponent(batchID)}`));
    expect(status.batchID).toBe(batchID);
    expect(['pending', 'done']).toContain(status.status);
    if (status.status === 'done') return status;
    if (Date.now() > deadline) throw new Error(`batch ${batchID} not done in time: ${JSON.stringify(status)}`);
    await sleep(10);
  }
}

async function messagesOf(room: string): Promise<any[]> {
  return expectOk(await t.admin('GET', `/rooms/${room}/messages/v3?limit=100`)).data;
}

beforeAll(async () => {
  t = await buildTestApp({
    limits: { messageBytes: 65_536, batchSize: 5, pageSize: 100, roomMembers: 10_000, fileBytes: 1_048_576 },
  });
  await t.createUser('alice', { nickname: 'Alice' });
  bob = await t.createUser('bob', { nickname: 'Bob' });
  await t.createUser('carol', { nickname: 'Carol' });
  await t.createUser('zed', { nickname: 'Zed' });
  await t.createUser('amy', { nickname: 'Amy' });
});
afterAll(() => t.close());

describe('POST /messages/batch without sender (12 item 51)', () => {
  // First in the file: the "system" user does not exist yet.
  it('creates the robot user "system" and sends as it', async () => {
    expect((await t.admin('GET', '/admin/clients/system')).statusCode).toBe(404);
    const room = await makeRoom();
    const batchID = await accept({ message: 'Scheduled maintenance', messageType: 'announcement', paras: [{ room }] });
    const status = await waitDone(batchID);
    expect(status).toMatchObject({ sent: 1, failures: [] });
    const system = expectOk(await t.admin('GET', '/admin/clients/system'));
    expect(system).toMatchObject({ _id: 'system', isRobot: true });
    const [message] = await messagesOf(room);
    expect(message).toMatchObject({ message: 'Scheduled maintenance', messageType: 'announcement', batchID });
    expect(message.sender).toMatchObject({ _id: 'system', id: 'system', isRobot: true });
    // A second batch reuses it.
    const again = await accept({ message: 'Again', messageType: 'announcement', paras: [{ room }] });
    expect(await waitDone(again)).toMatchObject({ sent: 1, failures: [] });
    expect((await messagesOf(room))[0].sender._id).toBe('system');
  });
});

describe('POST /messages/batch (spec 5.3)', () => {
  it('acknowledges with {batchID, count}; the status page reports the finished batch', async () => {
    const rooms = [await makeRoom(), await makeRoom(), await makeRoom()];
    const before = Date.now();
    const batchID = await accept({
      message: 'Hello',
      messageType: 'text',
      sender: 'alice',
      paras: rooms.map((room) => ({ room })),
    });
    const status = await waitDone(batchID);
    expect(status).toStrictEqual({
      batchID,
      status: 'done',
      count: 3,
      processed: 3,
      sent: 3,
      failures: [],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(status.createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(status.updatedAt)).toBeGreaterThanOrEqual(Date.parse(status.createdAt));
    for (const room of rooms) {
      const messages = await messagesOf(room);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ room, message: 'Hello', messageType: 'text', batchID });
      expect(messages[0].sender).toMatchObject({ _id: 'alice', nickname: 'Alice' });
    }
    // Two batches get two ids.
    const other = await accept({ message: 'Hello', messageType: 'text', sender: 'alice', paras: [{ room: rooms[0] }] });
    expect(other).not.toBe(batchID);
    await waitDone(other);
  });

  it("substitutes each entry's $key$ placeholders in message and in strings anywhere inside extra", async () => {
    const [first, second, third] = [await makeRoom(), await makeRoom(), await makeRoom()];
    const batchID = await accept({
      message: 'Hi $name$, your code is $code$ ($name$)',
      messageType: 'text',
      sender: 'alice',
      originalUrl: 'https://cdn.example/$name$.png',
      extra: {
        title: 'For $name$',
        nested: { list: ['$code$', 'plain', { deeper: 'code=$code$' }], count: 5, flag: true, nothing: null },
        untouched: 'no placeholders here',
      },
      paras: [
        { room: first, $name$: 'Alice', $code$: 'A-1' },
        { room: second, $name$: 'Bob', $code$: 42 },
        { room: third },
      ],
    });
    expect(await waitDone(batchID)).toMatchObject({ sent: 3, failures: [] });

    const [a] = await messagesOf(first!);
    expect(a.message).toBe('Hi Alice, your code is A-1 (Alice)');
    expect(a.extra).toStrictEqual({
      title: 'For Alice',
      nested: { list: ['A-1', 'plain', { deeper: 'code=A-1' }], count: 5, flag: true, nothing: null },
      untouched: 'no placeholders here',
    });
    // Other message fields are accepted and stored (12 item 50).
    expect(typeof a.originalUrl).toBe('string');
    expect(a.batchID).toBe(batchID);

    const [b] = await messagesOf(second!);
    expect(b.message).toBe('Hi Bob, your code is 42 (Bob)');
    expect(b.extra).toStrictEqual({
      title: 'For Bob',
      nested: { list: ['42', 'plain', { deeper: 'code=42' }], count: 5, flag: true, nothing: null },
      untouched: 'no placeholders here',
    });

    // An entry without placeholder values gets the template as written.
    const [c] = await messagesOf(third!);
    expect(c.message).toBe('Hi $name$, your code is $code$ ($name$)');
    expect(c.extra.title).toBe('For $name$');
  });

  it('keeps the recipient list out of the messages: nobody sees the other entries or their values', async () => {
    const [first, second] = [await makeRoom(['alice']), await makeRoom(['bob'])];
    const batchID = await accept({
      message: 'Your code: $code$',
      messageType: 'text',
      sender: 'alice',
      extra: { hint: '$code$' },
      paras: [
        { room: first, $code$: 'secret-for-alice' },
        { room: second, $code$: 'secret-for-bob' },
      ],
    });
    expect(await waitDone(batchID)).toMatchObject({ sent: 2, failures: [] });
    const [toBob] = expectOk(await t.asUser(bob, 'GET', `/rooms/${second}/messages/v3`)).data;
    expect(toBob).toMatchObject({ message: 'Your code: secret-for-bob', extra: { hint: 'secret-for-bob' }, batchID });
    expect(toBob).not.toHaveProperty('paras');
    expect(JSON.stringify(toBob)).not.toContain('secret-for-alice');
    const [toAlice] = await messagesOf(first);
    expect(toAlice).not.toHaveProperty('paras');
    expect(JSON.stringify(toAlice)).not.toContain('secret-for-bob');
  });

  it("sends to a receiver's direct room, creating it with the md5 id of the pair (spec 1.6)", async () => {
    const pair = md5('alice_carol');
    expectBody(
      await t.admin('GET', `/rooms/${pair}`),
      404,
      shapeB(404, 'Room not found', 'ROOM_NOT_FOUND', 'The specified room does not exist'),
    );
    const batchID = await accept({
      message: 'Hi $name$',
      messageType: 'text',
      sender: 'alice',
      paras: [{ receiver: 'carol', $name$: 'Carol' }],
    });
    expect(await waitDone(batchID)).toMatchObject({ sent: 1, failures: [] });

    const room = expectOk(await t.admin('GET', `/rooms/${pair}`));
    expect(room).toMatchObject({ _id: pair, id: pair, roomType: 'direct', status: 1 });
    expect(room.members.map((member: any) => member._id).sort()).toStrictEqual(['alice', 'carol']);
    expect(room.lastMessage).toMatchObject({ message: 'Hi Carol', batchID });
    const messages = await messagesOf(pair);
    expect(messages).toHaveLength(1);
    expect(messages[0].sender._id).toBe('alice');

    // The same pair again: the existing room, no second one.
    const again = await accept({
      message: 'Hi again',
      messageType: 'text',
      sender: 'alice',
      paras: [{ receiver: 'carol' }],
    });
    expect(await waitDone(again)).toMatchObject({ sent: 1, failures: [] });
    expect((await messagesOf(pair)).map((message: any) => message.message)).toStrictEqual(['Hi again', 'Hi Carol']);
    // Creating the direct room by hand answers the same room (spec 4.1).
    expect((await createRoom(t, { roomType: 'direct', members: ['carol', 'alice'] }))._id).toBe(pair);
  });

  it('orders the pair ascending whoever sends, and reuses a direct room made beforehand', async () => {
    const batchID = await accept({
      message: 'From zed',
      messageType: 'text',
      sender: 'zed',
      paras: [{ receiver: 'amy' }],
    });
    expect(await waitDone(batchID)).toMatchObject({ sent: 1, failures: [] });
    const pair = md5('amy_zed');
    expect((await messagesOf(pair)).map((message: any) => message.message)).toStrictEqual(['From zed']);

    const existing = await createRoom(t, { roomType: 'direct', members: ['alice', 'bob'] });
    expect(existing._id).toBe(md5('alice_bob'));
    const second = await accept({
      message: 'To bob',
      messageType: 'text',
      sender: 'alice',
      paras: [{ receiver: 'bob' }],
    });
    expect(await waitDone(second)).toMatchObject({ sent: 1, failures: [] });
    expect((await messagesOf(existing._id)).map((message: any) => message.message)).toStrictEqual(['To bob']);
    // The receiver has it unread; the sender has not.
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${existing._id}`)).unread).toBe(1);
    expect(
      expectOk(await t.admin('GET', `/rooms/${existing._id}`, undefined, { 'im-client-id': 'alice' })).unread,
    ).toBe(0);
  });

  it('uses room over receiver when an entry has both', async () => {
    const room = await makeRoom(['alice', 'carol']);
    const batchID = await accept({
      message: 'Room wins',
      messageType: 'text',
      sender: 'carol',
      paras: [{ room, receiver: 'amy' }],
    });
    expect(await waitDone(batchID)).toMatchObject({ sent: 1, failures: [] });
    expect((await messagesOf(room)).map((message: any) => message.message)).toStrictEqual(['Room wins']);
    expect((await t.admin('GET', `/rooms/${md5('amy_carol')}`)).statusCode).toBe(404);
  });

  it('records unknown rooms and receivers as failures with index and code, and sends the rest', async () => {
    const [first, last] = [await makeRoom(), await makeRoom()];
    const batchID = await accept({
      message: 'Partial $n$',
      messageType: 'text',
      sender: 'alice',
      paras: [
        { room: first, $n$: '0' },
        { room: 'no-such-room', $n$: '1' },
        { receiver: 'ghost', $n$: '2' },
        { receiver: 'alice', $n$: '3' },
        { room: last, $n$: '4' },
      ],
    });
    const status = await waitDone(batchID);
    expect(status).toMatchObject({ status: 'done', count: 5, processed: 5, sent: 2 });
    expect(status.failures).toStrictEqual([
      { index: 1, code: 'ROOM_NOT_FOUND', message: expect.stringContaining('no-such-room') },
      { index: 2, code: 'CLIENT_NOT_FOUND', message: expect.stringContaining('ghost') },
      { index: 3, code: 'INVALID_REQUEST', message: expect.any(String) },
    ]);
    expect((await messagesOf(first)).map((message: any) => message.message)).toStrictEqual(['Partial 0']);
    expect((await messagesOf(last)).map((message: any) => message.message)).toStrictEqual(['Partial 4']);
    // No direct room with the unknown receiver was made.
    expect((await t.admin('GET', `/rooms/${md5('alice_ghost')}`)).statusCode).toBe(404);
  });

  it('records an entry whose substituted content exceeds the size limit as a failure', async () => {
    const room = await makeRoom();
    const batchID = await accept({
      message: `${'x'.repeat(65_000)}$pad$`,
      messageType: 'text',
      sender: 'alice',
      paras: [
        { room, $pad$: 'y'.repeat(1000) },
        { room, $pad$: 'fits' },
      ],
    });
    const status = await waitDone(batchID);
    expect(status).toMatchObject({
      sent: 1,
      failures: [{ index: 0, code: 'INVALID_REQUEST', message: 'A message must be at most 65536 bytes of JSON' }],
    });
    const messages = await messagesOf(room);
    expect(messages).toHaveLength(1);
    expect(messages[0].message.endsWith('fits')).toBe(true);
  });

  it('does not push by default; push: true turns it on (12 item 49)', async () => {
    const room = await makeRoom();
    const seen: boolean[] = [];
    const stop = t.services.bus.subscribe('message.created', (event) => {
      if (event.roomId === room) seen.push(event.push);
    });
    try {
      await waitDone(await accept({ message: 'quiet', messageType: 'text', sender: 'alice', paras: [{ room }] }));
      await waitDone(
        await accept({ message: 'loud', messageType: 'text', sender: 'alice', push: true, paras: [{ room }] }),
      );
      await waitDone(
        await accept({ message: 'quiet again', messageType: 'text', sender: 'alice', push: false, paras: [{ room }] }),
      );
      // A batch is done once its last message is stored; the announcement follows the commit.
      const deadline = Date.now() + 5_000;
      while (seen.length < 3 && Date.now() < deadline) await sleep(10);
    } finally {
      stop();
    }
    expect(seen).toStrictEqual([false, true, false]);
  });

  describe('validation', () => {
    it('refuses missing or empty paras, entries without receiver or room, and receiver without sender', async () => {
      const room = await makeRoom();
      const base = { message: 'hi', messageType: 'text', sender: 'alice' };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...base }, 'Missing required field: paras'],
        [{ ...base, paras: [] }, 'Missing required field: paras'],
        [{ ...base, paras: [{ $name$: 'x' }] }, 'paras[0] needs a receiver or a room'],
        [{ ...base, paras: [{ room }, { room: '' }] }, 'paras[1] needs a receiver or a room'],
        [{ ...base, paras: [{ room }, { receiver: '' }] }, 'paras[1] needs a receiver or a room'],
        [
          { message: 'hi', messageType: 'text', paras: [{ room }, { receiver: 'bob' }] },
          'paras[1]: a receiver needs a sender (the direct room has two parties)',
        ],
        [{ ...base, message: null, paras: [{ room }] }, 'Missing required field: message'],
        [{ messageType: 'text', sender: 'alice', paras: [{ room }] }, 'Missing required field: message'],
        [{ message: 'hi', sender: 'alice', paras: [{ room }] }, 'Missing required field: messageType'],
      ];
      for (const [body, message] of cases)
        expectBody(await t.admin('POST', '/messages/batch', body), 400, badRequest(message));
      for (const body of [
        { ...base, paras: 'everyone' },
        { ...base, paras: [null] },
        { ...base, paras: ['bob'] },
        { ...base, paras: { room } },
      ]) {
        const response = await t.admin('POST', '/messages/batch', body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json()).toStrictEqual(badRequest(expect.any(String)));
      }
      expect(await messagesOf(room)).toStrictEqual([]);
    });

    it('refuses an unknown sender with 404 CLIENT_NOT_FOUND', async () => {
      const room = await makeRoom();
      expectBody(
        await t.admin('POST', '/messages/batch', {
          message: 'hi',
          messageType: 'text',
          sender: 'ghost',
          paras: [{ room }],
        }),
        404,
        clientNotFound('ghost'),
      );
      expect(await messagesOf(room)).toStrictEqual([]);
    });

    it('refuses more entries than limits.batchSize', async () => {
      const room = await makeRoom();
      const paras = (n: number) => Array.from({ length: n }, (_, index) => ({ room, $i$: String(index) }));
      expectBody(
        await t.admin('POST', '/messages/batch', {
          message: '#$i$',
          messageType: 'text',
          sender: 'alice',
          paras: paras(6),
        }),
        400,
        badRequest('A batch has at most 5 recipients (paras)'),
      );
      expect(await messagesOf(room)).toStrictEqual([]);
      const batchID = await accept({ message: '#$i$', messageType: 'text', sender: 'alice', paras: paras(5) });
      expect(await waitDone(batchID)).toMatchObject({ count: 5, processed: 5, sent: 5, failures: [] });
      expect((await messagesOf(room)).map((message: any) => message.message).sort()).toStrictEqual([
        '#0',
        '#1',
        '#2',
        '#3',
        '#4',
      ]);
    });

    it('refuses a template above limits.messageBytes at once', async () => {
      const room = await makeRoom();
      expectBody(
        await t.admin('POST', '/messages/batch', {
          message: 'x'.repeat(70_000),
          messageType: 'text',
          sender: 'alice',
          paras: [{ room }],
        }),
        400,
        badRequest('A message must be at most 65536 bytes of JSON'),
      );
    });

    it('applies the size limit to each message, not to the whole recipient list', async () => {
      const room = await makeRoom();
      // Five entries of 20 000 bytes each: every message fits in 64 KiB, the request as a whole does not.
      const paras = Array.from({ length: 5 }, (_, index) => ({ room, $body$: String(index).repeat(20_000) }));
      const batchID = await accept({ message: '$body$', messageType: 'text', sender: 'alice', paras });
      expect(await waitDone(batchID)).toMatchObject({ count: 5, sent: 5, failures: [] });
      expect((await messagesOf(room)).map((message: any) => message.message.length)).toStrictEqual([
        20_000, 20_000, 20_000, 20_000, 20_000,
      ]);
    });

    it('is for the API key only', async () => {
      const room = await makeRoom();
      const response = await t.asUser(bob, 'POST', '/messages/batch', {
        message: 'hi',
        messageType: 'text',
        sender: 'bob',
        paras: [{ room }],
      });
      expect(response.statusCode).toBe(401);
      expect(await messagesOf(room)).toStrictEqual([]);
    });
  });
});

describe('GET /messages/batch/:id', () => {
  it('answers 404 BATCH_NOT_FOUND for an unknown batch', async () => {
    expectBody(await t.admin('GET', '/messages/batch/batch-20200101-000000000000'), 404, BATCH_NOT_FOUND);
    expectBody(await t.admin('GET', '/messages/batch/nope'), 404, BATCH_NOT_FOUND);
  });

  it('is for the API key only', async () => {
    const room = await makeRoom();
    const batchID = await accept({ message: 'hi', messageType: 'text', sender: 'alice', paras: [{ room }] });
    await waitDone(batchID);
    expect((await t.asUser(bob, 'GET', `/messages/batch/${batchID}`)).statusCode).toBe(401);
  });
});
