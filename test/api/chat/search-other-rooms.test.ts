import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawBuilder } from 'kysely';
import { objectId } from '../../../src/shared/ids.js';
import { RECENT_SEARCH_WINDOW, type MessageHit } from '../../../src/storage/dialects/dialect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';

/**
 * Issue 11: search answers from the newest messages when they fill the page, and otherwise from the
 * caller's rooms alone (a per-room index). Both steps must give exactly what a scan of every message
 * would: the caller's matches, case-insensitively in every script, newest first, `limit` of them.
 */
const MY_ROOMS = ['mine-0', 'mine-1', 'mine-2'];
const OTHER_ROOMS = Array.from({ length: 9 }, (_, index) => `other-${index}`);
const MESSAGES = RECENT_SEARCH_WINDOW + 6_000;

interface Row {
  id: string;
  room: string;
  type: string;
  text: string;
}

/** Message `index`: in other rooms mostly; its words chosen so that each keyword below has a known spread. */
function messageOf(index: number, at: number): Row {
  const mine = index % 4 === 0;
  const room = mine ? MY_ROOMS[(index / 4) % MY_ROOMS.length]! : OTHER_ROOMS[index % OTHER_ROOMS.length]!;
  const words = [`message ${index}`];
  // Common in other rooms, in the caller's rooms only long ago (older than the recent window), in any case.
  if (!mine && index % 3 === 0) words.push('Xylophone');
  if (mine && [8, 400, 2_000, 2_004].includes(index)) words.push(index === 400 ? 'XYLOPHONE' : 'xyloPHONE');
  // The same in Greek and Cyrillic, written in the other case in the caller's rooms.
  if (!mine && index % 5 === 0) words.push('σοφία и ЁЛКА');
  if (mine && index % 1_000 === 0 && index < MESSAGES - RECENT_SEARCH_WINDOW) words.push('ΣΟΦΊΑ и ёлка');
  // Common everywhere: the newest messages fill the page.
  if (index % 2 === 0) words.push('charlie');
  return {
    id: objectId(at),
    room,
    // A few file messages, for searches restricted to types.
    type: mine && index % 12 === 0 ? 'file' : 'text',
    text: words.join(' '),
  };
}

