import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { authenticate, connect } from '../helpers/socket-clients.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 15 (found after the list): a member could write what only the server writes. A user token
 * sent `messageType: "assignAdmin"` (or `addMembers`, `leaveRoom`…) with a forged `member`/`extra`,
 * and every client showed "mallory is now admin"; the member who added people could rewrite the
 * `addMembers` notice; and the author of a message a manager recalled could edit it back.
 * Now: system types are written by the server (and the API key) only; system messages and recalled
 * messages cannot be edited with a user token.
 */
describe('item 15: users cannot forge system messages or undo a recall', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let room: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['owen', 'mona', 'mallory', 'alice', 'zed']) tokens[id] = await t.createUser(id);
    room = (
      await createRoom(t, {
        name: 'team',
        owner: 'owen',
        managers: ['mona'],
        members: ['owen', 'mona', 'mallory', 'alice'],
      })
    )._id;
  });
  afterAll(() => t?.close());

  const refused = (response: { statusCode: number; body: string; json(): any }) => {
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
  };
  const messages = async () => expectOk(await t.admin('GET', `/rooms/${room}/messages/v3?limit=100`)).data as any[];

  const SYSTEM_TYPES = [
    'addMembers',
    'addMember',
    'deleteMember',
    'deleteMembers',
    'leaveRoom',
    'joinRoom',
    'assignAdmin',
    'cancelInvitations',
  ];

  it('a user token cannot send a system message type', async () => {
    const before = (await messages()).length;
    for (const messageType of SYSTEM_TYPES) {
      refused(
        await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, {
          messageType,
          message: 'mallory',
          member: { _id: 'mallory', nickname: 'mallory' },
          extra: { invitees: [{ _id: 'mallory' }] },
        }),
      );
    }
    expect((await messages()).length).toBe(before);
  });

  it('nor on the socket (`chat message`)', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = await connect(url, 'G3');
    try {
      expect((await authenticate(socket, tokens.mallory!, t.clientKey)).RC).toBe(0);
      const ack = await socket.call('chat message', {
        room,
        messageType: 'assignAdmin',
        message: 'mallory',
        member: { _id: 'mallory' },
      });
      expect(ack.RC, JSON.stringify(ack)).toBe(403);
      expect(ack.error.code).toBe('INSUFFICIENT_PERMISSIONS');
    } finally {
      socket.close();
    }
    expect((await messages()).some((message) => message.messageType === 'assignAdmin')).toBe(false);
  });

  it('nor turn its own message into one by editing it', async () => {
    const own = expectOk(
      await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, { messageType: 'text', message: 'hi' }),
    );
    refused(
      await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, {
        _id: own._id,
        messageType: 'assignAdmin',
        message: 'mallory',
      }),
    );
    expect((await messages()).find((message) => message._id === own._id)).toMatchObject({
      messageType: 'text',
      message: 'hi',
    });
  });

  it('nor rewrite a system message it caused', async () => {
    expectOk(
      await t.asUser(tokens.mona!, 'POST', `/rooms/${room}/members`, { invitees: ['zed'], systemMessage: true }),
    );
    const notice = (await messages()).find((message) => message.messageType === 'addMembers');
    expect(notice?.sender?._id).toBe('mona');
    refused(
      await t.asUser(tokens.mona!, 'POST', `/rooms/${room}/message`, {
        _id: notice._id,
        messageType: 'text',
        message: 'owen was removed for spam',
      }),
    );
    expect((await messages()).find((message) => message._id === notice._id)).toMatchObject({
      messageType: 'addMembers',
    });
  });

  it('the author cannot edit back a message a manager recalled', async () => {
    const abuse = expectOk(
      await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, { messageType: 'text', message: 'abuse' }),
    );
    expectOk(await t.asUser(tokens.mona!, 'POST', `/rooms/${room}/message`, { _id: abuse._id, messageType: 'recall' }));
    refused(
      await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, {
        _id: abuse._id,
        messageType: 'text',
        message: 'abuse again',
      }),
    );
    expect((await messages()).find((message) => message._id === abuse._id)).toMatchObject({
      messageType: 'recall',
      message: '',
    });
    // Recalling again stays idempotent.
    expectOk(
      await t.asUser(tokens.mallory!, 'POST', `/rooms/${room}/message`, { _id: abuse._id, messageType: 'recall' }),
    );
  });

  it('the API key still sends any type (spec 5.1: messageType is free-form)', async () => {
    const sent = expectOk(
      await t.admin('POST', '/messages', { room, sender: 'owen', messageType: 'assignAdmin', message: 'alice' }),
    );
    expect(sent.messageType).toBe('assignAdmin');
    const viaRoom = expectOk(
      await t.admin('POST', `/rooms/${room}/message`, { sender: 'owen', messageType: 'joinRoom', message: 'owen' }),
    );
    expect(viaRoom.messageType).toBe('joinRoom');
    // A user's own free-form types are untouched.
    expect(
      expectOk(
        await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, {
          messageType: 'sticker',
          message: '',
          sticker: 's1',
        }),
      ).messageType,
    ).toBe('sticker');
  });
});
