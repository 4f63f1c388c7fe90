import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { clientNotFound, shapeB } from '../../helpers/errors.js';
import { expectInvalidRequest, expectOkEnvelope } from '../../helpers/wire.js';
import { expectBody, sleep } from '../../helpers/expect.js';

/** User groups (spec 3.6, 12 items 25-27): virtual users sharing the user id space. */

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const OBJECT_ID = /^[0-9a-f]{24}$/;
const GROUP_NOT_FOUND = shapeB(404, 'Not Found', 'GROUP_NOT_FOUND', 'The specified group does not exist');
const GROUP_EXISTS = shapeB(409, 'Conflict', 'GROUP_ALREADY_EXISTS', 'A group with this ID already exists');
const NICKNAME_REQUIRED = shapeB(400, 'Bad Request', 'MISSING_PARAMETER', 'nickname is required');

/** Every success here answers exactly `{ RC, RM, result }`. */
const expectOk = expectOkEnvelope;

describe('POST /admin/groups (spec 3.6.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['m1', 'm2', 'm3'])
      await t.admin('POST', '/admin/clients', { _id: id, nickname: id.toUpperCase() });
  });
  afterAll(() => t.close());

  it('creates a group with the given _id and answers it', async () => {
    const before = Date.now();
    const result = expectOk(
      await t.admin('POST', '/admin/groups', {
        _id: 'team-a',
        nickname: 'Team A',
        avatarUrl: 'http://x/a.png',
        members: ['m1', 'm2'],
      }),
    );
    expect(result).toStrictEqual({
      _id: 'team-a',
      id: 'team-a',
      nickname: 'Team A',
      avatarUrl: 'http://x/a.png',
      clientType: 'group',
      members: ['m1', 'm2'],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(result.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(result.updatedAt).toBe(result.createdAt);
  });

  it('generates a 24-hex ObjectId when _id is absent', async () => {
    const first = expectOk(await t.admin('POST', '/admin/groups', { nickname: 'Generated 1' }));
    const second = expectOk(await t.admin('POST', '/admin/groups', { nickname: 'Generated 2' }));
    for (const group of [first, second]) {
      expect(group._id).toMatch(OBJECT_ID);
      expect(group.id).toBe(group._id);
      expect(group.members).toStrictEqual([]);
      expect(group.avatarUrl).toBe('');
    }
    expect(first._id).not.toBe(second._id);
    // The first 8 hex digits are the creation time in seconds.
    expect(Math.abs(Number.parseInt(first._id.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(120);
    expect(expectOk(await t.admin('GET', `/admin/groups/${first._id}`))._id).toBe(first._id);
  });

  it('requires a nickname: 400 MISSING_PARAMETER', async () => {
    expectBody(await t.admin('POST', '/admin/groups', { _id: 'no-nick', members: ['m1'] }), 400, NICKNAME_REQUIRED);
    expectBody(await t.admin('POST', '/admin/groups', { _id: 'no-nick', nickname: '' }), 400, NICKNAME_REQUIRED);
    expectBody(await t.admin('POST', '/admin/groups', { _id: 'no-nick', nickname: '   ' }), 400, NICKNAME_REQUIRED);
    expectBody(await t.admin('POST', '/admin/groups', {}), 400, NICKNAME_REQUIRED);
    expectBody(await t.admin('GET', '/admin/groups/no-nick'), 404, GROUP_NOT_FOUND);
  });

  it('requires members to be existing users, not groups; writes nothing otherwise', async () => {
    expectInvalidRequest(
      await t.admin('POST', '/admin/groups', {
        _id: 'bad-members',
        nickname: 'B',
        members: ['m1', 'ghost-1', 'ghost-2'],
      }),
      /ghost-1, ghost-2/,
    );
    expectInvalidRequest(
      await t.admin('POST', '/admin/groups', { _id: 'bad-members', nickname: 'B', members: ['team-a'] }),
      /team-a/,
    );
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: 'bad-members', nickname: 'B', members: 'm1' }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: 'bad-members', nickname: 'B', members: [''] }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: 'bad-members', nickname: 'B', members: [1] }));
    expectBody(await t.admin('GET', '/admin/groups/bad-members'), 404, GROUP_NOT_FOUND);
    expectBody(await t.admin('GET', '/admin/clients/bad-members'), 404, clientNotFound('bad-members'));
  });

  it('refuses wrongly typed fields with 400', async () => {
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: 5, nickname: 'N' }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { nickname: 5 }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { nickname: 'N', avatarUrl: false }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: '', nickname: 'N' }));
    expectInvalidRequest(await t.admin('POST', '/admin/groups', { _id: 'x'.repeat(256), nickname: 'N' }));
  });

  it('lists each member once', async () => {
    const result = expectOk(
      await t.admin('POST', '/admin/groups', { _id: 'dupes', nickname: 'D', members: ['m1', 'm2', 'm1', 'm2', 'm3'] }),
    );
    expect(result.members).toStrictEqual(['m1', 'm2', 'm3']);
  });

  it('answers 409 GROUP_ALREADY_EXISTS for an existing group id, leaving the group unchanged', async () => {
    expectBody(
      await t.admin('POST', '/admin/groups', { _id: 'team-a', nickname: 'Again', members: ['m3'] }),
      409,
      GROUP_EXISTS,
    );
    expect(expectOk(await t.admin('GET', '/admin/groups/team-a'))).toMatchObject({
      nickname: 'Team A',
      members: ['m1', 'm2'],
    });
  });

  it('answers 409 GROUP_ALREADY_EXISTS for the id of an existing user, leaving the user unchanged', async () => {
    expectBody(
      await t.admin('POST', '/admin/groups', { _id: 'm1', nickname: 'Hijack', members: ['m2'] }),
      409,
      GROUP_EXISTS,
    );
    const user = expectOk(await t.admin('GET', '/admin/clients/m1'));
    expect(user.nickname).toBe('M1');
    expect(user).not.toHaveProperty('members');
    expectBody(await t.admin('GET', '/admin/groups/m1'), 404, GROUP_NOT_FOUND);
  });

  it('answers 409 to all but one of several requests creating the same group at once', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `race-${round}`;
      const responses = await Promise.all(
        [1, 2, 3].map((n) => t.admin('POST', '/admin/groups', { _id: id, nickname: `Race ${n}`, members: [`m${n}`] })),
      );
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses, id).toStrictEqual([200, 409, 409]);
      for (const response of responses)
        if (response.statusCode === 409) expect(response.json()).toStrictEqual(GROUP_EXISTS);
      // The stored group is the winner's, not a mix.
      const winner = expectOk(responses.find((response) => response.statusCode === 200)!);
      expect(expectOk(await t.admin('GET', `/admin/groups/${id}`))).toStrictEqual(winner);
    }
  });
});

