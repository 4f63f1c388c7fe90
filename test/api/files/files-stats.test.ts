import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../helpers/client-http.js';
import { expectOk, sleep } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { secondApp } from '../../helpers/realtime-suite.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

/**
 * `POST /files/stats` ([hist] 9.5): files counted and sized per tag of the room they were uploaded
 * into, as the room was tagged at the upload, by upload time.
 */

describe('POST /files/stats (history 9.5)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  /** Upload times (ms) by upload name. */
  const at: Record<string, number> = {};

  /** Uploads `bytes` bytes as `user` (or the API key), naming `room` in `extra` as the history spells it. */
  async function upload(name: string, user: string | null, bytes: number, room?: string): Promise<void> {
    const form = multipartBody(
      [
        ...(room === undefined ? [] : [{ name: 'extra', value: JSON.stringify({ roomID: room }) }]),
        { name: 'file', filename: `${name}.bin`, type: 'application/octet-stream', content: Buffer.alloc(bytes, 7) },
      ],
      'browser',
    );
    const credentials =
      user === null ? { 'im-api-key': t.apiKey } : { 'im-client-key': t.clientKey, 'im-authorization': tokens[user]! };
    const stored = expectOk(
      await t.app.inject({
        method: 'POST',
        url: '/files/chat-files',
        remoteAddress: '127.0.0.1',
        headers: { ...credentials, 'content-type': form.contentType },
        payload: form.payload,
      }),
    );
    at[name] = stored.uploadDateMS;
    // Distinct upload times, so that ranges can fall between two uploads.
    await sleep(3);
  }
  const statsAs = async (user: string, body: unknown = {}) =>
    expectOk(await t.asUser(tokens[user]!, 'POST', '/files/stats', body));
  /** The answer without the time it took. */
  const timeless = (result: any) => ({ ...result, inspect: { ...result.inspect, tookMS: 0 } });

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['ann', 'ben', 'cat']) tokens[id] = await t.createUser(id);
    await createRoom(t, { _id: 'fs-demo', roomTags: ['demo', 'sample'], members: ['ann', 'ben'] });
    await createRoom(t, { _id: 'fs-work', roomTags: ['work'], members: ['ann', 'cat'] });
    await createRoom(t, { _id: 'fs-plain', members: ['ann'] });
    await createRoom(t, { _id: 'fs-other', roomTags: ['demo'], members: ['cat'] });
    await upload('ann-demo', 'ann', 100, 'fs-demo');
    await upload('ben-demo', 'ben', 50, 'fs-demo');
    await upload('ann-work', 'ann', 30, 'fs-work');
    await upload('cat-other', 'cat', 7, 'fs-other');
    await upload('ann-plain', 'ann', 5, 'fs-plain');
    await upload('ann-nowhere', 'ann', 3);
    // Ann is no member of fs-other: her upload is not shared there, and carries no tag.
    await upload('ann-intruding', 'ann', 1000, 'fs-other');
    await upload('key-work', null, 11, 'fs-work');
    // Retagged: later uploads carry the new tags, earlier ones keep theirs.
    expectOk(await t.admin('PUT', '/rooms/fs-demo', { roomTags: ['changed'] }));
    await upload('ben-changed', 'ben', 20, 'fs-demo');
  });
  afterAll(() => t.close());

  it("answers a user's counts by the tags each upload's room had, enveloped and at the top level", async () => {
    const response = await t.asUser(tokens.ann!, 'POST', '/files/stats', {});
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toStrictEqual([
      'RC',
      'RM',
      'data',
      'inspect',
      'result',
      'totalCount',
      'totalSize',
    ]);
    const { RC, RM, result, ...top } = body;
    expect([RC, RM]).toStrictEqual([0, 'OK']);
    expect(top).toStrictEqual(result);
    expect(timeless(result)).toStrictEqual({
      inspect: { query: { appID: t.appId }, tookMS: 0 },
      data: {
        changed: { size: 20, count: 1 },
        demo: { size: 150, count: 2 },
        sample: { size: 150, count: 2 },
        work: { size: 41, count: 2 },
      },
      // Each file once: ann-demo and ben-demo carry two tags each.
      totalCount: 5,
      totalSize: 211,
    });
    expect(result.inspect.tookMS).toBeGreaterThanOrEqual(0);
  });

  it('answers every tag asked, zero when none; a user sees the files of their own rooms only', async () => {
    expect(timeless(await statsAs('ann', { tags: ['demo', 'nope', 'demo'] }))).toStrictEqual({
      inspect: { query: { appID: t.appId, tags: ['demo', 'nope'] }, tookMS: 0 },
      data: { demo: { size: 150, count: 2 }, nope: { size: 0, count: 0 } },
      totalCount: 2,
      totalSize: 150,
    });
    // Cat: fs-work (ann's, cat's none, the key's) and fs-other (his own); nothing of fs-demo.
    const cat = await statsAs('cat');
    expect(cat.data).toStrictEqual({ demo: { size: 7, count: 1 }, work: { size: 41, count: 2 } });
    expect([cat.totalCount, cat.totalSize]).toStrictEqual([3, 48]);
    expect((await statsAs('cat', { tags: ['sample', 'changed'] })).data).toStrictEqual({
      sample: { size: 0, count: 0 },
      changed: { size: 0, count: 0 },
    });
    // An empty list is every tag, like none.
    expect((await statsAs('ben', { tags: [] })).data).toStrictEqual({
      changed: { size: 20, count: 1 },
      demo: { size: 150, count: 2 },
      sample: { size: 150, count: 2 },
    });
  });

  it('lets the API key count every file of its application', async () => {
    const all = expectOk(await t.admin('POST', '/files/stats', { tags: ['demo', 'work', 'changed', 'sample'] }));
    expect(all.data).toStrictEqual({
      demo: { size: 157, count: 3 },
      work: { size: 41, count: 2 },
      changed: { size: 20, count: 1 },
      sample: { size: 150, count: 2 },
    });
    expect([all.totalCount, all.totalSize]).toStrictEqual([6, 218]);
    // Without a body at all.
    const bare = expectOk(
      await t.app.inject({ method: 'POST', url: '/files/stats', headers: { 'im-api-key': t.apiKey } }),
    );
    expect(bare.totalCount).toBe(6);
  });

  it('bounds the upload time, both ends inclusive, as ISO-8601 times or millisecond epochs', async () => {
    const from = at['ben-demo']!;
    const to = at['ann-work']!;
    const expected = {
      data: { demo: { size: 50, count: 1 }, sample: { size: 50, count: 1 }, work: { size: 30, count: 1 } },
      totalCount: 2,
      totalSize: 80,
    };
    const byEpoch = await statsAs('ann', { rangeStart: from, rangeEnd: to });
    expect({ ...byEpoch, inspect: undefined }).toStrictEqual({ ...expected, inspect: undefined });
    const iso = { rangeStart: new Date(from).toISOString(), rangeEnd: new Date(to).toISOString() };
    const byIso = await statsAs('ann', iso);
    expect(timeless(byIso)).toStrictEqual({
      ...expected,
      inspect: { query: { appID: t.appId, createdAt: { $gte: iso.rangeStart, $lte: iso.rangeEnd } }, tookMS: 0 },
    });
    expect((await statsAs('ann', { rangeStart: at['ben-changed'] })).data).toStrictEqual({
      changed: { size: 20, count: 1 },
    });
    expect((await statsAs('ann', { rangeEnd: at['ann-demo']! - 1 })).totalCount).toBe(0);
  });

  it('stops counting the files of a room its user left', async () => {
    expectOk(await t.admin('POST', '/rooms/fs-other/delete/members', { members: ['cat'] }));
    expect((await statsAs('cat')).data).toStrictEqual({ work: { size: 41, count: 2 } });
    // The API key still counts them.
    expect(expectOk(await t.admin('POST', '/files/stats', { tags: ['demo'] })).data.demo.count).toBe(3);
  });

  it('shows another application nothing of this one', async () => {
    const other = await secondApp(t, 'ann');
    const theirs = expectOk(await other.admin('POST', '/files/stats', { tags: ['demo'] }));
    expect(timeless(theirs)).toStrictEqual({
      inspect: { query: { appID: other.id, tags: ['demo'] }, tookMS: 0 },
      data: { demo: { size: 0, count: 0 } },
      totalCount: 0,
      totalSize: 0,
    });
    const asUser = await t.app.inject({
      method: 'POST',
      url: '/files/stats',
      headers: { 'im-client-key': other.clientKey, 'im-authorization': other.token },
      payload: {},
    });
    expect(expectOk(asUser)).toMatchObject({ data: {}, totalCount: 0, totalSize: 0 });
  });

  it('answers 400 INVALID_REQUEST for bad tags or times and a reversed range; 401 without credentials', async () => {
    for (const body of [
      { tags: 'demo' },
      { tags: [1] },
      { tags: [''] },
      { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) },
      { rangeStart: 'yesterday' },
      { rangeEnd: '2024-02-30T00:00:00Z' },
      { rangeStart: true },
      { rangeStart: '2024-02-02T00:00:00Z', rangeEnd: '2024-02-01T00:00:00Z' },
    ]) {
      const response = await t.asUser(tokens.ann!, 'POST', '/files/stats', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code, JSON.stringify(body)).toBe('INVALID_REQUEST');
    }
    const none = await t.app.inject({ method: 'POST', url: '/files/stats', payload: {} });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('MISSING_CLIENT_KEY');
  });
});
