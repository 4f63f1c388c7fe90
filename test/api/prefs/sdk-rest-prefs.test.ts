import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { expectSdkError, query, sdk, sdkAdmin, socketOf, tokens, useSdkRestApp } from '../../helpers/sdk-rest-suite.js';

/**
 * The REST calls IMKIT's web SDKs make (realtime-protocol.md 6), sent as they send them: user calls
 * with `CLIENT_KEY` + `IM-Authorization`, admin calls with `API_KEY` only, JSON bodies with
 * `application/json;charset=utf-8`, DELETEs with a `{}` body, query values serialized like axios 0.18.
 * The SDKs resolve with `body.result` only on 2xx with `RC === 0`, read `result.data` arrays of list
 * calls, and need every error to be non-2xx (with `RC`), so each case checks those too.
 */

describe('SDK REST calls (realtime protocol 6)', () => {
  useSdkRestApp();

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
      // Deleting it again is no error ([hist] 14 item 16).
      expect(expectOk(await sdk(tokens.carol!, 'DELETE', '/me/pref/theme', {}))).toStrictEqual({ key: 'theme' });
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
});
