import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createStorage, migrateToLatest, type Storage } from '../../../src/storage/database.js';
import { freshDatabase, type Storage as TestDatabase } from '../../helpers/test-app.js';
import { insertApp } from '../../helpers/migrations.js';

const APP = 'written-app';

/** Migration 014 on a database of the previous release: each room's newest message time, as a floor. */
describe('migration 014: the time of the newest message written in each room', () => {
  let database: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    database = await freshDatabase();
    storage = createStorage(database.databaseUrl);
    await migrateToLatest(storage, '013-operators');
    const db = storage.db as unknown as Kysely<any>;
    const now = Date.now();
    await insertApp(db, APP, now);
    const room = (id: string) => ({ app_id: APP, id, room_type: 'group', created_at: now, updated_at: now });
    await db
      .insertInto('rooms')
      .values([room('talky'), room('silent')])
      .execute();
    const message = (id: string, at: number) => ({
      app_id: APP,
      id,
      room_id: 'talky',
      sender_id: null,
      message_type: 'text',
      content: '{}',
      search_text: '',
      pinned: 0,
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('messages')
      .values([message('m1', now - 3000), message('m2', now - 1000), message('m3', now - 2000)])
      .execute();
  });
  afterAll(async () => {
    await storage.close();
    await database.dispose();
  });

  it('sets each room to its newest message time, 0 for a room without messages', async () => {
    expect(await migrateToLatest(storage)).toContain('014-room-last-written');
    const rows = await storage.db
      .selectFrom('rooms')
      .select(['id', 'last_written_at', 'created_at'])
      .where('app_id', '=', APP)
      .orderBy('id')
      .execute();
    const now = Number(rows[0]!.created_at);
    expect(rows.map((row) => [row.id, Number(row.last_written_at)])).toStrictEqual([
      ['silent', 0],
      ['talky', now - 1000],
    ]);
  });
});
