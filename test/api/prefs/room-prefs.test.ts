import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, sleep } from '../../helpers/expect.js';
import { authenticate, connect, type Generation, type TestSocket } from '../../helpers/socket-clients.js';
import { base, expectSdkError, query, sdk, sdkAdmin, t, tokens, useSdkRestApp } from '../../helpers/sdk-rest-suite.js';

/**
 * Room preferences of the documentation history ([hist] 4): my list, unsetting a key, and a user
 * group's preferences, which its members see under their own (personal fields win) and are told of
 * by `roomPref`, each with their own view. Rooms: rp-1 (alice, bob), rp-2 (alice), rp-3 (bob),
 * rp-team (the group `team` of alice and carol, and bob himself), rp-dave (the group `dave-team`).
 */
describe('room preferences ([hist] 4)', () => {
  useSdkRestApp();
  const sockets: TestSocket[] = [];
  const socketOf = async (user: string, generation: Generation) => {
    const socket = await connect(base, generation);
    sockets.push(socket);
    expect((await authenticate(socket, tokens[user]!, t.clientKey)).RC).toBe(0);
    return socket;
  };
  const groupPrefs = (token: string, group: string) => sdk(token, 'GET', `/roomPrefs/group/${group}`);
  /** Waits (bounded) until `socket` has received `count` roomPref pushes in all. */
  const roomPrefsReceived = async (socket: TestSocket, count: number) => {
    for (let i = 0; i < 150 && socket.received('roomPref').length < count; i++) await sleep(20);
    return socket.received('roomPref');
  };
  const viewOf = async (user: string, room: string) => expectOk(await sdk(tokens[user]!, 'GET', `/rooms/${room}`)).pref;
  let alice: TestSocket;
  let bob: TestSocket;
  let carol: TestSocket;

  beforeAll(async () => {
    expectOk(await sdkAdmin('POST', '/admin/groups', { _id: 'team', nickname: 'Team', members: ['alice', 'carol'] }));
    expectOk(await sdkAdmin('POST', '/admin/groups', { _id: 'dave-team', nickname: 'Dave', members: ['dave'] }));
    for (const [id, members] of [
      ['rp-1', ['alice', 'bob']],
      ['rp-2', ['alice']],
      ['rp-3', ['bob']],
      ['rp-team', ['team', 'bob']],
      ['rp-dave', ['dave-team']],
    ] as const)
      expectOk(await sdkAdmin('POST', '/rooms', { _id: id, name: id, members }));
    alice = await socketOf('alice', 'G1');
    bob = await socketOf('bob', 'G3');
    carol = await socketOf('carol', 'G2');
  });
  afterAll(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  describe('mine: GET /roomPrefs, DELETE /roomPrefs/:room/:key', () => {
    it('lists my preferences room by room, translation included, and nobody else’s', async () => {
      expect(expectOk(await sdk(tokens.alice!, 'GET', '/roomPrefs'))).toStrictEqual({ totalCount: 0, data: [] });
      const pushed = alice.next('roomPref');
      expect(
        expectOk(
          await sdk(tokens.alice!, 'POST', '/roomPrefs/rp-1', {
            tags: ['demo', 'sample'],
            tagColors: { demo: '#ffccff' },
            folder: 'Some-Folder',
            translation: true,
            unknownField: 'dropped',
          }),
        ),
      ).toStrictEqual({
        room: 'rp-1',
        tags: ['demo', 'sample'],
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
        translation: true,
      });
      expect(await pushed).toStrictEqual({
        room: 'rp-1',
        tags: ['demo', 'sample'],
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
        translation: true,
      });
      expectOk(await sdk(tokens.alice!, 'POST', '/roomPrefs/rp-2', { sticky: true, hidden: false }));
      expectOk(await sdk(tokens.bob!, 'POST', '/roomPrefs/rp-1', { muted: true }));
      const mine = expectOk(await sdk(tokens.alice!, 'GET', '/roomPrefs'));
      expect(mine).toStrictEqual({
        totalCount: 2,
        data: [
          {
            room: 'rp-1',
            tags: ['demo', 'sample'],
            tagColors: { demo: '#ffccff' },
            folder: 'Some-Folder',
            translation: true,
          },
          { room: 'rp-2', sticky: true, hidden: false },
        ],
      });
      expect(expectOk(await sdk(tokens.bob!, 'GET', '/roomPrefs'))).toStrictEqual({
        totalCount: 1,
        data: [{ room: 'rp-1', muted: true }],
      });
      // The API key acts for the user IM-CLIENT-ID names, and needs one.
      expect(expectOk(await sdkAdmin('GET', '/roomPrefs', undefined, { 'IM-CLIENT-ID': 'alice' }))).toStrictEqual(mine);
      expectSdkError(await sdkAdmin('GET', '/roomPrefs'), 400, 'INVALID_REQUEST');
      expectSdkError(await sdk('not-a-token', 'GET', '/roomPrefs'), 401, 'INVALID_TOKEN');
    });

    it('unsets one key, answers the rest (tags come back empty) and pushes my new preference', async () => {
      let pushed = alice.next('roomPref');
      expect(expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-1/translation', {}))).toStrictEqual({
        room: 'rp-1',
        tags: ['demo', 'sample'],
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
      });
      expect(await pushed).toStrictEqual({
        room: 'rp-1',
        tags: ['demo', 'sample'],
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
      });
      pushed = alice.next('roomPref');
      expect(expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-1/tags', {}))).toStrictEqual({
        room: 'rp-1',
        tags: [],
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
      });
      expect(await pushed).toStrictEqual({ room: 'rp-1', tagColors: { demo: '#ffccff' }, folder: 'Some-Folder' });
      expect(await viewOf('alice', 'rp-1')).toStrictEqual({ tagColors: { demo: '#ffccff' }, folder: 'Some-Folder' });
      // An absent key is no error ([hist] 14 item 16), and changes nothing.
      const before = alice.received('roomPref').length;
      expect(expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-1/translation', {}))).toStrictEqual({
        room: 'rp-1',
        tagColors: { demo: '#ffccff' },
        folder: 'Some-Folder',
      });
      // Unsetting the last fields leaves no preference: the room leaves my list.
      expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-2/sticky', {}));
      expect(expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-2/hidden', {}))).toStrictEqual({
        room: 'rp-2',
      });
      // Two pushes, both for rp-2 (the second a bare room), none for the absent key before them.
      const received = await roomPrefsReceived(alice, before + 2);
      expect(received.slice(before)).toStrictEqual([{ room: 'rp-2', hidden: false }, { room: 'rp-2' }]);
      expect((await viewOf('alice', 'rp-2')) ?? null).toBeNull();
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', '/roomPrefs')).data.map((entry: any) => entry.room),
      ).toStrictEqual(['rp-1']);
      // Bob's preference for the room he shares with alice is his own.
      expect(await viewOf('bob', 'rp-1')).toStrictEqual({ muted: true });
    });

    it('refuses rooms I cannot read and unknown rooms', async () => {
      expectSdkError(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-3/muted', {}), 403, 'NOT_ROOM_MEMBER');
      expectSdkError(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/no-such-room/tags', {}), 404, 'ROOM_NOT_FOUND');
      expectSdkError(
        await sdkAdmin('DELETE', '/roomPrefs/rp-3/muted', {}, { 'IM-CLIENT-ID': 'alice' }),
        403,
        'NOT_ROOM_MEMBER',
      );
      expect(await viewOf('bob', 'rp-3')).toBeUndefined();
    });
  });

  describe("a user group's: POST /roomPrefs/:room/group/:group, GET /roomPrefs/group/:group, DELETE …/:key", () => {
    it("sets the group's preference, which each member sees under their own, and pushes each member's view", async () => {
      const own = alice.next('roomPref');
      expectOk(await sdk(tokens.alice!, 'POST', '/roomPrefs/rp-team', { folder: 'Mine', sticky: true }));
      await own;
      const bobBefore = bob.received('roomPref').length;
      const toAlice = alice.next('roomPref');
      const toCarol = carol.next('roomPref');
      const set = expectOk(
        await sdk(tokens.carol!, 'POST', '/roomPrefs/rp-team/group/team', {
          tags: ['support'],
          tagColors: { support: '#ccffdd' },
          folder: 'Team',
          notAField: 1,
        }),
      );
      expect(set).toStrictEqual({
        room: 'rp-team',
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Team',
      });
      // Alice's own fields win over the group's.
      expect(await toAlice).toStrictEqual({
        room: 'rp-team',
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Mine',
        sticky: true,
      });
      expect(await toCarol).toStrictEqual(set);
      expect(await viewOf('alice', 'rp-team')).toStrictEqual({
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Mine',
        sticky: true,
      });
      expect(await viewOf('carol', 'rp-team')).toStrictEqual({
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Team',
      });
      // Bob is in the room himself, not in the group: nothing of it reaches him.
      expect((await viewOf('bob', 'rp-team')) ?? null).toBeNull();
      const bobsOwn = bob.next('roomPref');
      expectOk(await sdk(tokens.bob!, 'POST', '/roomPrefs/rp-team', { hidden: true }));
      expect(await bobsOwn).toStrictEqual({ room: 'rp-team', hidden: true });
      expect(bob.received('roomPref').slice(bobBefore)).toStrictEqual([{ room: 'rp-team', hidden: true }]);
    });

    it("merges it into the members' room lists, pref filters, search and GET /roomPrefs", async () => {
      const listed = async (user: string, pref: unknown) =>
        expectOk(await sdk(tokens[user]!, 'GET', `/rooms?${query({ limit: 100, pref })}`)).data.map(
          (room: any) => room._id,
        );
      expect(await listed('carol', { tags: 'support' })).toStrictEqual(['rp-team']);
      expect(await listed('alice', { folder: 'Mine' })).toStrictEqual(['rp-team']);
      expect(await listed('alice', { folder: 'Team' })).toStrictEqual([]);
      expect(await listed('bob', { tags: 'support' })).toStrictEqual([]);
      const rooms = expectOk(await sdk(tokens.carol!, 'GET', '/rooms?limit=100')).data;
      expect(rooms.find((room: any) => room._id === 'rp-team').pref).toStrictEqual({
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Team',
      });
      const found = expectOk(
        await sdk(tokens.carol!, 'POST', '/search', { type: ['roomPrefTags', 'roomPrefFolder'], keyword: 'support' }),
      );
      expect(found.roomPrefTags.map((room: any) => room._id)).toStrictEqual(['rp-team']);
      expect(expectOk(await sdk(tokens.alice!, 'GET', '/roomPrefs')).data).toStrictEqual([
        { room: 'rp-1', tagColors: { demo: '#ffccff' }, folder: 'Some-Folder' },
        { room: 'rp-team', tags: ['support'], tagColors: { support: '#ccffdd' }, folder: 'Mine', sticky: true },
      ]);
      expect(expectOk(await sdk(tokens.carol!, 'GET', '/roomPrefs'))).toStrictEqual({
        totalCount: 1,
        data: [{ room: 'rp-team', tags: ['support'], tagColors: { support: '#ccffdd' }, folder: 'Team' }],
      });
    });

    it("lists the group's own preferences for its members and the API key", async () => {
      const expected = {
        totalCount: 1,
        data: [{ room: 'rp-team', tags: ['support'], tagColors: { support: '#ccffdd' }, folder: 'Team' }],
      };
      expect(expectOk(await groupPrefs(tokens.alice!, 'team'))).toStrictEqual(expected);
      expect(expectOk(await groupPrefs(tokens.carol!, 'team'))).toStrictEqual(expected);
      expect(expectOk(await sdkAdmin('GET', '/roomPrefs/group/team'))).toStrictEqual(expected);
      expect(expectOk(await groupPrefs(tokens.dave!, 'dave-team'))).toStrictEqual({ totalCount: 0, data: [] });
    });

    it('applies several groups in the order of their ids, under my own fields', async () => {
      expectOk(await sdkAdmin('POST', '/admin/groups', { _id: 'zz-team', nickname: 'Z', members: ['carol'] }));
      expectOk(await sdkAdmin('POST', '/rooms/rp-team/members', { invitees: ['zz-team'] }));
      const toCarol = carol.next('roomPref');
      // The API key may set any group's preference.
      expectOk(await sdkAdmin('POST', '/roomPrefs/rp-team/group/zz-team', { folder: 'Zed', muted: true }));
      expect(await toCarol).toStrictEqual({
        room: 'rp-team',
        tags: ['support'],
        tagColors: { support: '#ccffdd' },
        folder: 'Zed',
        muted: true,
      });
      const room = expectOk(await sdk(tokens.carol!, 'GET', '/rooms/rp-team'));
      expect(room.pref.folder).toBe('Zed');
      expect(room.muted).toBe(true);
      // Alice is not in zz-team.
      expect((await viewOf('alice', 'rp-team')).folder).toBe('Mine');
    });

    it("unsets one key of the group's preference (tags come back empty) and pushes the members' views", async () => {
      const toAlice = alice.next('roomPref');
      const toCarol = carol.next('roomPref');
      expect(expectOk(await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-team/group/team/tags', {}))).toStrictEqual({
        room: 'rp-team',
        tags: [],
        tagColors: { support: '#ccffdd' },
        folder: 'Team',
      });
      expect(await toAlice).toStrictEqual({
        room: 'rp-team',
        tagColors: { support: '#ccffdd' },
        folder: 'Mine',
        sticky: true,
      });
      expect(await toCarol).toStrictEqual({
        room: 'rp-team',
        tagColors: { support: '#ccffdd' },
        folder: 'Zed',
        muted: true,
      });
      // Absent: no error.
      expect(expectOk(await sdkAdmin('DELETE', '/roomPrefs/rp-team/group/team/translation', {}))).toStrictEqual({
        room: 'rp-team',
        tagColors: { support: '#ccffdd' },
        folder: 'Team',
      });
      expect(expectOk(await groupPrefs(tokens.carol!, 'team')).data).toStrictEqual([
        { room: 'rp-team', tagColors: { support: '#ccffdd' }, folder: 'Team' },
      ]);
    });

    it('refuses users outside the group, rooms the group is not in, unknown groups and bad bodies', async () => {
      const set = (token: string, room: string, group: string, body: unknown = { folder: 'x' }) =>
        sdk(token, 'POST', `/roomPrefs/${room}/group/${group}`, body);
      // Dave is not in team; bob neither (though in its room); a user is not a group.
      for (const [token, room, group] of [
        [tokens.dave!, 'rp-team', 'team'],
        [tokens.bob!, 'rp-team', 'team'],
        [tokens.alice!, 'rp-dave', 'dave-team'],
        [tokens.alice!, 'rp-1', 'bob'],
        [tokens.alice!, 'rp-team', 'no-such-group'],
      ] as const) {
        expectSdkError(await set(token, room, group), 403, 'INSUFFICIENT_PERMISSIONS');
        expectSdkError(await groupPrefs(token, group), 403, 'INSUFFICIENT_PERMISSIONS');
        expectSdkError(
          await sdk(token, 'DELETE', `/roomPrefs/${room}/group/${group}/folder`, {}),
          403,
          'INSUFFICIENT_PERMISSIONS',
        );
      }
      // A user token naming someone else in IM-CLIENT-ID.
      expectSdkError(
        await sdk(tokens.dave!, 'GET', '/roomPrefs/group/team', undefined, { 'IM-CLIENT-ID': 'alice' }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      // The group must be a member of the room, even where the caller is one.
      expectSdkError(await set(tokens.alice!, 'rp-1', 'team'), 403, 'NOT_ROOM_MEMBER');
      expectSdkError(await set(tokens.alice!, 'no-such-room', 'team'), 404, 'ROOM_NOT_FOUND');
      expectSdkError(
        await sdk(tokens.alice!, 'DELETE', '/roomPrefs/rp-1/group/team/folder', {}),
        403,
        'NOT_ROOM_MEMBER',
      );
      expectSdkError(await set(tokens.alice!, 'rp-team', 'team', { tags: 'not-a-list' }), 400, 'INVALID_REQUEST');
      expectSdkError(await set(tokens.alice!, 'rp-team', 'team', { sticky: 'yes' }), 400, 'INVALID_REQUEST');
      // The API key: a group that does not exist, or a user that is not a group.
      for (const group of ['no-such-group', 'bob']) {
        expectSdkError(
          await sdkAdmin('POST', `/roomPrefs/rp-team/group/${group}`, { folder: 'x' }),
          404,
          'GROUP_NOT_FOUND',
        );
        expectSdkError(await sdkAdmin('GET', `/roomPrefs/group/${group}`), 404, 'GROUP_NOT_FOUND');
      }
      expectSdkError(await sdk('not-a-token', 'GET', '/roomPrefs/group/team'), 401, 'INVALID_TOKEN');
      // Nothing changed.
      expect(expectOk(await groupPrefs(tokens.carol!, 'team')).data).toStrictEqual([
        { room: 'rp-team', tagColors: { support: '#ccffdd' }, folder: 'Team' },
      ]);
      expect(expectOk(await groupPrefs(tokens.dave!, 'dave-team')).data).toStrictEqual([]);
    });

    it("drops the group's preferences when the group leaves the room", async () => {
      expectOk(await sdkAdmin('POST', '/rooms/rp-team/delete/members', { members: ['team'] }));
      expect(expectOk(await sdkAdmin('GET', '/roomPrefs/group/team'))).toStrictEqual({ totalCount: 0, data: [] });
      expectSdkError(await sdk(tokens.alice!, 'GET', '/rooms/rp-team'), 403, 'NOT_ROOM_MEMBER');
      // Alice's own preference for a room she no longer reads is not listed either.
      expect(
        expectOk(await sdk(tokens.alice!, 'GET', '/roomPrefs')).data.map((entry: any) => entry.room),
      ).toStrictEqual(['rp-1']);
      expect(await viewOf('carol', 'rp-team')).toStrictEqual({ folder: 'Zed', muted: true });
    });
  });
});
