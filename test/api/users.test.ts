import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { expectOk, sleep } from '../helpers/expect.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { badRequest, clientNotFound, expectOkEnvelope, INVALID_TOKEN, ISO } from '../helpers/wire.js';

/** Users (spec 3.1, 3.3, 3.4, 3.5, 12 items 17-24): upsert, batch, list and search, get, delete, `GET /me`. */

const notFound = (id: string) => clientNotFound(id);

function expectError(response: LightMyRequestResponse, status: number, code: string, message?: string | RegExp): void {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'error']);
  expect(body.RC).toBe(status);
  expect(typeof body.RM).toBe('string');
  expect(Object.keys(body.error).sort()).toStrictEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  if (message instanceof RegExp) expect(body.error.message).toMatch(message);
}

describe('POST /admin/clients (create or update, spec 3.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('creates a user and answers the enveloped user object without token fields', async () => {
    const before = Date.now();
    const response = await t.admin('POST', '/admin/clients', {
      _id: 'create-1',
      nickname: 'Create One',
      avatarUrl: 'http://example.com/a.png',
    });
    const result = expectOkEnvelope(response);
    expect(result).toStrictEqual({
      _id: 'create-1',
      id: 'create-1',
      appID: t.appId,
      __v: 0,
      nickname: 'Create One',
      avatarUrl: 'http://example.com/a.png',
      lastLoginTimeMS: 0,
      isRobot: false,
      mute: [],
      notificationEnabled: true,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(result.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(result.createdAt).toBe(result.updatedAt);
    for (const absent of ['token', 'expirationDate', 'expirationDateMS', 'issueAccessToken'])
      expect(result).not.toHaveProperty(absent);
  });

  it('defaults nickname and avatarUrl to empty strings', async () => {
    const result = expectOk(await t.admin('POST', '/admin/clients', { _id: 'bare' }));
    expect(result.nickname).toBe('');
    expect(result.avatarUrl).toBe('');
    expect(result).not.toHaveProperty('email');
    expect(result).not.toHaveProperty('description');
  });

  it('updates only the given fields and keeps the others (partial update)', async () => {
    const created = expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'partial',
        nickname: 'Before',
        avatarUrl: 'http://a/1.png',
        email: 'p@example.com',
        description: 'desc',
        isRobot: true,
        notificationEnabled: false,
        city: 'Taipei',
      }),
    );
    await sleep(5);
    const updated = expectOk(await t.admin('POST', '/admin/clients', { _id: 'partial', avatarUrl: 'http://a/2.png' }));
    expect(updated).toMatchObject({
      _id: 'partial',
      nickname: 'Before',
      avatarUrl: 'http://a/2.png',
      email: 'p@example.com',
      description: 'desc',
      isRobot: true,
      notificationEnabled: false,
      city: 'Taipei',
    });
    expect(updated.createdAt).toBe(created.createdAt);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));

    const renamed = expectOk(await t.admin('POST', '/admin/clients', { _id: 'partial', nickname: 'After' }));
    expect(renamed).toMatchObject({
      nickname: 'After',
      avatarUrl: 'http://a/2.png',
      email: 'p@example.com',
      city: 'Taipei',
    });

    const fetched = expectOk(await t.admin('GET', '/admin/clients/partial'));
    expect(fetched).toStrictEqual({ ...renamed, updatedAt: fetched.updatedAt });
  });

  it('clears email and description when they are sent as null', async () => {
    await t.admin('POST', '/admin/clients', { _id: 'clearable', email: 'c@example.com', description: 'text' });
    const cleared = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'clearable', email: null, description: null }),
    );
    expect(cleared).not.toHaveProperty('email');
    expect(cleared).not.toHaveProperty('description');
  });

  it('stores custom fields of every JSON type and returns them at the top level everywhere', async () => {
    const custom = {
      level: 3,
      score: 1.5,
      vip: true,
      banned: false,
      title: 'Captain',
      tags: ['a', 'b'],
      meta: { team: 'red', n: 1 },
      empty: null,
    };
    const token = await t.createUser('custom-1', custom);
    const created = expectOk(await t.admin('GET', '/admin/clients/custom-1'));
    expect(created).toMatchObject(custom);

    const listed = expectOk(
      await t.admin('GET', `/admin/clients?q=${encodeURIComponent(JSON.stringify({ _id: 'custom-1' }))}`),
    );
    expect(listed.data[0]).toMatchObject(custom);
    const me = expectOk(await t.asUser(token, 'GET', '/me'));
    expect(me).toMatchObject(custom);

    // An update merges: new custom fields are added, sent ones replaced, the rest kept.
    const merged = expectOk(await t.admin('POST', '/admin/clients', { _id: 'custom-1', level: 4, extra: 'x' }));
    expect(merged).toMatchObject({ ...custom, level: 4, extra: 'x' });
  });

  it('bounds custom data at 16 KiB per user in total, not just per call', async () => {
    const tooBig = 'Custom fields must total at most 16384 bytes';
    expectError(
      await t.admin('POST', '/admin/clients', { _id: 'big-once', blob: 'x'.repeat(17_000) }),
      400,
      'INVALID_REQUEST',
      tooBig,
    );
    expectError(await t.admin('GET', '/admin/clients/big-once'), 404, 'CLIENT_NOT_FOUND');

    expectOk(await t.admin('POST', '/admin/clients', { _id: 'big-twice', nickname: 'Big', first: 'x'.repeat(10_000) }));
    expectError(
      await t.admin('POST', '/admin/clients', { _id: 'big-twice', nickname: 'Bigger', second: 'y'.repeat(10_000) }),
      400,
      'INVALID_REQUEST',
      tooBig,
    );
    const kept = expectOk(await t.admin('GET', '/admin/clients/big-twice'));
    expect(kept.nickname).toBe('Big');
    expect(kept.first).toHaveLength(10_000);
    expect(kept).not.toHaveProperty('second');
    // Replacing a field counts its new size only.
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'big-twice', first: 'z'.repeat(12_000) }));

    const batch = await t.admin('POST', '/admin/clients/list', {
      data: [{ _id: 'big-batch-new' }, { _id: 'big-twice', third: 'w'.repeat(10_000) }],
    });
    expectError(batch, 400, 'INVALID_REQUEST', `data[1]: ${tooBig}`);
    expectError(await t.admin('GET', '/admin/clients/big-batch-new'), 404, 'CLIENT_NOT_FOUND');
    expect(expectOk(await t.admin('GET', '/admin/clients/big-twice'))).not.toHaveProperty('third');
  });

  it('ignores reserved field names instead of storing them as custom data', async () => {
    const result = expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'reserved',
        nickname: 'R',
        appID: 'OtherApp',
        id: 'someone-else',
        __v: 7,
        mute: ['room-1'],
        address: { port: 1, family: 'IPv4', address: '1.2.3.4' },
        userAgent: 'agent',
        lastLoginTime: '2020-01-01T00:00:00.000Z',
        lastLoginTimeMS: 123,
        lastJoinOrCreateRoomTime: '2020-01-01T00:00:00.000Z',
        createdAt: '2000-01-01T00:00:00.000Z',
        createdAtMS: 1,
        updatedAt: '2000-01-01T00:00:00.000Z',
        updatedAtMS: 1,
        members: ['x'],
        isGroup: true,
        client: 'c',
        expirationDateMS: 5,
      }),
    );
    expect(result).toStrictEqual({
      _id: 'reserved',
      id: 'reserved',
      appID: t.appId,
      __v: 0,
      nickname: 'R',
      avatarUrl: '',
      lastLoginTimeMS: 0,
      isRobot: false,
      mute: [],
      notificationEnabled: true,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(result.createdAt).not.toBe('2000-01-01T00:00:00.000Z');
    // Not turned into a group: still a user.
    expectOk(await t.admin('GET', '/admin/clients/reserved'));
    expectError(await t.admin('GET', '/admin/groups/reserved'), 404, 'GROUP_NOT_FOUND');
    const stored = await t.services.storage.db
      .selectFrom('users')
      .select(['custom', 'is_group'])
      .where('id', '=', 'reserved')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.custom)).toStrictEqual({});
    expect(stored.is_group).toBe(0);
  });

  it('refuses invalid custom field names with 400 INVALID_REQUEST and writes nothing', async () => {
    for (const name of ['a.b', '$set', 'with space', '', '-leading-dash', 'x'.repeat(65), 'ünïcode', 'semi;colon']) {
      const response = await t.admin('POST', '/admin/clients', { _id: 'bad-custom', [name]: 1 });
      expectError(response, 400, 'INVALID_REQUEST', /^Custom field ".*" must be 1 to 64 letters, digits, "_" or "-"$/);
    }
    expectError(await t.admin('GET', '/admin/clients/bad-custom'), 404, 'CLIENT_NOT_FOUND');
    // The longest allowed name is fine.
    expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'good-custom',
        ['x'.repeat(64)]: 1,
        'with-dash_and_underscore': 2,
      }),
    );
  });

  it('refuses a missing, empty or non-string _id with 400 INVALID_REQUEST (shape B)', async () => {
    const missing = await t.admin('POST', '/admin/clients', { nickname: 'no id' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest('Missing required field: _id'));

    const empty = await t.admin('POST', '/admin/clients', { _id: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toStrictEqual(badRequest('Missing required field: _id'));

    for (const id of [42, true, null, ['a'], { a: 1 }]) {
      expectError(await t.admin('POST', '/admin/clients', { _id: id }), 400, 'INVALID_REQUEST');
    }
    expectError(
      await t.admin('POST', '/admin/clients', { _id: 'x'.repeat(256) }),
      400,
      'INVALID_REQUEST',
      '_id must be at most 255 characters',
    );
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'y'.repeat(255) }));
  });

  it('refuses a non-boolean issueAccessToken with 400 and creates nothing', async () => {
    for (const value of ['true', 1, 0, null, {}]) {
      expectError(
        await t.admin('POST', '/admin/clients', { _id: 'iat-bad', issueAccessToken: value }),
        400,
        'INVALID_REQUEST',
      );
    }
    expectError(await t.admin('GET', '/admin/clients/iat-bad'), 404, 'CLIENT_NOT_FOUND');
  });

  it('refuses wrongly typed known fields and bodies that are not JSON objects', async () => {
    expectError(await t.admin('POST', '/admin/clients', { _id: 'typed', nickname: 5 }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients', { _id: 'typed', avatarUrl: false }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients', { _id: 'typed', isRobot: 'yes' }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients', { _id: 'typed', token: '' }), 400, 'INVALID_REQUEST');
    expectError(await t.admin('POST', '/admin/clients', ['typed']), 400, 'INVALID_REQUEST');
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/admin/clients',
      payload: '{"_id": "typed",',
      headers: { 'im-api-key': t.apiKey, 'content-type': 'application/json' },
    });
    expectError(malformed, 400, 'INVALID_REQUEST');
    expectError(await t.admin('GET', '/admin/clients/typed'), 404, 'CLIENT_NOT_FOUND');
  });

  it('is a pure upsert: never 404 or 409, however often it is called', async () => {
    for (let i = 0; i < 3; i++) {
      const result = expectOk(
        await t.admin('POST', '/admin/clients', { _id: 'repeat', nickname: `n${i}`, issueAccessToken: i === 1 }),
      );
      expect(result.nickname).toBe(`n${i}`);
    }
    const list = expectOk(await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"_id":"repeat"}')}`));
    expect(list.totalCount).toBe(1);
  });

  it('creates a new user once when several requests upsert it at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `concurrent-${round}`;
      const responses = await Promise.all(
        [1, 2, 3].map((n) => t.admin('POST', '/admin/clients', { _id: id, [`field${n}`]: n })),
      );
      for (const response of responses) expect(response.statusCode, response.body).toBe(200);
      const user = expectOk(await t.admin('GET', `/admin/clients/${id}`));
      // Every request's custom field landed: the losers updated instead of failing.
      expect(user).toMatchObject({ field1: 1, field2: 2, field3: 3 });
    }
  });

  it('returns token and expirationDate only when a token was issued or bound by this call', async () => {
    const issued = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'tokened', nickname: 'T', issueAccessToken: true }),
    );
    expect(issued).toMatchObject({
      _id: 'tokened',
      id: 'tokened',
      appID: t.appId,
      nickname: 'T',
      issueAccessToken: true,
    });
    expect(typeof issued.token).toBe('string');
    expect(issued.expirationDate).toMatch(ISO);
    expect(issued.expirationDateMS).toBe(Date.parse(issued.expirationDate));

    const plain = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'tokened', nickname: 'T2', issueAccessToken: false }),
    );
    for (const absent of ['token', 'expirationDate', 'expirationDateMS', 'issueAccessToken'])
      expect(plain).not.toHaveProperty(absent);

    const bound = expectOk(
      await t.admin('POST', '/admin/clients', {
        _id: 'tokened',
        token: 'tokened-own-token',
        expirationDate: '2099-01-01T00:00:00Z',
      }),
    );
    expect(bound).toMatchObject({
      token: 'tokened-own-token',
      expirationDate: '2099-01-01T00:00:00.000Z',
      issueAccessToken: false,
    });

    // `token` next to issueAccessToken: true is ignored: the server issues one.
    const both = expectOk(
      await t.admin('POST', '/admin/clients', { _id: 'tokened', issueAccessToken: true, token: 'ignored-token' }),
    );
    expect(both.token).not.toBe('ignored-token');
    expect((await t.asUser('ignored-token', 'GET', '/me')).statusCode).toBe(401);
    expect((await t.asUser(both.token, 'GET', '/me')).statusCode).toBe(200);

    // The token is never stored on the user object.
    const fetched = expectOk(await t.admin('GET', '/admin/clients/tokened'));
    for (const absent of ['token', 'expirationDate', 'expirationDateMS', 'issueAccessToken'])
      expect(fetched).not.toHaveProperty(absent);
  });
});

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

