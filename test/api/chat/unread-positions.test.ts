import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { createGroup, createRoom } from '../../helpers/factories.js';

/**
 * Unread counts kept as positions (issue 11): a room counts the messages written in it, a member
 * keeps a base, and unread is the difference. Whatever happens in the room, every badge must equal
 * what a recount from the stored messages and read positions gives: the messages after the user's
 * read position that someone else sent.
 */

const ROOM = 'ux';
const DIRECT = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
const GROUP_USERS = ['g1', 'g2', 'g3'];
const EVERYONE = [...DIRECT, ...GROUP_USERS];

/** A small deterministic generator, so that a failure replays the same steps. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

describe('unread counts stay exact as positions', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of EVERYONE) tokens[id] = await t.createUser(id);
  });
  afterAll(() => t.close());

  /** Every user's badge recounted from the stored rows: messages after their read position sent by others. */
  async function recounted(): Promise<Record<string, number>> {
    const { db } = t.services.storage;
    const states = await db
      .selectFrom('room_user_state')
      .select(['user_id', 'last_read_seq'])
      .where('app_id', '=', t.appId)
      .where('room_id', '=', ROOM)
      .execute();
    const messages = await db
      .selectFrom('messages')
      .select(['seq', 'sender_id'])
      .where('app_id', '=', t.appId)
      .where('room_id', '=', ROOM)
      .execute();
    const expected: Record<string, number> = Object.fromEntries(EVERYONE.map((id) => [id, 0]));
    for (const state of states) {
      if (!(state.user_id in expected)) continue;
      expected[state.user_id] = messages.filter(
        (message) => Number(message.seq) > Number(state.last_read_seq) && message.sender_id !== state.user_id,
      ).length;
    }
    return expected;
  }

  async function badges(): Promise<Record<string, number>> {
    const answered: Record<string, number> = {};
    for (const id of EVERYONE) answered[id] = expectOk(await t.asUser(tokens[id]!, 'GET', '/me/badge')).badge;
    return answered;
  }

  /** Member badges as the room answers them (memberProperties) match GET /me/badge. */
  async function memberBadges(): Promise<Record<string, number>> {
    const room = expectOk(await t.admin('GET', `/rooms/${ROOM}`));
    return Object.fromEntries(
      room.memberProperties
        .filter((property: any) => EVERYONE.includes(property.client))
        .map((property: any) => [property.client, property.badge]),
    );
  }

  it('matches a recount after every send, read, delete, delete-all, join, leave and group change', async () => {
    await createRoom(t, { _id: ROOM, members: ['u1', 'u2', 'u3'] });
    await createGroup(t, { _id: 'ux-group', nickname: 'UX group', members: ['g1', 'g2'] });
    const next = random(11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const members = new Set(['u1', 'u2', 'u3']);
    let groupIn = false;
    let groupUsers = ['g1', 'g2'];
    const log: string[] = [];

    const writers = () => [...members, ...(groupIn ? groupUsers : [])];
    const messageIds = async (): Promise<string[]> =>
      (
        await t.services.storage.db
          .selectFrom('messages')
          .select('id')
          .where('app_id', '=', t.appId)
          .where('room_id', '=', ROOM)
          .execute()
      ).map((row) => row.id);

    for (let step = 0; step < 90; step++) {
      const roll = next();
      if (roll < 0.4) {
        const sender = pick(writers());
        log.push(`send ${sender}`);
        expectOk(
          await t.asUser(tokens[sender]!, 'POST', `/rooms/${ROOM}/message`, {
            message: `m${step}`,
            messageType: 'text',
          }),
        );
      } else if (roll < 0.55) {
        const ids = await messageIds();
        if (ids.length === 0) continue;
        const reader = pick(writers());
        const message = pick(ids);
        log.push(`read ${reader} ${message}`);
        expectOk(await t.asUser(tokens[reader]!, 'PUT', `/rooms/${ROOM}/lastRead`, { message }));
      } else if (roll < 0.66) {
        const ids = await messageIds();
        if (ids.length === 0) continue;
        const message = pick(ids);
        log.push(`delete ${message}`);
        expect((await t.admin('DELETE', `/rooms/${ROOM}/messages/${message}`)).statusCode).toBe(200);
      } else if (roll < 0.69) {
        log.push('delete all');
        expect((await t.admin('DELETE', `/rooms/${ROOM}/messages/_all`)).statusCode).toBe(200);
      } else if (roll < 0.77) {
        const outside = DIRECT.filter((id) => !members.has(id));
        if (outside.length === 0) continue;
        const joiner = pick(outside);
        const systemMessage = next() < 0.5;
        log.push(`join ${joiner}${systemMessage ? ' with a notice' : ''}`);
        expectOk(await t.admin('POST', `/rooms/${ROOM}/members`, { invitees: [joiner], systemMessage }));
        members.add(joiner);
      } else if (roll < 0.85) {
        if (members.size <= 2) continue;
        const leaver = pick([...members]);
        log.push(`leave ${leaver}`);
        expectOk(await t.asUser(tokens[leaver]!, 'POST', `/rooms/${ROOM}/delete/members`, { members: [leaver] }));
        members.delete(leaver);
      } else if (roll < 0.9) {
        if (!groupIn) {
          log.push('group joins');
          expectOk(await t.admin('POST', `/rooms/${ROOM}/members`, { invitees: ['ux-group'] }));
          groupIn = true;
        } else if (!groupUsers.includes('g3')) {
          log.push('g3 joins the group');
          groupUsers = [...groupUsers, 'g3'];
          expectOk(await t.admin('PUT', '/admin/groups/ux-group', { members: groupUsers }));
        } else continue;
      } else {
        const sender = pick(DIRECT);
        log.push(`admin sends as ${sender}`);
        expectOk(await t.admin('POST', '/messages', { room: ROOM, sender, message: `a${step}`, messageType: 'text' }));
      }
      const expected = await recounted();
      expect(await badges(), log.join(', ')).toStrictEqual(expected);
      const fromRoom = await memberBadges();
      for (const [id, badge] of Object.entries(fromRoom))
        expect(badge, `${id} after ${log.join(', ')}`).toBe(expected[id]);
    }
    // The walk went through every kind of step.
    for (const kind of [
      'send',
      'read',
      'delete ',
      'delete all',
      'join',
      'leave',
      'group joins',
      'g3 joins',
      'admin sends',
    ])
      expect(log.some((entry) => entry.startsWith(kind))).toBe(true);
  }, 60_000); // a long random walk: more than the default 20 s on a loaded machine

  it('a room whose counts are far apart still answers exact badges, never below 0', async () => {
    await createRoom(t, { _id: 'ux-far', members: ['u1', 'u2'] });
    for (let i = 0; i < 5; i++)
      expectOk(await t.asUser(tokens.u2!, 'POST', '/rooms/ux-far/message', { message: `${i}`, messageType: 'text' }));
    expect(
      (await t.services.readStatesRepository.roomStates(t.appId, 'ux-far')).map((state) => state.badge),
    ).toStrictEqual(expect.arrayContaining([5, 0]));
    // Whatever a row holds, a base beyond the room's count reads as nothing unread.
    await t.services.storage.db
      .updateTable('room_user_state')
      .set({ unread_base: 1_000 })
      .where('app_id', '=', t.appId)
      .where('room_id', '=', 'ux-far')
      .where('user_id', '=', 'u1')
      .execute();
    const states = await t.services.readStatesRepository.readStates(t.appId, ['ux-far'], 'u1');
    expect(states.get('ux-far')?.badge).toBe(0);
  });
});
