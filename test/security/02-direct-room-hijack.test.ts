import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 2: a user created the md5 direct room of two other users, as its owner and with its own
 * webhook, and read everything they later said there; or squatted the md5 id with a group room so
 * that the pair's direct room could never be created. A user now creates only direct rooms it is
 * one of the two members of, and a 32-hex md5 id names only the direct room of its own pair.
 */
const directId = (a: string, b: string) => createHash('md5').update([a, b].sort().join('_')).digest('hex');

describe('item 2: direct rooms belong to their pair', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['mallory', 'alice', 'bob', 'carol', 'dave']) tokens[id] = await t.createUser(id);
  });
  afterAll(() => t?.close());

  const refused = (response: { statusCode: number; json(): any }, status: number, code: string) => {
    expect(response.statusCode, JSON.stringify(response.json())).toBe(status);
    expect(response.json().error.code).toBe(code);
  };

  it('a user cannot create the direct room of two other users (hijack)', async () => {
    refused(
      await t.asUser(tokens.mallory!, 'POST', '/rooms', { roomType: 'direct', members: ['alice', 'bob'] }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    refused(
      await t.asUser(tokens.mallory!, 'POST', '/rooms', {
        roomType: 'direct',
        members: ['alice', 'bob'],
        _id: directId('alice', 'bob'),
      }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    refused(
      await t.asUser(tokens.mallory!, 'POST', '/rooms', {
        roomType: 'direct',
        members: ['alice', 'bob'],
        _id: 'custom-dm',
      }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expect((await t.admin('GET', `/rooms/${directId('alice', 'bob')}`, undefined, {})).statusCode).toBe(404);
    // The pair then gets a room of their own, and mallory is nowhere in it.
    const room = expectOk(
      await t.asUser(tokens.alice!, 'POST', '/rooms', { roomType: 'direct', members: ['alice', 'bob'] }),
    );
    expect(room._id).toBe(directId('alice', 'bob'));
    expect(room.members.map((member: any) => member._id).sort()).toStrictEqual(['alice', 'bob']);
    expect(room.owner ?? null).toBeNull();
    expect(room.webhook ?? null).toBeNull();
    refused(await t.asUser(tokens.mallory!, 'GET', `/rooms/${room._id}`), 403, 'NOT_ROOM_MEMBER');
  });

  it('a user cannot squat the md5 id of a pair with a group room, nor with a direct room of another pair', async () => {
    const id = directId('carol', 'dave');
    for (const body of [
      { _id: id, roomType: 'group', members: ['mallory'] },
      { _id: id, roomType: 'group' },
      { _id: id, roomType: 'direct', members: ['mallory', 'carol'] },
    ]) {
      const response = await t.asUser(tokens.mallory!, 'POST', '/rooms', body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
    }
    const joined = await t.asUser(tokens.mallory!, 'POST', '/rooms/createAndJoin', { _id: id, roomType: 'group' });
    expect(joined.statusCode, joined.body).toBe(400);
    // The API key answers for its own ids: a 32-hex group id (a UUID without dashes) is its choice,
    // but a direct room still only under its own pair's id.
    expect(
      (await t.admin('POST', '/rooms', { _id: id, roomType: 'direct', members: ['mallory', 'carol'] })).statusCode,
    ).toBe(400);
    const uuidHex = '3f2c8a51e0b94d7c9a1b2c3d4e5f6071';
    expect((await createRoom(t, { _id: uuidHex, roomType: 'group', members: ['mallory'] }))._id).toBe(uuidHex);
    const room = expectOk(
      await t.asUser(tokens.carol!, 'POST', '/rooms/createAndJoin', { roomType: 'direct', invitee: 'dave' }),
    );
    expect(room._id).toBe(id);
    expect(room.members.map((member: any) => member._id ?? member).sort()).toStrictEqual(['carol', 'dave']);
  });

  it('an existing direct room is answered only to its own pair', async () => {
    const id = directId('alice', 'carol');
    await createRoom(t, { roomType: 'direct', members: ['alice', 'carol'] });
    refused(
      await t.asUser(tokens.mallory!, 'POST', '/rooms', { roomType: 'direct', members: ['alice', 'carol'] }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expect(
      expectOk(await t.asUser(tokens.carol!, 'POST', '/rooms', { roomType: 'direct', members: ['carol', 'alice'] }))
        ._id,
    ).toBe(id);
    // The API key may still create the direct room of any pair, under its md5 id.
    expect(
      (await createRoom(t, { _id: directId('bob', 'dave'), roomType: 'direct', members: ['dave', 'bob'] }))._id,
    ).toBe(directId('bob', 'dave'));
  });
});
