import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { authenticate, connect, type Generation } from '../../helpers/socket-clients.js';
import { createRoom } from '../../helpers/factories.js';
import { INVALID_TOKEN } from '../../helpers/errors.js';

describe('real-time gateway with each SDK generation', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob']) tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    await createRoom(t, { _id: 'live', members: ['alice', 'bob'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  for (const generation of ['G1', 'G2', 'G3'] as Generation[]) {
    it(`${generation}: authenticates, receives REST and socket messages, typing and read positions`, async () => {
      const bob = await connect(url, generation);
      const ack = await authenticate(bob, tokens.bob!, t.clientKey);
      expect(ack).toMatchObject({ RC: 0, RM: 'OK', result: { _id: 'bob', client: 'bob', nickname: 'BOB' } });
      const alice = await connect(url, 'G3');
      await authenticate(alice, tokens.alice!, t.clientKey);

      const pushed = bob.next('chat message');
      const ownEcho = alice.next('chat message');
      expectOk(
        await t.asUser(tokens.alice!, 'POST', '/rooms/live/message', {
          message: `rest ${generation}`,
          messageType: 'text',
        }),
      );
      expect(await pushed).toMatchObject({ message: `rest ${generation}`, room: 'live', sender: { _id: 'alice' } });
      expect(await ownEcho).toMatchObject({ message: `rest ${generation}` });

      const echo = alice.next('chat message');
      const atBob = bob.next('chat message');
      const sent = await alice.call('chat message', {
        room: 'live',
        message: `socket ${generation}`,
        messageType: 'text',
      });
      expect(sent).toMatchObject({ RC: 0, result: { message: `socket ${generation}` } });
      expect((await echo)._id).toBe(sent.result._id);
      expect((await atBob)._id).toBe(sent.result._id);

      const typing = bob.next('typing');
      alice.raw.emit('typing', 'live', 'typing...');
      expect(await typing).toStrictEqual({
        room: 'live',
        sender: 'alice',
        message: 'typing...',
        senderInfo: { _id: 'alice', id: 'alice', nickname: 'ALICE', avatarUrl: '', isRobot: false, clientType: 'user' },
      });

      const lastRead = alice.next('lastRead');
      expectOk(await t.asUser(tokens.bob!, 'PUT', '/rooms/live/lastRead', { message: sent.result._id }));
      expect(await lastRead).toStrictEqual({ roomID: 'live', memberID: 'bob', messageID: sent.result._id });

      expect(expectOk(await t.admin('GET', '/admin/connection-count')).count).toBe(2);
      const online = expectOk(await t.asUser(tokens.alice!, 'GET', '/rooms/live')).members.map((member: any) => [
        member._id,
        member.isSocketConnected,
      ]);
      expect(online).toStrictEqual([
        ['alice', true],
        ['bob', true],
      ]);
      alice.close();
      bob.close();
      for (let i = 0; i < 50 && expectOk(await t.admin('GET', '/admin/connection-count')).count > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const offline = expectOk(await t.asUser(tokens.alice!, 'GET', '/rooms/live')).members.map(
        (member: any) => member.isSocketConnected,
      );
      expect(offline).toStrictEqual([false, false]);
    });
  }

  it('sync reports what was deleted since, so that a reconnecting client drops it too', async () => {
    const socket = await connect(url, 'G3');
    await authenticate(socket, tokens.bob!, t.clientKey);
    const before = Date.now() - 1;
    const kept = expectOk(
      await t.admin('POST', '/messages', { room: 'live', sender: 'alice', message: 'kept', messageType: 'text' }),
    );
    const gone = expectOk(
      await t.admin('POST', '/messages', { room: 'live', sender: 'alice', message: 'gone', messageType: 'text' }),
    );
    expect((await t.admin('DELETE', `/rooms/live/messages/${gone._id}`)).json().RC).toBe(0);
    const ack = await socket.call('sync', { since: before });
    expect(ack.result.messages.map((message: any) => message._id)).toStrictEqual([kept._id]);
    expect(ack.result.deleted).toStrictEqual([
      { room: 'live', messageId: gone._id, all: false, deletedAt: expect.any(Number) },
    ]);
    socket.close();
  });

  it('disconnects a socket whose token is revoked', async () => {
    const socket = await connect(url, 'G3');
    await authenticate(socket, tokens.alice!, t.clientKey);
    const closed = new Promise((resolve) => socket.raw.once('disconnect', resolve));
    await t.admin('DELETE', '/admin/clients/alice/token', { token: tokens.alice });
    await closed;
    tokens.alice = await t.createUser('alice', { nickname: 'ALICE' });
  });

  it('refuses a wrong token with an error ack in the SDK shape', async () => {
    const socket = await connect(url, 'G2');
    const ack = await authenticate(socket, 'nope', t.clientKey);
    expect(ack).toStrictEqual(INVALID_TOKEN);
    socket.close();
  });
});
