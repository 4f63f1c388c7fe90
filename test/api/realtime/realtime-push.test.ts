import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../../helpers/socket-clients.js';
import { connectCurrent, encodingProblems, recordRaw, waitFor, waitForCount } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import {
  expectEncodings,
  expectNoPush,
  GENERATIONS,
  plainCurrentClients,
  rawAck,
} from '../../helpers/realtime-suite.js';
import { secondApp, socketPool } from '../../helpers/realtime-suite.js';

const ids = (room: { members?: unknown[] }) =>
  (room.members ?? []).map((member) => (typeof member === 'string' ? member : (member as { _id: string })._id));

/** DELETE /rooms/:id/messages/:messageId answers its own RM (spec 5.6). */
function expectDeleted(response: { statusCode: number; body: string; json(): any }): void {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().RC).toBe(0);
}

describe('real-time: every push, to every generation, in its encoding', () => {
  let t: TestApp;
  let url: string;
  let other: Awaited<ReturnType<typeof secondApp>>;
  const tokens: Record<string, string> = {};
  const shared = socketPool();
  const pool = socketPool();
  let counter = 0;
  const unique = (label: string) => `${label}-${++counter}`;

  // bob on all three generations; alice (the usual actor) on two; dave through the group "team";
  // carol and erin outside r1; bob of another app with the same id; API-key sockets of both apps.
  let bob1: TestSocket, bob2: TestSocket, bob3: TestSocket, alice1: TestSocket, alice3: TestSocket, dave2: TestSocket;
  let carol1: TestSocket,
    erin1: TestSocket,
    erin2: TestSocket,
    erin3: TestSocket,
    bobOfB: TestSocket,
    adminA: TestSocket,
    adminB: TestSocket;
  const erins = () => [erin1, erin2, erin3];
  const bobs = () => [bob1, bob2, bob3];
  const members = () => [bob1, bob2, bob3, alice1, alice3, dave2, adminA];
  const outsiders = () => [carol1, erin1, erin2, erin3, bobOfB, adminB];
  const everyone = () => [...members(), ...outsiders()];

  const signIn = async (generation: Generation, user: string, list = shared) => {
    const socket = list.add(recordRaw(await connect(url, generation)));
    expect(await authenticate(socket, tokens[user]!, t.clientKey)).toMatchObject({ RC: 0, result: { client: user } });
    return socket;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol', 'dave', 'erin'])
      tokens[id] = await t.createUser(id, { nickname: id[0]!.toUpperCase() + id.slice(1) });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'team', nickname: 'Team', members: ['dave', 'bob'] }));
    await createRoom(t, { _id: 'r1', name: 'Room one', members: ['alice', 'bob', 'team'] });
    other = await secondApp(t, 'bob');
    await createRoom(other, { _id: 'r1', members: ['bob'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    bob1 = await signIn('G1', 'bob');
    bob2 = await signIn('G2', 'bob');
    bob3 = await signIn('G3', 'bob');
    alice1 = await signIn('G1', 'alice');
    alice3 = await signIn('G3', 'alice');
    dave2 = await signIn('G2', 'dave');
    carol1 = await signIn('G1', 'carol');
    erin1 = await signIn('G1', 'erin');
    erin2 = await signIn('G2', 'erin');
    erin3 = await signIn('G3', 'erin');
    bobOfB = shared.add(recordRaw(await connect(url, 'G3')));
    expect(await authenticate(bobOfB, other.token, other.clientKey)).toMatchObject({
      RC: 0,
      result: { client: 'bob', appID: other.id },
    });
    adminA = shared.add(recordRaw(await connectCurrent(url, { apiKey: t.apiKey })));
    adminB = shared.add(recordRaw(await connectCurrent(url, { apiKey: other.apiKey })));
    plainCurrentClients.add(adminA);
    plainCurrentClients.add(adminB);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    shared.closeAll();
    await t.close();
  });

  const post = async (token: string, room: string, text: string) =>
    expectOk(await t.asUser(token, 'POST', `/rooms/${room}/message`, { message: text, messageType: 'text' }));

  it('a REST message reaches every member connection exactly once (sender and group members included), nobody else', async () => {
    const text = unique('rest');
    const sent = await post(tokens.alice!, 'r1', text);
    for (const socket of members()) {
      const pushed = await waitFor(socket, 'chat message', (message) => message.message === text);
      expect(pushed, socket.generation).toMatchObject({
        _id: sent._id,
        id: sent._id,
        room: 'r1',
        message: text,
        messageType: 'text',
        messageTimeMS: sent.messageTimeMS,
        sender: { _id: 'alice', id: 'alice', nickname: 'Alice' },
      });
    }
    await expectNoPush(outsiders(), 'chat message', (message) => message.message === text);
    for (const socket of members())
      expect(
        socket.received('chat message').filter((message) => message._id === sent._id),
        socket.generation,
      ).toHaveLength(1);
    expectEncodings(everyone(), 'chat message');
  });

  for (const generation of GENERATIONS) {
    it(`${generation}: a socket chat message gets a plain ack and is pushed to the members, the sender's own connections included`, async () => {
      const sender = generation === 'G1' ? bob1 : generation === 'G2' ? bob2 : bob3;
      const text = unique(`socket-${generation}`);
      const [ack] = await rawAck(sender, 'chat message', {
        room: 'r1',
        message: text,
        messageType: 'text',
        extra: '{"tags":[]}',
      });
      // Never base64, in every generation (realtime protocol 4.1).
      expect(typeof ack).toBe('object');
      expect(ack).toMatchObject({
        RC: 0,
        RM: 'OK',
        result: { room: 'r1', message: text, messageType: 'text', extra: '{"tags":[]}', sender: { _id: 'bob' } },
      });
      const id = (ack as { result: { _id: string } }).result._id;
      for (const socket of members()) {
        expect(await waitFor(socket, 'chat message', (message) => message._id === id), socket.generation).toMatchObject(
          { message: text, sender: { _id: 'bob', nickname: 'Bob' } },
        );
      }
      await expectNoPush(outsiders(), 'chat message', (message) => message.message === text);
      for (const socket of members())
        expect(socket.received('chat message').filter((message) => message._id === id)).toHaveLength(1);
      expectEncodings(everyone(), 'chat message');
    });
  }

  it('edits, recalls, pins and unpins are pushed as chat message with the same _id', async () => {
    const edited = await post(tokens.alice!, 'r1', unique('to-edit'));
    const recalled = await post(tokens.alice!, 'r1', unique('to-recall'));
    const pinned = await post(tokens.alice!, 'r1', unique('to-pin'));
    const newText = unique('edited');
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/r1/message', {
        _id: edited._id,
        message: newText,
        messageType: 'text',
      }),
    );
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r1/message', { _id: recalled._id, messageType: 'recall' }));
    expectOk(await t.admin('POST', `/messages/${pinned._id}/pin`));
    for (const socket of members()) {
      expect(
        await waitFor(socket, 'chat message', (message) => message._id === edited._id && message.message === newText),
      ).toMatchObject({ room: 'r1', sender: { _id: 'alice' } });
      expect(
        await waitFor(
          socket,
          'chat message',
          (message) => message._id === recalled._id && message.messageType === 'recall',
        ),
      ).toMatchObject({ room: 'r1' });
      expect(
        await waitFor(socket, 'chat message', (message) => message._id === pinned._id && message.pinned === true),
      ).toMatchObject({ isPined: true });
    }
    expectOk(await t.admin('DELETE', `/messages/${pinned._id}/pin`));
    for (const socket of members())
      await waitFor(socket, 'chat message', (message) => message._id === pinned._id && message.pinned === false);
    await expectNoPush(outsiders(), 'chat message', (message) =>
      [edited._id, recalled._id, pinned._id].includes(message._id),
    );
    for (const socket of members()) {
      // Each change once: create, edit / recall / pin+unpin.
      expect(socket.received('chat message').filter((message) => message._id === edited._id)).toHaveLength(2);
      expect(socket.received('chat message').filter((message) => message._id === recalled._id)).toHaveLength(2);
      expect(socket.received('chat message').filter((message) => message._id === pinned._id)).toHaveLength(3);
    }
    expectEncodings(everyone(), 'chat message');
  });

  it('a room update pushes the room, without any viewer fields, to its members only', async () => {
    const name = unique('Renamed');
    expectOk(await t.admin('PUT', '/rooms/r1', { name, description: 'about' }));
    for (const socket of members()) {
      const room = await waitFor(socket, 'room', (value) => value.id === 'r1' && value.name === name);
      expect(room).toMatchObject({ _id: 'r1', id: 'r1', description: 'about' });
      expect(ids(room).sort()).toStrictEqual(['alice', 'bob', 'team']);
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead', 'isMentioned'])
        expect(room, `${socket.generation} ${field}`).not.toHaveProperty(field);
    }
    await expectNoPush(outsiders(), 'room', (value) => value.id === 'r1');
    expectEncodings(everyone(), 'room');
  });

  it('deleting messages pushes messagesDeleted and the room', async () => {
    const doomed = await post(tokens.alice!, 'r1', unique('doomed'));
    for (const socket of members()) await waitFor(socket, 'chat message', (message) => message._id === doomed._id);
    const roomPushes = new Map(
      members().map((socket) => [socket, socket.received('room').filter((room) => room.id === 'r1').length]),
    );
    expectDeleted(await t.admin('DELETE', `/rooms/r1/messages/${doomed._id}`));
    for (const socket of members()) {
      expect(await waitFor(socket, 'messagesDeleted', (value) => value.messageIds?.includes(doomed._id))).toStrictEqual(
        {
          room: 'r1',
          messageIds: [doomed._id],
          all: false,
          deletedBy: 'admin',
        },
      );
      await waitForCount(socket, 'room', roomPushes.get(socket)! + 1, (room) => room.id === 'r1');
    }

    await createRoom(t, { _id: 'r-wipe', members: ['alice', 'bob'] });
    await post(tokens.bob!, 'r-wipe', unique('wiped'));
    expectDeleted(await t.admin('DELETE', '/rooms/r-wipe/messages/_all'));
    for (const socket of [...bobs(), alice1, alice3, adminA]) {
      expect(await waitFor(socket, 'messagesDeleted', (value) => value.room === 'r-wipe')).toStrictEqual({
        room: 'r-wipe',
        messageIds: [],
        all: true,
        deletedBy: 'admin',
      });
    }
    await expectNoPush(
      outsiders(),
      'messagesDeleted',
      (value) => value.room === 'r-wipe' || value.messageIds?.includes(doomed._id),
    );
    await expectNoPush([dave2], 'messagesDeleted', (value) => value.room === 'r-wipe', 0);
    expectEncodings(everyone(), 'messagesDeleted', 'room');
  });

  it('members added get the room; a removed member gets one final room push and then nothing of that room', async () => {
    await createRoom(t, { _id: 'r-members', members: ['alice'] });
    for (const socket of [alice1, alice3]) await waitFor(socket, 'room', (room) => room.id === 'r-members');
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r-members/members/bob'));
    for (const socket of [...bobs(), alice1, alice3]) {
      const room = await waitFor(socket, 'room', (value) => value.id === 'r-members' && ids(value).includes('bob'));
      expect(ids(room).sort()).toStrictEqual(['alice', 'bob']);
    }
    const welcome = unique('welcome');
    await post(tokens.alice!, 'r-members', welcome);
    for (const socket of bobs()) await waitFor(socket, 'chat message', (message) => message.message === welcome);
    await sleep(150);
    const before = new Map(
      bobs().map((socket) => [socket, socket.received('room').filter((room) => room.id === 'r-members').length]),
    );

    expectOk(await t.admin('DELETE', '/rooms/r-members/members/bob'));
    for (const socket of bobs()) {
      const rooms = await waitForCount(socket, 'room', before.get(socket)! + 1, (room) => room.id === 'r-members');
      expect(ids(rooms.at(-1)).sort()).toStrictEqual(['alice']);
    }
    const afterwards = unique('after-removal');
    await post(tokens.alice!, 'r-members', afterwards);
    expectOk(await t.admin('PUT', '/rooms/r-members', { name: unique('renamed-after-removal') }));
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r-members/typing', { message: 'still here?' }));
    for (const socket of [alice1, alice3])
      await waitFor(socket, 'chat message', (message) => message.message === afterwards);
    await sleep(120);
    for (const socket of bobs()) {
      expect(
        socket.received('room').filter((room) => room.id === 'r-members'),
        socket.generation,
      ).toHaveLength(before.get(socket)! + 1);
      expect(
        socket
          .received('chat message')
          .filter((message) => message.room === 'r-members' && message.message === afterwards),
      ).toStrictEqual([]);
      expect(socket.received('typing').filter((typing) => typing.room === 'r-members')).toStrictEqual([]);
    }
    await expectNoPush(outsiders(), 'room', (room) => room.id === 'r-members');
    expectEncodings(everyone(), 'room');
  });

  it('deleting a room pushes {_id, id, deleted: true} with its fields and members then to its members', async () => {
    await createRoom(t, { _id: 'r-gone', name: 'Gone', members: ['alice', 'bob'] });
    for (const socket of bobs()) await waitFor(socket, 'room', (room) => room.id === 'r-gone');
    expectOk(await t.admin('DELETE', '/rooms/r-gone'));
    for (const socket of [...bobs(), alice1, alice3, adminA]) {
      const gone = await waitFor(socket, 'room', (room) => room.id === 'r-gone' && room.deleted === true);
      expect(gone, socket.generation).toMatchObject({
        _id: 'r-gone',
        id: 'r-gone',
        deleted: true,
        name: 'Gone',
        roomType: 'group',
      });
      // IMKIT's Vue client needs an array of members (other-clients 6.1): the users, as room payloads show them.
      expect(gone.members).toMatchObject([
        { _id: 'alice', nickname: 'Alice', clientType: 'user' },
        { _id: 'bob', nickname: 'Bob', clientType: 'user' },
      ]);
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead', 'lastMessage'])
        expect(gone).not.toHaveProperty(field);
    }
    await expectNoPush([...outsiders(), dave2], 'room', (room) => room.id === 'r-gone');
    expectEncodings(everyone(), 'room');
  });

  it('an invitation reaches the invitees only, then joining makes them members', async () => {
    await createRoom(t, { _id: 'r-invite', name: 'Invites', members: ['alice', 'bob'] });
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/r-invite/members', {
        invitees: ['erin'],
        invitationRequired: true,
      }),
    );
    for (const socket of erins()) {
      const invitation = await waitFor(socket, 'invitation');
      expect(invitation, socket.generation).toMatchObject({
        // A user map and the invitation's times: IMKIT's mobile SDKs drop the invitation otherwise (other-clients 1.2).
        inviter: { _id: 'alice', id: 'alice', nickname: 'Alice', avatarUrl: '', clientType: 'user' },
        room: { _id: 'r-invite', id: 'r-invite', name: 'Invites' },
        // The rest of the invitation record ([hist] 6.1, 12.3): the invitee and the ISO times.
        invitee: { _id: 'erin', id: 'erin', clientType: 'user' },
        invitationID: 'r-invite',
        createdTimeMS: expect.any(Number),
      });
      expect(invitation.updatedTimeMS).toBe(invitation.createdTimeMS);
      expect(invitation.createdAtMS).toBe(invitation.createdTimeMS);
      expect(invitation.createdAt).toBe(new Date(invitation.createdTimeMS).toISOString());
      expect(invitation.updatedAt).toBe(invitation.createdAt);
      expect(ids(invitation.room).sort()).toStrictEqual(['alice', 'bob']);
      for (const field of ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead'])
        expect(invitation.room).not.toHaveProperty(field);
    }
    await expectNoPush([...bobs(), alice1, alice3, carol1, dave2, bobOfB, adminB], 'invitation');
    for (const socket of erins()) expect(socket.received('invitation')).toHaveLength(1);
    // Not a member yet.
    const early = unique('before-join');
    await post(tokens.alice!, 'r-invite', early);
    await waitFor(bob3, 'chat message', (message) => message.message === early);
    expectOk(await t.asUser(tokens.erin!, 'POST', '/rooms/r-invite/join'));
    for (const socket of erins())
      await waitFor(socket, 'room', (room) => room.id === 'r-invite' && ids(room).includes('erin'));
    const late = unique('after-join');
    await post(tokens.alice!, 'r-invite', late);
    for (const socket of erins()) {
      await waitFor(socket, 'chat message', (message) => message.message === late);
      expect(socket.received('chat message').filter((message) => message.message === early)).toStrictEqual([]);
    }
    expectEncodings(everyone(), 'invitation');
  });

  it('roomPref (POST /roomPrefs, POST/DELETE /me/mute) goes to that user only, merged', async () => {
    expectOk(await t.asUser(tokens.bob!, 'POST', '/roomPrefs/r1', { sticky: true, tags: ['work'], folder: 'f1' }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'roomPref', (pref) => pref.room === 'r1' && pref.sticky === true)).toStrictEqual({
        room: 'r1',
        sticky: true,
        tags: ['work'],
        folder: 'f1',
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'POST', '/roomPrefs/r1', { hidden: true, tagColors: { work: '#f2d700' } }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'roomPref', (pref) => pref.hidden === true)).toStrictEqual({
        room: 'r1',
        sticky: true,
        tags: ['work'],
        folder: 'f1',
        hidden: true,
        tagColors: { work: '#f2d700' },
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'POST', '/me/mute/r1'));
    for (const socket of bobs())
      expect(await waitFor(socket, 'roomPref', (pref) => pref.muted === true)).toStrictEqual({
        room: 'r1',
        muted: true,
      });
    expectOk(await t.asUser(tokens.bob!, 'DELETE', '/me/mute/r1'));
    for (const socket of bobs())
      expect(await waitFor(socket, 'roomPref', (pref) => pref.muted === false)).toStrictEqual({
        room: 'r1',
        muted: false,
      });
    // A non-member can set nothing, and nothing is pushed.
    const refused = await t.asUser(tokens.carol!, 'POST', '/roomPrefs/r1', { sticky: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('NOT_ROOM_MEMBER');
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'roomPref');
    for (const socket of bobs()) expect(socket.received('roomPref')).toHaveLength(4);
    expectEncodings(everyone(), 'roomPref');
  });

  it('myPrefChange carries {key, data}; myPrefDelete the bare key (base64 of the bare key after conf)', async () => {
    expectOk(await t.asUser(tokens.bob!, 'POST', '/me/pref/folders-meta', { order: ['a', 'b'], open: true }));
    for (const socket of bobs()) {
      expect(await waitFor(socket, 'myPrefChange', (pref) => pref.key === 'folders-meta')).toStrictEqual({
        key: 'folders-meta',
        data: { order: ['a', 'b'], open: true },
      });
    }
    expectOk(await t.asUser(tokens.bob!, 'DELETE', '/me/pref/folders-meta'));
    for (const socket of bobs()) expect(await waitFor(socket, 'myPrefDelete')).toBe('folders-meta');
    // Absent now: still 200 ([hist] 14 item 16), and no second push.
    expectOk(await t.asUser(tokens.bob!, 'DELETE', '/me/pref/folders-meta'));
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'myPrefChange');
    await expectNoPush([alice1, alice3, dave2, carol1, ...erins(), bobOfB, adminB], 'myPrefDelete', () => true, 0);
    for (const socket of bobs()) expect(socket.received('myPrefDelete')).toStrictEqual(['folders-meta']);
    // The wire form, checked directly: G1 the bare string, G2/G3 base64 of it (not of its JSON).
    expect(encodingProblems(bob1, 'myPrefDelete', false)).toStrictEqual([]);
    expect(encodingProblems(bob2, 'myPrefDelete', true)).toStrictEqual([]);
    expect(encodingProblems(bob3, 'myPrefDelete', true)).toStrictEqual([]);
    expectEncodings(everyone(), 'myPrefChange');
  });

  it('lastRead over the socket acks {client, lastRead, badge} and pushes {roomID, memberID, messageID} to the members', async () => {
    const message = await post(tokens.alice!, 'r1', unique('read-me'));
    for (const socket of bobs()) await waitFor(socket, 'chat message', (value) => value._id === message._id);
    const [ack] = await rawAck(bob2, 'lastRead', 'r1', message._id);
    expect(ack).toStrictEqual({ RC: 0, RM: 'OK', result: { client: 'bob', lastRead: message._id, badge: 0 } });
    for (const socket of members()) {
      expect(
        await waitFor(socket, 'lastRead', (value) => value.messageID === message._id && value.memberID === 'bob'),
      ).toStrictEqual({ roomID: 'r1', memberID: 'bob', messageID: message._id });
    }
    // And over REST, from alice.
    expectOk(await t.asUser(tokens.alice!, 'PUT', '/rooms/r1/lastRead', { message: message._id }));
    for (const socket of members())
      await waitFor(socket, 'lastRead', (value) => value.messageID === message._id && value.memberID === 'alice');
    await expectNoPush(outsiders(), 'lastRead');
    expectEncodings(everyone(), 'lastRead');
  });

  it("typing reaches the other members, never the typist's own connections", async () => {
    alice1.raw.emit('typing', 'r1', 'typing...');
    for (const socket of [...bobs(), dave2, adminA]) {
      expect(
        await waitFor(socket, 'typing', (value) => value.sender === 'alice' && value.message === 'typing...'),
      ).toStrictEqual({
        room: 'r1',
        sender: 'alice',
        message: 'typing...',
        senderInfo: { _id: 'alice', id: 'alice', nickname: 'Alice', avatarUrl: '', isRobot: false, clientType: 'user' },
      });
    }
    expect(await bob3.call('typing', 'r1', 'bob types')).toStrictEqual({ RC: 0, RM: 'OK', result: {} });
    expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/r1/typing', { message: 'bob types over REST' }));
    for (const socket of [alice1, alice3, dave2]) {
      await waitFor(socket, 'typing', (value) => value.message === 'bob types');
      await waitFor(socket, 'typing', (value) => value.message === 'bob types over REST');
    }
    // A non-member may not type into the room.
    expect(await carol1.call('typing', 'r1', 'intruder')).toMatchObject({
      RC: 403,
      error: { code: 'NOT_ROOM_MEMBER' },
    });
    await sleep(150);
    for (const socket of [alice1, alice3])
      expect(socket.received('typing').filter((value) => value.sender === 'alice')).toStrictEqual([]);
    for (const socket of bobs())
      expect(socket.received('typing').filter((value) => value.sender === 'bob')).toStrictEqual([]);
    for (const socket of everyone())
      expect(socket.received('typing').filter((value) => value.message === 'intruder')).toStrictEqual([]);
    await expectNoPush(
      outsiders().filter((socket) => socket !== adminA),
      'typing',
      () => true,
      0,
    );
    expectEncodings(everyone(), 'typing');
  });

  it('30 messages sent quickly with POST /messages reach each connection once each, in order', async () => {
    const label = unique('burst');
    const sent: string[] = [];
    for (let index = 0; index < 30; index++) {
      sent.push(
        expectOk(
          await t.admin('POST', '/messages', {
            room: 'r1',
            sender: 'alice',
            message: `${label}:${index}`,
            messageType: 'text',
          }),
        )._id,
      );
    }
    for (const socket of members()) {
      await waitForCount(socket, 'chat message', 30, (message) => String(message.message).startsWith(`${label}:`));
    }
    await sleep(120);
    for (const socket of members()) {
      const got = socket.received('chat message').filter((message) => String(message.message).startsWith(`${label}:`));
      expect(
        got.map((message) => message._id),
        socket.generation,
      ).toStrictEqual(sent);
    }
    await expectNoPush(outsiders(), 'chat message', (message) => String(message.message).startsWith(`${label}:`), 0);
  });

  it('30 concurrent sends reach each connection once each, all connections in the same order', async () => {
    const label = unique('parallel');
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        t
          .admin('POST', '/messages', {
            room: 'r1',
            sender: index % 2 ? 'alice' : 'bob',
            message: `${label}:${index}`,
            messageType: 'text',
          })
          .then((response) => expectOk(response)._id as string),
      ),
    );
    for (const socket of members())
      await waitForCount(socket, 'chat message', 30, (message) => String(message.message).startsWith(`${label}:`));
    await sleep(120);
    const orders = members().map((socket) =>
      socket
        .received('chat message')
        .filter((message) => String(message.message).startsWith(`${label}:`))
        .map((message) => message._id),
    );
    for (const order of orders) {
      expect(order).toHaveLength(30);
      expect(new Set(order).size).toBe(30);
      expect([...order].sort()).toStrictEqual([...sent].sort());
      expect(order).toStrictEqual(orders[0]);
    }
  });

  it('POST /messages/batch delivers each entry once, in order, and a new direct room to its pair', async () => {
    const label = unique('batch');
    const accepted = expectOk(
      await t.admin('POST', '/messages/batch', {
        sender: 'alice',
        message: `${label}:$n$`,
        messageType: 'text',
        paras: Array.from({ length: 30 }, (_, index) => ({ room: 'r1', $n$: String(index) })),
      }),
    );
    expect(accepted.count).toBe(30);
    for (const socket of members())
      await waitForCount(
        socket,
        'chat message',
        30,
        (message) => String(message.message).startsWith(`${label}:`),
        10_000,
      );
    await sleep(120);
    for (const socket of members()) {
      const got = socket.received('chat message').filter((message) => String(message.message).startsWith(`${label}:`));
      expect(
        got.map((message) => message.message),
        socket.generation,
      ).toStrictEqual(Array.from({ length: 30 }, (_, index) => `${label}:${index}`));
      expect(got.every((message) => message.room === 'r1' && message.sender?._id === 'alice')).toBe(true);
    }
    await expectNoPush(outsiders(), 'chat message', (message) => String(message.message).startsWith(`${label}:`), 0);

    const direct = unique('direct');
    expectOk(
      await t.admin('POST', '/messages/batch', {
        sender: 'alice',
        message: `${direct} $name$`,
        messageType: 'text',
        paras: [{ receiver: 'carol', $name$: 'Carol' }],
      }),
    );
    const pushed = await waitFor(carol1, 'chat message', (message) => message.message === `${direct} Carol`, 5000);
    await waitFor(carol1, 'room', (room) => room.id === pushed.room);
    for (const socket of [alice1, alice3])
      await waitFor(socket, 'chat message', (message) => message._id === pushed._id);
    await expectNoPush(
      [...bobs(), dave2, ...erins(), bobOfB, adminB],
      'chat message',
      (message) => message._id === pushed._id,
    );
    expectEncodings(everyone(), 'chat message', 'room');
  });

  it("another application's pushes stay in that application, even for the same user id and room id", async () => {
    const text = unique('in-b');
    expectOk(await other.admin('POST', '/messages', { room: 'r1', sender: 'bob', message: text, messageType: 'text' }));
    for (const socket of [bobOfB, adminB])
      expect(await waitFor(socket, 'chat message', (message) => message.message === text)).toMatchObject({
        room: 'r1',
        sender: { _id: 'bob' },
      });
    await expectNoPush(members(), 'chat message', (message) => message.message === text);
    expectOk(await other.admin('PUT', '/rooms/r1', { name: 'B room' }));
    await waitFor(bobOfB, 'room', (room) => room.name === 'B room');
    await expectNoPush(members(), 'room', (room) => room.name === 'B room');
  });

  it('a user added to a group while connected starts receiving the rooms of that group', async () => {
    const carolSocket = await signIn('G2', 'carol', pool);
    expectOk(await t.admin('PUT', '/admin/groups/team', { members: ['dave', 'bob', 'carol'] }));
    const text = unique('group-grew');
    await post(tokens.alice!, 'r1', text);
    await waitFor(dave2, 'chat message', (message) => message.message === text);
    // carol is a member of r1 now (through team): GET /rooms lists it, and the open connection gets it.
    expect(
      expectOk(await t.asUser(tokens.carol!, 'GET', '/rooms')).data.map((room: { id: string }) => room.id),
    ).toContain('r1');
    await waitFor(carolSocket, 'chat message', (message) => message.message === text, 800);
  });

  it('a user removed from a group while connected stops receiving the rooms of that group', async () => {
    const daveSocket = await signIn('G3', 'dave', pool);
    expectOk(await t.admin('PUT', '/admin/groups/team', { members: ['bob'] }));
    const text = unique('group-shrank');
    await post(tokens.alice!, 'r1', text);
    await waitFor(bob3, 'chat message', (message) => message.message === text);
    expect((await t.asUser(tokens.dave!, 'GET', '/rooms/r1')).statusCode).not.toBe(200);
    await expectNoPush([daveSocket, dave2], 'chat message', (message) => message.message === text, 400);
  });

  it("IMKIT's Flutter (conf base64, IM-* keys) and Vue (plain) clients get the typist, the inviter and the deleted room's members", async () => {
    // Flutter: conf {encoding: "base64"} with an ack, then auth2 with IM-CLIENT-KEY / IM-Authorization.
    const flutter = async (user: string) => {
      const socket = pool.add(recordRaw(await connect(url, 'G3')));
      expect(
        await socket.call('auth2', tokens[user]!, { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': tokens[user]! }),
      ).toMatchObject({ RC: 0, result: { client: user, clientType: 'user' } });
      return socket;
    };
    // Vue: socket.io 4, no conf, auth2 with CLIENT_KEY / Authorization: plain pushes.
    const vue = async (user: string) => {
      const socket = pool.add(recordRaw(await connectCurrent(url)));
      plainCurrentClients.add(socket);
      expect(
        await socket.call('auth2', tokens[user]!, { CLIENT_KEY: t.clientKey, Authorization: tokens[user]! }),
      ).toMatchObject({ RC: 0 });
      return socket;
    };
    const [bobFlutter, bobVue, carolFlutter, carolVue] = [
      await flutter('bob'),
      await vue('bob'),
      await flutter('carol'),
      await vue('carol'),
    ];
    const clients = [bobFlutter, bobVue, carolFlutter, carolVue];
    await createRoom(t, { _id: 'r-clients', name: 'Clients', members: ['alice', 'bob'] });
    for (const socket of [bobFlutter, bobVue]) await waitFor(socket, 'room', (room) => room.id === 'r-clients');

    // typing: Vue reads senderInfo._id/nickname/avatarUrl/isRobot; Flutter room and sender (ids).
    const typed = unique('typing');
    expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/r-clients/typing', { message: typed }));
    for (const socket of [bobFlutter, bobVue]) {
      const typing = await waitFor(socket, 'typing', (value) => value.message === typed);
      expect(typing).toMatchObject({
        room: 'r-clients',
        sender: 'alice',
        senderInfo: { _id: 'alice', nickname: 'Alice', avatarUrl: '', isRobot: false },
      });
    }

    // invitation: room (a map), inviter (a user map), createdTimeMS and updatedTimeMS (numbers).
    const before = Date.now();
    expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms/r-clients/members', {
        invitees: ['carol'],
        invitationRequired: true,
      }),
    );
    for (const socket of [carolFlutter, carolVue]) {
      const invitation = await waitFor(socket, 'invitation', (value) => value.room?._id === 'r-clients');
      expect(invitation.inviter).toMatchObject({ _id: 'alice', nickname: 'Alice', clientType: 'user' });
      expect(invitation.createdTimeMS).toBeGreaterThanOrEqual(before - 1000);
      expect(invitation.updatedTimeMS).toBe(invitation.createdTimeMS);
      expect(invitation.room.members.map((member: any) => [member._id, member.clientType])).toStrictEqual([
        ['alice', 'user'],
        ['bob', 'user'],
      ]);
    }

    // The deleted room: still a room map with a members array.
    expectOk(await t.admin('DELETE', '/rooms/r-clients'));
    for (const socket of [bobFlutter, bobVue]) {
      const gone = await waitFor(socket, 'room', (room) => room.id === 'r-clients' && room.deleted === true);
      expect(gone).toMatchObject({ _id: 'r-clients', name: 'Clients', roomType: 'group' });
      expect(gone.members.map((member: any) => member._id)).toStrictEqual(['alice', 'bob']);
    }
    await expectNoPush([carolFlutter, carolVue], 'room', (room) => room.id === 'r-clients' && room.deleted === true);
    expectEncodings(clients, 'typing', 'invitation', 'room');
  });
});
