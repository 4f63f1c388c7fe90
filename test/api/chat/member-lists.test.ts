import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { MemberListCache } from '../../../src/modules/chat/member-cache.js';
import { NEW_ROOM } from '../../../src/modules/chat/members.repository.js';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { buildTwoNodes, type TwoNodes } from '../../helpers/two-nodes.js';
import { createGroup, createRoom } from '../../helpers/factories.js';

/**
 * Member lists are kept per room while the room's members stamp holds (issue 11): every change of
 * the members, on any node, must show at once in who may write and who a message is announced to.
 */

/** Sends as a user and answers the response with the members the message was announced to. */
async function sendAndAudience(
  t: TestApp,
  token: string,
  room: string,
): Promise<{ response: LightMyRequestResponse; audience: string[] | undefined }> {
  let audience: string[] | undefined;
  const stop = t.services.bus.subscribe('message.created', (event) => {
    if (event.roomId === room) audience = [...event.members].sort();
  });
  try {
    const response = await t.asUser(token, 'POST', `/rooms/${room}/message`, { message: 'hi', messageType: 'text' });
    return { response, audience };
  } finally {
    stop();
  }
}

describe('member lists follow every change of the members', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['ann', 'ben', 'cat', 'dan', 'gil', 'hal']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 'ml', members: ['ann', 'ben', 'cat'] });
  });
  afterAll(() => t.close());

  it('a removed member can no longer write, and is no longer announced to', async () => {
    expect((await sendAndAudience(t, tokens.ann!, 'ml')).audience).toStrictEqual(['ann', 'ben', 'cat']);
    expectOk(await t.admin('POST', '/rooms/ml/delete/members', { members: ['cat'] }));
    expect((await sendAndAudience(t, tokens.cat!, 'ml')).response.statusCode).toBe(403);
    expect((await sendAndAudience(t, tokens.ann!, 'ml')).audience).toStrictEqual(['ann', 'ben']);
  });

  it('an added member writes at once and is announced to', async () => {
    expectOk(await t.admin('POST', '/rooms/ml/members', { invitees: ['dan'] }));
    const sent = await sendAndAudience(t, tokens.dan!, 'ml');
    expectOk(sent.response);
    expect(sent.audience).toStrictEqual(['ann', 'ben', 'dan']);
  });

  it('a role or a property set shows at once', async () => {
    const target = expectOk((await sendAndAudience(t, tokens.ann!, 'ml')).response)._id;
    expect((await t.asUser(tokens.ben!, 'DELETE', `/rooms/ml/messages/${target}`)).statusCode).toBe(403);
    expectOk(await t.admin('PUT', '/rooms/ml/member/ben', { property: 'role', value: 'admin' }));
    expect((await t.asUser(tokens.ben!, 'DELETE', `/rooms/ml/messages/${target}`)).statusCode).toBe(200);
    expectOk(await t.asUser(tokens.dan!, 'PUT', '/rooms/ml/member/dan', { property: 'title', value: 'cook' }));
    const properties = expectOk(await t.asUser(tokens.ann!, 'GET', '/rooms/ml')).memberProperties;
    expect(properties.find((property: any) => property.client === 'dan')).toMatchObject({ title: 'cook' });
    expect(properties.find((property: any) => property.client === 'ben')).toMatchObject({ role: 'admin' });
  });

  it('a deleted group and a deleted user leave every room at once', async () => {
    await createGroup(t, { _id: 'ml-team', nickname: 'Team', members: ['gil'] });
    expectOk(await t.admin('POST', '/rooms/ml/members', { invitees: ['ml-team', 'hal'] }));
    expectOk((await sendAndAudience(t, tokens.gil!, 'ml')).response);
    expect((await sendAndAudience(t, tokens.ann!, 'ml')).audience).toStrictEqual([
      'ann',
      'ben',
      'dan',
      'hal',
      'ml-team',
    ]);
    expectOk(await t.admin('DELETE', '/admin/groups/ml-team'));
    expectOk(await t.admin('DELETE', '/admin/clients/hal'));
    expect((await sendAndAudience(t, tokens.gil!, 'ml')).response.statusCode).toBe(403);
    expect((await sendAndAudience(t, tokens.ann!, 'ml')).audience).toStrictEqual(['ann', 'ben', 'dan']);
  });

  it('a list read by a transaction that changed the members and rolled back is never kept', async () => {
    const { roomsRepository: rooms, membersRepository: members, storage } = t.services;
    // An empty cache, and the room as read before the transaction: its stamp is the committed one.
    const cache = new MemberListCache(members);
    const before = (await rooms.find(t.appId, 'ml'))!;
    const ids = async (list: Promise<{ userId: string }[]>) => (await list).map((member) => member.userId).sort();
    await expect(
      storage.db.transaction().execute(async (tx) => {
        await members.add(t.appId, 'ml', ['cat'], NEW_ROOM, Date.now(), tx);
        const during = (await rooms.findForUpdate(t.appId, 'ml', tx))!;
        expect(during.membersStamp).not.toBe(before.membersStamp);
        expect(await ids(cache.of(during, tx))).toContain('cat');
        // Read with a room object from before the change: what it reads must not be kept under the old stamp.
        expect(await ids(cache.of(before, tx))).toContain('cat');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = (await rooms.find(t.appId, 'ml'))!;
    expect(after.membersStamp).toBe(before.membersStamp);
    expect(await ids(cache.of(after))).toStrictEqual(['ann', 'ben', 'dan']);
  });
});

describe('member lists on two nodes sharing a database', () => {
  let nodes: TwoNodes;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    nodes = await buildTwoNodes();
    for (const id of ['ann', 'ben', 'cat', 'dan']) tokens[id] = await nodes.a.createUser(id);
    await createRoom(nodes.a, { _id: 'ml2', members: ['ann', 'ben', 'cat'] });
  });
  afterAll(() => nodes.close());

  it('a change made on one node holds on the other at once, with no event needed', async () => {
    const { a, b } = nodes;
    expect((await sendAndAudience(a, tokens.ann!, 'ml2')).audience).toStrictEqual(['ann', 'ben', 'cat']);
    expectOk(await b.admin('POST', '/rooms/ml2/delete/members', { members: ['cat'] }));
    expect((await sendAndAudience(a, tokens.cat!, 'ml2')).response.statusCode).toBe(403);
    expect((await sendAndAudience(a, tokens.ann!, 'ml2')).audience).toStrictEqual(['ann', 'ben']);
    expectOk(await b.admin('POST', '/rooms/ml2/members', { invitees: ['dan'] }));
    const sent = await sendAndAudience(a, tokens.dan!, 'ml2');
    expectOk(sent.response);
    expect(sent.audience).toStrictEqual(['ann', 'ben', 'dan']);
  });
});
