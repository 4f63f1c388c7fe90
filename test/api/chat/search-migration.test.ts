import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createStorage, migrateToLatest, type Storage } from '../../../src/storage/database.js';
import type { MessageHit } from '../../../src/storage/dialects/dialect.js';
import { freshDatabase, type Storage as TestDatabase } from '../../helpers/test-app.js';
import { insertApp } from '../../helpers/migrations.js';

/** Migration 012 on a database of the previous release: the messages already there are found per room. */

const APP = 'migrating';

describe('migration 012: the per-room search index', () => {
  let database: TestDatabase;
  let storage: Storage;
  let db: Kysely<any>;
  let at = Date.now() - 1_000_000;

  const addRoom = (id: string) =>
    db.insertInto('rooms').values({ app_id: APP, id, room_type: 'group', created_at: at, updated_at: at }).execute();
  const addMessage = async (roomId: string, id: string, text: string) => {
    at += 1000;
    await db
      .insertInto('messages')
      .values({
        app_id: APP,
        id,
        room_id: roomId,
        sender_id: 'writer',
        message_type: 'text',
        content: JSON.stringify({ message: text }),
        search_text: text,
        created_at: at,
        updated_at: at,
      })
      .execute();
  };
  /** What the complete step alone (the per-room index) finds, newest first. */
  const perRoom = async (roomIds: string[], keyword: string) => {
    const hits: MessageHit[] = [];
    for (const statement of storage.dialect.searchStatements({ appId: APP, roomIds, keyword, limit: 50 }).complete)
      hits.push(...(await statement.execute(storage.db)).rows);
    return hits.sort((a, b) => b.seq - a.seq).map((hit) => hit.id);
  };

  beforeAll(async () => {
    database = await freshDatabase();
    storage = createStorage(database.databaseUrl);
    await migrateToLatest(storage, '011-member-stamps');
    db = storage.db as unknown as Kysely<any>;
    await insertApp(db, APP, at);
    for (const room of ['old-a', 'old-b', 'old-other']) await addRoom(room);
    await addMessage('old-a', 'a1', 'the Xylophone concert');
    await addMessage('old-other', 'o1', 'xylophone elsewhere');
    await addMessage('old-b', 'b1', 'no such word');
    await addMessage('old-b', 'b2', 'XYLOPHONE lessons');
    await addMessage('old-a', 'a2', 'another xylophone');
  });
  afterAll(async () => {
    await storage.close();
    await database.dispose();
  });

  it('indexes the messages already stored', async () => {
    expect(await migrateToLatest(storage, '012-room-search-index')).toStrictEqual(['012-room-search-index']);
    expect(await perRoom(['old-a', 'old-b'], 'xylophone')).toStrictEqual(['a2', 'b2', 'a1']);
    expect(await perRoom(['old-other'], 'xylophone')).toStrictEqual(['o1']);
    expect(await perRoom(['old-b'], 'such')).toStrictEqual(['b1']);
  });

  it('keeps up with messages written, edited and deleted afterwards, in old rooms and new ones', async () => {
    await addRoom('new-room');
    await addMessage('new-room', 'n1', 'a new xylophone');
    await addMessage('old-b', 'b3', 'xylophone again');
    await db.updateTable('messages').set({ search_text: 'no instrument' }).where('id', '=', 'a2').execute();
    await db.deleteFrom('messages').where('id', '=', 'b2').execute();
    expect(await perRoom(['old-a', 'old-b', 'new-room'], 'xylophone')).toStrictEqual(['b3', 'n1', 'a1']);
    expect(await perRoom(['old-a'], 'instrument')).toStrictEqual(['a2']);
    const found = await storage.dialect.searchMessages(storage.db, {
      appId: APP,
      roomIds: ['old-a', 'old-b', 'new-room'],
      keyword: 'xylophone',
      limit: 50,
    });
    expect(found.map((hit) => hit.id)).toStrictEqual(['b3', 'n1', 'a1']);
  });
});
