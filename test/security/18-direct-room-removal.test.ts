import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';

/**
 * Item 18 (found after the list): a direct room has no owner, so under "any member may remove
 * others in a room without an owner" one side removed the other from their direct room. The
 * removed user lost the conversation and could never open the pair's direct room again (its md5 id
 * stays taken: 409 `ROOM_EXISTS`, and the room is closed to joins). Now a direct room keeps exactly
 * its two members (spec 12 item 28): removing the other one is a 400 for everyone; leaving
 * oneself stays allowed (spec 4.7).
 */
describe('item 18: nobody removes the other member of a direct room', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let direct: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['bob', 'carol']) tokens[id] = await t.createUser(id);
    direct = expectOk(
      await t.asUser(tokens.bob!, 'POST', '/rooms', { roomType: 'direct', members: ['bob', 'carol'] }),
    )._id;
  });
  afterAll(() => t?.close());

  const members = async () =>
    expectOk(await t.admin('GET', `/rooms/${direct}`))
      .members.map((member: any) => member._id)
      .sort();

  it('refuses with 400, over both routes, for the member and the API key', async () => {
    for (const response of [
      await t.asUser(tokens.bob!, 'POST', `/rooms/${direct}/delete/members`, { members: ['carol'] }),
      await t.asUser(tokens.bob!, 'POST', `/rooms/${direct}/delete/members`, {
        members: ['carol', 'bob'],
        systemMessage: true,
      }),
      await t.asUser(tokens.bob!, 'DELETE', `/rooms/${direct}/members/carol`),
      await t.admin('POST', `/rooms/${direct}/delete/members`, { members: ['carol'] }),
    ]) {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toStrictEqual({
        code: 'INVALID_REQUEST',
        message: 'A direct room has exactly two members',
      });
    }
    expect(await members()).toStrictEqual(['bob', 'carol']);
    // Carol still has her conversation.
    expect(
      expectOk(await t.asUser(tokens.carol!, 'POST', '/rooms', { roomType: 'direct', members: ['bob', 'carol'] }))._id,
    ).toBe(direct);
  });

  it('a member may still leave', async () => {
    expectOk(await t.asUser(tokens.carol!, 'POST', `/rooms/${direct}/delete/members`, { members: ['carol'] }));
    expect(await members()).toStrictEqual(['bob']);
  });
});
