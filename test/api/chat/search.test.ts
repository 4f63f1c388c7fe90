import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { ReadStatesRepository } from '../../../src/modules/chat/read-states.repository.js';
import { createRoom } from '../../helpers/factories.js';
import { INVALID_TOKEN, shapeB } from '../../helpers/errors.js';
import { expectInvalidRequest } from '../../helpers/wire.js';

/** `POST /search` (spec 5.9, 12 item 56): message text in the caller's rooms, and the [hist] room search types. */

const INVALID_SEARCH_TYPE = shapeB(
  400,
  'Invalid search parameters',
  'INVALID_SEARCH_TYPE',
  "Search type must include 'messages'",
);

interface Group {
  room: { _id: string };
  messages: string[];
}

describe('POST /search', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  /** Sends as a member and answers the message id. */
  const send = async (
    user: string,
    room: string,
    message: unknown,
    extra: Record<string, unknown> = {},
  ): Promise<string> =>
    expectOk(
      await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, { message, messageType: 'text', ...extra }),
    )._id;
  const search = async (user: string, body: Record<string, unknown>) =>
    expectOk(await t.asUser(tokens[user]!, 'POST', '/search', body));
  /** The ids of every message found, in answer order. */
  const found = async (user: string, keyword: string, more: Record<string, unknown> = {}): Promise<string[]> => {
    const result = await search(user, { type: ['messages'], keyword, ...more });
    return (result.messages as Group[]).flatMap((group) => group.messages);
  };

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['alice', 'bob', 'carol', 'dave']) tokens[id] = await t.createUser(id, { nickname: `Nick ${id}` });
  });
  afterAll(() => t.close());

  describe('matching (spec 5.9)', () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'match', members: ['alice', 'bob'] });
      m.hello = await send('bob', 'match', 'Hello Wonderful World from the team');
      m.ecole = await send('bob', 'match', 'Rentrée à l’école primaire');
      m.privet = await send('bob', 'match', 'Привет, мир! Как дела?');
      m.extra = await send('bob', 'match', 'see attachment', {
        extra: { title: 'Quarterly Zebrafile', nested: { list: ['deep marmoset', 7] } },
      });
      m.numbers = await send('bob', 'match', 987654, { extra: { count: 424242 } });
      m.own = await send('alice', 'match', 'my own words about pelicans');
    });

    it('finds a substring inside words and across spaces', async () => {
      expect(await found('alice', 'onderfu')).toStrictEqual([m.hello]);
      expect(await found('alice', 'ful Wor')).toStrictEqual([m.hello]);
      expect(await found('alice', 'Hello Wonderful World from the team')).toStrictEqual([m.hello]);
      expect(await found('alice', 'wonderfull')).toStrictEqual([]);
    });

    it('is case-insensitive for ASCII text', async () => {
      expect(await found('alice', 'HELLO')).toStrictEqual([m.hello]);
      expect(await found('alice', 'wOnDeRfUl')).toStrictEqual([m.hello]);
      expect(await found('alice', 'PELICAN')).toStrictEqual([m.own]);
    });

    it('is case-insensitive for accented and Cyrillic text (3 characters or more)', async () => {
      expect(await found('alice', 'ÉCOLE')).toStrictEqual([m.ecole]);
      expect(await found('alice', 'RENTRÉE')).toStrictEqual([m.ecole]);
      expect(await found('alice', 'école')).toStrictEqual([m.ecole]);
      expect(await found('alice', 'ПРИВЕТ')).toStrictEqual([m.privet]);
      expect(await found('alice', 'привет')).toStrictEqual([m.privet]);
      expect(await found('alice', 'как ДЕЛА')).toStrictEqual([m.privet]);
    });

    it('finds strings inside extra, at any depth', async () => {
      expect(await found('alice', 'zebrafile')).toStrictEqual([m.extra]);
      expect(await found('alice', 'MARMOSET')).toStrictEqual([m.extra]);
      expect(await found('alice', 'attachment')).toStrictEqual([m.extra]);
    });

    it('does not search values that are not strings', async () => {
      expect(await found('alice', '987654')).toStrictEqual([]);
      expect(await found('alice', '424242')).toStrictEqual([]);
    });

    it("finds the caller's own messages too", async () => {
      expect(await found('bob', 'pelicans')).toStrictEqual([m.own]);
    });
  });

  describe('short keywords (1-2 characters)', () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'short', members: ['alice', 'bob'] });
      m.xq = await send('bob', 'short', 'xq marks');
      m.qx = await send('bob', 'short', 'Qx reversed');
      m.k = await send('bob', 'short', 'k');
    });

    it('finds two-character keywords, case-insensitively', async () => {
      expect(await found('alice', 'xq', { room: 'short' })).toStrictEqual([m.xq]);
      expect(await found('alice', 'XQ', { room: 'short' })).toStrictEqual([m.xq]);
      expect(await found('alice', 'qX', { room: 'short' })).toStrictEqual([m.qx]);
      expect(await found('alice', 'xx', { room: 'short' })).toStrictEqual([]);
    });

    it('finds one-character keywords', async () => {
      expect(await found('alice', 'q', { room: 'short' })).toStrictEqual([m.qx, m.xq]);
      expect(await found('alice', 'K', { room: 'short' })).toStrictEqual([m.k, m.xq]);
      expect(await found('alice', 'j', { room: 'short' })).toStrictEqual([]);
    });
  });

  describe('special characters in keywords are literal', () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'chars', members: ['alice', 'bob'] });
      m.quotes = await send('bob', 'chars', 'He said "yes" loudly');
      m.apostrophe = await send('bob', 'chars', "it's fine");
      m.percent = await send('bob', 'chars', '100% sure');
      m.percentAz = await send('bob', 'chars', 'the a%z literal');
      m.azBait = await send('bob', 'chars', 'abcz bait');
      m.underscore = await send('bob', 'chars', 'snake_case name');
      m.underscoreBait = await send('bob', 'chars', 'make case bait');
      m.backslash = await send('bob', 'chars', 'C:\\temp\\new');
      m.backslashBait = await send('bob', 'chars', 'tempo temp');
      m.fts = await send('bob', 'chars', 'a*b OR (c) NEAR d^');
    });

    const inChars = (keyword: string) => found('alice', keyword, { room: 'chars' });

    // Each row: the rule, a keyword, and the messages (named as in `m`) it finds, in answer order.
    it.each<[string, string, string[]]>([
      ['quotes', '"yes"', ['quotes']],
      ['quotes', 'said "', ['quotes']],
      ['quotes', '"', ['quotes']],
      ['quotes', "t's", ['apostrophe']],
      ['quotes', "'", ['apostrophe']],
      ['quotes', '"no"', []],
      ['% is not a wildcard', '%', ['percentAz', 'percent']],
      ['% is not a wildcard', '0%', ['percent']],
      ['% is not a wildcard', '100%', ['percent']],
      ['% is not a wildcard', 'a%z', ['percentAz']],
      ['% is not a wildcard', '%%', []],
      ['% is not a wildcard', 'b%t', []],
      ['_ is not a wildcard', '_', ['underscore']],
      ['_ is not a wildcard', 'e_c', ['underscore']],
      ['_ is not a wildcard', 'snake_', ['underscore']],
      ['_ is not a wildcard', '__', []],
      ['_ is not a wildcard', 'k_ba', []],
      ['\\ is a plain character', '\\', ['backslash']],
      ['\\ is a plain character', '\\t', ['backslash']],
      ['\\ is a plain character', '\\temp', ['backslash']],
      ['\\ is a plain character', ':\\temp\\n', ['backslash']],
      ['\\ is a plain character', '\\%', []],
      ['\\ is a plain character', '\\_', []],
      ['search-syntax characters are plain characters', 'a*b', ['fts']],
      ['search-syntax characters are plain characters', 'OR (c)', ['fts']],
      ['search-syntax characters are plain characters', 'd^', ['fts']],
      ['search-syntax characters are plain characters', '*', ['fts']],
      ['search-syntax characters are plain characters', 'NEAR(', []],
    ])('%s: %j', async (_rule, keyword, expected) => {
      expect(await inChars(keyword)).toStrictEqual(expected.map((name) => m[name]));
    });
  });

  describe("only the caller's rooms", () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'scope-mine', members: ['alice', 'bob'] });
      await createRoom(t, { _id: 'scope-theirs', members: ['bob', 'carol'] });
      await createRoom(t, { _id: 'scope-left', members: ['alice', 'bob'] });
      expectOk(
        await t.admin('POST', '/admin/groups', { _id: 'scope-group', nickname: 'Scope group', members: ['alice'] }),
      );
      await createRoom(t, { _id: 'scope-group-room', members: ['scope-group', 'bob'] });
      m.mine = await send('bob', 'scope-mine', 'scopeword in my room');
      m.theirs = await send('bob', 'scope-theirs', 'scopeword in their room');
      m.left = await send('bob', 'scope-left', 'scopeword in a room alice leaves');
      m.group = await send('bob', 'scope-group-room', 'scopeword through the group');
    });

    it('never shows rooms the caller is not in', async () => {
      const ids = await found('alice', 'scopeword');
      expect(ids.sort()).toStrictEqual([m.mine, m.left, m.group].sort());
      expect(ids).not.toContain(m.theirs);
      expect((await found('carol', 'scopeword')).sort()).toStrictEqual([m.theirs]);
      expect(await found('dave', 'scopeword')).toStrictEqual([]);
      expect(await search('dave', { type: ['messages'], keyword: 'scopeword' })).toStrictEqual({ messages: [] });
    });

    it("a room filter naming another user's room finds nothing", async () => {
      expect(await found('alice', 'scopeword', { room: 'scope-theirs' })).toStrictEqual([]);
      expect(await found('alice', 'scopeword', { room: 'no-such-room' })).toStrictEqual([]);
    });

    it('includes rooms the caller reaches through a user group', async () => {
      expect(await found('alice', 'through the group')).toStrictEqual([m.group]);
    });

    it('stops showing a room the caller left', async () => {
      expectOk(await t.asUser(tokens.alice!, 'POST', '/rooms/scope-left/delete/members', { members: ['alice'] }));
      expect((await found('alice', 'scopeword')).sort()).toStrictEqual([m.mine, m.group].sort());
    });

    it('with the API key, IM-CLIENT-ID names the user; without it 400 INVALID_REQUEST', async () => {
      const result = expectOk(
        await t.admin('POST', '/search', { type: ['messages'], keyword: 'scopeword' }, { 'im-client-id': 'carol' }),
      );
      expect(result.messages.flatMap((group: Group) => group.messages)).toStrictEqual([m.theirs]);
      expectInvalidRequest(await t.admin('POST', '/search', { type: ['messages'], keyword: 'scopeword' }));
    });

    it('needs a valid token', async () => {
      expectBody(
        await t.asUser('not-a-token', 'POST', '/search', { type: ['messages'], keyword: 'scopeword' }),
        401,
        INVALID_TOKEN,
      );
    });
  });

  describe('recalled, deleted and edited messages', () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'gone', members: ['alice', 'bob'] });
      m.kept = await send('bob', 'gone', 'vanishword kept');
      m.recalled = await send('bob', 'gone', 'vanishword recalled');
      m.deleted = await send('bob', 'gone', 'vanishword deleted');
      m.edited = await send('bob', 'gone', 'vanishword before the edit');
    });

    it('a recalled message never matches', async () => {
      expect((await found('alice', 'vanishword')).length).toBe(4);
      expectOk(await t.asUser(tokens.bob!, 'POST', '/rooms/gone/message', { _id: m.recalled, messageType: 'recall' }));
      expect(await found('alice', 'vanishword')).not.toContain(m.recalled);
      expect(await found('alice', 'recalled')).toStrictEqual([]);
    });

    it('a deleted message never matches', async () => {
      const removed = await t.admin('DELETE', `/rooms/gone/messages/${m.deleted}`);
      expect(removed.json()).toMatchObject({ RC: 0, RM: 'Message deleted successfully', result: { deletedCount: 1 } });
      expect(await found('alice', 'vanishword deleted')).toStrictEqual([]);
      expect(await found('alice', 'vanishword')).not.toContain(m.deleted);
    });

    it('an edited message matches its new text only', async () => {
      expectOk(
        await t.asUser(tokens.bob!, 'POST', '/rooms/gone/message', {
          _id: m.edited,
          message: 'rewritten text',
          messageType: 'text',
        }),
      );
      expect(await found('alice', 'before the edit')).toStrictEqual([]);
      expect(await found('alice', 'rewritten')).toStrictEqual([m.edited]);
      expect(await found('alice', 'vanishword')).toStrictEqual([m.kept]);
    });
  });

  describe('room and roomTags filters', () => {
    const m: Record<string, string> = {};
    beforeAll(async () => {
      await createRoom(t, { _id: 'tag-ab', roomTags: ['a-tag', 'b-tag'], members: ['alice', 'bob'] });
      await createRoom(t, { _id: 'tag-a', roomTags: ['a-tag'], members: ['alice', 'bob'] });
      await createRoom(t, { _id: 'tag-none', members: ['alice', 'bob'] });
      await createRoom(t, { _id: 'tag-ab-theirs', roomTags: ['a-tag', 'b-tag'], members: ['bob'] });
      m.ab = await send('bob', 'tag-ab', 'filterword ab');
      m.a = await send('bob', 'tag-a', 'filterword a');
      m.none = await send('bob', 'tag-none', 'filterword none');
      m.theirs = await send('bob', 'tag-ab-theirs', 'filterword theirs');
    });

    it('room restricts the search to one room', async () => {
      expect(await found('alice', 'filterword', { room: 'tag-a' })).toStrictEqual([m.a]);
      expect(await found('alice', 'filterword', { room: 'tag-none' })).toStrictEqual([m.none]);
    });

    it('roomTags keeps rooms carrying every tag', async () => {
      expect((await found('alice', 'filterword', { roomTags: ['a-tag'] })).sort()).toStrictEqual([m.ab, m.a].sort());
      expect(await found('alice', 'filterword', { roomTags: ['a-tag', 'b-tag'] })).toStrictEqual([m.ab]);
      expect(await found('alice', 'filterword', { roomTags: ['b-tag'] })).toStrictEqual([m.ab]);
      expect(await found('alice', 'filterword', { roomTags: ['a-tag', 'c-tag'] })).toStrictEqual([]);
      expect(await found('alice', 'filterword', { roomTags: ['A-TAG'] })).toStrictEqual([]);
      expect((await found('alice', 'filterword', { roomTags: [] })).sort()).toStrictEqual([m.ab, m.a, m.none].sort());
    });

    it('room and roomTags together', async () => {
      expect(await found('alice', 'filterword', { room: 'tag-ab', roomTags: ['b-tag'] })).toStrictEqual([m.ab]);
      expect(await found('alice', 'filterword', { room: 'tag-a', roomTags: ['b-tag'] })).toStrictEqual([]);
    });

    it('rejects a room that is not a string or roomTags that are not strings with 400 INVALID_REQUEST', async () => {
      expectInvalidRequest(
        await t.asUser(tokens.alice!, 'POST', '/search', { type: ['messages'], keyword: 'filterword', room: 123 }),
      );
      expectInvalidRequest(
        await t.asUser(tokens.alice!, 'POST', '/search', {
          type: ['messages'],
          keyword: 'filterword',
          roomTags: 'a-tag',
        }),
      );
      expectInvalidRequest(
        await t.asUser(tokens.alice!, 'POST', '/search', { type: ['messages'], keyword: 'filterword', roomTags: [1] }),
      );
    });
  });

  describe('grouping, order and limit', () => {
    const m: Record<string, string> = {};
    const bulk: string[] = [];
    beforeAll(async () => {
      for (const id of ['ord-a', 'ord-b', 'ord-c']) {
        await createRoom(t, {
          _id: id,
          name: `Order ${id}`,
          cover: `http://x/${id}.png`,
          description: `About ${id}`,
          roomTags: [id],
          members: ['alice', 'bob'],
        });
      }
      m.a1 = await send('bob', 'ord-a', 'orderword a1');
      m.b1 = await send('bob', 'ord-b', 'orderword b1');
      m.a2 = await send('alice', 'ord-a', 'orderword a2');
      m.c1 = await send('bob', 'ord-c', 'orderword c1');
      await createRoom(t, { _id: 'bulk', members: ['alice', 'bob'] });
      for (let i = 0; i < 205; i++) {
        bulk.push(
          expectOk(
            await t.admin('POST', '/messages', {
              room: 'bulk',
              sender: 'bob',
              message: `bulkword ${i}`,
              messageType: 'text',
            }),
          )._id,
        );
      }
    });

    it('groups matches by room, rooms ordered by their newest match, messages newest first', async () => {
      const result = await search('alice', { type: ['messages'], keyword: 'orderword' });
      expect(Object.keys(result)).toStrictEqual(['messages']);
      expect(result.messages).toStrictEqual([
        {
          room: {
            _id: 'ord-c',
            id: 'ord-c',
            name: 'Order ord-c',
            cover: 'http://x/ord-c.png',
            description: 'About ord-c',
            roomType: 'group',
            roomTags: ['ord-c'],
          },
          messages: [m.c1],
        },
        {
          room: {
            _id: 'ord-a',
            id: 'ord-a',
            name: 'Order ord-a',
            cover: 'http://x/ord-a.png',
            description: 'About ord-a',
            roomType: 'group',
            roomTags: ['ord-a'],
          },
          messages: [m.a2, m.a1],
        },
        {
          room: {
            _id: 'ord-b',
            id: 'ord-b',
            name: 'Order ord-b',
            cover: 'http://x/ord-b.png',
            description: 'About ord-b',
            roomType: 'group',
            roomTags: ['ord-b'],
          },
          messages: [m.b1],
        },
      ]);
    });

    it('limit counts messages: the newest ones are kept', async () => {
      const result = await search('alice', { type: ['messages'], keyword: 'orderword', limit: 2 });
      expect(result.messages.map((group: Group) => [group.room._id, group.messages])).toStrictEqual([
        ['ord-c', [m.c1]],
        ['ord-a', [m.a2]],
      ]);
      expect(await found('alice', 'orderword', { limit: 1 })).toStrictEqual([m.c1]);
    });

    it('limit defaults to 50', async () => {
      const ids = await found('alice', 'bulkword');
      expect(ids).toStrictEqual(bulk.slice(-50).reverse());
    });

    it('limit is at most 200', async () => {
      expect(await found('alice', 'bulkword', { limit: 60 })).toStrictEqual(bulk.slice(-60).reverse());
      expect(await found('alice', 'bulkword', { limit: 200 })).toStrictEqual(bulk.slice(-200).reverse());
      expect(await found('alice', 'bulkword', { limit: 500 })).toStrictEqual(bulk.slice(-200).reverse());
    });

    it('rejects a limit that is not a positive whole number with 400 INVALID_REQUEST', async () => {
      for (const limit of [0, -1, 1.5, '5', true]) {
        expectInvalidRequest(
          await t.asUser(tokens.alice!, 'POST', '/search', { type: ['messages'], keyword: 'orderword', limit }),
        );
      }
    });
  });

  describe('[hist] room search types', () => {
    const summary = (id: string, name: string, roomTags: string[]) => ({
      _id: id,
      id,
      name,
      cover: '',
      description: '',
      roomType: 'group',
      roomTags,
    });
    beforeAll(async () => {
      tokens.bobby = await t.createUser('bobby', { nickname: 'Bobby Tables' });
      tokens.greta = await t.createUser('greta', { nickname: 'Greta Green' });
      await createRoom(t, {
        _id: 'h-alpha',
        name: 'Project Alpha',
        roomTags: ['Engineering', 'q3'],
        members: ['alice', 'bobby'],
      });
      await createRoom(t, { _id: 'h-garden', name: 'Garden Club', roomTags: ['hobby'], members: ['alice', 'greta'] });
      await createRoom(t, {
        _id: 'h-secret',
        name: 'Project Secret',
        roomTags: ['Engineering'],
        members: ['bobby', 'greta'],
      });
      const prefs = new ReadStatesRepository(t.services.storage);
      const now = Date.now();
      await prefs.setPref(t.appId, 'h-alpha', 'alice', { tags: ['Important', 'later'], folder: 'Work Stuff' }, now);
      await prefs.setPref(t.appId, 'h-garden', 'alice', { tags: ['weekend'], folder: 'Personal' }, now);
      // Someone else's preferences never match the caller's search.
      await prefs.setPref(t.appId, 'h-alpha', 'bobby', { tags: ['weekend'], folder: 'Personal' }, now);
      await prefs.setPref(t.appId, 'h-secret', 'bobby', { tags: ['important'], folder: 'Work Stuff' }, now);
    });

    const alpha = () => summary('h-alpha', 'Project Alpha', ['Engineering', 'q3']);
    const garden = () => summary('h-garden', 'Garden Club', ['hobby']);

    it('roomName: rooms whose name contains the keyword', async () => {
      expect(await search('alice', { type: ['roomName'], keyword: 'project' })).toStrictEqual({ roomName: [alpha()] });
      expect(await search('alice', { type: ['roomName'], keyword: 'CLUB' })).toStrictEqual({ roomName: [garden()] });
      expect(await search('alice', { type: ['roomName'], keyword: 'secret' })).toStrictEqual({ roomName: [] });
    });

    it('roomMember: rooms with a member whose nickname or id contains the keyword', async () => {
      expect(await search('alice', { type: ['roomMember'], keyword: 'tables' })).toStrictEqual({
        roomMember: [alpha()],
      });
      expect(await search('alice', { type: ['roomMember'], keyword: 'GRETA' })).toStrictEqual({
        roomMember: [garden()],
      });
      expect(await search('alice', { type: ['roomMember'], keyword: 'nobody' })).toStrictEqual({ roomMember: [] });
    });

    it('roomTags: rooms with a shared tag containing the keyword', async () => {
      expect(await search('alice', { type: ['roomTags'], keyword: 'engin' })).toStrictEqual({ roomTags: [alpha()] });
      expect(await search('alice', { type: ['roomTags'], keyword: 'HOB' })).toStrictEqual({ roomTags: [garden()] });
    });

    it("roomPrefTags and roomPrefFolder: the caller's own preferences", async () => {
      expect(await search('alice', { type: ['roomPrefTags'], keyword: 'import' })).toStrictEqual({
        roomPrefTags: [alpha()],
      });
      expect(await search('alice', { type: ['roomPrefTags'], keyword: 'WEEKEND' })).toStrictEqual({
        roomPrefTags: [garden()],
      });
      expect(await search('alice', { type: ['roomPrefFolder'], keyword: 'personal' })).toStrictEqual({
        roomPrefFolder: [garden()],
      });
      expect(await search('alice', { type: ['roomPrefFolder'], keyword: 'stuff' })).toStrictEqual({
        roomPrefFolder: [alpha()],
      });
      expect(await search('greta', { type: ['roomPrefFolder'], keyword: 'stuff' })).toStrictEqual({
        roomPrefFolder: [],
      });
    });

    it('several types at once add one array each', async () => {
      const result = await search('alice', { type: ['messages', 'roomName', 'roomTags'], keyword: 'project' });
      expect(Object.keys(result).sort()).toStrictEqual(['messages', 'roomName', 'roomTags']);
      expect(result.messages).toStrictEqual([]);
      expect(result.roomName).toStrictEqual([alpha()]);
      expect(result.roomTags).toStrictEqual([]);
    });

    it('type may be a single string', async () => {
      expect(await search('alice', { type: 'roomName', keyword: 'garden' })).toStrictEqual({ roomName: [garden()] });
      await send('alice', 'h-garden', 'stringtype message');
      const result = await search('alice', { type: 'messages', keyword: 'stringtype' });
      expect(Object.keys(result)).toStrictEqual(['messages']);
      expect(result.messages).toHaveLength(1);
      expect(result.messages[0].room).toStrictEqual(garden());
    });
  });

  describe('files (the Vue client, other-clients 4.5)', () => {
    const f: Record<string, string> = {};
    /** Sends any message as a member and answers its id. */
    const post = async (user: string, room: string, body: Record<string, unknown>) =>
      expectOk(await t.asUser(tokens[user]!, 'POST', `/rooms/${room}/message`, body))._id as string;
    const summary = (id: string) => ({
      _id: id,
      id,
      name: `Files ${id}`,
      cover: '',
      description: '',
      roomType: 'group',
      roomTags: [],
    });
    const files = async (user: string, keyword: string, more: Record<string, unknown> = {}) =>
      (await search(user, { type: ['files'], keyword, ...more })).files;
    const fileIds = async (user: string, keyword: string, more: Record<string, unknown> = {}) =>
      ((await files(user, keyword, more)) as Group[]).flatMap((group) => group.messages);

    beforeAll(async () => {
      await createRoom(t, { _id: 'f-room', name: 'Files f-room', members: ['alice', 'bob'] });
      await createRoom(t, { _id: 'f-other', name: 'Files f-other', members: ['bob', 'carol'] });
      // Flutter: the name in `message`, the details in an `extra` JSON text.
      f.flutterPdf = await post('bob', 'f-room', {
        messageType: 'file',
        message: 'Quarterly Report.pdf',
        originalUrl: 'https://files.example/q.pdf',
        extra: JSON.stringify({
          fileName: 'Quarterly Report',
          fileExtension: 'pdf',
          mimeType: 'application/pdf',
          bytes: 1234,
        }),
      });
      f.text = await send('bob', 'f-room', 'Quarterly Report.pdf is attached above');
      // Vue: no name in `message`; `extra` an object with the name apart from its extension.
      f.vueDoc = await post('alice', 'f-room', {
        messageType: 'file',
        message: '',
        originalUrl: '',
        extra: { mimeType: 'application/msword', fileName: 'meeting-notes', bytes: 10, fileExtension: 'docx' },
      });
      f.video = await post('alice', 'f-room', {
        messageType: 'video',
        message: '',
        originalUrl: '/files/chat/0123456789abcdef01234567',
        extra: { fileName: 'beach day', fileExtension: 'mp4', mimeType: 'video/mp4' },
      });
      f.audio = await post('bob', 'f-room', {
        messageType: 'audio',
        message: 'voice memo.m4a',
        extra: JSON.stringify({ fileName: 'voice memo', fileExtension: 'm4a', mimeType: 'audio/mp4' }),
      });
      f.hidden = await post('carol', 'f-other', {
        messageType: 'file',
        message: 'Quarterly Report secret.pdf',
        extra: JSON.stringify({
          fileName: 'Quarterly Report secret',
          fileExtension: 'pdf',
          mimeType: 'application/pdf',
        }),
      });
    });

    it('finds file messages by name, grouped by room like messages, with the newest as messageID', async () => {
      expect(await files('alice', 'quarterly')).toStrictEqual([
        { room: summary('f-room'), messages: [f.flutterPdf], messageID: f.flutterPdf },
      ]);
      // The text message naming the file is a message hit, not a file.
      const both = await search('alice', { type: ['messages', 'files'], keyword: 'quarterly report.pdf' });
      expect(both.messages).toStrictEqual([{ room: summary('f-room'), messages: [f.text, f.flutterPdf] }]);
      expect(both.files).toStrictEqual([
        { room: summary('f-room'), messages: [f.flutterPdf], messageID: f.flutterPdf },
      ]);
    });

    it('finds a file by name with its extension, by extension, and by media type, case-insensitively', async () => {
      expect(await fileIds('alice', 'meeting-notes.docx')).toStrictEqual([f.vueDoc]);
      expect(await fileIds('alice', 'MEETING')).toStrictEqual([f.vueDoc]);
      expect(await fileIds('alice', 'docx')).toStrictEqual([f.vueDoc]);
      expect(await fileIds('alice', 'Beach Day.MP4')).toStrictEqual([f.video]);
      expect(await fileIds('alice', 'application/pdf')).toStrictEqual([f.flutterPdf]);
      expect(await fileIds('alice', 'pdf')).toStrictEqual([f.flutterPdf]);
      expect(await fileIds('alice', 'm4a')).toStrictEqual([f.audio]);
      // Two-character keywords go through the recent-messages window (no trigram).
      expect(await fileIds('alice', 'mp')).toStrictEqual([f.audio, f.video]);
    });

    it('does not find files by the field names of their extra, or by other text', async () => {
      for (const keyword of ['fileExtension', 'fileName', 'bytes', 'mimeType', 'files.example', 'attached'])
        expect(await fileIds('alice', keyword), keyword).toStrictEqual([]);
    });

    it("answers the Vue client's in-room search: result.messages[0].messages and result.files[0].messageID", async () => {
      const result = await search('alice', { type: ['messages', 'files'], room: 'f-room', keyword: 'report' });
      expect(result.messages[0].messages).toStrictEqual([f.text, f.flutterPdf]);
      expect(result.files[0].messageID).toBe(f.flutterPdf);
      expect(await search('alice', { type: ['messages', 'files'], room: 'match', keyword: 'report' })).toStrictEqual({
        messages: [],
        files: [],
      });
    });

    it("finds files only in the caller's rooms, even when the search names another room", async () => {
      expect(await fileIds('bob', 'secret')).toStrictEqual([f.hidden]);
      expect(await fileIds('carol', 'quarterly')).toStrictEqual([f.hidden]);
      expect(await fileIds('alice', 'secret')).toStrictEqual([]);
      expect(await files('alice', 'quarterly', { room: 'f-other' })).toStrictEqual([]);
      expect(await fileIds('dave', 'pdf')).toStrictEqual([]);
    });

    it('limit counts file messages: the newest are kept', async () => {
      expect(await fileIds('bob', 'pdf', { limit: 1 })).toStrictEqual([f.hidden]);
      expect(await fileIds('bob', 'pdf')).toStrictEqual([f.hidden, f.flutterPdf]);
    });

    it("answers the Vue rooms panel's whole list of types in one request", async () => {
      const vueTypes = ['messages', 'roomName', 'roomMember', 'roomPrefTags', 'roomPrefFolder', 'roomTags', 'files'];
      const result = await search('alice', { type: vueTypes, keyword: 'nothing matches this' });
      expect(result).toStrictEqual(Object.fromEntries(vueTypes.map((type) => [type, []])));
      expect((await search('alice', { type: vueTypes, keyword: 'Files f' })).roomName).toStrictEqual([
        summary('f-room'),
      ]);
      expect((await search('alice', { type: vueTypes, keyword: 'notes' })).files).toStrictEqual([
        { room: summary('f-room'), messages: [f.vueDoc], messageID: f.vueDoc },
      ]);
    });

    it('answers a type Parley does not know as an empty list, keeping the others', async () => {
      expect(await search('alice', { type: ['files', 'links', 'polls-v2'], keyword: 'docx' })).toStrictEqual({
        files: [{ room: summary('f-room'), messages: [f.vueDoc], messageID: f.vueDoc }],
        links: [],
        'polls-v2': [],
      });
      // Names every object has are not echoed.
      expect(await search('alice', { type: ['roomName', 'constructor', 'toString'], keyword: 'zzz' })).toStrictEqual({
        roomName: [],
      });
    });
  });

  describe('validation', () => {
    it('answers 400 INVALID_SEARCH_TYPE for a missing or empty type, or one without a known type', async () => {
      const tooMany = [...Array.from({ length: 32 }, (_, i) => `t${i}`), 'messages'];
      for (const type of [
        undefined,
        [],
        ['bogus'],
        ['bogus', 'links'],
        'bogus',
        '',
        5,
        null,
        {},
        [['messages']],
        ['messages', ''],
        ['messages', 5],
        ['messages', null],
        ['messages', '__proto__'],
        ['messages', 'x'.repeat(65)],
        ['messages', 'has space'],
        ['messages', '1st'],
        tooMany,
      ]) {
        const body: Record<string, unknown> = { keyword: 'hello' };
        if (type !== undefined) body.type = type;
        expectBody(await t.asUser(tokens.alice!, 'POST', '/search', body), 400, INVALID_SEARCH_TYPE);
      }
    });

    it('answers 400 INVALID_REQUEST for a missing or empty keyword', async () => {
      for (const keyword of [undefined, '', '   ', 5, null, ['hello']]) {
        const body: Record<string, unknown> = { type: ['messages'] };
        if (keyword !== undefined) body.keyword = keyword;
        expectInvalidRequest(await t.asUser(tokens.alice!, 'POST', '/search', body));
      }
    });
  });
});