describe('GET /admin/groups, GET/PUT/DELETE /admin/groups/:id (spec 3.6.2, 12 items 25, 27)', () => {
  let t: TestApp;
  const groupIds = ['g-01', 'g-02', 'g-03', 'g-04', 'g-05'];
  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['u1', 'u2', 'u3']) await t.admin('POST', '/admin/clients', { _id: id, nickname: id });
    // Created out of order: the list is ordered by id.
    for (const id of ['g-03', 'g-01', 'g-05', 'g-02', 'g-04']) {
      expectOk(
        await t.admin('POST', '/admin/groups', {
          _id: id,
          nickname: `Group ${id}`,
          members: id === 'g-01' ? ['u1', 'u2'] : ['u3'],
        }),
      );
    }
  });
  afterAll(() => t.close());

  const list = async (query = '') => expectOk(await t.admin('GET', `/admin/groups${query}`));
  const listIds = (result: { data: Array<{ _id: string }> }) => result.data.map((group) => group._id);

  it('lists groups with totalCount, ordered by _id, members as ids', async () => {
    const result = await list();
    expect(Object.keys(result).sort()).toStrictEqual(['data', 'totalCount']);
    expect(result.totalCount).toBe(5);
    expect(listIds(result)).toStrictEqual(groupIds);
    expect(result.data[0]).toStrictEqual({
      _id: 'g-01',
      id: 'g-01',
      nickname: 'Group g-01',
      avatarUrl: '',
      clientType: 'group',
      members: ['u1', 'u2'],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
  });

  it('honours limit and skip; totalCount counts every group', async () => {
    const firstTwo = await list('?limit=2');
    expect(firstTwo.totalCount).toBe(5);
    expect(listIds(firstTwo)).toStrictEqual(['g-01', 'g-02']);
    const middle = await list('?limit=2&skip=2');
    expect(middle.totalCount).toBe(5);
    expect(listIds(middle)).toStrictEqual(['g-03', 'g-04']);
    expect(listIds(await list('?skip=4'))).toStrictEqual(['g-05']);
    expect(await list('?skip=10')).toStrictEqual({ totalCount: 5, data: [] });
    expect(listIds(await list('?limit=0'))).toStrictEqual(groupIds);
    expect(listIds(await list('?limit=1000'))).toStrictEqual(groupIds);
    for (const query of ['?limit=-1', '?limit=x', '?skip=-1']) {
      expect((await t.admin('GET', `/admin/groups${query}`)).statusCode, query).toBe(400);
    }
  });

  it('keeps groups out of the user list and users out of the group list', async () => {
    const users = expectOk(await t.admin('GET', '/admin/clients?limit=100'));
    expect(users.totalCount).toBe(3);
    expect(users.data.map((user: { _id: string }) => user._id)).toStrictEqual(['u1', 'u2', 'u3']);
    const byId = expectOk(await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"_id":"g-01"}')}`));
    expect(byId).toStrictEqual({ totalCount: 0, data: [] });
    const byName = expectOk(
      await t.admin('GET', `/admin/clients?q=${encodeURIComponent('{"nickname":{"$regex":"^Group"}}')}`),
    );
    expect(byName.totalCount).toBe(0);
    expect(listIds(await list())).not.toContain('u1');
  });

  it('gets a group by id', async () => {
    expect(expectOk(await t.admin('GET', '/admin/groups/g-01'))).toStrictEqual({
      _id: 'g-01',
      id: 'g-01',
      nickname: 'Group g-01',
      avatarUrl: '',
      clientType: 'group',
      members: ['u1', 'u2'],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
  });

  it('answers 404 GROUP_NOT_FOUND for an unknown group and for a user id', async () => {
    for (const id of ['nope', 'u1']) {
      expectBody(await t.admin('GET', `/admin/groups/${id}`), 404, GROUP_NOT_FOUND);
      expectBody(await t.admin('PUT', `/admin/groups/${id}`, { nickname: 'X' }), 404, GROUP_NOT_FOUND);
      expectBody(await t.admin('DELETE', `/admin/groups/${id}`), 404, GROUP_NOT_FOUND);
    }
    // The user was neither changed nor deleted.
    expect(expectOk(await t.admin('GET', '/admin/clients/u1')).nickname).toBe('u1');
  });

  it('PUT edits only the given fields', async () => {
    const before = expectOk(await t.admin('GET', '/admin/groups/g-02'));
    await sleep(5);
    const renamed = expectOk(await t.admin('PUT', '/admin/groups/g-02', { nickname: 'Renamed' }));
    expect(renamed).toMatchObject({
      _id: 'g-02',
      nickname: 'Renamed',
      avatarUrl: '',
      clientType: 'group',
      members: ['u3'],
      createdAt: before.createdAt,
    });
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));

    const avatar = expectOk(await t.admin('PUT', '/admin/groups/g-02', { avatarUrl: 'http://x/g.png' }));
    expect(avatar).toMatchObject({ nickname: 'Renamed', avatarUrl: 'http://x/g.png', members: ['u3'] });

    const members = expectOk(await t.admin('PUT', '/admin/groups/g-02', { members: ['u1', 'u2', 'u1'] }));
    expect(members).toMatchObject({ nickname: 'Renamed', avatarUrl: 'http://x/g.png', members: ['u1', 'u2'] });

    const emptied = expectOk(await t.admin('PUT', '/admin/groups/g-02', { members: [] }));
    expect(emptied.members).toStrictEqual([]);

    expect(expectOk(await t.admin('GET', '/admin/groups/g-02'))).toStrictEqual(emptied);
  });

  it('PUT refuses unknown members, groups as members and an empty nickname, changing nothing', async () => {
    const before = expectOk(await t.admin('GET', '/admin/groups/g-03'));
    expectInvalidRequest(await t.admin('PUT', '/admin/groups/g-03', { members: ['u1', 'ghost'] }), /ghost/);
    expectInvalidRequest(await t.admin('PUT', '/admin/groups/g-03', { members: ['g-01'] }), /g-01/);
    expectInvalidRequest(await t.admin('PUT', '/admin/groups/g-03', { members: ['g-03'] }), /g-03/);
    expectInvalidRequest(await t.admin('PUT', '/admin/groups/g-03', { nickname: '' }));
    expectInvalidRequest(await t.admin('PUT', '/admin/groups/g-03', { nickname: 7 }));
    expect(expectOk(await t.admin('GET', '/admin/groups/g-03'))).toStrictEqual(before);
  });

  it('DELETE removes a group and answers it; its id is then free', async () => {
    const deleted = expectOk(await t.admin('DELETE', '/admin/groups/g-05'));
    expect(deleted).toMatchObject({ _id: 'g-05', id: 'g-05', nickname: 'Group g-05', members: ['u3'] });
    expectBody(await t.admin('GET', '/admin/groups/g-05'), 404, GROUP_NOT_FOUND);
    expectBody(await t.admin('DELETE', '/admin/groups/g-05'), 404, GROUP_NOT_FOUND);
    const after = await list();
    expect(after.totalCount).toBe(4);
    expect(listIds(after)).not.toContain('g-05');
    // The members are untouched.
    expectOk(await t.admin('GET', '/admin/clients/u3'));
    // The id can be reused, as a group or as a user.
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'g-05', nickname: 'Reborn' }));
    expectOk(await t.admin('DELETE', '/admin/groups/g-05'));
    expectOk(await t.admin('POST', '/admin/clients', { _id: 'g-05', nickname: 'Now a user' }));
    expectBody(await t.admin('GET', '/admin/groups/g-05'), 404, GROUP_NOT_FOUND);
  });
});

