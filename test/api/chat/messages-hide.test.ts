import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_REQUEST, NOT_ROOM_MEMBER, ROOM_FROZEN, ROOM_NOT_FOUND, shapeB } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { alice, bob, carol, list, makeRoom, MESSAGE_NOT_FOUND, mona } from '../../helpers/messages-suite.js';
import { olga, send, t, tick, useMessagesApp } from '../../helpers/messages-suite.js';
import { authenticate, connect } from '../../helpers/socket-clients.js';
import { expectNoPush, secondApp, socketPool } from '../../helpers/realtime-suite.js';

/** Moderator hide/unhide (history 7.8): superusers or the platform admin; hidden messages stay listed, flagged. */

useMessagesApp();

// NOT_PERMITTED answers as INSUFFICIENT_PERMISSIONS on the wire, as for pins.
const notPermitted = (what: string) =>
  shapeB(
    403,
    'Forbidden',
    'INSUFFICIENT_PERMISSIONS',
    `Only room owner, manager, or platform admin can ${what} messages`,
  );

async function expectDone(response: { statusCode: number; body: string; json(): any }): Promise<void> {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().RC).toBe(0);
}

describe('hide and unhide a message (history 7.8)', () => {
  it('hides for everyone: isHidden on the answer and in every member view; unhiding clears it', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'alice', 'rude');
    expect(sent.isHidden).toBeUndefined();
    await tick();
    const hidden = expectOk(await t.asUser(olga, 'POST', `/messages/${sent._id}/hidden`));
    expect(hidden).toMatchObject({ _id: sent._id, room, message: 'rude', isHidden: true });
    expect(hidden.updatedAtMS).toBeGreaterThan(sent.updatedAtMS);
    for (const token of [alice, bob]) {
      const page = await list(room, '', token);
      expect(page.data[0]).toMatchObject({ _id: sent._id, isHidden: true });
    }
    expect(expectOk(await t.asUser(bob, 'GET', `/rooms/${room}`)).lastMessage).toMatchObject({ isHidden: true });
    // Hiding again changes nothing.
    expect(expectOk(await t.asUser(mona, 'POST', `/messages/${sent._id}/hidden`)).updatedAtMS).toBe(hidden.updatedAtMS);
    const shown = expectOk(await t.admin('DELETE', `/messages/${sent._id}/hidden`));
    expect(shown._id).toBe(sent._id);
    expect(shown.isHidden).toBeUndefined();
    expect((await list(room, '', bob)).data[0].isHidden).toBeUndefined();
  });

  it('a sender cannot set isHidden themselves', async () => {
    const room = await makeRoom();
    const sent = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${room}/message`, {
        message: 'sneaky',
        messageType: 'text',
        isHidden: true,
      }),
    );
    expect(sent.isHidden).toBeUndefined();
    expect((await list(room, '', bob)).data[0].isHidden).toBeUndefined();
  });

  it('only superusers or the platform admin; outsiders and other apps do not find the message', async () => {
    const room = await makeRoom();
    const sent = await send(room, 'bob', 'x');
    expectBody(await t.asUser(alice, 'POST', `/messages/${sent._id}/hidden`), 403, notPermitted('hide'));
    expectBody(await t.asUser(bob, 'DELETE', `/messages/${sent._id}/hidden`), 403, notPermitted('unhide'));
    expectBody(await t.asUser(carol, 'POST', `/messages/${sent._id}/hidden`), 404, MESSAGE_NOT_FOUND);
    expectBody(await t.asUser(olga, 'POST', '/messages/no-such-message/hidden'), 404, MESSAGE_NOT_FOUND);
    const other = await secondApp(t, 'olga');
    const foreign = await t.app.inject({
      method: 'POST',
      url: `/messages/${sent._id}/hidden`,
      headers: { 'IM-CLIENT-KEY': other.clientKey, 'IM-Authorization': other.token },
    });
    expectBody(foreign, 404, MESSAGE_NOT_FOUND);
    expect((await list(room, '', bob)).data[0].isHidden).toBeUndefined();
  });
});

describe('hide and unhide every message of a sender in a room (history 7.8)', () => {
  it('changes only that sender in that room and answers {room, sender, n, messages}', async () => {
    const room = await makeRoom();
    const other = await makeRoom();
    const a1 = await send(room, 'alice', 'a1');
    const b1 = await send(room, 'bob', 'b1');
    const a2 = await send(room, 'alice', 'a2');
    const elsewhere = await send(other, 'alice', 'a-other');
    const hidden = expectOk(
      await t.asUser(mona, 'POST', '/messages/hide-by-sender-in-room', { room, sender: 'alice' }),
    );
    expect(hidden).toStrictEqual({ room, sender: 'alice', n: 2, messages: [a1._id, a2._id] });
    const page = await list(room, 'timeRangeField=createdAt', bob);
    expect(page.data.map((message: any) => [message._id, message.isHidden])).toStrictEqual([
      [a2._id, true],
      [b1._id, undefined],
      [a1._id, true],
    ]);
    expect((await list(other, '', bob)).data.map((message: any) => message._id)).toContain(elsewhere._id);
    expect((await list(other, '', bob)).data[0].isHidden).toBeUndefined();
    // Again: nothing left to change.
    expect(
      expectOk(await t.admin('POST', '/messages/hide-by-sender-in-room', { room, sender: 'alice' })),
    ).toStrictEqual({ room, sender: 'alice', n: 0, messages: [] });
    expectOk(await t.asUser(olga, 'DELETE', `/messages/${a1._id}/hidden`));
    const shown = expectOk(
      await t.asUser(olga, 'POST', '/messages/unhide-by-sender-in-room', { room, sender: 'alice' }),
    );
    expect(shown).toStrictEqual({ room, sender: 'alice', n: 1, messages: [a2._id] });
    expect((await list(room, '', bob)).data.every((message: any) => message.isHidden === undefined)).toBe(true);
  });

  it('refuses bad input, plain members, outsiders, unknown rooms and frozen rooms', async () => {
    const room = await makeRoom();
    await send(room, 'alice', 'x');
    const hide = (token: string, body: unknown) => t.asUser(token, 'POST', '/messages/hide-by-sender-in-room', body);
    expectBody(await hide(olga, { room }), 400, INVALID_REQUEST);
    expectBody(await hide(olga, { sender: 'alice' }), 400, INVALID_REQUEST);
    expectBody(await hide(bob, { room, sender: 'alice' }), 403, notPermitted('hide'));
    expectBody(
      await t.asUser(bob, 'POST', '/messages/unhide-by-sender-in-room', { room, sender: 'alice' }),
      403,
      notPermitted('unhide'),
    );
    expectBody(await hide(carol, { room, sender: 'alice' }), 403, NOT_ROOM_MEMBER);
    expectBody(await hide(olga, { room: 'no-such-room', sender: 'alice' }), 404, ROOM_NOT_FOUND);
    await expectDone(await t.admin('PUT', `/rooms/${room}`, { status: 0 }));
    expectBody(await hide(olga, { room, sender: 'alice' }), 403, ROOM_FROZEN);
    // The platform admin still moderates a frozen room.
    expect(expectOk(await t.admin('POST', '/messages/hide-by-sender-in-room', { room, sender: 'alice' })).n).toBe(1);
  });
});

describe('hide through the real-time path', () => {
  const pool = socketPool();
  let url: string;

  beforeAll(async () => {
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => pool.closeAll());

  it('pushes each hidden or unhidden message as `chat message` to the members on every SDK generation', async () => {
    const room = await makeRoom();
    const [bob1, bob2, alice3, carol1] = await Promise.all([
      connect(url, 'G1'),
      connect(url, 'G2'),
      connect(url, 'G3'),
      connect(url, 'G1'),
    ]);
    for (const socket of [bob1, bob2, alice3, carol1]) pool.add(socket);
    await authenticate(bob1, bob, t.clientKey);
    await authenticate(bob2, bob, t.clientKey);
    await authenticate(alice3, alice, t.clientKey);
    await authenticate(carol1, carol, t.clientKey);
    const sentPushes = [bob1, bob2, alice3].map((socket) => socket.next('chat message'));
    const first = await send(room, 'alice', 'first');
    await Promise.all(sentPushes);
    const secondPushes = [bob1, bob2, alice3].map((socket) => socket.next('chat message'));
    const second = await send(room, 'alice', 'second');
    await Promise.all(secondPushes);

    const one = [bob1, bob2, alice3].map((socket) => socket.next('chat message'));
    expectOk(await t.asUser(olga, 'POST', `/messages/${first._id}/hidden`));
    for (const pushed of await Promise.all(one)) expect(pushed).toMatchObject({ _id: first._id, isHidden: true });

    const before = bob2.received('chat message').length;
    const next = bob2.next('chat message');
    expectOk(await t.asUser(olga, 'POST', '/messages/hide-by-sender-in-room', { room, sender: 'alice' }));
    const pushed = await next;
    expect(pushed).toMatchObject({ _id: second._id, isHidden: true });
    expect(bob2.received('chat message')).toHaveLength(before + 1);

    const unhidden = [bob1, alice3].map((socket) => socket.next('chat message'));
    expectOk(await t.asUser(olga, 'DELETE', `/messages/${second._id}/hidden`));
    for (const message of await Promise.all(unhidden)) {
      expect(message._id).toBe(second._id);
      expect(message.isHidden).toBeUndefined();
    }
    await expectNoPush([carol1], 'chat message');
  });
});
