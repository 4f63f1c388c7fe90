import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultQueryExecutor, type CompiledQuery, type Insertable } from 'kysely';
import type { UsersTable } from '../../../src/storage/schema/tables.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createRoom } from '../../helpers/factories.js';

/**
 * What a message costs the database (issue 11): a bounded number of statements, the same in a room
 * of 3 as in a room of 1,000. Counted at Kysely's executor, which every statement goes through
 * (transactions too); not timed.
 */

const LARGE = 1_000;
/**
 * The statements of one message: the room with the access facts, the insert, the room's counters
 * (an update and a read on SQLite), the sender's read position, the sender for the view. On
 * PostgreSQL the insert, the counters and the read position are one statement. The members, the
 * webhook settings and whether the app has any push device or user group are cached while they do
 * not change, so an app without devices pays nothing for push.
 */
const MAX_STATEMENTS = 6;
/** Work on timers (outbox pollers, batches) and cached authentication lookups are not the message's. */
const NOT_THE_MESSAGE =
  /"next_attempt_at" <=|from "message_batches"|from "user_tokens"|from "apps"|from "app_config"|"key_usage"|"api_keys"|"audit_log"/;

describe('the cost of writing a message does not grow with the room', () => {
  let t: TestApp;
  let writer: string;
  let counting: string[] | undefined;
  const executor = Object.getPrototypeOf(DefaultQueryExecutor.prototype) as {
    executeQuery(query: CompiledQuery, ...rest: unknown[]): Promise<unknown>;
  };
  const original = executor.executeQuery;

  beforeAll(async () => {
    t = await buildTestApp();
    writer = await t.createUser('writer');
    await t.createUser('reader');
    const now = Date.now();
    const users: Insertable<UsersTable>[] = [];
    for (let i = 0; i < LARGE; i++)
      users.push({
        app_id: t.appId,
        id: `bulk-${i}`,
        nickname: `Bulk ${i}`,
        avatar_url: '',
        email: null,
        description: null,
        is_robot: 0,
        is_group: 0,
        group_members: null,
        custom: '{}',
        address: null,
        user_agent: null,
        last_login_time: 0,
        last_join_or_create_room_time: null,
        notification_enabled: 1,
        mute: '[]',
        created_at: now,
        updated_at: now,
      });
    await t.services.storage.insertMany('users', users);
    await createRoom(t, { _id: 'small', members: ['writer', 'reader', 'bulk-0'] });
    const large = ['writer', 'reader', ...users.slice(0, LARGE - 2).map((user) => user.id as string)];
    await createRoom(t, { _id: 'large', members: large });
    expect(expectOk(await t.admin('GET', '/rooms/large')).members).toHaveLength(LARGE);
    executor.executeQuery = function (this: unknown, query: CompiledQuery, ...rest: unknown[]) {
      if (counting && !NOT_THE_MESSAGE.test(query.sql)) counting.push(query.sql);
      return original.call(this, query, ...rest);
    };
  });
  afterAll(async () => {
    executor.executeQuery = original;
    await t.close();
  });

  /** The statements of `messages` messages sent to `room`, and of the work they set off (push). */
  async function statementsOf(room: string, messages: number): Promise<string[]> {
    const send = async (n: number) =>
      expectOk(await t.asUser(writer, 'POST', `/rooms/${room}/message`, { message: `m${n}`, messageType: 'text' }));
    await send(-1); // caches warm
    await sleep(50);
    counting = [];
    for (let n = 0; n < messages; n++) await send(n);
    // The push service reads after the answer: wait until the database is quiet.
    let seen = -1;
    for (let waited = 0; waited < 2_000 && seen !== counting.length; waited += 100) {
      seen = counting.length;
      await sleep(100);
    }
    const statements = counting;
    counting = undefined;
    return statements;
  }

  it(`a message runs at most ${MAX_STATEMENTS} statements, as many in a room of ${LARGE} as in one of 3`, async () => {
    const small = await statementsOf('small', 5);
    const large = await statementsOf('large', 5);
    expect(small.length / 5, small.join('\n')).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(large.length, large.join('\n')).toBe(small.length);
    // No member's read state is written but the sender's (on PostgreSQL inside the message's own statement).
    const writesReadState = /update "?room_user_state"? set/;
    expect(large.filter((statement) => writesReadState.test(statement))).toHaveLength(5);
    expect(large.filter((statement) => /where "?room_user_state"?\."?user_id"? <>/.test(statement))).toHaveLength(0);
  });

  it('unread counts come out right in the large room', async () => {
    const badge = expectOk(await t.admin('GET', '/me/badge', undefined, { 'im-client-id': 'bulk-500' })).badge;
    const written = Number(
      (
        await t.services.storage.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('app_id', '=', t.appId)
          .where('room_id', '=', 'large')
          .executeTakeFirstOrThrow()
      ).count,
    );
    expect(badge).toBe(written);
    expect(expectOk(await t.asUser(writer, 'GET', '/me/badge')).badge).toBe(0);
  });
});
