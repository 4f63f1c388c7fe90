import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 5: a client may choose a new message's `_id` (spec 5.2, for idempotent retries). Claiming
 * the ids the server would generate next made every other user's send fail with 500. Server ids are
 * now random, a server id that is taken is drawn again, and a client id that is taken is a 409 —
 * wherever the message it collides with lives, which stays untouched and unseen.
 */
describe('item 5: client-chosen message ids', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let mine: string;
  let theirs: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['mallory', 'alice', 'bob']) tokens[id] = await t.createUser(id);
    mine = expectOk(await t.asUser(tokens.mallory!, 'POST', '/rooms/createAndJoin', { name: 'mine' }))._id;
    theirs = expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/createAndJoin', { name: 'theirs', invitee: ['bob'] }),
    )._id;
  });
  afterAll(() => t?.close());

  const send = (user: string, room: string, body: Record<string, unknown>) =>
    t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, { messageType: 'text', ...body });

  it("claiming the ids the server would generate next does not break anyone's sends", async () => {
    const own = expectOk(await send('mallory', mine, { message: 'probe' }))._id as string;
    // What the old ObjectId scheme would hand out next: same prefix, counter + 1..40.
    const head = own.slice(0, 18);
    const counter = Number.parseInt(own.slice(18), 16);
    for (let step = 1; step <= 40; step++) {
      const claimed = head + ((counter + step) % 0x1000000).toString(16).padStart(6, '0');
      expect((await send('mallory', mine, { _id: claimed, message: 'claim' })).statusCode).toBe(200);
    }
    for (let i = 0; i < 10; i++) {
      const response = await send('alice', theirs, { message: `hello ${i}` });
      expect(response.statusCode, response.body).toBe(200);
    }
  });

  it("a client id equal to another room's message is a 409 that neither edits nor reveals it", async () => {
    const target = expectOk(await send('alice', theirs, { message: 'secret' }));
    const response = await send('mallory', mine, { _id: target._id, message: 'overwrite' });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json().error.code).toBe('MESSAGE_EXISTS');
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain(theirs);
    const page = expectOk(await t.asUser(tokens.bob!, 'GET', `/rooms/${theirs}/messages/v3?limit=1`));
    expect(page.data[0]).toMatchObject({ _id: target._id, message: 'secret' });
  });

  it("in the same room, another member's message id is not an edit for a plain member", async () => {
    const room = (await createRoom(t, { name: 'shared', members: ['alice', 'mallory'] }))._id;
    const target = expectOk(await send('alice', room, { message: 'by alice' }));
    expect((await send('mallory', room, { _id: target._id, message: 'by mallory' })).statusCode).toBe(403);
    const page = expectOk(await t.asUser(tokens.alice!, 'GET', `/rooms/${room}/messages/v3?limit=1`));
    expect(page.data[0]).toMatchObject({ _id: target._id, message: 'by alice' });
  });

  it('two sends racing with the same new client id: one stands, the other is a 409, never a 500', async () => {
    const id = `6a000000${'ab'.repeat(8)}`;
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => send('mallory', mine, { _id: id, message: `race ${i}` })),
    );
    const statuses = results.map((response) => response.statusCode).sort();
    // A retry that arrives after the first stored is an edit of one's own message (200).
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(statuses).toContain(200);
    const page = expectOk(await t.asUser(tokens.mallory!, 'GET', `/rooms/${mine}/messages/v3?limit=100`));
    expect(page.data.filter((message: { _id: string }) => message._id === id)).toHaveLength(1);
  });

  it('a server id that happens to be taken is drawn again', async () => {
    const { objectId } = await import('../../src/shared/ids.js');
    const taken = objectId();
    expectOk(await send('mallory', mine, { _id: taken, message: 'taken' }));
    // A writer whose first drawn id is that one (as if 64 random bits had come up twice).
    const { MessageWriter } = await import('../../src/modules/chat/message-writer.js');
    const { MessageStore } = await import('../../src/modules/chat/message-store.js');
    const { storage, messagesRepository, roomsRepository, readStatesRepository } = t.services;
    const webhookEvents = { message: async () => {}, listensTo: async () => false };
    let first = true;
    const writer = new MessageWriter({
      store: new MessageStore({
        storage,
        messages: messagesRepository,
        rooms: roomsRepository,
        readStates: readStatesRepository,
      }),
      webhookEvents,
      newId: (now) => {
        if (!first) return objectId(now);
        first = false;
        return taken;
      },
    });
    const room = (await roomsRepository.find(t.appId, theirs))!;
    const stored = await roomsRepository.transaction((tx) =>
      writer.write(tx, room, 'alice', { messageType: 'text', content: { message: 'fresh' }, searchText: 'fresh' }),
    );
    expect(first).toBe(false);
    expect(stored.id).not.toBe(taken);
    expect(stored.roomId).toBe(theirs);
  });
});
