import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest } from '../../helpers/errors.js';
import { expectError } from '../../helpers/users-suite.js';

/** Users (spec 3.1, 3.3, 3.4, 3.5, 12 items 17-24): upsert, batch, list and search, get, delete, `GET /me`. */

describe('POST /admin/clients/list (batch, spec 3.3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const exists = async (id: string) =>
    (await t.admin('GET', `/admin/clients/${encodeURIComponent(id)}`)).statusCode === 200;

  it('creates or updates every item and answers the count', async () => {
    const response = await t.admin('POST', '/admin/clients/list', {
      data: [
        { _id: 'batch-1', nickname: 'One' },
        { _id: 'batch-2', nickname: 'Two', avatarUrl: 'http://x/2.png' },
        { _id: 'batch-3', team: 'blue' },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { count: 3 } });
    expect(expectOk(await t.admin('GET', '/admin/clients/batch-2'))).toMatchObject({
      nickname: 'Two',
      avatarUrl: 'http://x/2.png',
    });
    expect(expectOk(await t.admin('GET', '/admin/clients/batch-3'))).toMatchObject({ nickname: '', team: 'blue' });

    // Idempotent, and partial like the single upsert.
    const again = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'batch-1', avatarUrl: 'http://x/1.png' }, { _id: 'batch-2' }],
    });
    expect(again.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { count: 2 } });
    expect(expectOk(await t.admin('GET', '/admin/clients/batch-1'))).toMatchObject({
      nickname: 'One',
      avatarUrl: 'http://x/1.png',
    });
    expect(expectOk(await t.admin('GET', '/admin/clients/batch-2'))).toMatchObject({
      nickname: 'Two',
      avatarUrl: 'http://x/2.png',
    });
    expect(expectOk(await t.admin('GET', '/admin/clients')).totalCount).toBe(3);
  });

  it('counts a user named twice in one batch once; the later item wins', async () => {
    const response = await t.admin('POST', '/admin/clients/list', {
      data: [
        { _id: 'twice', nickname: 'First' },
        { _id: 'twice', nickname: 'Second' },
      ],
    });
    expect(response.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { count: 1 } });
    expect(expectOk(await t.admin('GET', '/admin/clients/twice')).nickname).toBe('Second');
    await t.admin('DELETE', '/admin/clients/twice');
  });

  it('accepts an empty list', async () => {
    expect((await t.admin('POST', '/admin/clients/list', { data: [] })).json()).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: { count: 0 },
    });
  });

  it('validates the whole list first: one bad item is a 400 naming its index and nothing is written', async () => {
    const missing = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'aon-1' }, { _id: 'aon-2' }, { nickname: 'no id' }],
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest('data[2]: Missing required field: _id'));

    const empty = await t.admin('POST', '/admin/clients/list', { data: [{ _id: '' }, { _id: 'aon-2' }] });
    expect(empty.json()).toStrictEqual(badRequest('data[0]: Missing required field: _id'));

    const custom = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'aon-1' }, { _id: 'aon-2', 'bad name': 1 }],
    });
    expectError(custom, 400, 'INVALID_REQUEST', /^data\[1\]: Custom field "bad name"/);

    const typed = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'aon-1' }, { _id: 'aon-2', nickname: 7 }],
    });
    expectError(typed, 400, 'INVALID_REQUEST', /data\/1\/nickname/);

    const nonString = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'aon-1' }, { _id: 'aon-2' }, { _id: 'aon-3' }, { _id: 4 }],
    });
    expectError(nonString, 400, 'INVALID_REQUEST', /data\/3\/_id/);

    for (const id of ['aon-1', 'aon-2', 'aon-3']) expect(await exists(id), id).toBe(false);
  });

  it('refuses a body whose data is missing or not an array of objects', async () => {
    expectError(await t.admin('POST', '/admin/clients/list', {}), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients/list', { data: 'users' }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients/list', { data: { _id: 'x' } }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients/list', { data: ['x'] }), 400, 'INVALID_REQUEST');
  });

  it('refuses more than 1000 items with 400 and writes nothing; exactly 1000 is accepted', async () => {
    const items = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ _id: `${prefix}-${String(i).padStart(4, '0')}` }));
    const tooMany = await t.admin('POST', '/admin/clients/list', { data: items(1001, 'over') });
    expectError(tooMany, 400, 'INVALID_REQUEST', /1000/);
    expect(await exists('over-0000')).toBe(false);

    const full = await t.admin('POST', '/admin/clients/list', { data: items(1000, 'full') });
    expect(full.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { count: 1000 } });
    const listed = expectOk(
      await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"_id":{"$regex":"^full-"}}')}&limit=1`),
    );
    expect(listed.totalCount).toBe(1000);
  });

  it('stores custom fields but never issues tokens', async () => {
    const response = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'batch-tok', issueAccessToken: true, token: 'batch-token-value', rank: 2 }],
    });
    expect(response.json()).toStrictEqual({ RC: 0, RM: 'OK', result: { count: 1 } });
    const user = expectOk(await t.admin('GET', '/admin/clients/batch-tok'));
    expect(user.rank).toBe(2);
    expect(user).not.toHaveProperty('token');
    expect(user).not.toHaveProperty('issueAccessToken');
    const tokens = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('user_id', '=', 'batch-tok')
      .execute();
    expect(tokens).toHaveLength(0);
    expect((await t.asUser('batch-token-value', 'GET', '/me')).statusCode).toBe(401);
  });
});