describe('GET /admin/clients?q= (Mongo-style filter, spec 3.4)', () => {
  let t: TestApp;
  const FIVE_THOUSAND_A = `${'a'.repeat(5000)}!`;
  const day = (iso: string) => Date.parse(iso);

  beforeAll(async () => {
    t = await buildTestApp();
    const users: Array<Record<string, unknown>> = [
      { _id: 'alice', nickname: 'Alice', email: 'alice@example.com', level: 5, score: 1.5, vip: true, city: 'Taipei' },
      { _id: 'bob', nickname: 'bob', email: 'bob@example.org', level: 10, score: 0.5, vip: false, city: 'Tainan' },
      { _id: 'carol', nickname: 'Carol', level: 'high', tags: ['x', 'y'], meta: { a: 1 }, city: 'Kaohsiung' },
      { _id: 'dave', nickname: 'Dave', email: 'dave@example.com', vip: null, isRobot: true, constructor: 'builder' },
      { _id: 'evil', nickname: 'placeholder', bio: FIVE_THOUSAND_A },
    ];
    for (const user of users) expect((await t.admin('POST', '/admin/clients', user)).statusCode).toBe(200);
    const db = t.services.storage.db;
    const times: Record<string, { created: number; login: number }> = {
      alice: { created: day('2020-01-01T00:00:00Z'), login: day('2022-01-01T00:00:00Z') },
      bob: { created: day('2021-01-01T00:00:00Z'), login: day('2023-01-01T00:00:00Z') },
      carol: { created: day('2022-01-01T00:00:00Z'), login: 0 },
      dave: { created: day('2023-01-01T00:00:00Z'), login: 0 },
      evil: { created: day('2024-01-01T00:00:00Z'), login: 0 },
    };
    for (const [id, time] of Object.entries(times)) {
      await db
        .updateTable('users')
        .set({ created_at: time.created, last_login_time: time.login })
        .where('app_id', '=', t.appId)
        .where('id', '=', id)
        .execute();
    }
    // Longer than the API accepts for a nickname: written straight to storage.
    await db
      .updateTable('users')
      .set({ nickname: FIVE_THOUSAND_A })
      .where('app_id', '=', t.appId)
      .where('id', '=', 'evil')
      .execute();
  });
  afterAll(() => t.close());

  const search = (q: unknown) =>
    t.admin('GET', `/admin/clients?q=${encodeURIComponent(typeof q === 'string' ? q : JSON.stringify(q))}`);

  async function matches(q: unknown): Promise<string[]> {
    const result = expectOk(await search(q));
    expect(result.totalCount, JSON.stringify(q)).toBe(result.data.length);
    return result.data.map((user: { _id: string }) => user._id);
  }

  async function expectInvalidQuery(q: unknown, message?: string | RegExp): Promise<void> {
    const response = await search(q);
    expectError(response, 400, 'INVALID_QUERY', message);
    expect(response.json().RM).toBe('Invalid query syntax');
  }

  const cases: Array<[string, unknown, string[]]> = [
    ['an empty filter', {}, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['a bare value (implicit $eq)', { nickname: 'bob' }, ['bob']],
    ['$eq', { nickname: { $eq: 'Alice' } }, ['alice']],
    ['$eq is case-sensitive', { nickname: { $eq: 'alice' } }, []],
    ['$ne', { nickname: { $ne: 'bob' } }, ['alice', 'carol', 'dave', 'evil']],
    [
      '$ne on email also matches users without one',
      { email: { $ne: 'alice@example.com' } },
      ['bob', 'carol', 'dave', 'evil'],
    ],
    ['email: null matches users without one', { email: null }, ['carol', 'evil']],
    ['email: {$ne: null}', { email: { $ne: null } }, ['alice', 'bob', 'dave']],
    ['$exists true on email', { email: { $exists: true } }, ['alice', 'bob', 'dave']],
    ['$exists false on email', { email: { $exists: false } }, ['carol', 'evil']],
    ['$regex on email', { email: { $regex: '@example\\.com$' } }, ['alice', 'dave']],
    ['$regex is case-sensitive without options', { nickname: { $regex: '^[a-c]' } }, ['bob', 'evil']],
    ['$regex with $options i', { nickname: { $regex: '^[a-c]', $options: 'i' } }, ['alice', 'bob', 'carol', 'evil']],
    ['$regex matches anywhere unless anchored', { nickname: { $regex: 'ar' } }, ['carol']],
    ['$in on _id', { _id: { $in: ['alice', 'dave', 'nobody'] } }, ['alice', 'dave']],
    ['an empty $in', { _id: { $in: [] } }, []],
    ['$nin on _id', { _id: { $nin: ['alice', 'dave'] } }, ['bob', 'carol', 'evil']],
    ['an empty $nin', { _id: { $nin: [] } }, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['$gt and $lte on _id', { _id: { $gt: 'bob', $lte: 'dave' } }, ['carol', 'dave']],
    ['$gte and $lt on _id', { _id: { $gte: 'bob', $lt: 'dave' } }, ['bob', 'carol']],
    ['lastLoginTimeMS $gt 0', { lastLoginTimeMS: { $gt: 0 } }, ['alice', 'bob']],
    ['lastLoginTimeMS $gte', { lastLoginTimeMS: { $gte: day('2023-01-01T00:00:00Z') } }, ['bob']],
    ['lastLoginTimeMS equal to 0 (never logged in)', { lastLoginTimeMS: 0 }, ['carol', 'dave', 'evil']],
    ['lastLoginTimeMS range', { lastLoginTimeMS: { $gt: 0, $lt: day('2023-01-01T00:00:00Z') } }, ['alice']],
    [
      'lastLoginTimeMS $lte',
      { lastLoginTimeMS: { $lte: day('2022-01-01T00:00:00Z') } },
      ['alice', 'carol', 'dave', 'evil'],
    ],
    ['lastLoginTimeMS compared with a string never matches', { lastLoginTimeMS: { $gt: '0' } }, []],
    [
      'createdAt range given as ISO strings',
      { createdAt: { $gte: '2021-01-01T00:00:00.000Z', $lt: '2023-01-01T00:00:00Z' } },
      ['bob', 'carol'],
    ],
    [
      'createdAt range given as milliseconds',
      { createdAt: { $gte: day('2021-01-01T00:00:00Z'), $lt: day('2023-01-01T00:00:00Z') } },
      ['bob', 'carol'],
    ],
    ['createdAt as an extended-JSON $date', { createdAt: { $lte: { $date: '2020-06-01T00:00:00Z' } } }, ['alice']],
    ['createdAt equal to an ISO string', { createdAt: '2022-01-01T00:00:00.000Z' }, ['carol']],
    ['createdAt $gt', { createdAt: { $gt: '2023-01-01T00:00:00Z' } }, ['evil']],
    ['createdAt $in', { createdAt: { $in: ['2020-01-01T00:00:00Z', day('2024-01-01T00:00:00Z')] } }, ['alice', 'evil']],
    ['a custom number', { level: 5 }, ['alice']],
    ['a custom number $gt', { level: { $gt: 5 } }, ['bob']],
    ['a custom number $gte', { level: { $gte: 5 } }, ['alice', 'bob']],
    ['a custom number $lt', { level: { $lt: 10 } }, ['alice']],
    ['a custom number $lte', { level: { $lte: 10 } }, ['alice', 'bob']],
    ['a custom number range in one condition', { level: { $gt: 1, $lt: 10 } }, ['alice']],
    ['a custom float', { score: { $gt: 1.2 } }, ['alice']],
    ['a custom string value of a mostly numeric field', { level: 'high' }, ['carol']],
    ['a custom $in mixing types', { level: { $in: [5, 'high'] } }, ['alice', 'carol']],
    [
      'a custom $nin also matches other types and absent fields',
      { level: { $nin: [5, 10] } },
      ['carol', 'dave', 'evil'],
    ],
    [
      'a custom $ne also matches other types and absent fields',
      { level: { $ne: 5 } },
      ['bob', 'carol', 'dave', 'evil'],
    ],
    ['a custom $exists false', { level: { $exists: false } }, ['dave', 'evil']],
    ['a custom $exists true', { level: { $exists: true } }, ['alice', 'bob', 'carol']],
    ['$type number on a custom field', { level: { $type: 'number' } }, ['alice', 'bob']],
    ['$type by BSON alias and number', { level: { $type: 'int' } }, ['alice', 'bob']],
    ['$type by BSON type number', { level: { $type: 2 } }, ['carol']],
    ['$type string on a custom field', { level: { $type: 'string' } }, ['carol']],
    ['a custom string $regex', { city: { $regex: '^tai', $options: 'i' } }, ['alice', 'bob']],
    ['a custom string $regex, case-sensitive', { city: { $regex: '^tai' } }, []],
    ['a custom string $regex at the end', { city: { $regex: 'nan$' } }, ['bob']],
    ['$regex never matches a number', { level: { $regex: '5' } }, []],
    ['a custom string $gt', { city: { $gt: 'Tainan' } }, ['alice']],
    ['a custom boolean true', { vip: true }, ['alice']],
    ['a custom boolean false', { vip: false }, ['bob']],
    ['a custom boolean $ne', { vip: { $ne: true } }, ['bob', 'carol', 'dave', 'evil']],
    ['a custom boolean $in', { vip: { $in: [true, false] } }, ['alice', 'bob']],
    ['$type bool', { vip: { $type: 'bool' } }, ['alice', 'bob']],
    ['$type null', { vip: { $type: 'null' } }, ['dave']],
    ['a custom null also matches absent fields', { vip: null }, ['carol', 'dave', 'evil']],
    ['a custom $ne null', { vip: { $ne: null } }, ['alice', 'bob']],
    ['$exists true counts an explicit null', { vip: { $exists: true } }, ['alice', 'bob', 'dave']],
    ['$type array', { tags: { $type: 'array' } }, ['carol']],
    ['$type object', { meta: { $type: 'object' } }, ['carol']],
    ['a custom field named like an Object.prototype member', { constructor: 'builder' }, ['dave']],
    ['$exists on a custom field named like an Object.prototype member', { hasOwnProperty: { $exists: true } }, []],
    ['isRobot', { isRobot: true }, ['dave']],
    [
      '$exists true on a field every user has',
      { nickname: { $exists: true } },
      ['alice', 'bob', 'carol', 'dave', 'evil'],
    ],
    ['$exists false on a field every user has', { nickname: { $exists: false } }, []],
    ['$type string on nickname', { nickname: { $type: 'string' } }, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['$type string on lastLoginTimeMS', { lastLoginTimeMS: { $type: 'string' } }, []],
    ['two fields ANDed', { nickname: { $regex: '^[A-Z]' }, email: { $exists: true } }, ['alice', 'dave']],
    ['a custom and a known field ANDed', { level: { $gte: 5 }, vip: false }, ['bob']],
    [
      'three fields ANDed',
      { email: { $regex: 'example\\.com$' }, lastLoginTimeMS: { $gt: 0 }, city: 'Taipei' },
      ['alice'],
    ],
    ['ANDed fields that exclude each other', { _id: 'alice', nickname: 'bob' }, []],
    ['the long nickname with a linear pattern', { nickname: { $regex: '^a+!$' } }, ['evil']],
  ];

  for (const [name, q, expected] of cases) {
    it(`filters by ${name}`, async () => {
      expect(await matches(q)).toStrictEqual(expected);
    });
  }

  it('answers catastrophic-backtracking patterns against a 5001-character value (linear-time engine)', async () => {
    for (const pattern of ['(a+)+$', '(a|aa)*b', '^(a+)+$', '(a*)*b', '(a|a)*c', '^(\\w+\\s?)*$']) {
      // Pinned to the long value, so that the pattern really runs against it.
      expect(await matches({ _id: 'evil', nickname: { $regex: pattern } }), pattern).toStrictEqual([]);
      expect(await matches({ bio: { $regex: pattern } }), pattern).toStrictEqual([]);
    }
    // The same engine still finds what is there.
    expect(await matches({ nickname: { $regex: '^(a+)+!$' } })).toStrictEqual(['evil']);
    expect(await matches({ bio: { $regex: '(a|aa)*!' } })).toStrictEqual(['evil']);
  }, 60_000);

  it('refuses backreferences, lookarounds and other unsupported regex syntax with 400 INVALID_QUERY', async () => {
    for (const pattern of [
      '(a)\\1',
      '(a+)\\1',
      'a(?=b)',
      'a(?!b)',
      '(?<=a)b',
      '(?<!a)b',
      '(?P<name>a)',
      '(?<name>a)',
      '(?i)alice',
      '\\bbob',
      '[unclosed',
      '(open',
      'a{2,1}',
      '*a',
    ]) {
      await expectInvalidQuery({ nickname: { $regex: pattern } });
    }
    await expectInvalidQuery({ nickname: { $regex: 'a'.repeat(257) } }, '$regex is longer than 256 characters');
    await expectInvalidQuery({ nickname: { $regex: 5 } }, '$regex takes a string');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 'g' } }, '$options supports only "i"');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 'im' } }, '$options supports only "i"');
    await expectInvalidQuery({ nickname: { $options: 'i' } }, '$options must be a string next to $regex');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 1 } }, '$options must be a string next to $regex');
  });

  it('refuses operators outside the whitelist with 400 INVALID_QUERY', async () => {
    const refused: unknown[] = [
      { $where: 'this.nickname == "bob"' },
      { $where: 'sleep(1000)' },
      { $expr: { $gt: ['$level', 1] } },
      { nickname: { $function: { body: 'function() { return true }', args: [], lang: 'js' } } },
      { $function: { body: 'x', args: [], lang: 'js' } },
      { $or: [{ nickname: 'bob' }, { nickname: 'Alice' }] },
      { $and: [{ nickname: 'bob' }] },
      { $nor: [{ nickname: 'bob' }] },
      { $text: { $search: 'bob' } },
      { nickname: { $not: { $eq: 'bob' } } },
      { nickname: { $elemMatch: { $eq: 'bob' } } },
      { nickname: { $size: 1 } },
      { nickname: { $all: ['bob'] } },
      { nickname: { $mod: [2, 0] } },
      { level: { $gt: 1, $where: '1' } },
      { nickname: 'bob', $comment: 'x' },
    ];
    for (const q of refused) await expectInvalidQuery(q);
  });

  it('refuses $-keys and paths as field names, and objects that mix operators with plain keys', async () => {
    await expectInvalidQuery({ $nickname: 'bob' }, 'Operator $nickname is not supported here');
    await expectInvalidQuery({ 'meta.$a': 1 }, 'Field "meta.$a" cannot be queried');
    await expectInvalidQuery({ 'meta.a': 1 }, 'Field "meta.a" cannot be queried');
    await expectInvalidQuery({ '': 1 });
    await expectInvalidQuery({ nickname: { $eq: 'bob', plain: 1 } });
    await expectInvalidQuery({ meta: { a: { $where: '1' } } });
    await expectInvalidQuery({ meta: { a: 1 } });
  });

  it('refuses values that are not scalars and malformed operator arguments', async () => {
    await expectInvalidQuery(
      { nickname: { $eq: { a: 1 } } },
      'Filter values must be strings, numbers, booleans or null',
    );
    await expectInvalidQuery({ nickname: ['bob'] });
    await expectInvalidQuery({ nickname: { $in: 'bob' } }, '$in takes an array');
    await expectInvalidQuery({ nickname: { $nin: { a: 1 } } }, '$nin takes an array');
    await expectInvalidQuery(
      { _id: { $in: Array.from({ length: 101 }, (_, i) => `id${i}`) } },
      '$in takes at most 100 values',
    );
    await expectInvalidQuery({ nickname: { $exists: 'yes' } }, '$exists takes true or false');
    await expectInvalidQuery({ nickname: { $type: 'banana' } }, 'Unsupported $type "banana"');
    await expectInvalidQuery({ nickname: { $type: true } });
    await expectInvalidQuery({ createdAt: { $gte: 'yesterday' } }, '"yesterday" is not an ISO-8601 time or a ms epoch');
    for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      await expectInvalidQuery({ level: { $type: inherited } }, `Unsupported $type "${inherited}"`);
      await expectInvalidQuery({ nickname: { $type: inherited } }, `Unsupported $type "${inherited}"`);
    }
  });

  it('refuses q that is not a JSON object, too long, or names too many fields', async () => {
    for (const q of ['{nickname: "bob"}', '{"nickname":', 'not json', '[]', '"bob"', '5', 'null', 'true']) {
      await expectInvalidQuery(q, 'q must be a JSON object');
    }
    await expectInvalidQuery(JSON.stringify({ nickname: 'x'.repeat(5000) }), 'q is longer than 4096 characters');
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 1]));
    await expectInvalidQuery(many, 'q may name at most 20 fields');
    // An empty or blank q is no filter.
    expect(expectOk(await t.admin('GET', '/admin/clients?q=')).totalCount).toBe(5);
    expect(expectOk(await t.admin('GET', '/admin/clients?q=%20')).totalCount).toBe(5);
  });

  it('keeps values as data: SQL in a value is just text', async () => {
    expect(await matches({ nickname: "bob' OR '1'='1" })).toStrictEqual([]);
    await expectInvalidQuery({ "x' OR 1=1 --": 1 }, 'Field "x\' OR 1=1 --" cannot be queried');
    expect(await matches({ nickname: { $regex: "' OR 1=1 --" } })).toStrictEqual([]);
  });
});

