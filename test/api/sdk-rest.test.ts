import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { authenticate, connect, type TestSocket } from '../helpers/socket-clients.js';

/**
 * The REST calls IMKIT's web SDKs make (realtime-protocol.md 6), sent as they send them: user calls
 * with `CLIENT_KEY` + `IM-Authorization`, admin calls with `API_KEY` only, JSON bodies with
 * `application/json;charset=utf-8`, DELETEs with a `{}` body, query values serialized like axios 0.18.
 * The SDKs resolve with `body.result` only on 2xx with `RC === 0`, read `result.data` arrays of list
 * calls, and need every error to be non-2xx (with `RC`), so each case checks those too.
 */

type Method = NonNullable<InjectOptions['method']>;

/** axios 0.18's query encoding: encodeURIComponent, then @ : $ , [ ] raw and spaces as `+`. */
const axiosEncode = (value: string) =>
  encodeURIComponent(value)
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%20/g, '+')
    .replace(/%5B/gi, '[')
    .replace(/%5D/gi, ']');

/** axios 0.18's params serializer: objects JSON-stringified, null/undefined left out. */
const query = (params: Record<string, unknown>) =>
  Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(
      ([name, value]) =>
        `${axiosEncode(name)}=${axiosEncode(typeof value === 'object' ? JSON.stringify(value) : String(value))}`,
    )
    .join('&');

/** An SDK error: non-2xx, and when the body has an RC it is truthy (the SDK then hands the body to onAjaxError). */
function expectSdkError(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(body.RC, response.body).toBe(status);
  expect(body.error?.code, response.body).toBe(code);
  expect(body.result).toBeUndefined();
}

/** A multipart/form-data body as a browser's FormData sends it (for app.inject). */
function multipart(
  parts: Array<{ name: string; value: string } | { name: string; filename: string; type: string; content: Buffer }>,
) {
  const boundary = `----WebKitFormBoundary${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`,
        ),
      );
      chunks.push(part.content, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Every byte value, twice, plus a tail: binary content that would not survive a text round trip. */
const BINARY = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)),
  Buffer.from('\r\n--end'),
]);

