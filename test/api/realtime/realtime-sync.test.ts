import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation } from '../../helpers/socket-clients.js';
import { disconnected, waitFor } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import { GENERATIONS, rawAck, socketPool } from '../../helpers/realtime-suite.js';

describe('real-time: catch-up with sync after a reconnect', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const pool = socketPool();
  afterEach(() => pool.closeAll());

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 's1', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 's2', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 's-other', members: ['alice', 'carol'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    pool.closeAll();
    await t.close();
  });

  const post = async (room: string, text: string) =>
    expectOk(await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' }));
  const signIn = async (generation: Generation, user = 'bob') => {
    const socket = pool.add(await connect(url, generation));
    expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
    return socket;
  };

  for (const generation of GENERATIONS) {
    it(`${generation}: gets exactly what it missed (new messages, an edit, a recall), in order, by last message id or by time`, async () => {
      const tag = `${generation}-${Date.now()}`;
      const first = await signIn(generation);
      const seen: any[] = [];
      for (const text of ['a', 'b', 'c']) {
        const sent = await post('s1', `${tag}-${text}`);
        seen.push(await waitFor(first, 'chat message', (message) => message._id === sent._id));
      }
      const lastSeen = seen.at(-1);
      await sleep(5);
      const lastSeenAt = Date.now();
      await sleep(5);
      first.close();
      await disconnected(first);

      // Missed while away: two new messages in two rooms, an edit and a recall of older messages,
      // and a message in a room bob is not in.
      // (A few ms apart: the order is that of the changes' times.)
      const missed1 = await post('s1', `${tag}-d`);
      await sleep(3);
      const missed2 = await post('s2', `${tag}-e`);
      await sleep(3);
      expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', {
          _id: seen[0]._id,
          message: `${tag}-a-edited`,
          messageType: 'text',
        }),
      );
      await sleep(3);
      expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', { _id: seen[1]._id, messageType: 'recall' }));
      await sleep(3);
      await post('s-other', `${tag}-not-bobs`);
      const missed3 = await post('s2', `${tag}-f`);
      const expected = [missed1._id, missed2._id, seen[0]._id, seen[1]._id, missed3._id];

      const again = await signIn(generation);
      for (const since of [lastSeen._id, lastSeenAt, new Date(lastSeenAt).toISOString(), String(lastSeenAt)]) {
        const ack = await again.call('sync', { since });
        expect(ack, String(since)).toMatchObject({ RC: 0, RM: 'OK', result: { hasMore: false } });
        const messages = ack.result.messages as any[];
        expect(
          messages.map((message) => message._id),
          String(since),
        ).toStrictEqual(expected);
        expect(messages[0]).toMatchObject({ room: 's1', message: `${tag}-d`, sender: { _id: 'alice' } });
        expect(messages[2]).toMatchObject({ _id: seen[0]._id, message: `${tag}-a-edited` });
        expect(messages[3]).toMatchObject({ _id: seen[1]._id, messageType: 'recall' });
        // The cursor is opaque: the last change's (updatedAt, seq).
        expect(ack.result.cursor).toBe(`c:${missed3.updatedAtMS}:${ack.result.cursor.split(':')[2]}`);
        // Nothing after the cursor.
        expect(await again.call('sync', { since: ack.result.cursor })).toStrictEqual({
          RC: 0,
          RM: 'OK',
          result: { messages: [], deleted: [], hasMore: false, cursor: ack.result.cursor },
        });
      }
    });
  }

  it('a recall or edit of the last seen message after the disconnect does not hide what was missed', async () => {
    const tag = `moved-${Date.now()}`;
    const socket = await signIn('G3');
    const sent = await post('s1', `${tag}-last-seen`);
    const lastSeen = await waitFor(socket, 'chat message', (message) => message._id === sent._id);
    socket.close();
    await sleep(5);
    const missed = await post('s2', `${tag}-missed`);
    await sleep(5);
    // The last message the client saw is recalled after the client's disconnect.
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/s1/message', { _id: lastSeen._id, messageType: 'recall' }));
    const again = await signIn('G3');
    const ack = await again.call('sync', { since: lastSeen._id });
    expect(ack.RC).toBe(0);
    expect(ack.result.messages.map((message: { _id: string }) => message._id)).toContain(missed._id);
  });

  it('pages more than 500 changes with hasMore and cursor, without gaps or duplicates (ties on the same millisecond too)', async () => {
    const socket = await signIn('G2');
    const start = Date.now() + 1000;
    const { storage, messagesRepository } = t.services;
    const inserted: string[] = [];
    await storage.db.transaction().execute(async (tx) => {
      for (let index = 0; index < 520; index++) {
        // 260 messages share one millisecond, the rest another: the cursor must break ties by sequence.
        const time = start + (index < 260 ? 0 : 1);
        const id = (0x6b000000 + index).toString(16).padStart(8, '0') + 'aabbccddeeff0011'.slice(0, 16);
        await messagesRepository.insert(
          {
            appId: t.appId,
            id,
            roomId: index % 2 ? 's1' : 's2',
            senderId: 'alice',
            messageType: 'text',
            content: { message: `bulk-${index}` },
            searchText: `bulk-${index}`,
            batchId: null,
            createdAt: time,
            updatedAt: time,
          },
          tx,
        );
        inserted.push(id);
      }
    });
    const first = await socket.call('sync', { since: start - 1 });
    expect(first.RC).toBe(0);
    expect(first.result.hasMore).toBe(true);
    expect(first.result.messages).toHaveLength(500);
    expect(first.result.cursor).toMatch(new RegExp(`^c:${first.result.messages[499].updatedAtMS}:\\d+$`));
    const second = await socket.call('sync', { since: first.result.cursor });
    expect(second.result.hasMore).toBe(false);
    expect(second.result.messages).toHaveLength(20);
    const all = [...first.result.messages, ...second.result.messages].map((message: { _id: string }) => message._id);
    expect(all).toStrictEqual(inserted);
    expect(second.result.messages[0]).toMatchObject({ message: 'bulk-500', sender: { _id: 'alice' } });
    const third = await socket.call('sync', { since: second.result.cursor });
    expect(third).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: { messages: [], deleted: [], hasMore: false, cursor: second.result.cursor },
    });
  });

  it('answers a plain ack in every generation and refuses a missing or invalid since', async () => {
    for (const generation of GENERATIONS) {
      const socket = await signIn(generation, 'carol');
      const [ack] = await rawAck(socket, 'sync', { since: 0 });
      expect(typeof ack, generation).toBe('object');
      expect(
        (ack as { result: { messages: Array<{ room: string }> } }).result.messages.every(
          (message) => message.room === 's-other',
        ),
      ).toBe(true);
      for (const bad of [
        undefined,
        {},
        { since: 'yesterday' },
        { since: {} },
        { since: true },
        { since: '2024-02-30T00:00:00Z' },
      ]) {
        expect(await socket.call('sync', bad), JSON.stringify(bad)).toMatchObject({
          RC: 400,
          RM: 'Bad Request',
          error: { code: 'INVALID_REQUEST' },
        });
      }
    }
  });
});