describe('GET/DELETE /admin/clients/:id and GET /me (spec 3.5, 12 item 23)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('gets a user by id, URL-decoded and case-sensitive', async () => {
    for (const id of ['mail@example.com', 'with space', 'slash/inside', 'ünï', 'CaseSensitive']) {
      expectOk(await t.admin('POST', '/admin/clients', { _id: id, nickname: id }));
      const result = expectOk(await t.admin('GET', `/admin/clients/${encodeURIComponent(id)}`));
      expect(result._id).toBe(id);
      expect(result.id).toBe(id);
      expect(result.nickname).toBe(id);
    }
    const wrongCase = await t.admin('GET', '/admin/clients/casesensitive');
    expect(wrongCase.statusCode).toBe(404);
    expect(wrongCase.json()).toStrictEqual(notFound('casesensitive'));
  });

  it('answers 404 CLIENT_NOT_FOUND for an unknown user', async () => {
    const response = await t.admin('GET', '/admin/clients/nobody-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toStrictEqual(notFound('nobody-here'));
  });

  it('deletes a user: answers the user, forgets it, and its tokens stop working at once', async () => {
    const token = await t.createUser('doomed', { email: 'doomed@example.com' });
    const bound = 'doomed-bound-token';
    expectOk(
      await t.admin('PUT', '/admin/clients/doomed/token', { token: bound, expirationDate: '2099-01-01T00:00:00Z' }),
    );
    // Both tokens are verified (and so cached) before the deletion.
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(200);
    expect((await t.asUser(bound, 'GET', '/me')).statusCode).toBe(200);

    const deleted = expectOk(await t.admin('DELETE', '/admin/clients/doomed'));
    expect(deleted).toMatchObject({
      _id: 'doomed',
      id: 'doomed',
      nickname: 'doomed',
      email: 'doomed@example.com',
      appID: t.appId,
    });
    expect(deleted).not.toHaveProperty('token');

    for (const old of [token, bound]) {
      const me = await t.asUser(old, 'GET', '/me');
      expect(me.statusCode).toBe(401);
      expect(me.json()).toStrictEqual(INVALID_TOKEN);
    }
    expect((await t.admin('GET', '/admin/clients/doomed')).json()).toStrictEqual(notFound('doomed'));
    expect(
      expectOk(await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"_id":"doomed"}')}`)).totalCount,
    ).toBe(0);
    const rows = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('user_id', '=', 'doomed')
      .execute();
    expect(rows).toHaveLength(0);

    const again = await t.admin('DELETE', '/admin/clients/doomed');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toStrictEqual(notFound('doomed'));

    // Re-creating the id does not bring the old tokens back.
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'doomed' }));
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(401);
    expect((await t.asUser(bound, 'GET', '/me')).statusCode).toBe(401);
  });

  it('keeps other users and their tokens when one user is deleted', async () => {
    const keep = await t.createUser('keeper');
    await t.createUser('goner');
    expectOk(await t.admin('DELETE', '/admin/clients/goner'));
    expect(expectOk(await t.asUser(keep, 'GET', '/me'))._id).toBe('keeper');
  });

  it('GET /me answers the current user with the documented fields and no secrets', async () => {
    const token = await t.createUser('me-user', {
      nickname: 'Me',
      avatarUrl: 'http://x/me.png',
      email: 'me@example.com',
      favourite: 'tea',
    });
    const response = await t.asUser(token, 'GET', '/me');
    const result = expectOkEnvelope(response);
    expect(result).toStrictEqual({
      _id: 'me-user',
      id: 'me-user',
      appID: t.appId,
      __v: 0,
      nickname: 'Me',
      avatarUrl: 'http://x/me.png',
      email: 'me@example.com',
      lastLoginTimeMS: 0,
      isRobot: false,
      mute: [],
      notificationEnabled: true,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      favourite: 'tea',
    });
    expect(response.body).not.toContain(token);
  });

  it('GET /me follows profile updates', async () => {
    const token = await t.createUser('me-later', { nickname: 'Old' });
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'me-later', nickname: 'New', notificationEnabled: false }));
    expect(expectOk(await t.asUser(token, 'GET', '/me'))).toMatchObject({
      nickname: 'New',
      notificationEnabled: false,
    });
  });

  it('GET /me refuses missing and unknown tokens with 401 INVALID_TOKEN', async () => {
    for (const token of ['', 'not-a-token', 'eyJhbGciOiJIUzI1NiJ9.e30.x']) {
      const response =
        token === ''
          ? await t.app.inject({ method: 'GET', url: '/me', headers: { 'im-client-key': t.clientKey } })
          : await t.asUser(token, 'GET', '/me');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toStrictEqual(INVALID_TOKEN);
    }
  });

  it('GET /me with the API key acts for the user named by IM-CLIENT-ID', async () => {
    await t.createUser('named-user');
    expect(expectOk(await t.admin('GET', '/me', undefined, { 'im-client-id': 'named-user' }))._id).toBe('named-user');
    const missing = await t.admin('GET', '/me');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toStrictEqual(badRequest('IM-CLIENT-ID header is required with IM-API-KEY'));
    const unknown = await t.admin('GET', '/me', undefined, { 'im-client-id': 'ghost-user' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toStrictEqual(notFound('ghost-user'));
  });

  it('GET /me refuses an IM-CLIENT-ID that names someone else with 403 INSUFFICIENT_PERMISSIONS (shape B)', async () => {
    const token = await t.createUser('header-owner');
    await t.createUser('header-other');
    const response = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': token, 'im-client-id': 'header-other' },
    });
    expectError(response, 403, 'INSUFFICIENT_PERMISSIONS');
    const same = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': token, 'im-client-id': 'header-owner' },
    });
    expect(expectOk(same)._id).toBe('header-owner');
  });
});
