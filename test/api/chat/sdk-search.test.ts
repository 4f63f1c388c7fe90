import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';

/** The SDKs' own message searches (realtime protocol 6.2 `message.search`, 6.5 `message.searchV2`). */
describe('GET /messages and POST /messages/search', () => {
  let t: TestApp;
  let alice: string;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice');
    await t.createUser('bob');
    await createRoom(t, { _id: 'mine', members: ['alice', 'bob'] });
    await createRoom(t, { _id: 'theirs', members: ['bob'] });
    for (const [room, text] of [
      ['mine', 'Lunch at noon'],
      ['mine', 'lunch moved'],
      ['theirs', 'lunch secret'],
      ['mine', 'nothing here'],
    ]) {
      ids.push(
        expectOk(await t.admin('POST', '/messages', { room, sender: 'bob', message: text, messageType: 'text' }))._id,
      );
    }
  });
  afterAll(() => t.close());

  it('answers the matching messages of my rooms, newest first, as full message objects', async () => {
    const viaPost = expectOk(await t.asUser(alice, 'POST', '/messages/search', { message: 'LUNCH' }));
    expect(viaPost.totalCount).toBe(2);
    expect(viaPost.data.map((message: any) => message._id)).toStrictEqual([ids[1], ids[0]]);
    expect(viaPost.data[0]).toMatchObject({ message: 'lunch moved', room: 'mine', sender: { _id: 'bob' } });
    const viaGet = expectOk(
      await t.asUser(alice, 'GET', `/messages?limit=1&q=${encodeURIComponent(JSON.stringify({ message: 'lunch' }))}`),
    );
    expect(viaGet.data.map((message: any) => message._id)).toStrictEqual([ids[1]]);
  });

  it('refuses a missing text or a q that is not JSON with 400', async () => {
    expect((await t.asUser(alice, 'POST', '/messages/search', {})).statusCode).toBe(400);
    expect((await t.asUser(alice, 'GET', '/messages?q=%7Bnope')).statusCode).toBe(400);
  });
});