describe('GET /admin/clients paging (spec 3.4, 1.8)', () => {
  let t: TestApp;
  const ids = Array.from({ length: 120 }, (_, i) => `p${String(i).padStart(3, '0')}`);
  beforeAll(async () => {
    t = await buildTestApp();
    // Written in a shuffled order so that the answer's order comes from sorting.
    const shuffled = [...ids].sort((a, b) =>
      a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1,
    );
    const response = await t.admin('POST', '/admin/clients/list', {
      data: shuffled.map((id) => ({ _id: id, nickname: id.toUpperCase() })),
    });
    expect(response.statusCode).toBe(200);
    await t.createUser('p005');
    await t.admin('POST', '/admin/clients', { _id: 'p006', token: 'paging-bound-token' });
  });
  afterAll(() => t.close());

  const page = async (query: string) => expectOk(await t.admin('GET', `/admin/clients${query}`));
  const pageIds = (result: { data: Array<{ _id: string }> }) => result.data.map((user) => user._id);

  it('defaults to 50 users from skip 0, in ascending _id order, with totalCount of all matches', async () => {
    const result = await page('');
    expect(Object.keys(result).sort()).toStrictEqual(['data', 'totalCount']);
    expect(result.totalCount).toBe(120);
    expect(pageIds(result)).toStrictEqual(ids.slice(0, 50));
  });

  it('honours skip and limit', async () => {
    expect(pageIds(await page('?limit=10&skip=5'))).toStrictEqual(ids.slice(5, 15));
    const last = await page('?skip=100&limit=50');
    expect(last.totalCount).toBe(120);
    expect(pageIds(last)).toStrictEqual(ids.slice(100));
    const beyond = await page('?skip=500');
    expect(beyond).toStrictEqual({ totalCount: 120, data: [] });
    expect(pageIds(await page('?limit=1'))).toStrictEqual(['p000']);
  });

  it('clamps limit to 100 and treats 0 as the default', async () => {
    expect(pageIds(await page('?limit=100'))).toStrictEqual(ids.slice(0, 100));
    const clamped = await page('?limit=1000');
    expect(clamped.totalCount).toBe(120);
    expect(pageIds(clamped)).toStrictEqual(ids.slice(0, 100));
    expect(pageIds(await page('?limit=0'))).toHaveLength(50);
  });

  it('pages through everything without gaps or repeats', async () => {
    const seen: string[] = [];
    for (let skip = 0; skip < 200; skip += 7) {
      const result = await page(`?skip=${skip}&limit=7`);
      expect(result.totalCount).toBe(120);
      if (result.data.length === 0) break;
      seen.push(...pageIds(result));
    }
    expect(seen).toStrictEqual(ids);
  });

  it('counts all matches of a filter, not just the page', async () => {
    const result = await page(`?q=${encodeURIComponent('{"_id":{"$regex":"^p1"}}')}&limit=5&skip=2`);
    expect(result.totalCount).toBe(20);
    expect(pageIds(result)).toStrictEqual(['p102', 'p103', 'p104', 'p105', 'p106']);
  });

  it('refuses paging values that are not non-negative integers', async () => {
    for (const query of ['?limit=-1', '?limit=abc', '?skip=-1', '?skip=1.5', '?skip=x']) {
      expectError(await t.admin('GET', `/admin/clients${query}`), 400, 'INVALID_REQUEST');
    }
  });

  it('never includes tokens', async () => {
    const result = await page('?limit=100');
    for (const user of result.data) {
      for (const absent of ['token', 'expirationDate', 'expirationDateMS', 'issueAccessToken', 'tokens'])
        expect(user, user._id).not.toHaveProperty(absent);
    }
    expect(JSON.stringify(result)).not.toContain('paging-bound-token');
  });
});
