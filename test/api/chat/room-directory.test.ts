import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectBody, expectOk } from '../../helpers/expect.js';
import { createNamedUsers, createRoom, sendMessage } from '../../helpers/factories.js';
import { INVALID_REQUEST, ROOM_NOT_FOUND } from '../../helpers/errors.js';

/** The operators' room directory, room message search and messages-per-minute series (issue 12). */
describe('admin room directory and message series', () => {
  let t: TestApp;
  let keyB: string;
  const asB = (url: string) => t.app.inject({ method: 'GET', url, headers: { 'im-api-key': keyB } });
  const ids = (result: { data: Array<{ _id: string }> }) => result.data.map((room) => room._id);

  beforeAll(async () => {
    t = await buildTestApp();
    await createNamedUsers(t, ['ann', 'ben', 'cy']);
    await createRoom(t, { _id: 'r-support', name: 'Customer Support', members: ['ann', 'ben'] });
    await createRoom(t, { _id: 'r-sales', name: 'sales SUPPORT desk', members: ['ben'] });
    await createRoom(t, { _id: 'r-literal', name: '100%_done', members: ['cy'] });
    await createRoom(t, { _id: 'r-other', name: '100 percent done', members: ['cy'] });
    await sendMessage(t, 'r-support', 'ann', 'the invoice is late');
    await sendMessage(t, 'r-support', 'ben', 'Invoice resent today');
    await sendMessage(t, 'r-support', 'ben', 'nothing to see');
    // ann is banned from r-sales without having been a member: her own room list omits it.
    expectOk(await t.admin('POST', '/blockStatus/room/r-sales/ann'));
    const appB = await t.services.apps.create('Second app', 'second-dir');
    keyB = (await t.services.keys.create(appB.id, { name: 'b' }, 'test')).secret;
  });
  afterAll(() => t.close());

  it('finds rooms by part of the name, in any case, with % and _ taken literally', async () => {
    const support = expectOk(await t.admin('GET', '/admin/rooms?name=support'));
    expect(support.totalCount).toBe(2);
    expect(ids(support).sort()).toStrictEqual(['r-sales', 'r-support']);
    expect(support.data.find((room: { _id: string }) => room._id === 'r-support')).toMatchObject({
      name: 'Customer Support',
      roomType: 'group',
      status: 1,
      memberCount: 2,
      lastMessageTimeMS: expect.any(Number),
      createdTimeMS: expect.any(Number),
    });
    expect(support.data[0]).not.toHaveProperty('isMember');
    expect(ids(expectOk(await t.admin('GET', `/admin/rooms?name=${encodeURIComponent('%_')}`)))).toStrictEqual([
      'r-literal',
    ]);
    expect(expectOk(await t.admin('GET', '/admin/rooms?name=nowhere'))).toStrictEqual({ totalCount: 0, data: [] });
  });

  it("lists a user's rooms with those they are banned from, flagged", async () => {
    const ann = expectOk(await t.admin('GET', '/admin/rooms?user=ann'));
    expect(ann.totalCount).toBe(2);
    const byId = Object.fromEntries(ann.data.map((room: { _id: string }) => [room._id, room]));
    expect(byId['r-support']).toMatchObject({ isMember: true, isBanned: false });
    expect(byId['r-sales']).toMatchObject({ isMember: false, isBanned: true });
    const both = expectOk(await t.admin('GET', '/admin/rooms?user=ben&name=desk'));
    expect(ids(both)).toStrictEqual(['r-sales']);
  });

  it('pages newest first', async () => {
    const all = expectOk(await t.admin('GET', '/admin/rooms?limit=100'));
    expect(all.totalCount).toBe(4);
    const first = expectOk(await t.admin('GET', '/admin/rooms?limit=3'));
    const rest = expectOk(await t.admin('GET', '/admin/rooms?limit=3&skip=3'));
    expect(first.totalCount).toBe(4);
    expect([...ids(first), ...ids(rest)]).toStrictEqual(ids(all));
    const times = all.data.map((room: { createdTimeMS: number }) => room.createdTimeMS);
    expect(times).toStrictEqual([...times].sort((a, b) => b - a));
    expect((await t.admin('GET', '/admin/rooms?limit=101')).statusCode).toBe(400);
    expect((await t.admin('GET', '/admin/rooms?skip=-1')).statusCode).toBe(400);
  });

  it("searches one room's messages, whoever could read them", async () => {
    const found = expectOk(await t.admin('GET', '/admin/rooms/r-support/messages/search?keyword=INVOICE'));
    expect(found.totalCount).toBe(2);
    expect(found.data.map((message: { message: string }) => message.message)).toStrictEqual([
      'Invoice resent today',
      'the invoice is late',
    ]);
    expect(found.data[0]).toMatchObject({ room: 'r-support', sender: { _id: 'ben' } });
    expect(expectOk(await t.admin('GET', '/admin/rooms/r-sales/messages/search?keyword=invoice')).totalCount).toBe(0);
    expectBody(await t.admin('GET', '/admin/rooms/nope/messages/search?keyword=invoice'), 404, ROOM_NOT_FOUND);
    expect((await t.admin('GET', '/admin/rooms/r-support/messages/search')).statusCode).toBe(400);
    expectBody(await t.admin('GET', '/admin/rooms/r-support/messages/search?keyword=%20'), 400, INVALID_REQUEST);
  });

  it('counts messages per minute over a window', async () => {
    const series = expectOk(await t.admin('GET', '/admin/stats/messages'));
    expect(series.totalCount).toBe(3);
    const minutes = series.data as Array<{ minuteMS: number; messages: number }>;
    expect(minutes.reduce((sum, minute) => sum + minute.messages, 0)).toBe(3);
    for (const minute of minutes) expect(minute.minuteMS % 60_000).toBe(0);
    const past = expectOk(
      await t.admin('GET', '/admin/stats/messages?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z'),
    );
    expect(past).toMatchObject({ totalCount: 0, data: [], from: '2020-01-01T00:00:00.000Z' });
    expectBody(await t.admin('GET', '/admin/stats/messages?from=0&to=864000000'), 400, INVALID_REQUEST);
    expectBody(await t.admin('GET', '/admin/stats/messages?from=yesterday'), 400, INVALID_REQUEST);
    expectBody(await t.admin('GET', '/admin/stats/messages?from=2000&to=1000'), 400, INVALID_REQUEST);
  });

  it("shows another application's key none of it", async () => {
    expect(expectOk(await asB('/admin/rooms'))).toStrictEqual({ totalCount: 0, data: [] });
    expect(expectOk(await asB('/admin/rooms?user=ann'))).toStrictEqual({ totalCount: 0, data: [] });
    expectBody(await asB('/admin/rooms/r-support/messages/search?keyword=invoice'), 404, ROOM_NOT_FOUND);
    expect(expectOk(await asB('/admin/stats/messages')).totalCount).toBe(0);
  });
});
