import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { createRoom, sendMessage } from '../../helpers/factories.js';
import { createNamedUsers } from '../../helpers/factories.js';
import { RejectedCall } from '../../helpers/client-http.js';
import { FlutterClient, FlutterSocket } from '../../helpers/mobile-client.js';
import {
  parseClient,
  parseMemberProperty,
  parseMessage,
  parseRoom,
  parseUser,
  type IMMessage,
  type IMRoom,
} from '../../helpers/dart-models.js';

/**
 * IMKIT's Flutter SDK replayed against Parley (other-clients.md 1): its REST calls with its exact
 * headers and bodies (1.5), every answer cast by its models (1.4), its socket handshake and its
 * listeners (1.2). The iOS and Android SDKs are the same family (2, 3): this is their wire too.
 */

const ids = (room: IMRoom) => (room.members ?? []).map((member) => member.id).sort();
const decodeAck = (ack: unknown) => JSON.parse(Buffer.from(String(ack), 'base64').toString('utf8'));

/** Bytes that survive only a binary-clean round trip (a PNG signature, then every byte value). */
const PICTURE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

/** What the SDK sends for a text message: a whole map, nulls included (1.3). */
const textParams = (message: string) => ({
  messageType: 'text',
  message,
  originalUrl: null,
  thumbnailUrl: null,
  reply: null,
  // A Dart List<String>? left unset is sent as null too.
  mentions: null,
});

