import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { authenticate, connect } from '../helpers/socket-clients.js';
import { handshakeRefusal } from '../helpers/realtime-tools.js';
import { NEW_ROOM } from '../../src/modules/chat/members.repository.js';

let t: TestApp;
let alice: string;

const nested = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { deeper: value };
  return value;
};
const expect400 = (response: { statusCode: number; body: string }, what: string) => {
  expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(400);
  expect(JSON.parse(response.body).error.code, what).toBe('INVALID_REQUEST');
};
const errorLogs = () => t.logs.filter((line) => JSON.parse(line).level >= 50);

beforeAll(async () => {
  t = await buildTestApp();
  alice = await t.createUser('alice');
  await t.createUser('bob');
  expect(
    (await t.admin('POST', '/rooms', { _id: 'room-14', name: 'Fourteen', members: ['alice', 'bob'] })).statusCode,
  ).toBe(200);
});
afterAll(() => t.close());

describe('item 14: bad input is a 400 with a clear error, and nothing is stored', () => {
  it('refuses a NUL character in any string: body, nested body, keys, query, params', async () => {
    const cases: Array<[string, () => ReturnType<TestApp['admin']>]> = [
      ['user id', () => t.admin('POST', '/admin/clients', { _id: 'nul\u0000user', nickname: 'N' })],
      ['nickname', () => t.admin('POST', '/admin/clients', { _id: 'nul-nick', nickname: 'N\u0000' })],
      ['custom field key', () => t.admin('POST', '/admin/clients', { _id: 'nul-key', 'bad\u0000key': 1 })],
      ['room name', () => t.asUser(alice, 'PUT', '/rooms/room-14', { name: 'evil\u0000' })],
      [
        'message text',
        () => t.asUser(alice, 'POST', '/rooms/room-14/message', { message: 'hi\u0000', messageType: 'text' }),
      ],
      [
        'message extra',
        () =>
          t.asUser(alice, 'POST', '/rooms/room-14/message', {
            message: 'hi',
            messageType: 'text',
            extra: { a: ['x\u0000'] },
          }),
      ],
      ['search keyword', () => t.asUser(alice, 'POST', '/search', { type: ['messages'], keyword: 'a\u0000b' })],
      ['preference value', () => t.asUser(alice, 'POST', '/me/pref/theme', { colour: '\u0000' })],
      [
        'member property',
        () => t.asUser(alice, 'PUT', '/rooms/room-14/member/alice', { property: 'p', value: 'v\u0000' }),
      ],
      ['config', () => t.admin('POST', '/config', { motd: 'x\u0000' })],
      ['a path param', () => t.asUser(alice, 'GET', '/rooms/room%0014')],
      ['a query string', () => t.admin('GET', '/admin/clients?q=%7B%22nickname%22%3A%22a%00%22%7D')],
      ['the room list filter', () => t.asUser(alice, 'GET', '/rooms?pref=%7B%22folder%22%3A%22%00%22%7D')],
      // JSON in a query string may spell the NUL as an escape: it is refused once parsed.
      [
        'an escaped NUL in the user filter',
        () => t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"nickname":"a\\u0000"}')}`),
      ],
      [
        'an escaped NUL in a message search',
        () => t.asUser(alice, 'GET', `/messages?q=${encodeURIComponent('{"message":"a\\u0000b"}')}`),
      ],
      [
        'an escaped NUL in the room list pref',
        () => t.asUser(alice, 'GET', `/rooms?pref=${encodeURIComponent('{"folder":"\\u0000"}')}`),
      ],
      [
        'an escaped NUL in the room list q',
        () => t.asUser(alice, 'GET', `/rooms?q=${encodeURIComponent('{"roomTags":"\\u0000"}')}`),
      ],
    ];
    for (const [what, call] of cases) {
      const response = await call();
      expect400(response, what);
      expect(response.json().error.message, what).toContain('NUL');
    }
    expect((await t.admin('GET', '/admin/clients/nul-nick')).statusCode).toBe(404);
    const messages = (await t.asUser(alice, 'GET', '/rooms/room-14/messages/v3')).json().result;
    expect(messages.totalCount ?? messages.data.length).toBe(0);
    expect((await t.asUser(alice, 'GET', '/rooms/room-14')).json().result.name).toBe('Fourteen');
    // A refused request leaves no NUL in the audit trail either (PostgreSQL's jsonb could not read it back).
    expect((await t.admin('GET', '/admin/keys/ab%00cd')).statusCode).toBe(400);
    expect((await t.admin('GET', '/admin/audit?targetId=ab')).statusCode).toBe(200);
    expect(errorLogs()).toStrictEqual([]);
  });

  it('refuses JSON nested 4,000 deep (it overflowed the stack of the size checks) and stores nothing', async () => {
    const deep = nested(4000);
    expect400(
      await t.asUser(alice, 'POST', '/rooms/room-14/message', { message: deep, messageType: 'custom' }),
      'message',
    );
    expect400(
      await t.admin('POST', '/messages', {
        room: 'room-14',
        sender: 'bob',
        message: 'x',
        messageType: 'text',
        extra: deep,
      }),
      'admin send',
    );
    expect400(
      await t.admin('POST', '/admin/clients', { _id: 'deep', nickname: 'D', profile: deep }),
      'user custom field',
    );
    expect400(await t.asUser(alice, 'POST', '/me/pref/deep', deep as object), 'preference');
    expect400(await t.admin('POST', '/config', { deep }), 'config');
    // A realistically nested payload is fine.
    expect(
      (await t.asUser(alice, 'POST', '/rooms/room-14/message', { message: nested(30), messageType: 'custom' }))
        .statusCode,
    ).toBe(200);
    expect(errorLogs()).toStrictEqual([]);
  });

  it('refuses arrays of 40,000 ids (too many SQL variables) for members, managers and invitees', async () => {
    const ids = Array.from({ length: 40_000 }, (_, index) => `u${index}`);
    expect400(await t.admin('POST', '/rooms', { _id: 'huge', members: ids }), 'members');
    expect400(await t.admin('POST', '/rooms', { _id: 'huge', managers: ids }), 'managers');
    expect400(await t.asUser(alice, 'POST', '/rooms/room-14/members', { invitees: ids }), 'invitees');
    expect400(await t.asUser(alice, 'POST', '/rooms/room-14/delete/members', { members: ids }), 'members to remove');
    expect400(await t.admin('POST', '/admin/groups', { _id: 'g', nickname: 'G', members: ids }), 'group members');
    expect((await t.admin('GET', '/rooms/huge')).statusCode).toBe(404);
    expect(errorLogs()).toStrictEqual([]);
  });

  it('takes only botMode and botState from PUT /rooms/:id/bot (other fields skipped the room schema: a 500, or a silent rename)', async () => {
    expect((await t.asUser(alice, 'PUT', '/rooms/room-14/bot', { botState: 'idle', managers: 12345 })).statusCode).toBe(
      403,
    );
    expect((await t.admin('PUT', '/rooms/room-14/bot', { botState: 'idle', managers: 12345 })).statusCode).toBe(200);
    expect(
      (
        await t.admin('PUT', '/rooms/room-14/bot', {
          botState: 'idle',
          name: 'Renamed',
          webhook: 'https://example.com/',
        })
      ).statusCode,
    ).toBe(200);
    const room = (await t.asUser(alice, 'GET', '/rooms/room-14')).json().result;
    expect(room.name).toBe('Fourteen');
    expect(room.webhook ?? '').toBe('');
    expect(errorLogs()).toStrictEqual([]);
  });

  it('refuses prototype keys as sort fields', async () => {
    for (const sort of ['__proto__', 'constructor', 'toString', '-hasOwnProperty']) {
      expect400(await t.asUser(alice, 'GET', `/rooms?sort=${sort}`), sort);
    }
    expect((await t.asUser(alice, 'GET', '/rooms?sort=-name')).statusCode).toBe(200);
    for (const payload of [
      '{"__proto__": {"polluted": true}, "message": "x", "messageType": "text"}',
      '{"constructor": {"prototype": {"polluted": true}}}',
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/rooms/room-14/message',
        payload,
        headers: { 'im-client-key': t.clientKey, 'im-authorization': alice, 'content-type': 'application/json' },
      });
      expect400(response, payload);
      expect(response.json().error.message).toContain('__proto__');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps every query under the driver parameter limit however many rooms or ids it gets', async () => {
    // More ids than SQLite's 32,766 and PostgreSQL's 65,535 variables, as a user in that many rooms would have.
    const ids = Array.from({ length: 70_000 }, (_, index) => `id-${index}`);
    const { membersRepository, readStatesRepository, messagesRepository, usersRepository, storage } = t.services;
    await membersRepository.listMany(t.appId, ids);
    await readStatesRepository.readStates(t.appId, ids, 'alice');
    await messagesRepository.changedSince(t.appId, ids, { time: 0 }, 10);
    await messagesRepository.deletionsSince(t.appId, ids, 0, 10);
    await usersRepository.findMany(t.appId, ids);
    await t.services.roomsRepository.listForPrincipals(t.appId, ids, { activeOnly: true });
    await storage.dialect.searchMessages(storage.db, { appId: t.appId, roomIds: ids, keyword: 'abcdef', limit: 10 });
    await storage.db
      .transaction()
      .execute((tx) => membersRepository.add(t.appId, 'room-14', ids.slice(0, 10_000), NEW_ROOM, Date.now(), tx));
    expect(await membersRepository.list(t.appId, 'room-14')).toHaveLength(10_002);
  });

  it('refuses NUL characters and deep nesting on the socket too', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = await connect(url, 'G3');
    try {
      expect((await authenticate(socket, alice, t.clientKey)).RC).toBe(0);
      for (const message of [
        { room: 'room-14', message: 'x\u0000', messageType: 'text' },
        { room: 'room-14', message: nested(4000), messageType: 'custom' },
      ]) {
        const ack = await socket.call('chat message', message);
        expect(ack.RC, JSON.stringify(ack).slice(0, 200)).toBe(400);
      }
      expect((await socket.call('lastRead', 'room\u0000', 'x')).RC).toBe(400);
      expect((await socket.call('auth2', 'token\u0000', { CLIENT_KEY: `${t.clientKey}\u0000` })).RC).toBe(400);
    } finally {
      socket.close();
    }
    for (const auth of [{ token: 'token\u0000', clientKey: `${t.clientKey}\u0000` }, { apiKey: `${t.apiKey}\u0000` }]) {
      const refusal = await handshakeRefusal(url, auth);
      expect((refusal.data as { RC: number }).RC, JSON.stringify(refusal)).toBe(400);
    }
    expect(errorLogs()).toStrictEqual([]);
  });
});
