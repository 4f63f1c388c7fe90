import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { authenticate, connect, type TestSocket } from '../helpers/socket-clients.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 17 (found after the list): a typing notice carries up to 1 000 characters of `message` to
 * every member, and it was sent from anyone who may read the room — also a member banned from
 * writing there (spec 7.1), the other side of a direct room closed by a personal block (7.4), and
 * anyone in a frozen room. A ban or a block could be walked around by "typing" the text.
 * Now typing needs what sending needs: over HTTP (`POST /rooms/:id/typing`) and on the socket.
 */
describe('item 17: typing is refused to those who may not write', () => {
  let t: TestApp;
  let url: string;
  const tokens: Record<string, string> = {};
  const sockets: TestSocket[] = [];
  const typed: Array<{ roomId: string; userId: string }> = [];
  let group: string;
  let direct: string;
  let frozen: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['owen', 'mallory', 'bob']) tokens[id] = await t.createUser(id);
    group = (await createRoom(t, { name: 'team', owner: 'owen', members: ['owen', 'mallory', 'bob'] }))._id;
    frozen = (await createRoom(t, { name: 'archive', owner: 'owen', members: ['owen', 'bob'] }))._id;
    direct = expectOk(
      await t.asUser(tokens.bob!, 'POST', '/rooms', { roomType: 'direct', members: ['bob', 'mallory'] }),
    )._id;
    expectOk(await t.asUser(tokens.owen!, 'POST', `/blockStatus/room/${group}/mallory`));
    expectOk(await t.asUser(tokens.bob!, 'POST', '/blockStatus/my/mallory'));
    expect((await t.admin('PUT', `/rooms/${frozen}`, { status: 0 })).statusCode).toBe(200);
    t.services.bus.subscribe('room.typing', (event: any) => typed.push({ roomId: event.roomId, userId: event.userId }));
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  const refusedCodes = ['USER_BLOCKED', 'ROOM_FROZEN'];

  it('over HTTP', async () => {
    for (const [user, room] of [
      ['mallory', group],
      ['mallory', direct],
      ['bob', frozen],
    ] as const) {
      const response = await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/typing`, {
        message: 'you cannot silence me',
      });
      expect(response.statusCode, `${user} in ${room}: ${response.body}`).toBe(403);
      expect(refusedCodes).toContain(response.json().error.code);
    }
    expect(typed).toStrictEqual([]);
  });

  it('on the socket', async () => {
    for (const [user, room] of [
      ['mallory', group],
      ['mallory', direct],
      ['bob', frozen],
    ] as const) {
      const socket = await connect(url, 'G3');
      sockets.push(socket);
      expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
      const ack = await socket.call('typing', room, 'you cannot silence me');
      expect(ack.RC, `${user} in ${room}: ${JSON.stringify(ack)}`).toBe(403);
      expect(refusedCodes).toContain(ack.error.code);
    }
    expect(typed).toStrictEqual([]);
  });

  it('members who may write still type', async () => {
    expectOk(await t.asUser(tokens.bob!, 'POST', `/rooms/${group}/typing`, { message: 'hello' }));
    expect(typed).toStrictEqual([{ roomId: group, userId: 'bob' }]);
  });
});
