import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';

/**
 * Item 1: ids the server generates (rooms, messages, files) were ObjectIds with a per-process part
 * and a counter, so one id of one's own led to the neighbours: another pair's room was found and
 * joined within a few dozen guesses. Now 4 bytes of seconds and 8 random bytes per id.
 */
const HEX24 = /^[0-9a-f]{24}$/;
const randomPart = (id: string) => BigInt(`0x${id.slice(8)}`);

/** Ids an attacker would try from one of its own: the same prefix with the last 3 bytes ± `spread`. */
function neighbours(id: string, spread: number): string[] {
  const head = id.slice(0, 18);
  const counter = Number.parseInt(id.slice(18), 16);
  const ids: string[] = [];
  for (let step = -spread; step <= spread; step++) {
    if (step !== 0) ids.push(head + ((counter + step + 0x1000000) % 0x1000000).toString(16).padStart(6, '0'));
  }
  return ids;
}

describe('item 1: unguessable ids', () => {
  let t: TestApp;
  let mallory: string;
  let alice: string;

  beforeAll(async () => {
    t = await buildTestApp();
    mallory = await t.createUser('mallory');
    alice = await t.createUser('alice');
    await t.createUser('bob');
  });
  afterAll(() => t?.close());

  it('room and message ids are 24 hex with 64 random bits each: no shared part, no counter', async () => {
    const rooms: string[] = [];
    for (let i = 0; i < 40; i++)
      rooms.push(expectOk(await t.asUser(mallory, 'POST', '/rooms/createAndJoin', { name: `r${i}` }))._id);
    const messages: string[] = [];
    for (let i = 0; i < 40; i++) {
      messages.push(
        expectOk(
          await t.asUser(mallory, 'POST', `/rooms/${rooms[0]}/message`, { message: `m${i}`, messageType: 'text' }),
        )._id,
      );
    }
    for (const ids of [rooms, messages]) {
      for (const id of ids) expect(id).toMatch(HEX24);
      const parts = ids.map(randomPart);
      expect(new Set(parts).size).toBe(ids.length);
      // Every one of the 64 bits after the timestamp takes both values across the ids (a fixed
      // per-process part or the high bits of a counter would not).
      let ones = 0n;
      let zeros = 0n;
      for (const part of parts) {
        ones |= part;
        zeros |= ~part & ((1n << 64n) - 1n);
      }
      expect(ones.toString(16)).toBe('ffffffffffffffff');
      expect(zeros.toString(16)).toBe('ffffffffffffffff');
      // No step between consecutive ids is a small increment.
      for (let i = 1; i < parts.length; i++) {
        const step = parts[i]! - parts[i - 1]!;
        expect(step < 0n ? -step : step).toBeGreaterThan(1n << 24n);
      }
    }
  });

  it("from its own room a user cannot walk to another pair's room", async () => {
    const own = expectOk(await t.asUser(mallory, 'POST', '/rooms/createAndJoin', { name: 'mine' }))._id as string;
    const theirs = expectOk(
      await t.asUser(alice, 'POST', '/rooms/createAndJoin', { name: 'alice and bob', invitee: ['bob'] }),
    )._id as string;
    await t.asUser(alice, 'POST', `/rooms/${theirs}/message`, { message: 'private', messageType: 'text' });
    const guesses = neighbours(own, 30);
    expect(guesses).not.toContain(theirs);
    let found = 0;
    for (const guess of guesses) {
      const response = await t.asUser(mallory, 'POST', `/rooms/${guess}/join`);
      if (response.statusCode !== 404) found++;
    }
    expect(found).toBe(0);
    // Nor from its own message to someone else's.
    const ownMessage = expectOk(
      await t.asUser(mallory, 'POST', `/rooms/${own}/message`, { message: 'x', messageType: 'text' }),
    )._id as string;
    const theirMessage = expectOk(
      await t.asUser(alice, 'POST', `/rooms/${theirs}/message`, { message: 'y', messageType: 'text' }),
    )._id as string;
    expect(neighbours(ownMessage, 30)).not.toContain(theirMessage);
  });

  it('a room whose last message carries a far-future client id is not "updated after" a later time', async () => {
    const room = expectOk(await t.asUser(mallory, 'POST', '/rooms/createAndJoin', { name: 'future id' }))._id as string;
    expectOk(
      await t.asUser(mallory, 'POST', `/rooms/${room}/message`, {
        _id: `fffffff0${'1'.repeat(16)}`,
        message: 'x',
        messageType: 'text',
      }),
    );
    const later = Date.now() + 3_600_000;
    const listed = expectOk(await t.asUser(mallory, 'GET', `/rooms?updatedAfter=${later}`));
    expect(listed.data.map((entry: { _id: string }) => entry._id)).not.toContain(room);
    const earlier = expectOk(await t.asUser(mallory, 'GET', `/rooms?updatedAfter=${Date.now() - 60_000}`));
    expect(earlier.data.map((entry: { _id: string }) => entry._id)).toContain(room);
  });
});
