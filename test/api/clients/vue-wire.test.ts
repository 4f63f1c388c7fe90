import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createNamedUsers, createRoom, sendMessage } from '../../helpers/factories.js';
import { eventually } from '../../helpers/realtime-tools.js';
import { send } from '../../helpers/client-http.js';
import { VueClient, VueSocket, vueRoom } from '../../helpers/vue-client.js';

/**
 * IMKIT's Vue/Nuxt client (`imkit-vue-sdk` 1.117, other-clients.md 4) replayed against Parley: the
 * store's REST calls with its headers and query encoding (4.3, 4.5), the shapes its models and push
 * handlers need (4.4, 4.2), and its socket: `auth2` without `conf` or ack, plain pushes, its own
 * reconnect after the server disconnects it.
 *
 * Left out, being issue 14's: reactions (`/messages/:id/reaction`), hiding messages
 * (`/messages/user-delete…`) and `POST /roomPrefs/:room/group/:roomTag`.
 */

/** `q` as the store writes it: JSON text with spaces. */
const roomQuery = (uid: string, roomTag?: string) =>
  roomTag === undefined ? `{ "members": "${uid}" }` : `{ "members": "${uid}", "roomTags": "${roomTag}" }`;

/**
 * A 2-second 320x240 MP4 as a camera writes its boxes (ftyp; moov with mvhd and one video track:
 * tkhd, mdia with mdhd, hdlr "vide", minf with an avc1 sample entry; mdat), without real frames.
 */
function tinyMp4(): Buffer {
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length + 8, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const u32 = (...values: number[]) => {
    const buffer = Buffer.alloc(values.length * 4);
    for (const [index, value] of values.entries()) buffer.writeUInt32BE(value >>> 0, index * 4);
    return buffer;
  };
  const u16 = (...values: number[]) => {
    const buffer = Buffer.alloc(values.length * 2);
    for (const [index, value] of values.entries()) buffer.writeUInt16BE(value, index * 2);
    return buffer;
  };
  const text = (value: string) => Buffer.from(value, 'latin1');
  const matrix = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);
  const emptyTable = (type: string) => box(type, u32(0, 0));
  const avc1 = box(
    'avc1',
    Buffer.alloc(6),
    u16(1, 0, 0),
    Buffer.alloc(12),
    u16(320, 240),
    u32(0x480000, 0x480000, 0),
    u16(1),
    Buffer.alloc(32),
    u16(0x18, 0xffff),
  );
  const stbl = box(
    'stbl',
    box('stsd', u32(0, 1), avc1),
    emptyTable('stts'),
    emptyTable('stsc'),
    box('stsz', u32(0, 0, 0)),
    emptyTable('stco'),
  );
  const minf = box(
    'minf',
    box('vmhd', u32(1), u16(0, 0, 0, 0)),
    box('dinf', box('dref', u32(0, 1), box('url ', u32(1)))),
    stbl,
  );
  const mdia = box(
    'mdia',
    box('mdhd', u32(0, 0, 0, 1000, 2000), u16(0x55c4, 0)),
    box('hdlr', u32(0, 0), text('vide'), Buffer.alloc(12), text('VideoHandler\0')),
    minf,
  );
  const tkhd = box('tkhd', u32(3, 0, 0, 1, 0, 2000), Buffer.alloc(16), matrix, u32(320 << 16, 240 << 16));
  const mvhd = box(
    'mvhd',
    u32(0, 0, 0, 1000, 2000, 0x10000),
    u16(0x100),
    Buffer.alloc(10),
    matrix,
    Buffer.alloc(24),
    u32(2),
  );
  return Buffer.concat([
    box('ftyp', text('isom'), u32(0x200), text('isomiso2avc1mp41')),
    box('moov', mvhd, box('trak', tkhd, mdia)),
    box('mdat', text('frames would be here')),
  ]);
}

