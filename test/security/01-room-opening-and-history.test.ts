import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { authenticate, connect } from '../helpers/socket-clients.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 1, continued: group rooms stay open (`opening: 1`, spec 4.1) unless the application's
 * `defaultGroupOpening` says otherwise, and an open room is joinable by whoever has its id, like a
 * link. Whether a late joiner reads what was said before is the room's `historyVisibility`:
 * `shared` (the default, spec behaviour) or `joined` (only messages from the join on), set by the
 * API key or the room's owner; the application's `defaultHistoryVisibility` applies to new rooms.
 */
describe('item 1: default opening and history for late joiners', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['owen', 'mia', 'late', 'manny']) tokens[id] = await t.createUser(id);
  });
  afterAll(() => t?.close());

  const texts = async (user: string, path: string) =>
    (expectOk(await t.asUser(tokens[user]!, 'GET', path)).data as Array<{ message: string }>).map(
      (entry) => entry.message,
    );

  it('the application settings show both defaults, and only the API key changes them', async () => {
    expect(expectOk(await t.admin('GET', '/admin/app')).settings).toMatchObject({
      defaultGroupOpening: 1,
      defaultHistoryVisibility: 'shared',
    });
    expect((await t.asUser(tokens.owen!, 'PATCH', '/admin/app', { defaultGroupOpening: 0 })).statusCode).toBe(401);
    expect((await t.admin('PATCH', '/admin/app', { defaultGroupOpening: 2 })).statusCode).toBe(400);
    expect((await t.admin('PATCH', '/admin/app', { defaultHistoryVisibility: 'everything' })).statusCode).toBe(400);
  });

  it('defaultGroupOpening 0 closes new group rooms unless they ask to be open', async () => {
    expectOk(await t.admin('PATCH', '/admin/app', { defaultGroupOpening: 0 }));
    try {
      const closed = expectOk(
        await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'closed by default' }),
      );
      expect(closed.opening).toBe(0);
      expect((await t.asUser(tokens.late!, 'POST', `/rooms/${closed._id}/join`)).statusCode).toBe(403);
      const open = expectOk(await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'open', opening: 1 }));
      expect(open.opening).toBe(1);
      expectOk(await t.asUser(tokens.late!, 'POST', `/rooms/${open._id}/join`));
    } finally {
      expectOk(await t.admin('PATCH', '/admin/app', { defaultGroupOpening: 1 }));
    }
    expect(expectOk(await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'open again' })).opening).toBe(
      1,
    );
  });

  it('by default (shared) a late joiner reads the earlier history, as the spec has it', async () => {
    const room = expectOk(
      await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'shared', invitee: ['mia'] }),
    );
    expect(room.historyVisibility).toBe('shared');
    await t.asUser(tokens.owen!, 'POST', `/rooms/${room._id}/message`, { message: 'before', messageType: 'text' });
    expectOk(await t.asUser(tokens.late!, 'POST', `/rooms/${room._id}/join`));
    expect(await texts('late', `/rooms/${room._id}/messages/v3`)).toContain('before');
  });

  it('with historyVisibility "joined" a late joiner reads only what was said after joining, on every read path', async () => {
    const room = await createRoom(t, {
      name: 'joined only',
      members: ['owen', 'mia', 'manny'],
      owner: 'owen',
      managers: ['manny'],
      historyVisibility: 'joined',
    });
    expect(room.historyVisibility).toBe('joined');
    const id = room._id as string;
    const old = expectOk(
      await t.asUser(tokens.mia!, 'POST', `/rooms/${id}/message`, { message: 'earlier secret', messageType: 'text' }),
    );
    expectOk(await t.asUser(tokens.late!, 'POST', `/rooms/${id}/join`));
    // Before anything new: no last message, no old message anywhere.
    const detail = expectOk(await t.asUser(tokens.late!, 'GET', `/rooms/${id}`));
    expect(detail.lastMessage ?? null).toBeNull();
    expect(JSON.stringify(detail)).not.toContain('earlier secret');
    const listed = expectOk(await t.asUser(tokens.late!, 'GET', '/rooms')).data.find(
      (entry: { _id: string }) => entry._id === id,
    );
    expect(JSON.stringify(listed)).not.toContain('earlier secret');
    expect(await texts('late', `/rooms/${id}/messages/v3`)).toStrictEqual([]);
    expect(await texts('late', `/rooms/${id}/messages`)).toStrictEqual([]);
    expect((await t.asUser(tokens.late!, 'GET', `/rooms/${id}/messages/${old._id}?before=5&after=5`)).statusCode).toBe(
      404,
    );
    const search = await t.asUser(tokens.late!, 'POST', '/messages/search', { message: 'earlier secret' });
    expect(search.statusCode, search.body).toBe(200);
    expect(search.body).not.toContain('earlier secret');
    // What is said from now on, the late joiner reads; the earlier members still read it all.
    expectOk(
      await t.asUser(tokens.mia!, 'POST', `/rooms/${id}/message`, { message: 'after join', messageType: 'text' }),
    );
    expect(await texts('late', `/rooms/${id}/messages/v3`)).toStrictEqual(['after join']);
    expect(expectOk(await t.asUser(tokens.late!, 'GET', `/rooms/${id}`)).lastMessage.message).toBe('after join');
    expect(await texts('mia', `/rooms/${id}/messages/v3`)).toStrictEqual(['after join', 'earlier secret']);
  });

  it('over the socket too: neither sync nor the room push on joining carries earlier messages', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const room = (await createRoom(t, { name: 'joined socket', members: ['owen'], historyVisibility: 'joined' }))
      ._id as string;
    expectOk(
      await t.asUser(tokens.owen!, 'POST', `/rooms/${room}/message`, { message: 'socket secret', messageType: 'text' }),
    );
    const socket = await connect(url, 'G3');
    try {
      expect((await authenticate(socket, tokens.manny!, t.clientKey)).RC).toBe(0);
      const pushed = socket.next('room', 3_000);
      expectOk(await t.asUser(tokens.manny!, 'POST', `/rooms/${room}/join`));
      expect(JSON.stringify(await pushed)).not.toContain('socket secret');
      const synced = await socket.call('sync', { since: 0 });
      expect(synced.RC, JSON.stringify(synced)).toBe(0);
      expect(JSON.stringify(synced)).not.toContain('socket secret');
    } finally {
      socket.close();
    }
  });

  it('historyVisibility is set by the API key or the room owner, not a manager', async () => {
    const room = (
      await createRoom(t, {
        name: 'setting',
        members: ['owen', 'manny'],
        owner: 'owen',
        managers: ['manny'],
      })
    )._id;
    expect((await t.asUser(tokens.manny!, 'PUT', `/rooms/${room}`, { historyVisibility: 'joined' })).statusCode).toBe(
      403,
    );
    expect((await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { historyVisibility: 'everyone' })).statusCode).toBe(
      400,
    );
    expect(
      expectOk(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { historyVisibility: 'joined' }))
        .historyVisibility,
    ).toBe('joined');
    expect(expectOk(await t.admin('PUT', `/rooms/${room}`, { historyVisibility: 'shared' })).historyVisibility).toBe(
      'shared',
    );
  });

  it('defaultHistoryVisibility "joined" applies to rooms created without one', async () => {
    expectOk(await t.admin('PATCH', '/admin/app', { defaultHistoryVisibility: 'joined' }));
    try {
      expect(
        expectOk(await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'new' })).historyVisibility,
      ).toBe('joined');
      expect(
        expectOk(
          await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'asked', historyVisibility: 'shared' }),
        ).historyVisibility,
      ).toBe('shared');
    } finally {
      expectOk(await t.admin('PATCH', '/admin/app', { defaultHistoryVisibility: 'shared' }));
    }
  });
});
