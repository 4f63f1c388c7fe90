import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createStorage, migrateToLatest, type Storage } from '../../../src/storage/database.js';
import { ReadStatesRepository } from '../../../src/modules/chat/read-states.repository.js';
import { RoomsRepository } from '../../../src/modules/chat/rooms.repository.js';
import { freshDatabase, type Storage as TestDatabase } from '../../helpers/test-app.js';
import { insertApp } from '../../helpers/migrations.js';

/** The migrations of issue 11 on a database of the previous release: every badge is kept, every room gets a members stamp. */

const APP = 'migrating';
const LAST_BEFORE = '009-file-shares';

describe('migrations 010 and 011: unread positions and members stamps', () => {
  let database: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    database = await freshDatabase();
    storage = createStorage(database.databaseUrl);
    await migrateToLatest(storage, LAST_BEFORE);
    const db = storage.db as unknown as Kysely<any>;
    const now = Date.now();
    await insertApp(db, APP, now);
    const room = (id: string, messageCount: number) => ({
      app_id: APP,
      id,
      room_type: 'group',
      message_count: messageCount,
      last_message_seq: messageCount === 0 ? null : messageCount,
      created_at: now,
      updated_at: now,
    });
    await db
      .insertInto('rooms')
      .values([room('busy', 7), room('quiet', 0)])
      .execute();
    const state = (roomId: string, userId: string, badge: number) => ({
      app_id: APP,
      room_id: roomId,
      user_id: userId,
      last_read_seq: 0,
      badge,
      updated_at: now,
    });
    await db
      .insertInto('room_user_state')
      .values([
        state('busy', 'alice', 3),
        state('busy', 'bob', 0),
        state('busy', 'carol', 7),
        state('quiet', 'dave', 0),
      ])
      .execute();
  });
  afterAll(async () => {
    await storage.close();
    await database.dispose();
  });

  it('runs alone on a database of the previous release and keeps every badge', async () => {
    expect(await migrateToLatest(storage, '012-room-search-index')).toStrictEqual([
      '010-unread-positions',
      '011-member-stamps',
      '012-room-search-index',
    ]);
    const members = new ReadStatesRepository(storage);
    const badges = async (roomId: string) =>
      Object.fromEntries((await members.roomStates(APP, roomId)).map((state) => [state.userId, state.badge]));
    expect(await badges('busy')).toStrictEqual({ alice: 3, bob: 0, carol: 7 });
    expect(await badges('quiet')).toStrictEqual({ dave: 0 });
    const columns = await storage.db.selectFrom('room_user_state').selectAll().executeTakeFirstOrThrow();
    expect(columns).not.toHaveProperty('badge');
    expect(columns).toHaveProperty('unread_base');
  });

  it('gives every room its own members stamp', async () => {
    const stamps = (await storage.db.selectFrom('rooms').select('members_stamp').execute()).map(
      (row) => row.members_stamp,
    );
    expect(stamps).toHaveLength(2);
    expect(new Set(stamps).size).toBe(2);
    for (const stamp of stamps) expect(stamp).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts on from there (with the later migrations): a new message is one more for everyone but its sender', async () => {
    await migrateToLatest(storage);
    const members = new ReadStatesRepository(storage);
    const rooms = new RoomsRepository(storage);
    await storage.db.transaction().execute(async (tx) => {
      const written = await rooms.messageAdded(APP, 'busy', { id: 'm8', seq: 8, createdAt: Date.now() }, tx);
      expect(written).toBe(8);
      await members.markSent(
        APP,
        'busy',
        'bob',
        { seq: 8, messageId: 'm8', now: Date.now(), messagesWritten: written },
        tx,
      );
    });
    const states = await members.readStates(APP, ['busy', 'quiet'], 'alice');
    expect(states.get('busy')?.badge).toBe(4);
    expect(Object.fromEntries((await members.roomStates(APP, 'busy')).map((s) => [s.userId, s.badge]))).toStrictEqual({
      alice: 4,
      bob: 0,
      carol: 8,
    });
  });
});