describe('groups share the user id space but are not users (spec 12 item 26)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.admin('POST', '/admin/clients', { _id: 'member', nickname: 'Member' });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'Crew', members: ['member'] }));
  });
  afterAll(() => t.close());

  const groupUnchanged = async () =>
    expect(expectOk(await t.admin('GET', '/admin/groups/crew'))).toMatchObject({
      _id: 'crew',
      nickname: 'Crew',
      members: ['member'],
    });

  it('POST /admin/clients with a group id is a 400 and leaves the group as it was', async () => {
    expectInvalidRequest(await t.admin('POST', '/admin/clients', { _id: 'crew', nickname: 'Overwrite' }), /crew/);
    expectInvalidRequest(await t.admin('POST', '/admin/clients', { _id: 'crew', issueAccessToken: true }), /crew/);
    expectInvalidRequest(
      await t.admin('POST', '/admin/clients', {
        _id: 'crew',
        token: 'crew-token',
        expirationDate: '2099-01-01T00:00:00Z',
      }),
      /crew/,
    );
    await groupUnchanged();
    const tokens = await t.services.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('user_id', '=', 'crew')
      .execute();
    expect(tokens).toHaveLength(0);
    expect((await t.asUser('crew-token', 'GET', '/me')).statusCode).toBe(401);
  });

  it('deleting a user takes it out of every group that listed it', async () => {
    for (const id of ['leaver', 'stayer']) await t.admin('POST', '/admin/clients', { _id: id });
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'g1', nickname: 'G1', members: ['leaver', 'stayer'] }));
    expectOk(await t.admin('POST', '/admin/groups', { _id: 'g2', nickname: 'G2', members: ['leaver'] }));
    expectOk(await t.admin('DELETE', '/admin/clients/leaver'));
    expect(expectOk(await t.admin('GET', '/admin/groups/g1')).members).toStrictEqual(['stayer']);
    expect(expectOk(await t.admin('GET', '/admin/groups/g2')).members).toStrictEqual([]);
    await groupUnchanged();
  });

  it('POST /admin/clients/list with a group id is a 400 and writes nothing', async () => {
    expectInvalidRequest(
      await t.admin('POST', '/admin/clients/list', {
        data: [{ _id: 'batch-new' }, { _id: 'crew', nickname: 'Overwrite' }],
      }),
      /crew/,
    );
    expectBody(await t.admin('GET', '/admin/clients/batch-new'), 404, clientNotFound('batch-new'));
    await groupUnchanged();
  });

  it('user routes do not find a group', async () => {
    expectBody(await t.admin('GET', '/admin/clients/crew'), 404, clientNotFound('crew'));
    expectBody(await t.admin('DELETE', '/admin/clients/crew'), 404, clientNotFound('crew'));
    expectBody(
      await t.admin('PUT', '/admin/clients/crew/token', { token: 'crew-put', expirationDate: '2099-01-01T00:00:00Z' }),
      404,
      clientNotFound('crew'),
    );
    expectBody(await t.admin('DELETE', '/admin/clients/crew/token', {}), 404, clientNotFound('crew'));
    expectBody(await t.admin('GET', '/me', undefined, { 'im-client-id': 'crew' }), 404, clientNotFound('crew'));
    await groupUnchanged();
    expect((await t.asUser('crew-put', 'GET', '/me')).statusCode).toBe(401);
  });

  it('a group and a user created with one id at the same time: exactly one of them wins', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `contested-${round}`;
      const [group, user] = await Promise.all([
        t.admin('POST', '/admin/groups', { _id: id, nickname: 'As group', members: ['member'] }),
        t.admin('POST', '/admin/clients', { _id: id, nickname: 'As user', issueAccessToken: true }),
      ]);
      if (group.statusCode === 200) {
        expectInvalidRequest(user, new RegExp(id));
        expect(expectOk(await t.admin('GET', `/admin/groups/${id}`))).toMatchObject({
          nickname: 'As group',
          members: ['member'],
        });
        const tokens = await t.services.storage.db
          .selectFrom('user_tokens')
          .selectAll()
          .where('user_id', '=', id)
          .execute();
        expect(tokens).toHaveLength(0);
      } else {
        expectBody(group, 409, GROUP_EXISTS);
        expect(expectOk(user).nickname).toBe('As user');
        expect(expectOk(await t.admin('GET', `/admin/clients/${id}`))).not.toHaveProperty('members');
      }
    }
  });

  it('a group cannot be created over a user, nor a user over a group, whatever the order', async () => {
    expectBody(await t.admin('POST', '/admin/groups', { _id: 'member', nickname: 'X' }), 409, GROUP_EXISTS);
    expectBody(await t.admin('POST', '/admin/groups', { _id: 'crew', nickname: 'X' }), 409, GROUP_EXISTS);
    expect(expectOk(await t.admin('GET', '/admin/clients/member')).nickname).toBe('Member');
    await groupUnchanged();
  });
});