describe('search for a word common in rooms the caller is not in', () => {
  let t: TestApp;
  let token: string;
  const rows: Row[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('reader');
    await t.createUser('writer');
    for (const room of MY_ROOMS) await createRoom(t, { _id: room, members: ['reader', 'writer'] });
    for (const room of OTHER_ROOMS) await createRoom(t, { _id: room, members: ['writer'] });
    const start = Date.now() - MESSAGES * 1000;
    for (let index = 0; index < MESSAGES; index++) rows.push(messageOf(index, start + index * 1000));
    await t.services.storage.insertMany(
      'messages',
      rows.map((row, index) => ({
        app_id: t.appId,
        id: row.id,
        room_id: row.room,
        sender_id: 'writer',
        message_type: row.type,
        content: JSON.stringify({ message: row.text }),
        search_text: row.text,
        pinned: 0,
        batch_id: null,
        created_at: start + index * 1000,
        updated_at: start + index * 1000,
      })),
    );
  }, 120_000);
  afterAll(() => t.close());

  /** What a scan of every message finds: the newest `limit` matches in `rooms`, newest first. */
  const expected = (keyword: string, rooms: readonly string[], limit: number, types?: readonly string[]) =>
    rows
      .filter(
        (row) =>
          rooms.includes(row.room) &&
          (!types || types.includes(row.type)) &&
          row.text.toLowerCase().includes(keyword.toLowerCase()),
      )
      .reverse()
      .slice(0, limit)
      .map((row) => row.id);

  const search = async (roomIds: readonly string[], keyword: string, limit: number, messageTypes?: string[]) =>
    (await t.services.messagesRepository.search({ appId: t.appId, roomIds, keyword, limit, messageTypes })).map(
      (hit) => hit.id,
    );

  it('finds the old matches of the caller’s rooms, newest first, whatever the other rooms hold', async () => {
    const hits = await search(MY_ROOMS, 'xylophone', 50);
    expect(hits).toStrictEqual(expected('xylophone', MY_ROOMS, 50));
    expect(hits).toHaveLength(4);
    expect(await search(MY_ROOMS, 'XYLOPHONE', 2)).toStrictEqual(expected('xylophone', MY_ROOMS, 2));
    // One room at a time, its newest first: a limit below its number of matches keeps the newest.
    for (const room of MY_ROOMS) {
      for (const limit of [1, 2, 50]) {
        for (const keyword of ['xylophone', 'ёлка']) {
          expect(await search([room], keyword, limit)).toStrictEqual(expected(keyword, [room], limit));
        }
      }
    }
    expect(await search(OTHER_ROOMS.slice(0, 2), 'xylophone', 50)).toStrictEqual(
      expected('xylophone', OTHER_ROOMS.slice(0, 2), 50),
    );
  });

  it('matches case-insensitively in Greek and Cyrillic in both steps', async () => {
    for (const keyword of ['σοφία', 'ΣΟΦΊΑ', 'ёлка', 'ЁЛКА']) {
      const hits = await search(MY_ROOMS, keyword, 50);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits).toStrictEqual(expected(keyword, MY_ROOMS, 50));
      expect(await search([...MY_ROOMS, ...OTHER_ROOMS], keyword, 30)).toStrictEqual(
        expected(keyword, [...MY_ROOMS, ...OTHER_ROOMS], 30),
      );
    }
  });

  it('a word common everywhere: the newest matches of the caller’s rooms', async () => {
    for (const limit of [1, 50, 200]) {
      expect(await search(MY_ROOMS, 'charlie', limit)).toStrictEqual(expected('charlie', MY_ROOMS, limit));
    }
  });

  it('keeps to the message types asked for', async () => {
    for (const keyword of ['xylophone', 'charlie', 'message 1']) {
      expect(await search(MY_ROOMS, keyword, 20, ['file'])).toStrictEqual(expected(keyword, MY_ROOMS, 20, ['file']));
    }
  });

  it('merges the rooms of several statements (hundreds of rooms)', async () => {
    // Rooms the reader does not have are found by no index: they only spread the real ones apart.
    const rooms = Array.from({ length: 450 }, (_, index) => `absent-${index}`);
    rooms[0] = 'mine-2';
    rooms[220] = 'mine-0';
    rooms[449] = 'mine-1';
    for (const keyword of ['xylophone', 'charlie', 'ёлка']) {
      expect(await search(rooms, keyword, 50)).toStrictEqual(expected(keyword, MY_ROOMS, 50));
    }
  });

  it('each step that answers gives what the scan gives', async () => {
    const { storage } = t.services;
    const run = async (statement: RawBuilder<MessageHit>) =>
      (await statement.execute(storage.db)).rows.map((hit) => hit.id);
    // First and last trigram in the caller's rooms, the keyword itself nowhere: looked up whole, found nowhere.
    for (const keyword of ['xylophone', 'charlie', 'ΣΟΦΊΑ', 'ёлка', 'message 12', 'messcharlie']) {
      for (const types of [undefined, ['file']]) {
        const want = expected(keyword, MY_ROOMS, 50, types);
        const search = { appId: t.appId, roomIds: MY_ROOMS, keyword, limit: 50, messageTypes: types };
        const { recent, fewMatches, complete } = storage.dialect.searchStatements(search);
        const newest = await run(recent);
        expect(want.slice(0, newest.length)).toStrictEqual(newest);
        if (fewMatches) expect(await run(fewMatches.all)).toStrictEqual(want);
        expect(await run(complete[0]!)).toStrictEqual(want);
      }
    }
  });

  it('answers the same over the API', async () => {
    const result = expectOk(await t.asUser(token, 'POST', '/search', { type: ['messages'], keyword: 'Xylophone' }));
    const ids = (result.messages as { messages: string[] }[]).flatMap((group) => group.messages);
    expect(new Set(ids)).toStrictEqual(new Set(expected('xylophone', MY_ROOMS, 50)));
  });

  it('forgets deleted messages and indexes edited ones in both steps', async () => {
    const [newest] = expected('xylophone', MY_ROOMS, 1);
    await t.services.storage.db
      .deleteFrom('messages')
      .where('app_id', '=', t.appId)
      .where('id', '=', newest!)
      .execute();
    const recentRow = rows[MESSAGES - 4]!;
    await t.services.storage.db
      .updateTable('messages')
      .set({ search_text: `${recentRow.text} xylophone again` })
      .where('app_id', '=', t.appId)
      .where('id', '=', recentRow.id)
      .execute();
    const hits = await search(MY_ROOMS, 'xylophone', 50);
    expect(hits).not.toContain(newest);
    expect(hits[0]).toBe(recentRow.id);
    expect(hits).toStrictEqual([
      recentRow.id,
      ...expected('xylophone', MY_ROOMS, 50).filter((id) => id !== newest && id !== recentRow.id),
    ]);
  });
});
