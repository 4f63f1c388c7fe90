import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { objectId } from '../../../src/shared/ids.js';
import { buildTestApp, onPostgres, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';

/**
 * At 200,000 messages, search and paging must run on indexes (issue 3): the plans of the very
 * statements the server runs are checked; timings live in bench/chat.js.
 */
const MESSAGES = 200_000;
const ROOMS = 40;
const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
];

describe(`search and paging over ${MESSAGES.toLocaleString('en')} messages`, () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('reader');
    await t.createUser('writer');
    for (let room = 0; room < ROOMS; room++) {
      await createRoom(t, { _id: `room-${room}`, members: room < 5 ? ['reader', 'writer'] : ['writer'] });
    }
    const start = Date.now() - MESSAGES * 1000;
    const rows = [];
    for (let index = 0; index < MESSAGES; index++) {
      const text = `${WORDS[index % WORDS.length]} ${WORDS[(index * 7) % WORDS.length]} message ${index}${index % 50_000 === 0 ? ' zyxwvut' : ''}`;
      const at = start + index * 1000;
      rows.push({
        app_id: t.appId,
        id: objectId(at),
        room_id: `room-${index % ROOMS}`,
        sender_id: 'writer',
        message_type: 'text',
        content: JSON.stringify({ message: text }),
        search_text: text,
        pinned: 0,
        batch_id: null,
        created_at: at,
        updated_at: at,
      });
    }
    await t.services.storage.insertMany('messages', rows);
    if (onPostgres) await sql`analyze messages`.execute(t.services.storage.db);
  }, 180_000);
  afterAll(() => t.close());

  const plan = async (query: { sql: string; parameters: readonly unknown[] }): Promise<string> => {
    const explain = onPostgres ? `explain ${query.sql}` : `explain query plan ${query.sql}`;
    const result = await t.services.storage.db.executeQuery(CompiledQuery.raw(explain, [...query.parameters]));
    const text = result.rows.map((row) => Object.values(row as object).join(' ')).join('\n');
    if (process.env.PARLEY_SHOW_PLANS) console.log(text);
    return text;
  };

  const searchPlans = (keyword: string, messageTypes?: string[]) => {
    const { recent, fewMatches, complete } = t.services.storage.dialect.searchStatements({
      appId: t.appId,
      roomIds: ['room-0', 'room-1', 'room-2'],
      keyword,
      limit: 50,
      messageTypes,
    });
    const statements = [recent, ...complete, ...(fewMatches ? [fewMatches.all] : [])];
    return Promise.all(statements.map((statement) => plan(statement.compile(t.services.storage.db))));
  };

  it('search goes through the text index: the newest messages first, then the rooms of the caller only', async () => {
    for (const keyword of ['zyxwvut', 'charlie']) {
      for (const messageTypes of [undefined, ['file', 'image']]) {
        const [recent, complete, all] = await searchPlans(keyword, messageTypes);
        if (onPostgres) {
          // The newest messages through the primary key, or the index when the keyword is rare.
          expect(recent).not.toMatch(/Seq Scan on messages/);
          // The caller's rooms and the keyword together in the index: never a walk of every message.
          expect(complete).toMatch(/Bitmap Index Scan on messages_room_search/);
          expect(complete).not.toMatch(/Seq Scan on messages|Index Scan( Backward)? using messages_pkey/);
        } else {
          // FTS5 reads only matches newer than the window (a rowid bound), newest first.
          expect(recent).toMatch(/SCAN messages_fts VIRTUAL TABLE INDEX \d+:M\d*>/);
          expect(recent).not.toMatch(/SCAN m\b(?! USING)/);
          // Each room: its range of the per-room index (rowid bounds), then its messages by primary key.
          expect(complete).toMatch(/SCAN f VIRTUAL TABLE INDEX \d+:M\d*></);
          expect(complete).not.toMatch(/SCAN (f|m|k)\b(?! VIRTUAL TABLE INDEX \d+:M\d*><)(?! USING)/);
          expect(complete).not.toMatch(/messages_fts/);
          // A keyword of few matches: all of them, newest first, each message by primary key.
          expect(all).toMatch(/SCAN messages_fts VIRTUAL TABLE INDEX/);
          expect(all).not.toMatch(/SCAN m\b(?! USING)/);
        }
      }
    }
  });

  it('paging goes through the (room, time, seq) index', async () => {
    const repository = t.services.messagesRepository;
    for (const options of [
      { field: 'updated_at' as const, limit: 20 },
      { field: 'updated_at' as const, before: { time: Date.now() - 50_000_000, seq: 100_000 }, limit: 20 },
      { field: 'created_at' as const, after: { time: Date.now() - 150_000_000 }, limit: 20 },
      // With sortOrder: the cursor message is part of the page.
      {
        field: 'updated_at' as const,
        before: { time: Date.now() - 50_000_000, seq: 100_000, inclusive: true },
        limit: 20,
      },
      {
        field: 'created_at' as const,
        after: { time: Date.now() - 150_000_000, seq: 50_000, inclusive: true },
        limit: 20,
        order: 'asc' as const,
      },
    ]) {
      const text = await plan(repository.listQuery(t.appId, 'room-3', options).compile());
      if (onPostgres) {
        expect(text).not.toMatch(/Seq Scan on messages/);
        expect(text).toMatch(/messages_room_(updated|created)/);
      } else {
        expect(text).toMatch(/USING INDEX messages_room_(updated|created)/);
        expect(text).not.toMatch(/USE TEMP B-TREE/);
      }
    }
  });

  it('answers search and paging over the API with the right results', async () => {
    const found = expectOk(await t.asUser(token, 'POST', '/search', { type: ['messages'], keyword: 'ZYXWVUT' }));
    // Messages 0, 50 000, 100 000 and 150 000 carry the rare word; all four fall in room-0, a room of the reader.
    expect(found.messages).toHaveLength(1);
    expect(found.messages[0].messages).toHaveLength(4);
    const page = expectOk(await t.asUser(token, 'GET', '/rooms/room-1/messages/v3?limit=100'));
    expect(page.data).toHaveLength(100);
    const older = expectOk(
      await t.asUser(token, 'GET', `/rooms/room-1/messages/v3?limit=100&beforeMessage=${page.data[99]._id}`),
    );
    expect(older.data[0].messageTimeMS).toBeLessThan(page.data[99].messageTimeMS);
  });
});