describe("IMKIT's Flutter SDK (and its iOS/Android family) on the wire", () => {
  let t: TestApp;
  let url: string;
  let tokens: Record<string, string>;
  const client: Record<string, FlutterClient> = {};
  const phone: Record<string, FlutterSocket> = {};
  const opened: FlutterSocket[] = [];
  const connectPhone = (token: string) => {
    const socket = new FlutterSocket(url, t.clientKey, token);
    opened.push(socket);
    return socket;
  };
  const send = (uid: string, room: string, params: Record<string, unknown>): Promise<IMMessage> =>
    client[uid]!.call('POST', `/rooms/${room}/message`, params, parseMessage);
  /** Message `id` as the `chat message` listener on `uid`'s phone got it. */
  const pushedTo = (uid: string, id: string) =>
    phone[uid]!.waitFor<IMMessage>('chat message', (entry) => entry.id === id);

  beforeAll(async () => {
    t = await buildTestApp();
    tokens = await createNamedUsers(t, ['ann', 'bob', 'cid', 'dan']);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    for (const uid of ['ann', 'bob', 'cid', 'dan']) {
      client[uid] = new FlutterClient(url, t.clientKey, uid, tokens[uid]!);
      phone[uid] = connectPhone(tokens[uid]!);
    }
    await Promise.all(Object.values(phone).map((socket) => socket.authenticated()));
    await createRoom(t, { _id: 'f-chat', name: 'Chat', members: ['ann', 'bob', 'cid'] });
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await t.close();
  });

  describe('login and profile', () => {
    it('login(uid, token): conf, then auth2 in its ack with IM-CLIENT-KEY/IM-Authorization, acknowledged in base64; GET /me', async () => {
      for (const socket of Object.values(phone)) {
        expect(socket.nullAcks).toBe(0);
        expect(socket.authAcks).toHaveLength(1);
        expect(decodeAck(socket.authAcks[0])).toMatchObject({ RC: 0 });
      }
      const me = await client.ann!.call('GET', '/me', undefined, parseUser);
      expect(me).toMatchObject({ id: 'ann', nickname: 'Ann' });
    });

    it('login(uid) without a token: POST /auths/sign/v2 {id} is a clear 403 while the sandbox is off', async () => {
      const signing = new FlutterClient(url, t.clientKey, 'ann', null);
      const answer = await signing.request('POST', '/auths/sign/v2', { id: 'ann' });
      expect(answer.status, answer.raw.toString()).toBe(403);
      // Either error shape of the API (spec 1.6): a code and a sentence saying why.
      const error = answer.json.error;
      const message = typeof error === 'object' ? error.message : answer.json.message;
      expect(typeof message === 'string' && message.length > 0, answer.raw.toString()).toBe(true);
      // The SDK's login rejects: it never gets an IMClient to read a token from.
      await expect(signing.call('POST', '/auths/sign/v2', { id: 'ann' }, parseClient)).rejects.toThrow(RejectedCall);
    });

    it('POST /me with the fields given (retrofit drops null ones)', async () => {
      const updated = await client.ann!.call(
        'POST',
        '/me',
        { nickname: 'Ann on a phone', description: 'Flutter' },
        parseUser,
      );
      expect(updated).toMatchObject({ id: 'ann', nickname: 'Ann on a phone', description: 'Flutter' });
      expect(await client.ann!.call('GET', '/me', undefined, parseUser)).toMatchObject({ nickname: 'Ann on a phone' });
    });

    it('push: POST /me/subscribe {token, type: "fcm", deviceId}, POST /me/unsubscribe {type, deviceId}', async () => {
      const subscribed = await client.ann!.request('POST', '/me/subscribe', {
        token: 'fcm-registration-token-of-ann',
        type: 'fcm',
        deviceId: 'ann-pixel',
      });
      expect(subscribed.status, subscribed.raw.toString()).toBe(200);
      const unsubscribed = await client.ann!.request('POST', '/me/unsubscribe', { type: 'fcm', deviceId: 'ann-pixel' });
      expect(unsubscribed.status, unsubscribed.raw.toString()).toBe(200);
      expect(unsubscribed.json.result).toMatchObject({ removed: 1 });
    });

    it('HTTP 401 for a bad token (the SDK refreshes on it), never a 2xx with an RC', async () => {
      const stale = new FlutterClient(url, t.clientKey, 'ann', 'not-a-token');
      expect((await stale.request('GET', '/me')).status).toBe(401);
    });
  });

  describe('rooms', () => {
    it('GET /rooms?skip&limit&sort=lastMessage: a list of rooms with members as user maps; updatedAfter lists only the changed ones', async () => {
      await createRoom(t, { _id: 'f-sync-a', members: ['ann', 'bob'] });
      await createRoom(t, { _id: 'f-sync-b', members: ['ann', 'bob'] });
      const rooms = await client.ann!.list('/rooms?skip=0&limit=50&sort=lastMessage', parseRoom);
      expect(rooms.map((room) => room.id)).toEqual(expect.arrayContaining(['f-chat', 'f-sync-a', 'f-sync-b']));
      expect(ids(rooms.find((room) => room.id === 'f-chat')!)).toStrictEqual(['ann', 'bob', 'cid']);

      const since = Date.now();
      await sleep(5);
      await sendMessage(t, 'f-sync-a', 'bob', 'while ann was away');
      const changed = await client.ann!.list(
        `/rooms?skip=0&limit=50&sort=lastMessage&updatedAfter=${since}`,
        parseRoom,
      );
      expect(changed.map((room) => room.id)).toStrictEqual(['f-sync-a']);
      expect(changed[0]!.lastMessage).toMatchObject({ text: 'while ann was away', sender: { id: 'bob' } });
      expect(changed[0]!.updatedTimeMS).toBe(changed[0]!.lastMessage!.createdAtMS);
    });

    it('POST /rooms {_id, name} as the user: the caller is a member, and the room is in its list', async () => {
      const room = await client.ann!.call('POST', '/rooms', { _id: 'f-created', name: 'Made on a phone' }, parseRoom);
      expect(room).toMatchObject({ id: 'f-created', name: 'Made on a phone' });
      expect(ids(room)).toStrictEqual(['ann']);
      const rooms = await client.ann!.list('/rooms?skip=0&limit=50&sort=lastMessage', parseRoom);
      expect(rooms.map((entry) => entry.id)).toContain('f-created');
    });

    it('direct chat: createAndJoin {_id, roomType: "direct", invitee, systemMessage: false} answers members as user maps', async () => {
      const room = await client.ann!.call(
        'POST',
        '/rooms/createAndJoin',
        { _id: 'f-direct', roomType: 'direct', invitee: 'bob', systemMessage: false },
        parseRoom,
      );
      expect(room).toMatchObject({ id: 'f-direct', roomType: 'direct', name: '' });
      expect(ids(room)).toStrictEqual(['ann', 'bob']);
      // An unnamed direct room shows the other member's nickname.
      expect(room.members?.find((member) => member.id !== 'ann')?.nickname).toBe('Bob');
      const pushed = await phone.bob!.waitFor<IMRoom>('room', (entry) => entry.id === 'f-direct');
      expect(ids(pushed)).toStrictEqual(['ann', 'bob']);
    });

    it('group chat: createAndJoin with invitee list, systemMessage, invitationRequired false: member maps, the creator owns it', async () => {
      const body = {
        _id: 'f-group',
        roomType: 'group',
        invitee: ['bob', 'cid'],
        name: 'Phone group',
        description: 'made on Flutter',
        cover: 'https://example.com/cover.png',
        systemMessage: true,
        invitationRequired: false,
      };
      const answer = await client.ann!.request('POST', '/rooms/createAndJoin', body);
      expect(answer.status, answer.raw.toString()).toBe(200);
      const room = parseRoom(answer.json.result);
      expect(room).toMatchObject({ id: 'f-group', roomType: 'group', name: 'Phone group', cover: body.cover });
      expect(ids(room)).toStrictEqual(['ann', 'bob', 'cid']);
      expect(room.lastMessage?.messageType).toBe('addMembers');
      expect(answer.json.result.owner).toBe('ann');
      const pushed = await phone.bob!.waitFor<IMRoom>('room', (entry) => entry.id === 'f-group');
      expect(ids(pushed)).toStrictEqual(['ann', 'bob', 'cid']);
      // As the owner, ann removes a member with the SDK's call.
      const after = await client.ann!.call(
        'POST',
        '/rooms/f-group/delete/members',
        { members: ['cid'], systemMessage: true },
        parseRoom,
      );
      expect(ids(after)).toStrictEqual(['ann', 'bob']);
    });

    it('accept an invitation (POST /rooms/:id/join {systemMessage: true}), GET the room, PUT lastRead, leave', async () => {
      await createRoom(t, { _id: 'f-invite', name: 'Invite', owner: 'ann', opening: 0, members: ['ann', 'bob'] });
      await sendMessage(t, 'f-invite', 'bob', 'welcome');
      expectOk(
        await t.asUser(tokens.ann!, 'POST', '/rooms/f-invite/members', { invitees: ['dan'], invitationRequired: true }),
      );
      const joined = await client.dan!.call('POST', '/rooms/f-invite/join', { systemMessage: true }, parseRoom);
      expect(ids(joined)).toStrictEqual(['ann', 'bob', 'dan']);

      const room = await client.dan!.call('GET', '/rooms/f-invite', undefined, parseRoom);
      expect(room.memberProperties?.map((property) => property.client).sort()).toStrictEqual(['ann', 'bob', 'dan']);
      const lastId = room.lastMessage?.id;
      expect(lastId).toEqual(expect.any(String));

      const read = await client.dan!.call('PUT', '/rooms/f-invite/lastRead', { message: lastId }, parseMemberProperty);
      expect(read).toStrictEqual({ client: 'dan', badge: 0, lastRead: lastId });

      const left = await client.dan!.call(
        'POST',
        '/rooms/f-invite/delete/members',
        { members: ['dan'], systemMessage: true },
        parseRoom,
      );
      expect(ids(left)).toStrictEqual(['ann', 'bob']);
    });
  });

  describe('messages', () => {
    it('GET /rooms/:id/messages/v3 with limit, then beforeMessage: older pages, newest first, every message kept once', async () => {
      await createRoom(t, { _id: 'f-history', members: ['ann', 'bob'] });
      const sent: string[] = [];
      for (let i = 0; i < 25; i++) sent.push((await sendMessage(t, 'f-history', 'bob', `history ${i}`))._id);
      // The SDK's local store keeps messages by id: a page may repeat its cursor, never skip one.
      const seen = new Map<string, IMMessage>();
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const query = before === undefined ? 'limit=10' : `beforeMessage=${before}&limit=10`;
        const messages = await client.ann!.list(`/rooms/f-history/messages/v3?${query}`, parseMessage);
        const times = messages.map((message) => message.createdAtMS ?? 0);
        expect(times).toStrictEqual([...times].sort((a, b) => b - a));
        const fresh = messages.filter((message) => !seen.has(message.id));
        for (const message of fresh) seen.set(message.id, message);
        if (fresh.length === 0) break;
        before = messages[messages.length - 1]!.id;
      }
      expect([...seen.keys()].sort()).toStrictEqual([...sent].sort());
    });

    it('text with JSON nulls for originalUrl, thumbnailUrl and reply: the answer and the push parse as messages', async () => {
      const message = await send('ann', 'f-chat', textParams('hello from a phone'));
      expect(message).toMatchObject({ room: 'f-chat', messageType: 'text', text: 'hello from a phone' });
      expect(message.sender?.id).toBe('ann');
      const pushed = await pushedTo('bob', message.id);
      expect(pushed).toMatchObject({ room: 'f-chat', text: 'hello from a phone', sender: { id: 'ann' } });
      // The sender's own phone gets it too.
      await pushedTo('ann', message.id);
    });

    it('file: {messageType, originalUrl, extra (JSON string), duration, message: file name}', async () => {
      const extra = { fileName: 'notes.pdf', fileExtension: 'pdf', mimeType: 'application/pdf', bytes: 1234 };
      const message = await send('ann', 'f-chat', {
        messageType: 'file',
        originalUrl: 'https://files.example.com/notes.pdf',
        extra: JSON.stringify(extra),
        duration: null,
        message: 'notes.pdf',
      });
      expect(message).toMatchObject({ messageType: 'file', file: extra });
      expect((await pushedTo('bob', message.id)).file).toEqual(extra);
    });

    it('image: {messageType, originalUrl, thumbnailUrl, width, height, images} without `message`', async () => {
      const image = {
        originalUrl: 'https://files.example.com/a.jpg',
        thumbnailUrl: 'https://files.example.com/a-thumb.jpg',
        width: 640,
        height: 480,
      };
      const message = await send('ann', 'f-chat', { messageType: 'image', ...image, images: [image] });
      expect(message).toMatchObject({ messageType: 'image', ...image, images: [image] });
      await pushedTo('bob', message.id);
    });

    it('video: {messageType, originalUrl, thumbnailUrl, width, height, extra, duration} without `message`', async () => {
      const extra = { fileName: 'clip.mp4', fileExtension: 'mp4', mimeType: 'video/mp4', bytes: 4096 };
      const message = await send('ann', 'f-chat', {
        messageType: 'video',
        originalUrl: 'https://files.example.com/clip.mp4',
        thumbnailUrl: 'https://files.example.com/clip.jpg',
        width: 1280,
        height: 720,
        extra: JSON.stringify(extra),
        duration: 12.5,
      });
      expect(message).toMatchObject({ messageType: 'video', width: 1280, height: 720, duration: 12.5, file: extra });
      await pushedTo('bob', message.id);
    });

    it('edit: the same parameters plus _id; recall: {_id, messageType: "recall"}', async () => {
      const original = await send('ann', 'f-chat', textParams('tpyo'));
      const edited = await send('ann', 'f-chat', { ...textParams('typo'), _id: original.id });
      expect(edited).toMatchObject({ id: original.id, messageType: 'text', text: 'typo' });
      await phone.bob!.waitFor<IMMessage>('chat message', (entry) => entry.id === original.id && entry.text === 'typo');
      const recalled = await send('ann', 'f-chat', { _id: original.id, messageType: 'recall' });
      expect(recalled).toMatchObject({ id: original.id, messageType: 'recall' });
      await phone.bob!.waitFor<IMMessage>(
        'chat message',
        (entry) => entry.id === original.id && entry.messageType === 'recall',
      );
    });

    it('upload (POST /files/:bucket, part `file`) answers _id and bucketName; the built URL downloads, for the room too', async () => {
      const upload = await client.ann!.upload('chatserver-upload', {
        filename: 'photo.png',
        type: 'image/png',
        content: PICTURE,
      });
      expect(upload.bucketName).toBe('chatserver-upload');
      const fileUrl = client.ann!.fileUrl(upload);
      expect(fileUrl).toBe(`${url}/files/chatserver-upload/${upload.id}`);
      expect(Buffer.compare(await client.ann!.download(fileUrl), PICTURE)).toBe(0);
      // Sent in a room, the other members' phones download it from the same URL.
      await send('ann', 'f-chat', {
        messageType: 'file',
        originalUrl: fileUrl,
        extra: JSON.stringify({
          fileName: 'photo.png',
          fileExtension: 'png',
          mimeType: 'image/png',
          bytes: PICTURE.length,
        }),
        duration: null,
        message: 'photo.png',
      });
      expect(Buffer.compare(await client.bob!.download(fileUrl), PICTURE)).toBe(0);
    });
  });

  describe('socket pushes, base64 and cast by the models', () => {
    it('typing (room, sender) and lastRead (roomID, memberID, messageID)', async () => {
      expectOk(await t.asUser(tokens.ann!, 'POST', '/rooms/f-chat/typing', { message: 'typing...' }));
      expect(await phone.bob!.waitFor('typing', (entry) => entry.room === 'f-chat')).toStrictEqual({
        room: 'f-chat',
        sender: 'ann',
      });
      const message = await send('ann', 'f-chat', textParams('read me'));
      await client.bob!.call('PUT', '/rooms/f-chat/lastRead', { message: message.id }, parseMemberProperty);
      expect(await phone.ann!.waitFor('lastRead', (entry) => entry.memberID === 'bob')).toStrictEqual({
        roomID: 'f-chat',
        memberID: 'bob',
        messageID: message.id,
      });
    });

    it('room: an update reaches the members as a room with member maps', async () => {
      expectOk(await t.admin('PUT', '/rooms/f-chat', { name: 'Chat renamed' }));
      const room = await phone.cid!.waitFor<IMRoom>(
        'room',
        (entry) => entry.id === 'f-chat' && entry.name === 'Chat renamed',
      );
      expect(ids(room)).toStrictEqual(['ann', 'bob', 'cid']);
    });

    it('invitation: the room as a map, the inviter as a user map, createdTimeMS', async () => {
      await createRoom(t, { _id: 'f-invited', name: 'Invited', owner: 'ann', opening: 0, members: ['ann', 'bob'] });
      const before = Date.now();
      expectOk(
        await t.asUser(tokens.ann!, 'POST', '/rooms/f-invited/members', {
          invitees: ['dan'],
          invitationRequired: true,
        }),
      );
      const invitation = await phone.dan!.waitFor('invitation', (entry) => entry.room.id === 'f-invited');
      expect(invitation.inviter).toMatchObject({ id: 'ann', nickname: expect.any(String) });
      expect(invitation.room).toMatchObject({ id: 'f-invited', name: 'Invited' });
      expect(invitation.createdTimeMS).toBeGreaterThanOrEqual(before - 1000);
      expect(invitation.createdTimeMS).toBeLessThanOrEqual(Date.now());
    });

    it('cancelInvitation: the inviter cancels (POST /rooms/:id/delete/invitations {invitees}), the invitee gets {room}', async () => {
      await createRoom(t, { _id: 'f-cancelled', owner: 'ann', opening: 0, members: ['ann', 'bob'] });
      expectOk(
        await t.asUser(tokens.ann!, 'POST', '/rooms/f-cancelled/members', {
          invitees: ['dan'],
          invitationRequired: true,
        }),
      );
      const cancelled = await client.ann!.request('POST', '/rooms/f-cancelled/delete/invitations', {
        invitees: ['dan'],
      });
      expect(cancelled.status, cancelled.raw.toString()).toBe(200);
      expect(await phone.dan!.waitFor('cancelInvitation', (entry) => entry.room === 'f-cancelled')).toStrictEqual({
        room: 'f-cancelled',
      });
      expect((await client.dan!.request('POST', '/rooms/f-cancelled/join', { systemMessage: true })).status).toBe(403);
    });

    it('declining an invitation (DELETE /rooms/:id/invitations, the iOS decline task) ends it', async () => {
      await createRoom(t, { _id: 'f-declined', owner: 'ann', opening: 0, members: ['ann', 'bob'] });
      expectOk(
        await t.asUser(tokens.ann!, 'POST', '/rooms/f-declined/members', {
          invitees: ['dan'],
          invitationRequired: true,
        }),
      );
      const declined = await client.dan!.request('DELETE', '/rooms/f-declined/invitations');
      expect(declined.status, declined.raw.toString()).toBe(200);
      expect((await client.dan!.request('POST', '/rooms/f-declined/join', { systemMessage: true })).status).toBe(403);
    });

    it('myPrefChange and roomPref arrive as maps', async () => {
      expectOk(await t.asUser(tokens.ann!, 'POST', '/me/pref/badge-settings', { showBadge: true }));
      expect(await phone.ann!.waitFor('myPrefChange', (entry) => entry.key === 'badge-settings')).toStrictEqual({
        key: 'badge-settings',
        data: { showBadge: true },
      });
      expectOk(
        await t.asUser(tokens.ann!, 'POST', '/roomPrefs/f-chat', { tags: ['work'], tagColors: { work: '#ff0000' } }),
      );
      expect(await phone.ann!.waitFor('roomPref', (entry) => entry.room === 'f-chat')).toMatchObject({
        room: 'f-chat',
        tags: ['work'],
        tagColors: { work: '#ff0000' },
      });
    });

    it('every push came as base64 of JSON: the SDK dropped none', () => {
      for (const [uid, socket] of Object.entries(phone)) expect(socket.dropped, uid).toStrictEqual([]);
    });
  });

  describe('auth2 answers', () => {
    it('a bad token: the ack decodes to RC 401 and the SDK stops for good; a good token never gets a null ack', async () => {
      const refused = connectPhone('not-a-token');
      await expect(refused.authenticated()).rejects.toThrow('RC 401');
      expect(typeof refused.authAcks[0]).toBe('string');
      expect(decodeAck(refused.authAcks[0])).toMatchObject({ RC: 401 });
      await sleep(100);
      expect(refused.raw.connected).toBe(false);
      expect(refused.authAcks).toHaveLength(1);

      const again = connectPhone(tokens.ann!);
      await again.authenticated();
      expect(again.nullAcks).toBe(0);
      for (const socket of Object.values(phone)) expect(socket.nullAcks).toBe(0);
    });
  });
});
