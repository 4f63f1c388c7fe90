import { beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { expectOk, sleep } from '../../helpers/expect.js';
import { expectSdkError, query, sdk, sdkAdmin, send, socketOf, t, tokens } from '../../helpers/sdk-rest-suite.js';
import { createHelpersRoom, useSdkRestApp } from '../../helpers/sdk-rest-suite.js';

/**
 * The REST calls IMKIT's web SDKs make (realtime-protocol.md 6), sent as they send them: user calls
 * with `CLIENT_KEY` + `IM-Authorization`, admin calls with `API_KEY` only, JSON bodies with
 * `application/json;charset=utf-8`, DELETEs with a `{}` body, query values serialized like axios 0.18.
 * The SDKs resolve with `body.result` only on 2xx with `RC === 0`, read `result.data` arrays of list
 * calls, and need every error to be non-2xx (with `RC`), so each case checks those too.
 */

describe('SDK REST calls (realtime protocol 6)', () => {
  useSdkRestApp();

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
      await createHelpersRoom();
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
      expect(await typing).toStrictEqual({
        room: 'helpers',
        sender: 'alice',
        message: 'typing...',
        senderInfo: { _id: 'alice', id: 'alice', nickname: 'ALICE', avatarUrl: '', isRobot: false, clientType: 'user' },
      });
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
      // members cannot widen the list to someone else's rooms: it narrows the caller's ([hist] 5.7).
      expect(await ids({ members: 'alice' })).toStrictEqual([]);
      // Paging applies after the filter.
      const page = await listed({ members: 'tagger', roomTags: 'work' }, { limit: 1, skip: 1 });
      expect(page.totalCount).toBe(2);
      expect(page.data.length).toBe(1);
    });

    it('refuses a malformed q with 400 INVALID_QUERY ([hist] 5.7)', async () => {
      expectSdkError(await sdk(tokens.tagger!, 'GET', '/rooms?q=%7Bnot-json'), 400, 'INVALID_QUERY');
      for (const q of [{ roomTags: { $where: 'true' } }, { secret: 'x' }, { name: { $regex: '(?<n>a)' } }, ['x']])
        expectSdkError(await sdk(tokens.tagger!, 'GET', `/rooms?${query({ q })}`), 400, 'INVALID_QUERY');
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

    // Admin routes answer no origin unless CORS_ORIGINS names it: test/api/platform/cors.test.ts.
    it('answers the preflights Chromium sends for user calls (with the API key too)', async () => {
      const cases: Array<[string, string, string]> = [
        ['/rooms?limit=100&skip=0', 'GET', 'client_key,im-authorization'],
        ['/rooms/helpers/message', 'POST', 'client_key,im-authorization,content-type'],
        ['/rooms/helpers/lastRead', 'PUT', 'client_key,im-authorization,content-type'],
        ['/rooms/helpers/members/bob', 'DELETE', 'client_key,im-authorization,content-type'],
        ['/roomPrefs/helpers', 'POST', 'client_key,im-authorization,content-type'],
        ['/me/pref/folders-meta', 'DELETE', 'client_key,im-authorization,content-type'],
        ['/files/chat-images', 'POST', 'client_key,im-authorization'],
        ['/files/chat-images/abc?signedUrlOnly=1', 'GET', 'client_key,im-authorization'],
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
