import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, sleep } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest } from '../../helpers/errors.js';
import { expectOkEnvelope, ISO } from '../../helpers/wire.js';
import { expectError } from '../../helpers/users-suite.js';

/** Users (spec 3.1, 3.3, 3.4, 3.5, 12 items 17-24): upsert, batch, list and search, get, delete, `GET /me`. */

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
      clientType: 'user',
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
        clientType: 'group',
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
      clientType: 'user',
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