describe("IMKIT's Vue/Nuxt client on the wire", () => {
  let t: TestApp;
  let url: string;
  let tokens: Record<string, string>;
  let vivian: VueClient;
  let walt: VueClient;
  const sockets: Record<string, VueSocket> = {};

  const connectionCount = async () => expectOk(await t.admin('GET', '/admin/connection-count')).count as number;
  /** The client never learns whether `auth2` succeeded: the test asks the server's count instead. */
  const authenticated = (count: number) =>
    eventually(async () => (await connectionCount()) === count, 5000, `${count} authenticated connections`);

  beforeAll(async () => {
    t = await buildTestApp();
    tokens = await createNamedUsers(t, ['vivian', 'walt', 'xena']);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    vivian = new VueClient(url, t.clientKey, tokens.vivian!);
    walt = new VueClient(url, t.clientKey, tokens.walt!);
    await createRoom(t, { _id: 'v-main', name: 'Main', owner: 'vivian', members: ['vivian', 'walt', 'xena'] });
    for (const client of [vivian, walt])
      sockets[client.uid] = new VueSocket(url, t.clientKey, client.token, client.uid);
    await authenticated(2);
  });
  afterAll(async () => {
    for (const socket of Object.values(sockets)) socket.close();
    await t.close();
  });

  it("takes the user id from the token's JWT claim `id`: Parley issues its user tokens as JWTs", () => {
    expect(vivian.uid).toBe('vivian');
    expect(walt.uid).toBe('walt');
  });

  describe('socket', () => {
    it('auth2 without conf and without an ack signs in; pushes come as plain objects, `chat message` with a sender object', async () => {
      expect(sockets.vivian!.connects).toBe(1);
      const sent = await walt.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'text', message: 'hello Vue' },
      });
      const pushed = await sockets.vivian!.waitFor('chat message', (message) => message._id === sent._id);
      expect(pushed).toMatchObject({ room: 'v-main', messageType: 'text', message: 'hello Vue' });
      expect(pushed.sender).toMatchObject({ _id: 'walt', nickname: 'Walt' });
      expect(pushed.createdAtMS).toEqual(expect.any(Number));
    });

    it('typing(roomId) with one argument: the other member gets {room, sender, senderInfo}', async () => {
      sockets.vivian!.typing('v-main');
      const typing = await sockets.walt!.waitFor('typing', (entry) => entry.room === 'v-main');
      expect(typing).toMatchObject({ room: 'v-main', sender: 'vivian', nickname: 'Vivian' });
      expect(typing.senderInfo).toMatchObject({ _id: 'vivian', nickname: 'Vivian', avatarUrl: expect.any(String) });
      expect(typing.senderInfo.isRobot).toBe(false);
    });

    it('deleting a room pushes `room` with a members array', async () => {
      await createRoom(t, { _id: 'v-doomed', members: ['vivian', 'walt'] });
      await sockets.vivian!.waitFor('room', (entry) => entry.room._id === 'v-doomed');
      expectOk(await t.admin('DELETE', '/rooms/v-doomed'));
      const deleted = await sockets.vivian!.waitFor(
        'room',
        (entry) => entry.room._id === 'v-doomed' && entry.room.deleted === true,
      );
      expect(Array.isArray(deleted.room.members)).toBe(true);
    });

    it('after a server-initiated disconnect it connects again itself, signs in again and gets pushes', async () => {
      const socket = sockets.vivian!;
      const connects = socket.connects;
      // Rebinding the token with a new expiry ends its sessions (they must sign in again under it).
      expectOk(
        await t.admin('PUT', '/admin/clients/vivian/token', {
          token: tokens.vivian,
          expirationDate: Date.now() + 86_400_000,
        }),
      );
      await eventually(() => socket.disconnects > 0 && socket.connects > connects, 5000, 'a reconnect');
      await authenticated(2);
      const sent = await walt.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'text', message: 'after the reconnect' },
      });
      await socket.waitFor('chat message', (message) => message._id === sent._id);
    });
  });

  describe('rooms', () => {
    it('fetchRooms: q = {"members": uid} as text with spaces, sortUnreadFirst; members counted by clientType "user"', async () => {
      await createRoom(t, { _id: 'v-quiet', name: 'Quiet', members: ['vivian', 'walt'] });
      const direct = expectOk(await t.admin('POST', '/rooms', { roomType: 'direct', members: ['vivian', 'walt'] }));
      await sendMessage(t, 'v-main', 'xena', 'unread for vivian');
      const result = await vivian.result('GET', '/rooms', {
        query: { skip: 0, limit: 30, q: roomQuery(vivian.uid), sortUnreadFirst: true },
      });
      expect(result.totalCount).toBe(result.data.length);
      const rooms = result.data.map((room: any) => vueRoom(room, vivian.uid));
      expect(rooms.map((room: any) => room.id)).toEqual(expect.arrayContaining(['v-main', 'v-quiet', direct._id]));
      for (const room of result.data)
        expect(room.members.map((member: any) => member.clientType)).toStrictEqual(room.members.map(() => 'user'));
      const byId = new Map(rooms.map((room: any) => [room.id, room]));
      expect((byId.get('v-main') as any).users).toHaveLength(3);
      expect((byId.get(direct._id) as any).title).toBe('Walt');
      const firstRead = rooms.findIndex((room: any) => !room.unread);
      const lastUnread = rooms.map((room: any) => room.unread > 0).lastIndexOf(true);
      expect(lastUnread).toBeLessThan(firstRead);
    });

    it('fetchRooms of a folder: q with a roomTags tag', async () => {
      await createRoom(t, { _id: 'v-vip', roomTags: ['vip'], members: ['vivian', 'walt'] });
      const result = await vivian.result('GET', '/rooms', {
        query: { skip: 0, limit: 200, q: roomQuery(vivian.uid, 'vip'), sortUnreadFirst: true },
      });
      expect(result.data.map((room: any) => room._id)).toStrictEqual(['v-vip']);
    });

    it('fetchRoom: members with clientType, memberProperties {client, lastRead}', async () => {
      const room = await vivian.result('GET', '/rooms/v-main');
      expect(
        vueRoom(room, vivian.uid)
          .users.map((user: any) => user._id)
          .sort(),
      ).toStrictEqual(['vivian', 'walt', 'xena']);
      expect(room.memberProperties.map((property: any) => property.client).sort()).toStrictEqual([
        'vivian',
        'walt',
        'xena',
      ]);
    });

    it('updateLastRead {message: room.lastMessage.id}: a truthy result, and a lastRead push of strings', async () => {
      const room = await vivian.result('GET', '/rooms/v-main');
      expect(
        await vivian.result('PUT', '/rooms/v-main/lastRead', { body: { message: room.lastMessage._id } }),
      ).toBeTruthy();
      expect(await sockets.walt!.waitFor('lastRead', (read) => read.memberID === 'vivian')).toStrictEqual({
        roomID: 'v-main',
        memberID: 'vivian',
        messageID: room.lastMessage._id,
      });
    });

    it('removeMembers {systemMessage: true, members}: the remaining members get the room with a members array', async () => {
      await createRoom(t, { _id: 'v-remove', owner: 'vivian', members: ['vivian', 'walt', 'xena'] });
      await vivian.result('POST', '/rooms/v-remove/delete/members', {
        body: { systemMessage: true, members: ['xena'] },
      });
      const pushed = await sockets.walt!.waitFor(
        'room',
        (entry) => entry.room._id === 'v-remove' && entry.view.users.length === 2,
      );
      expect(pushed.view.users.map((user: any) => user._id).sort()).toStrictEqual(['vivian', 'walt']);
    });

    it('block, list and unblock a member of a room (the owner)', async () => {
      await vivian.result('POST', '/blockStatus/room/v-main/xena');
      const blocks = await vivian.result('GET', '/blockStatus/room/v-main');
      expect(blocks.data.map((entry: any) => entry.blockee.id)).toStrictEqual(['xena']);
      await vivian.result('DELETE', '/blockStatus/room/v-main/xena');
      expect((await vivian.result('GET', '/blockStatus/room/v-main')).data).toStrictEqual([]);
    });
  });

  describe('messages', () => {
    let history: string[];
    beforeAll(async () => {
      await createRoom(t, { _id: 'v-history', members: ['vivian', 'walt'] });
      history = [];
      for (let i = 0; i < 95; i++) history.push((await sendMessage(t, 'v-history', 'walt', `line ${i}`))._id);
    });

    it('loadMessages back with beforeMessage&sortOrder=desc&limit=30, dropping each page head: every message once', async () => {
      const first = await vivian.loadMessages('v-history');
      expect(first.totalCount).toBe(95);
      const seen = first.kept.map((message) => message._id);
      for (let pages = 0; pages < 10; pages++) {
        const cursor = seen[seen.length - 1]!;
        const { page, kept } = await vivian.loadMessages('v-history', { beforeMessage: cursor });
        expect(page[0]?._id, 'the cursor message heads the page').toBe(cursor);
        if (kept.length === 0) break;
        seen.push(...kept.map((message) => message._id));
      }
      expect(seen).toStrictEqual([...history].reverse());
    });

    it('loadMessages forward with afterMessage&sortOrder=asc: oldest first, the head dropped, each once', async () => {
      const seen: string[] = [];
      let cursor = history[9]!;
      for (let pages = 0; pages < 10; pages++) {
        const { page, kept } = await vivian.loadMessages('v-history', { afterMessage: cursor });
        expect(page[0]?._id, 'the cursor message heads the page').toBe(cursor);
        if (kept.length === 0) break;
        seen.push(...kept.map((message) => message._id));
        cursor = seen[seen.length - 1]!;
      }
      expect(seen).toStrictEqual(history.slice(10));
    });

    it('send, then edit with {_id, message} only (no messageType)', async () => {
      const sent = await vivian.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'text', message: 'draft', mentions: ['walt'] },
      });
      expect(sent).toMatchObject({ room: 'v-main', messageType: 'text', message: 'draft', sender: { _id: 'vivian' } });
      const edited = await vivian.result('POST', '/rooms/v-main/message', {
        body: { _id: sent._id, message: 'final' },
      });
      expect(edited).toMatchObject({ _id: sent._id, messageType: 'text', message: 'final' });
      await sockets.walt!.waitFor('chat message', (message) => message._id === sent._id && message.message === 'final');
    });

    it('recall: the whole message as the store holds it (sender object and all), with messageType "recall"', async () => {
      const sent = await vivian.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'text', message: 'oops' },
      });
      const recalled = await vivian.result('POST', '/rooms/v-main/message', {
        body: { ...sent, messageType: 'recall' },
      });
      expect(recalled).toMatchObject({ _id: sent._id, messageType: 'recall' });
      await sockets.walt!.waitFor(
        'chat message',
        (message) => message._id === sent._id && message.messageType === 'recall',
      );
    });

    it('deleteMessage (DELETE /rooms/:id/messages/:messageId) as the room owner', async () => {
      const sent = await vivian.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'text', message: 'to delete' },
      });
      expect(await vivian.result('DELETE', `/rooms/v-main/messages/${sent._id}`)).toMatchObject({ deletedCount: 1 });
      const { page } = await vivian.loadMessages('v-main');
      expect(page.map((message) => message._id)).not.toContain(sent._id);
    });
  });

  describe('files', () => {
    const content = Buffer.from('%PDF-1.4 quarterly figures');
    const fileName = encodeURIComponent('報告 Q3.pdf');

    it('uploadMedia to /files/chatserver-upload with extra {"roomId"}; the URL, and ?signedUrlOnly=true, download it', async () => {
      const uploaded = await vivian.result('POST', '/files/chatserver-upload', {
        form: [
          { name: 'file', filename: fileName, type: 'application/pdf', content },
          { name: 'extra', value: JSON.stringify({ roomId: 'v-main' }) },
        ],
      });
      const fileUrl = `${url}/files/chatserver-upload/${uploaded._id}`;
      const download = await vivian.request('GET', `/files/chatserver-upload/${uploaded._id}`);
      expect(download.status).toBe(200);
      expect(Buffer.compare(download.raw, content)).toBe(0);

      const signed = await vivian.result('GET', `/files/chatserver-upload/${uploaded._id}`, {
        query: { signedUrlOnly: true },
      });
      // An absolute URL on the chat server: a page on another origin fetches it as is.
      expect(signed.url.startsWith(`${url}/files/chatserver-upload/${uploaded._id}/signed?`)).toBe(true);
      const plain = await send(signed.url, { method: 'GET', headers: {} });
      expect(Buffer.compare(plain.raw, content)).toBe(0);

      await vivian.result('POST', '/rooms/v-main/message', {
        body: { messageType: 'file', message: '報告 Q3.pdf', originalUrl: fileUrl },
      });
      const atWalt = await walt.request('GET', `/files/chatserver-upload/${uploaded._id}`);
      expect(Buffer.compare(atWalt.raw, content)).toBe(0);
    });

    it('video info: POST /files/video-info with `file` and autoUpload {"bucket":"chat","extra":{"roomID"}}', async () => {
      const video = tinyMp4();
      const info = await vivian.result('POST', '/files/video-info', {
        form: [
          { name: 'file', filename: 'clip.mp4', type: 'video/mp4', content: video },
          { name: 'autoUpload', value: JSON.stringify({ bucket: 'chat', extra: { roomID: 'v-main' } }) },
        ],
      });
      expect(info).toMatchObject({ originalId: expect.any(String), width: 320, height: 240 });
      // No frame is rendered without a decoder: a thumbnail URL when there is one, else null.
      expect(info.thumbnailUrl === null || typeof info.thumbnailUrl === 'string').toBe(true);
      const original = await vivian.request('GET', `/files/chat/${info.originalId}`);
      expect(Buffer.compare(original.raw, video)).toBe(0);
    });
  });

  describe('preferences and notifications', () => {
    it('folders in /me/pref: set, list, delete; myPrefChange as {key, data}, myPrefDelete as the bare key', async () => {
      const meta = [{ key: 'folder-clients', name: 'Clients' }];
      await vivian.result('POST', '/me/pref/folders-meta', { body: meta });
      await vivian.result('POST', '/me/pref/folder-clients', { body: { children: [{ id: 'v-main', type: 'room' }] } });
      expect(await sockets.vivian!.waitFor('myPrefChange', (change) => change.key === 'folders-meta')).toStrictEqual({
        key: 'folders-meta',
        data: meta,
      });
      const prefs = await vivian.result('GET', '/me/pref');
      expect(prefs).toEqual(
        expect.arrayContaining([
          { key: 'folders-meta', data: meta },
          { key: 'folder-clients', data: { children: [{ id: 'v-main', type: 'room' }] } },
        ]),
      );
      await vivian.result('DELETE', '/me/pref/folder-clients');
      await sockets.vivian!.waitFor('myPrefDelete', (key) => key === 'folder-clients');
    });

    it('updateRoomPrefs (POST /roomPrefs/:room) and toggleNotification (POST/DELETE /me/mute/:room) push roomPref', async () => {
      await vivian.result('POST', '/roomPrefs/v-main', { body: { sticky: true, hidden: false } });
      expect(await sockets.vivian!.waitFor('roomPref', (pref) => pref.room === 'v-main' && pref.sticky)).toMatchObject({
        room: 'v-main',
        sticky: true,
        hidden: false,
      });
      await vivian.result('POST', '/me/mute/v-main');
      await sockets.vivian!.waitFor('roomPref', (pref) => pref.room === 'v-main' && pref.muted === true);
      await vivian.result('DELETE', '/me/mute/v-main');
      await sockets.vivian!.waitFor('roomPref', (pref) => pref.room === 'v-main' && pref.muted === false);
    });

    it('subscribe {type: "fcm", token, deviceId} and unsubscribe {type: "fcm", deviceId}', async () => {
      await vivian.result('POST', '/me/subscribe', {
        body: { type: 'fcm', token: 'web-push-token-of-vivian', deviceId: 'vivian-browser' },
      });
      expect(
        await vivian.result('POST', '/me/unsubscribe', { body: { type: 'fcm', deviceId: 'vivian-browser' } }),
      ).toMatchObject({ removed: 1 });
    });
  });

  describe('search', () => {
    let text: any;
    let file: any;
    beforeAll(async () => {
      await createRoom(t, { _id: 'v-search', name: 'Budget room', members: ['vivian', 'walt'] });
      text = await sendMessage(t, 'v-search', 'walt', 'the budget for Q3');
      file = await sendMessage(t, 'v-search', 'walt', 'budget.xlsx', {
        messageType: 'file',
        originalUrl: 'https://files.example.com/budget.xlsx',
        extra: JSON.stringify({ fileName: 'budget.xlsx', mimeType: 'application/vnd.ms-excel', bytes: 2048 }),
      });
    });

    it('the rooms panel: every type of its list, files included', async () => {
      const types = ['messages', 'roomName', 'roomMember', 'roomPrefTags', 'roomPrefFolder', 'roomTags', 'files'];
      const result = await vivian.result('POST', '/search', { body: { type: types, keyword: 'budget' } });
      for (const type of types) expect(Array.isArray(result[type]), type).toBe(true);
      expect(result.roomName.map((room: any) => room._id)).toContain('v-search');
    });

    it('in a room: ["messages", "files"], read as result.messages[0].messages and result.files[0].messageID', async () => {
      const result = await vivian.result('POST', '/search', {
        body: { type: ['messages', 'files'], room: 'v-search', keyword: 'budget' },
      });
      expect(result.messages[0].messages).toContain(text._id);
      expect(result.files[0].messageID).toBe(file._id);
    });
  });

  it('no push came in a form its handler throws on or drops', () => {
    for (const [uid, socket] of Object.entries(sockets)) expect(socket.problems, uid).toStrictEqual([]);
  });
});