describe('SDK REST calls (realtime protocol 6)', () => {
  let t: TestApp;
  let base: string;
  const tokens: Record<string, string> = {};
  const sockets: TestSocket[] = [];

  /** A user call as the SDK sends it. */
  const sdk = (token: string, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        CLIENT_KEY: t.clientKey,
        'IM-Authorization': token,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  /** An admin call as the SDK sends it: `API_KEY` only. */
  const sdkAdmin = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        API_KEY: t.apiKey,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const userHeaders = (token: string, clientKey = t.clientKey) => ({
    CLIENT_KEY: clientKey,
    'IM-Authorization': token,
  });
  const socketOf = async (user: string) => {
    const socket = await connect(base, 'G3');
    sockets.push(socket);
    expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
    return socket;
  };
  /** Messages sent one by one, with distinct times. */
  const send = async (user: string, room: string, count: number, prefix: string) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        expectOk(
          await sdk(tokens[user]!, 'POST', `/rooms/${room}/message`, {
            message: `${prefix} ${i}`,
            messageType: 'text',
          }),
        )._id,
      );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return ids;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol', 'dave'])
      tokens[id] = await t.createUser(id, { nickname: id.toUpperCase() });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t.close();
  });

  describe('headers and the response contract (6.1)', () => {
    it('accepts CLIENT_KEY + IM-Authorization on user calls and API_KEY alone on admin calls', async () => {
      expect(expectOk(await sdk(tokens.alice!, 'GET', '/me'))).toMatchObject({
        _id: 'alice',
        id: 'alice',
        nickname: 'ALICE',
      });
      // Node presents the header names lower-cased; the underscore spellings are what the SDK sends.
      expect(expectOk(await sdk(tokens.alice!, 'GET', '/me', undefined, { client_key: t.clientKey }))._id).toBe(
        'alice',
      );
      expect(expectOk(await sdkAdmin('GET', '/admin/connection-count'))).toStrictEqual({ count: 0 });
      const clients = expectOk(await sdkAdmin('GET', `/admin/clients?${query({ limit: 10, q: { _id: 'bob' } })}`));
      expect(clients.data.map((user: any) => user._id)).toStrictEqual(['bob']);
      // An admin room call with API_KEY (6.3 admin.room.*).
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'hdr-room', members: ['alice'] }));
      expect(expectOk(await sdkAdmin('GET', '/rooms/hdr-room'))._id).toBe('hdr-room');
    });

    it('answers errors with a non-2xx status', async () => {
      const wrongKey = await sdk(tokens.alice!, 'GET', '/me', undefined, { CLIENT_KEY: 'not-a-client-key' });
      expect(wrongKey.statusCode).toBe(403);
      const badToken = await sdk('not-a-token', 'GET', '/me');
      expectSdkError(badToken, 401, 'INVALID_TOKEN');
      const wrongApiKey = await sdkAdmin('GET', '/admin/connection-count', undefined, { API_KEY: 'not-an-api-key' });
      expect(wrongApiKey.statusCode).toBe(401);
      expectSdkError(await sdk(tokens.alice!, 'GET', '/rooms/no-such-room'), 404, 'ROOM_NOT_FOUND');
    });
  });

  describe('room helpers', () => {
    beforeAll(async () => {
      expectOk(
        await sdkAdmin('POST', '/rooms', {
          _id: 'helpers',
          name: 'Helpers',
          owner: 'alice',
          members: ['alice', 'bob'],
        }),
      );
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'helpers-2', members: ['alice', 'carol'] }));
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'not-alices', members: ['bob', 'carol'] }));
    });

    it('GET /rooms/ids lists the ids of my rooms, with limit and skip', async () => {
      const all = expectOk(await sdk(tokens.alice!, 'GET', `/rooms/ids?${query({ limit: 500, skip: 0 })}`));
      expect(all).toStrictEqual({ totalCount: 3, data: ['helpers', 'helpers-2', 'hdr-room'].sort() });
      const page = expectOk(await sdk(tokens.alice!, 'GET', `/rooms/ids?${query({ limit: 1, skip: 1 })}`));
      expect(page).toStrictEqual({ totalCount: 3, data: [all.data[1]] });
      expect(expectOk(await sdk(tokens.dave!, 'GET', '/rooms/ids'))).toStrictEqual({ totalCount: 0, data: [] });
    });

    it('GET /rooms/:id/messages pages newest first in result.data, like /messages/v3', async () => {
      const sent = await send('alice', 'helpers', 5, 'page');
      const first = expectOk(
        await sdk(tokens.bob!, 'GET', `/rooms/helpers/messages?${query({ limit: 3, beforeMessage: undefined })}`),
      );
      expect(Array.isArray(first.data)).toBe(true);
      expect(first.data.map((message: any) => message._id)).toStrictEqual([sent[4], sent[3], sent[2]]);
      expect(first.data[0]).toMatchObject({
        _id: sent[4],
        id: sent[4],
        room: 'helpers',
        message: 'page 4',
        messageType: 'text',
        sender: { _id: 'alice', id: 'alice', nickname: 'ALICE' },
      });
      expect(typeof first.data[0].messageTimeMS).toBe('number');
      const older = expectOk(
        await sdk(tokens.bob!, 'GET', `/rooms/helpers/messages?${query({ limit: 3, beforeMessage: sent[2] })}`),
      );
      expect(older.data.map((message: any) => message._id)).toStrictEqual([sent[1], sent[0]]);
      const v3 = expectOk(await sdk(tokens.bob!, 'GET', `/rooms/helpers/messages/v3?${query({ limit: 3 })}`));
      expect(v3.data).toStrictEqual(first.data);
      expectSdkError(await sdk(tokens.dave!, 'GET', '/rooms/helpers/messages'), 403, 'NOT_ROOM_MEMBER');
      expectSdkError(await sdk(tokens.alice!, 'GET', '/rooms/no-such-room/messages'), 404, 'ROOM_NOT_FOUND');
    });

    it('GET /rooms/:id/messages/:messageId returns the message with `before` older and `after` newer ones, newest first', async () => {
      const ids = await send('carol', 'helpers-2', 6, 'around');
      const around = expectOk(
        await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/messages/${ids[3]}?${query({ before: 2, after: 1 })}`),
      );
      expect(around.data.map((message: any) => message._id)).toStrictEqual([ids[4], ids[3], ids[2], ids[1]]);
      expect(around.data[1]).toMatchObject({ _id: ids[3], message: 'around 3', sender: { _id: 'carol' } });
      // Defaults: 0 and 0, the message alone.
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/messages/${ids[3]}`)).data.map(
          (message: any) => message._id,
        ),
      ).toStrictEqual([ids[3]]);
      // At the edges: what there is.
      expect(
        expectOk(
          await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/messages/${ids[0]}?${query({ before: 5, after: 2 })}`),
        ).data.map((message: any) => message._id),
      ).toStrictEqual([ids[2], ids[1], ids[0]]);
      expect(
        expectOk(
          await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/messages/${ids[5]}?${query({ before: 1, after: 5 })}`),
        ).data.map((message: any) => message._id),
      ).toStrictEqual([ids[5], ids[4]]);
      const other = expectOk(await sdk(tokens.alice!, 'GET', '/rooms/helpers/messages?limit=1')).data[0]._id;
      expectSdkError(await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/messages/${other}`), 404, 'MESSAGE_NOT_FOUND');
      expectSdkError(await sdk(tokens.bob!, 'GET', `/rooms/helpers-2/messages/${ids[3]}`), 403, 'NOT_ROOM_MEMBER');
    });

    it('GET /rooms/:id/count counts all messages, or those after timeInMS', async () => {
      const messages = expectOk(await sdk(tokens.alice!, 'GET', '/rooms/helpers-2/messages?limit=100')).data;
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/count?${query({ timeInMS: 0 })}`)),
      ).toStrictEqual({ count: messages.length });
      expect(expectOk(await sdk(tokens.alice!, 'GET', '/rooms/helpers-2/count'))).toStrictEqual({
        count: messages.length,
      });
      const pivot = messages[2].messageTimeMS as number;
      const newer = messages.filter((message: any) => message.messageTimeMS > pivot).length;
      expect(newer).toBe(2);
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/count?${query({ timeInMS: pivot })}`)),
      ).toStrictEqual({ count: newer });
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', `/rooms/helpers-2/count?timeInMS=${Date.now() + 60_000}`)),
      ).toStrictEqual({ count: 0 });
      expectSdkError(await sdk(tokens.bob!, 'GET', '/rooms/helpers-2/count'), 403, 'NOT_ROOM_MEMBER');
    });

    it('POST and DELETE /rooms/:id/members/:client add one member, remove one, or leave', async () => {
      const added = expectOk(await sdk(tokens.alice!, 'POST', '/rooms/helpers/members/carol', {}));
      expect(added.members.map((member: any) => member._id ?? member)).toContain('carol');
      expect(
        expectOk(await sdk(tokens.carol!, 'GET', '/rooms/helpers')).members.map((member: any) => member._id),
      ).toStrictEqual(['alice', 'bob', 'carol']);
      // The trailing-slash form of addMembers (6.2).
      expect(
        expectOk(await sdk(tokens.alice!, 'POST', '/rooms/helpers/members/', { invitees: ['dave'] })).members.map(
          (member: any) => member._id ?? member,
        ),
      ).toContain('dave');
      const removed = expectOk(await sdk(tokens.alice!, 'DELETE', '/rooms/helpers/members/dave', {}));
      expect(removed.members.map((member: any) => member._id ?? member)).not.toContain('dave');
      expectSdkError(await sdk(tokens.dave!, 'GET', '/rooms/helpers'), 403, 'NOT_ROOM_MEMBER');
      // A member leaves.
      const left = expectOk(await sdk(tokens.carol!, 'DELETE', '/rooms/helpers/members/carol', {}));
      expect(left.members.map((member: any) => member._id ?? member)).not.toContain('carol');
      expect(expectOk(await sdk(tokens.carol!, 'GET', '/rooms/ids')).data).not.toContain('helpers');
      // A non-member can neither add nor remove.
      expectSdkError(await sdk(tokens.dave!, 'POST', '/rooms/helpers/members/dave', {}), 403, 'NOT_ROOM_MEMBER');
      expectSdkError(await sdk(tokens.dave!, 'DELETE', '/rooms/helpers/members/bob', {}), 403, 'NOT_ROOM_MEMBER');
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', '/rooms/helpers')).members.map((member: any) => member._id),
      ).toStrictEqual(['alice', 'bob']);
    });

    it('POST /rooms/:id/typing tells the other members, not the typist', async () => {
      const bob = await socketOf('bob');
      const alice = await socketOf('alice');
      const typing = bob.next('typing');
      expect(
        expectOk(await sdk(tokens.alice!, 'POST', '/rooms/helpers/typing', { message: 'typing...' })),
      ).toStrictEqual({});
      expect(await typing).toStrictEqual({ room: 'helpers', sender: 'alice', message: 'typing...' });
      // Without a message too (the SDK may send undefined, i.e. `{}`).
      const bare = bob.next('typing');
      expectOk(await sdk(tokens.alice!, 'POST', '/rooms/helpers/typing', {}));
      expect(await bare).toMatchObject({ room: 'helpers', sender: 'alice' });
      await sleep(100);
      expect(alice.received('typing')).toStrictEqual([]);
      expectSdkError(
        await sdk(tokens.dave!, 'POST', '/rooms/helpers/typing', { message: 'x' }),
        403,
        'NOT_ROOM_MEMBER',
      );
      expect(bob.received('typing').length).toBe(2);
    });

    it('PUT /rooms/:id/bot sets botMode and botState', async () => {
      // botMode is the API key's alone (issue 9 item 3); a superuser moves the bot state.
      expectSdkError(
        await sdk(tokens.alice!, 'PUT', '/rooms/helpers/bot', { botMode: true, botState: 'greeting' }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectOk(await t.admin('PUT', '/rooms/helpers/bot', { botMode: true }));
      const room = expectOk(await sdk(tokens.alice!, 'PUT', '/rooms/helpers/bot', { botState: 'greeting' }));
      expect(room).toMatchObject({ _id: 'helpers', botMode: true, botState: 'greeting' });
      expect(expectOk(await sdk(tokens.bob!, 'GET', '/rooms/helpers'))).toMatchObject({
        botMode: true,
        botState: 'greeting',
      });
      expect(expectOk(await t.admin('PUT', '/rooms/helpers/bot', { botMode: false }))).toMatchObject({
        botMode: false,
        botState: 'greeting',
      });
      expectSdkError(
        await sdk(tokens.dave!, 'PUT', '/rooms/helpers/bot', { botMode: true }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectSdkError(await sdk(tokens.alice!, 'PUT', '/rooms/helpers/bot', { botMode: 'yes' }), 400, 'INVALID_REQUEST');
    });
  });

  describe('preferences (/me/pref)', () => {
    it('lists, sets, replaces and deletes my preferences, and pushes the changes to my sockets', async () => {
      expect(expectOk(await sdk(tokens.carol!, 'GET', '/me/pref'))).toStrictEqual([]);
      const socket = await socketOf('carol');
      const meta = { folders: [{ id: 'f1', name: 'Work' }], order: ['f1'] };
      const changed = socket.next('myPrefChange');
      expect(expectOk(await sdk(tokens.carol!, 'POST', '/me/pref/folders-meta', meta))).toStrictEqual({
        key: 'folders-meta',
        data: meta,
      });
      expect(await changed).toStrictEqual({ key: 'folders-meta', data: meta });
      expectOk(await sdk(tokens.carol!, 'POST', '/me/pref/theme', { mode: 'dark' }));
      const list = expectOk(await sdk(tokens.carol!, 'GET', '/me/pref'));
      expect(Array.isArray(list)).toBe(true);
      expect([...list].sort((a: any, b: any) => a.key.localeCompare(b.key))).toStrictEqual([
        { key: 'folders-meta', data: meta },
        { key: 'theme', data: { mode: 'dark' } },
      ]);
      // Setting again replaces the value.
      expectOk(await sdk(tokens.carol!, 'POST', '/me/pref/theme', { mode: 'light', size: 2 }));
      expect(
        expectOk(await sdk(tokens.carol!, 'GET', '/me/pref')).find((entry: any) => entry.key === 'theme'),
      ).toStrictEqual({ key: 'theme', data: { mode: 'light', size: 2 } });
      // Nobody else sees them.
      expect(expectOk(await sdk(tokens.dave!, 'GET', '/me/pref'))).toStrictEqual([]);
      // Deleting: the bare key is pushed.
      const deleted = socket.next('myPrefDelete');
      expect(expectOk(await sdk(tokens.carol!, 'DELETE', '/me/pref/theme', {}))).toStrictEqual({ key: 'theme' });
      expect(await deleted).toBe('theme');
      expect(expectOk(await sdk(tokens.carol!, 'GET', '/me/pref'))).toStrictEqual([
        { key: 'folders-meta', data: meta },
      ]);
      expectSdkError(await sdk(tokens.carol!, 'DELETE', '/me/pref/theme', {}), 404, 'NOT_FOUND');
      // The API key acts for the user named by IM-CLIENT-ID.
      expect(expectOk(await sdkAdmin('GET', '/me/pref', undefined, { 'IM-CLIENT-ID': 'carol' }))).toStrictEqual([
        { key: 'folders-meta', data: meta },
      ]);
    });
  });

  describe('room preferences (/roomPrefs/:room)', () => {
    beforeAll(async () => {
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'pref-1', name: 'Pref one', members: ['dave', 'bob'] }));
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'pref-2', name: 'Pref two', members: ['dave'] }));
    });

    it('merges my preferences for a room, answers {room, ...pref} and pushes roomPref', async () => {
      const socket = await socketOf('dave');
      const pushed = socket.next('roomPref');
      const first = expectOk(
        await sdk(tokens.dave!, 'POST', '/roomPrefs/pref-1', {
          tags: ['work', 'vip'],
          tagColors: { work: '#f00' },
          sticky: true,
        }),
      );
      expect(first).toStrictEqual({ room: 'pref-1', tags: ['work', 'vip'], tagColors: { work: '#f00' }, sticky: true });
      expect(await pushed).toMatchObject({ room: 'pref-1', tags: ['work', 'vip'], sticky: true });
      const merged = expectOk(
        await sdk(tokens.dave!, 'POST', '/roomPrefs/pref-1', { muted: true, hidden: false, folder: 'f1' }),
      );
      expect(merged).toStrictEqual({
        room: 'pref-1',
        tags: ['work', 'vip'],
        tagColors: { work: '#f00' },
        sticky: true,
        muted: true,
        hidden: false,
        folder: 'f1',
      });
      expect(expectOk(await sdk(tokens.dave!, 'POST', '/roomPrefs/pref-2', { tags: ['home'] }))).toStrictEqual({
        room: 'pref-2',
        tags: ['home'],
      });
    });

    it('shows my pref in GET /rooms and GET /rooms/:id, filters on it, and keeps it mine', async () => {
      const rooms = expectOk(
        await sdk(tokens.dave!, 'GET', `/rooms?${query({ limit: 100, skip: 0, q: { members: 'dave' } })}`),
      );
      const byId = Object.fromEntries(rooms.data.map((room: any) => [room._id, room]));
      expect(byId['pref-1'].pref).toStrictEqual({
        tags: ['work', 'vip'],
        tagColors: { work: '#f00' },
        sticky: true,
        muted: true,
        hidden: false,
        folder: 'f1',
      });
      expect(byId['pref-1'].muted).toBe(true);
      expect(byId['pref-2'].pref).toStrictEqual({ tags: ['home'] });
      expect(expectOk(await sdk(tokens.dave!, 'GET', '/rooms/pref-1')).pref).toMatchObject({
        sticky: true,
        folder: 'f1',
      });
      const ids = async (pref: unknown) =>
        expectOk(await sdk(tokens.dave!, 'GET', `/rooms?${query({ limit: 100, pref })}`))
          .data.map((room: any) => room._id)
          .sort();
      expect(await ids({ sticky: true })).toStrictEqual(['pref-1']);
      expect(await ids({ tags: 'home' })).toStrictEqual(['pref-2']);
      expect(await ids({ tags: 'vip' })).toStrictEqual(['pref-1']);
      expect(await ids({ folder: 'f1' })).toStrictEqual(['pref-1']);
      expect(await ids({ tags: 'none' })).toStrictEqual([]);
      // Bob, also in pref-1, has no pref there.
      const bobs = expectOk(await sdk(tokens.bob!, 'GET', '/rooms?limit=100')).data.find(
        (room: any) => room._id === 'pref-1',
      );
      expect(bobs.pref ?? null).toBeNull();
      expect(bobs.muted).toBe(false);
    });

    it('refuses rooms I am not in and unknown rooms', async () => {
      expectSdkError(await sdk(tokens.carol!, 'POST', '/roomPrefs/pref-1', { sticky: true }), 403, 'NOT_ROOM_MEMBER');
      expectSdkError(
        await sdk(tokens.dave!, 'POST', '/roomPrefs/no-such-room', { sticky: true }),
        404,
        'ROOM_NOT_FOUND',
      );
      expectSdkError(await sdk(tokens.dave!, 'POST', '/roomPrefs/pref-1', { sticky: 'yes' }), 400, 'INVALID_REQUEST');
    });
  });

  describe('POST /me', () => {
    // The base64 body of a PEM public key, as demo/key.html stores it (realtime protocol 8).
    const publicKey =
      'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDHk0Jx0VAqP1RHbIMLhOnbmqf4j5Yd4n2Ow6u1LxwUqVDfJ1OrKCN3KSP4lJUd0kS7qVf0Q/Ql2yPq1tSeJ1P0IDAQAB';

    it('updates my profile and keeps custom fields such as publicKey', async () => {
      const updated = expectOk(
        await sdk(tokens.bob!, 'POST', '/me', {
          nickname: 'Bobby',
          avatarUrl: 'https://example.test/b.png',
          description: 'hi',
          publicKey,
        }),
      );
      expect(updated).toMatchObject({
        _id: 'bob',
        id: 'bob',
        nickname: 'Bobby',
        avatarUrl: 'https://example.test/b.png',
        description: 'hi',
        publicKey,
      });
      expect(updated.token).toBeUndefined();
      expect(expectOk(await sdk(tokens.bob!, 'GET', '/me'))).toMatchObject({ nickname: 'Bobby', publicKey });
      // A partial update keeps the rest.
      expect(expectOk(await sdk(tokens.bob!, 'POST', '/me', { nickname: 'Bob' }))).toMatchObject({
        nickname: 'Bob',
        avatarUrl: 'https://example.test/b.png',
        publicKey,
      });
    });

    it('refuses token fields', async () => {
      for (const body of [
        { token: 'mine' },
        { issueAccessToken: true },
        { expirationDate: '2099-01-01T00:00:00Z' },
        { _id: 'someone-else' },
      ]) {
        expectSdkError(await sdk(tokens.bob!, 'POST', '/me', body), 400, 'INVALID_REQUEST');
      }
      expect(expectOk(await sdk(tokens.bob!, 'GET', '/me'))._id).toBe('bob');
    });

    it('returns publicKey in the members[] of a room (realtime protocol 8)', async () => {
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'e2e', encrypted: true, members: ['alice', 'bob'] }));
      const room = expectOk(await sdk(tokens.alice!, 'GET', '/rooms/e2e'));
      expect
        .soft(
          room.members.find((member: any) => member._id === 'bob'),
          'GET /rooms/:id members[]',
        )
        .toMatchObject({ _id: 'bob', publicKey });
      const listed = expectOk(
        await sdk(tokens.alice!, 'GET', `/rooms?${query({ limit: 100, q: { members: 'alice' } })}`),
      ).data.find((entry: any) => entry._id === 'e2e');
      expect
        .soft(
          listed.members.find((member: any) => member._id === 'bob'),
          'GET /rooms members[]',
        )
        .toMatchObject({ _id: 'bob', publicKey });
      // Alice, without a key, is a member the SDK skips.
      expect(room.members.find((member: any) => member._id === 'alice').publicKey).toBeUndefined();
    });
  });

  describe('files', () => {
    let uploaded: any;
    let appX: { clientKey: string; token: string };

    beforeAll(async () => {
      const other = await t.services.apps.create('Files other app', 'files-other-app');
      const key = (await t.services.keys.create(other.id, { name: 'x' }, 'test')).secret;
      const created = await t.app.inject({
        method: 'POST',
        url: '/admin/clients',
        remoteAddress: '127.0.0.1',
        headers: { API_KEY: key, 'content-type': 'application/json' },
        payload: JSON.stringify({ _id: 'xavier', issueAccessToken: true }),
      });
      appX = { clientKey: other.clientKey, token: expectOk(created).token };
    });

    it('uploads a multipart file (FormData) and returns its metadata', async () => {
      const form = new FormData();
      form.append('extra', JSON.stringify({ room: 'helpers', width: 16 }));
      form.append('file', new Blob([BINARY], { type: 'image/png' }), 'pixel ü.png');
      const response = await fetch(`${base}/files/chat-images`, {
        method: 'POST',
        headers: userHeaders(tokens.alice!),
        body: form,
      });
      expect(response.status).toBe(200);
      const body: any = await response.json();
      expect(body).toMatchObject({ RC: 0, RM: 'OK' });
      uploaded = body.result;
      expect(uploaded).toStrictEqual({
        id: uploaded.id,
        _id: uploaded.id,
        bucket: 'chat-images',
        name: 'pixel ü.png',
        mimeType: 'image/png',
        size: BINARY.length,
        owner: 'alice',
        extra: { room: 'helpers', width: 16 },
        createdAt: uploaded.createdAt,
      });
      expect(typeof uploaded.id).toBe('string');
      expect(Number.isNaN(Date.parse(uploaded.createdAt))).toBe(false);
    });

    it('downloads the same bytes, with the content type, at the URL the SDK builds', async () => {
      // file.upload resolves with "{domain}/files/{bucket}/{result.id}"; file.download fetches it with the user headers.
      const response = await fetch(`${base}/files/chat-images/${uploaded.id}`, { headers: userHeaders(tokens.bob!) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer()).equals(BINARY)).toBe(true);
      // The members of the room the upload named (extra.room) may read it, the metadata too; other users may not (issue 9 item 6).
      expect(expectOk(await sdk(tokens.bob!, 'GET', `/files/chat-images/${uploaded.id}/metadata`))).toStrictEqual(
        uploaded,
      );
      expectSdkError(await sdk(tokens.dave!, 'GET', `/files/chat-images/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
      // Without credentials: no.
      expect((await fetch(`${base}/files/chat-images/${uploaded.id}`)).status).toBe(401);
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/chat-images/${'0'.repeat(24)}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/other-bucket/${uploaded.id}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.bob!, 'GET', `/files/other-bucket/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
    });

    it('gives a signed URL that works without headers; a tampered one is 404', async () => {
      const { url } = expectOk(await sdk(tokens.bob!, 'GET', `/files/chat-images/${uploaded.id}?signedUrlOnly=1`));
      expect(url.startsWith(`/files/chat-images/${uploaded.id}`)).toBe(true);
      const plain = await fetch(`${base}${url}`);
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await plain.arrayBuffer()).equals(BINARY)).toBe(true);
      // The SDK fetches it with the user headers as well.
      const withHeaders = await fetch(`${base}${url}`, { headers: userHeaders(tokens.bob!) });
      expect(Buffer.from(await withHeaders.arrayBuffer()).equals(BINARY)).toBe(true);

      const signed = new URL(url, base);
      const variant = (change: (params: URLSearchParams) => void, path = signed.pathname) => {
        const params = new URLSearchParams(signed.search);
        change(params);
        return `${path}?${params}`;
      };
      const signature = signed.searchParams.get('signature')!;
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const tampered = [
        variant((params) => params.set('signature', flipped)),
        variant((params) => params.set('signature', '')),
        variant((params) => params.delete('signature')),
        variant((params) => params.set('expires', String(Number(params.get('expires')) + 1))),
        variant((params) => params.set('expires', String(Math.floor(Date.now() / 1000) - 10))),
        variant((params) => params.set('app', 'some-other-app')),
        variant(() => undefined, `/files/other-bucket/${uploaded.id}/signed`),
      ];
      for (const attempt of tampered) {
        const response = await t.app.inject({ method: 'GET', url: attempt, remoteAddress: '127.0.0.1' });
        expect([400, 404], `${attempt}: ${response.body}`).toContain(response.statusCode);
        expect(response.body).not.toContain(BINARY.subarray(0, 64).toString('latin1'));
      }
      // The signature itself is what is checked: a well-formed but wrong one is a 404.
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[0]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[3]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[4]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
      expectSdkError(
        await t.app.inject({ method: 'GET', url: tampered[5]!, remoteAddress: '127.0.0.1' }),
        404,
        'NOT_FOUND',
      );
    });

    it("keeps files to their application: another app's user gets 404, and its signed URLs open nothing of ours", async () => {
      const asX = (url: string) =>
        t.app.inject({
          method: 'GET',
          url,
          remoteAddress: '127.0.0.1',
          headers: userHeaders(appX.token, appX.clientKey),
        });
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}`), 404, 'NOT_FOUND');
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}/metadata`), 404, 'NOT_FOUND');
      expectSdkError(await asX(`/files/chat-images/${uploaded.id}?signedUrlOnly=1`), 404, 'NOT_FOUND');
      // App 2 uploads its own file; its signed URL, pointed at our file, does not open it.
      const { payload, contentType } = multipart([
        { name: 'file', filename: 'x.txt', type: 'text/plain', content: Buffer.from('x app secret') },
      ]);
      const own = expectOk(
        await t.app.inject({
          method: 'POST',
          url: '/files/chat-images',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(appX.token, appX.clientKey), 'content-type': contentType },
          payload,
        }),
      );
      expect(own.owner).toBe('xavier');
      const { url } = expectOk(await asX(`/files/chat-images/${own.id}?signedUrlOnly=1`));
      expect((await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' })).body).toBe('x app secret');
      const pointed = url.replace(own.id, uploaded.id);
      expectSdkError(await t.app.inject({ method: 'GET', url: pointed, remoteAddress: '127.0.0.1' }), 404, 'NOT_FOUND');
      // And app 1's users cannot read app 2's file.
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/chat-images/${own.id}`), 404, 'NOT_FOUND');
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/chat-images/${own.id}/metadata`), 404, 'NOT_FOUND');
    });

    it('accepts a hand-built multipart body without extra, and refuses bodies that are not a file upload', async () => {
      const { payload, contentType } = multipart([
        { name: 'file', filename: 'notes.txt', type: 'text/plain', content: Buffer.from('plain notes') },
      ]);
      const stored = expectOk(
        await t.app.inject({
          method: 'POST',
          url: '/files/docs',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(tokens.carol!), 'content-type': contentType },
          payload,
        }),
      );
      expect(stored).toMatchObject({
        bucket: 'docs',
        name: 'notes.txt',
        mimeType: 'text/plain',
        size: 11,
        owner: 'carol',
        extra: {},
      });
      expect((await sdk(tokens.carol!, 'GET', `/files/docs/${stored.id}`)).body).toBe('plain notes');
      // Shared in no room: only its uploader (and the API key) read it (issue 9 item 6).
      expectSdkError(await sdk(tokens.alice!, 'GET', `/files/docs/${stored.id}`), 404, 'NOT_FOUND');

      const noFile = multipart([{ name: 'extra', value: '{}' }]);
      expectSdkError(
        await t.app.inject({
          method: 'POST',
          url: '/files/docs',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(tokens.carol!), 'content-type': noFile.contentType },
          payload: noFile.payload,
        }),
        400,
        'INVALID_REQUEST',
      );
      const badExtra = multipart([
        { name: 'extra', value: 'not json' },
        { name: 'file', filename: 'a.txt', type: 'text/plain', content: Buffer.from('a') },
      ]);
      expectSdkError(
        await t.app.inject({
          method: 'POST',
          url: '/files/docs',
          remoteAddress: '127.0.0.1',
          headers: { ...userHeaders(tokens.carol!), 'content-type': badExtra.contentType },
          payload: badExtra.payload,
        }),
        400,
        'INVALID_REQUEST',
      );
      const response = await sdk(tokens.carol!, 'POST', '/files/docs', { file: 'not multipart' });
      expect(response.statusCode).toBe(415);
      expect(response.json().RC).toBe(415);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/files/docs',
            remoteAddress: '127.0.0.1',
            headers: { 'content-type': contentType },
            payload,
          })
        ).statusCode,
      ).toBe(401);
    });
  });

  describe('file size limit', () => {
    let small: TestApp;
    let token: string;
    beforeAll(async () => {
      const defaults = (await import('../../src/config/config.js')).loadConfig({}).limits;
      small = await buildTestApp({ limits: { ...defaults, fileBytes: 2048 } });
      token = await small.createUser('uploader');
    });
    afterAll(() => small?.close());

    const upload = (size: number) => {
      const { payload, contentType } = multipart([
        { name: 'extra', value: '{"k":1}' },
        { name: 'file', filename: 'blob.bin', type: 'application/octet-stream', content: Buffer.alloc(size, 7) },
      ]);
      return small.app.inject({
        method: 'POST',
        url: '/files/uploads',
        remoteAddress: '127.0.0.1',
        headers: { CLIENT_KEY: small.clientKey, 'IM-Authorization': token, 'content-type': contentType },
        payload,
      });
    };

    it('accepts a file of exactly limits.fileBytes and refuses a larger one with 413 PAYLOAD_TOO_LARGE', async () => {
      expect(expectOk(await upload(2048)).size).toBe(2048);
      expectSdkError(await upload(2049), 413, 'PAYLOAD_TOO_LARGE');
      expectSdkError(await upload(100_000), 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('GET /rooms with q.roomTags', () => {
    beforeAll(async () => {
      tokens.tagger = await t.createUser('tagger');
      for (const [id, roomTags] of [
        ['tag-1', ['work', 'vip']],
        ['tag-2', ['work']],
        ['tag-3', ['home']],
        ['tag-4', []],
      ] as const) {
        expectOk(await sdkAdmin('POST', '/rooms', { _id: id, roomTags, members: ['tagger'] }));
      }
      // A room of someone else with the same tag.
      expectOk(await sdkAdmin('POST', '/rooms', { _id: 'tag-alice', roomTags: ['work'], members: ['alice'] }));
    });
    const listed = async (q: unknown, extra: Record<string, unknown> = {}) =>
      expectOk(await sdk(tokens.tagger!, 'GET', `/rooms?${query({ limit: 100, skip: 0, q, ...extra })}`));
    const ids = async (q: unknown) => (await listed(q)).data.map((room: any) => room._id).sort();

    it('filters on one tag, all of an array, $in and $all; members is the caller', async () => {
      const everything = await listed({ members: 'tagger' });
      expect(Array.isArray(everything.data)).toBe(true);
      expect(everything.totalCount).toBe(4);
      expect(await ids({})).toStrictEqual(['tag-1', 'tag-2', 'tag-3', 'tag-4']);
      expect(await ids({ members: 'tagger', roomTags: 'work' })).toStrictEqual(['tag-1', 'tag-2']);
      expect(await ids({ members: 'tagger', roomTags: ['work', 'vip'] })).toStrictEqual(['tag-1']);
      expect(await ids({ members: 'tagger', roomTags: { $in: ['vip', 'home'] } })).toStrictEqual(['tag-1', 'tag-3']);
      expect(await ids({ members: 'tagger', roomTags: { $all: ['work', 'vip'] } })).toStrictEqual(['tag-1']);
      expect(await ids({ members: 'tagger', roomTags: { $in: [] } })).toStrictEqual([]);
      expect(await ids({ members: 'tagger', roomTags: 'nothing' })).toStrictEqual([]);
      expect((await listed({ members: 'tagger', roomTags: 'work' })).totalCount).toBe(2);
      // members cannot widen the list to someone else's rooms.
      expect(await ids({ members: 'alice' })).toStrictEqual(['tag-1', 'tag-2', 'tag-3', 'tag-4']);
      // Paging applies after the filter.
      const page = await listed({ members: 'tagger', roomTags: 'work' }, { limit: 1, skip: 1 });
      expect(page.totalCount).toBe(2);
      expect(page.data.length).toBe(1);
    });

    it('refuses a malformed q with 400', async () => {
      expectSdkError(await sdk(tokens.tagger!, 'GET', '/rooms?q=%7Bnot-json'), 400, 'INVALID_REQUEST');
      expectSdkError(
        await sdk(tokens.tagger!, 'GET', `/rooms?${query({ q: { roomTags: { $in: [1] } } })}`),
        400,
        'INVALID_REQUEST',
      );
      expectSdkError(
        await sdk(tokens.tagger!, 'GET', `/rooms?${query({ q: { roomTags: { $regex: 'w' } } })}`),
        400,
        'INVALID_REQUEST',
      );
    });
  });

  describe('REST CORS (1.3)', () => {
    const preflight = (url: string, method: string, headers: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url,
        remoteAddress: '127.0.0.1',
        headers: {
          Origin: 'http://localhost:8080',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': headers,
        },
      });
    const allowed = (response: LightMyRequestResponse, name: string) =>
      String(response.headers[`access-control-allow-${name}`] ?? '')
        .toLowerCase()
        .split(',')
        .map((item) => item.trim());

    it('answers the preflights Chromium sends for user and admin calls', async () => {
      const cases: Array<[string, string, string]> = [
        ['/rooms?limit=100&skip=0', 'GET', 'client_key,im-authorization'],
        ['/rooms/helpers/message', 'POST', 'client_key,im-authorization,content-type'],
        ['/rooms/helpers/lastRead', 'PUT', 'client_key,im-authorization,content-type'],
        ['/rooms/helpers/members/bob', 'DELETE', 'client_key,im-authorization,content-type'],
        ['/roomPrefs/helpers', 'POST', 'client_key,im-authorization,content-type'],
        ['/me/pref/folders-meta', 'DELETE', 'client_key,im-authorization,content-type'],
        ['/files/chat-images', 'POST', 'client_key,im-authorization'],
        ['/files/chat-images/abc?signedUrlOnly=1', 'GET', 'client_key,im-authorization'],
        ['/admin/clients', 'POST', 'api_key,content-type'],
        ['/admin/connection-count', 'GET', 'api_key'],
        ['/rooms', 'GET', 'im-client-key,im-authorization,im-client-id'],
        ['/rooms', 'POST', 'im-api-key,content-type'],
      ];
      for (const [url, method, headers] of cases) {
        const response = await preflight(url, method, headers);
        const label = `OPTIONS ${url} (${method}: ${headers})`;
        expect(response.statusCode, label).toBeGreaterThanOrEqual(200);
        expect(response.statusCode, label).toBeLessThan(300);
        expect(response.headers['access-control-allow-origin'], label).toBe('*');
        const allowedHeaders = allowed(response, 'headers');
        for (const header of headers.split(',')) expect(allowedHeaders, `${label}: ${header}`).toContain(header);
        const allowedMethods = allowed(response, 'methods').map((item) => item.toUpperCase());
        for (const verb of ['GET', 'POST', 'PUT', 'DELETE'])
          expect(allowedMethods, `${label}: ${verb}`).toContain(verb);
      }
      // The preflight of the note in the brief: 204.
      expect((await preflight('/rooms', 'POST', 'client_key,im-authorization,content-type')).statusCode).toBe(204);
    });

    it('lets the browser read the actual responses (Access-Control-Allow-Origin on them, errors included)', async () => {
      const ok = await sdk(tokens.alice!, 'GET', '/me', undefined, { Origin: 'http://localhost:8080' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('*');
      const refused = await sdk('nope', 'GET', '/me', undefined, { Origin: 'http://localhost:8080' });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe('*');
    });
  });
});
