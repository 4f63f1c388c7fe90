import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { callWithHeaders } from '../../helpers/wire.js';
import { generateApiKey } from '../../../src/modules/keys/key-format.js';

const INSUFFICIENT = {
  error: 'INSUFFICIENT_PERMISSIONS',
  message: 'API key does not have permission for this operation',
};
const ENTRY_FIELDS = [
  'count',
  'durationMs',
  'ip',
  'keyId',
  'keyName',
  'method',
  'operatorId',
  'requestId',
  'route',
  'status',
  'targetIds',
  'time',
  'timeMS',
  'url',
].sort();

interface Entry {
  time: string;
  timeMS: number;
  keyId: string | null;
  keyName: string | null;
  operatorId: string | null;
  ip: string;
  method: string;
  route: string;
  url: string;
  status: number;
  targetIds: string[];
  requestId: string;
  durationMs: number;
  count: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

let t: TestApp;
let adminKeyId: string;

const call = (
  headers: Record<string, string>,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  remoteAddress?: string,
) => callWithHeaders(t, headers, method, url, body, remoteAddress);

async function audit(query = '', app: TestApp = t): Promise<{ totalCount: number; data: Entry[] }> {
  const response = await app.admin('GET', `/admin/audit${query}`);
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  expect(body.RC).toBe(0);
  return body.result;
}

async function keyIdOf(plain: string, app: TestApp = t): Promise<string> {
  const row = await app.services.storage.db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', sha256(plain))
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await buildTestApp();
  adminKeyId = await keyIdOf(t.apiKey);
});
afterAll(() => t.close());

describe('the audit trail', () => {
  it('records successful and failed admin requests, newest first, with every field', async () => {
    const before = Date.now();
    const created = await t.admin('POST', '/admin/clients', { _id: 'audit_user_1', nickname: 'A' });
    expect(created.statusCode).toBe(200);
    const missing = await t.admin('GET', '/admin/clients/nobody_here');
    expect(missing.statusCode).toBe(404);
    const invalid = await t.admin('POST', '/admin/clients', { _id: 5 });
    expect(invalid.statusCode).toBe(400);
    const after = Date.now();

    const page = await audit(`?from=${before}`);
    expect(page.totalCount).toBe(3);
    const [newest, middle, oldest] = page.data;
    for (const entry of page.data) {
      expect(Object.keys(entry).sort()).toStrictEqual(ENTRY_FIELDS);
      expect(entry.timeMS).toBeGreaterThanOrEqual(before);
      expect(entry.timeMS).toBeLessThanOrEqual(after);
      expect(entry.time).toBe(new Date(entry.timeMS).toISOString());
      expect(entry).toMatchObject({ keyId: adminKeyId, keyName: 'Initial key', operatorId: null, ip: '127.0.0.1' });
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(oldest).toMatchObject({
      method: 'POST',
      route: '/admin/clients',
      url: '/admin/clients',
      status: 200,
      targetIds: ['audit_user_1'],
      requestId: created.headers['x-request-id'],
    });
    expect(middle).toMatchObject({
      method: 'GET',
      route: '/admin/clients/:id',
      url: '/admin/clients/nobody_here',
      status: 404,
      targetIds: ['nobody_here'],
      requestId: missing.headers['x-request-id'],
    });
    expect(newest).toMatchObject({
      method: 'POST',
      route: '/admin/clients',
      status: 400,
      requestId: invalid.headers['x-request-id'],
    });
    expect(newest!.timeMS).toBeGreaterThanOrEqual(middle!.timeMS);
    expect(middle!.timeMS).toBeGreaterThanOrEqual(oldest!.timeMS);
  });

  it('records refused authentications: a wrong key under the default app without a key id, a revoked key under that key', async () => {
    const wrongFrom = '198.51.100.9';
    const wrong = await call({ 'im-api-key': generateApiKey() }, 'GET', '/admin/clients', undefined, wrongFrom);
    expect(wrong.statusCode).toBe(401);
    const none = await call({}, 'DELETE', '/admin/clients/someone', undefined, wrongFrom);
    expect(none.statusCode).toBe(401);
    const foreign = await call(
      { 'im-api-key': 'not-a-parley-key-0123456789' },
      'GET',
      '/admin/groups',
      undefined,
      wrongFrom,
    );
    expect(foreign.statusCode).toBe(401);

    const revokedKey = await t.createKey({ name: 'revoked for audit' });
    const revokedId = await keyIdOf(revokedKey);
    expect((await t.admin('DELETE', `/admin/keys/${revokedId}`)).statusCode).toBe(200);
    const revoked = await call({ 'im-api-key': revokedKey }, 'GET', '/admin/clients', undefined, '198.51.100.10');
    expect(revoked.statusCode).toBe(401);

    const fromWrong = await audit(`?ip=${wrongFrom}`);
    expect(fromWrong.totalCount).toBe(3);
    expect(
      fromWrong.data.map((entry) => [entry.method, entry.route, entry.status, entry.keyId, entry.keyName]),
    ).toStrictEqual([
      ['GET', '/admin/groups', 401, null, null],
      ['DELETE', '/admin/clients/:id', 401, null, null],
      ['GET', '/admin/clients', 401, null, null],
    ]);
    expect(fromWrong.data[1]!.targetIds).toStrictEqual(['someone']);
    expect(fromWrong.data.map((entry) => entry.requestId)).toStrictEqual(
      [foreign, none, wrong].map((response) => response.headers['x-request-id']),
    );

    const byRevoked = await audit(`?keyId=${revokedId}`);
    expect(byRevoked.totalCount).toBe(1);
    expect(byRevoked.data[0]).toMatchObject({
      keyId: revokedId,
      keyName: 'revoked for audit',
      status: 401,
      ip: '198.51.100.10',
      route: '/admin/clients',
    });

    // Nothing of the presented keys is stored in the trail.
    const everything = JSON.stringify(await t.services.storage.db.selectFrom('audit_log').selectAll().execute());
    expect(everything).not.toContain(revokedKey);
    expect(everything).not.toContain(t.apiKey);
  });

  it('records refusals for scope, allow-list and rate limit under the key', async () => {
    const scoped = await t.createKey({
      name: 'audit scoped',
      scopes: ['users:read'],
      allowedIps: ['192.0.2.0/24'],
      rateLimit: 2,
    });
    const id = await keyIdOf(scoped);
    expect((await call({ 'im-api-key': scoped }, 'GET', '/admin/clients', undefined, '203.0.113.1')).statusCode).toBe(
      403,
    );
    expect((await call({ 'im-api-key': scoped }, 'GET', '/admin/keys', undefined, '192.0.2.1')).statusCode).toBe(403);
    expect((await call({ 'im-api-key': scoped }, 'GET', '/admin/clients', undefined, '192.0.2.1')).statusCode).toBe(
      200,
    );
    expect((await call({ 'im-api-key': scoped }, 'GET', '/admin/clients', undefined, '192.0.2.1')).statusCode).toBe(
      429,
    );
    const page = await audit(`?keyId=${id}`);
    expect(page.data.map((entry) => [entry.status, entry.ip])).toStrictEqual([
      [429, '192.0.2.1'],
      [200, '192.0.2.1'],
      [403, '192.0.2.1'],
      [403, '203.0.113.1'],
    ]);
  });

  it('records target ids from params and from what the request created', async () => {
    const token = await t.admin('PUT', '/admin/clients/audit_user_1/token', {
      token: 'audit-token-1',
      expirationDate: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(token.statusCode, token.body).toBe(200);
    const revoke = await t.admin('DELETE', '/admin/clients/audit_user_1/token');
    expect(revoke.statusCode).toBe(200);
    const key = await t.admin('POST', '/admin/keys', { name: 'audit target', scopes: ['users:read'] });
    const keyId = key.json().result.id as string;
    const patched = await t.admin('PATCH', `/admin/keys/${keyId}`, { name: 'audit target 2' });
    expect(patched.statusCode).toBe(200);
    const rolled = await t.admin('POST', `/admin/keys/${keyId}/roll`, { gracePeriodSeconds: 0 });
    const newKeyId = rolled.json().result.id as string;

    const forUser = await audit('?targetId=audit_user_1');
    expect(forUser.data.map((entry) => [entry.method, entry.route])).toStrictEqual([
      ['DELETE', '/admin/clients/:client_id/token'],
      ['PUT', '/admin/clients/:client_id/token'],
      ['POST', '/admin/clients'],
    ]);
    expect(forUser.data[0]!.targetIds).toStrictEqual(['audit_user_1']);

    const forKey = await audit(`?targetId=${keyId}`);
    expect(forKey.data.map((entry) => [entry.method, entry.route])).toStrictEqual([
      ['POST', '/admin/keys/:id/roll'],
      ['PATCH', '/admin/keys/:id'],
      ['POST', '/admin/keys'],
    ]);
    expect(forKey.data[0]!.targetIds).toStrictEqual([keyId, newKeyId]);
    expect((await audit(`?targetId=${newKeyId}`)).totalCount).toBe(1);
  });

  it('matches a target id exactly: no wildcards, no case folding, no partial ids', async () => {
    for (const id of ['tgt_a', 'tgtxa', 'TGT_A', 'tgt_ab', 'tgt%a', 'a","b']) {
      expect((await t.admin('POST', '/admin/clients', { _id: id })).statusCode).toBe(200);
    }
    const only = async (targetId: string) =>
      (await audit(`?targetId=${encodeURIComponent(targetId)}`)).data.map((entry) => entry.targetIds);
    expect(await only('tgt_a')).toStrictEqual([['tgt_a']]);
    expect(await only('TGT_A')).toStrictEqual([['TGT_A']]);
    expect(await only('tgt%a')).toStrictEqual([['tgt%a']]);
    expect(await only('tgt')).toStrictEqual([]);
    expect(await only('%')).toStrictEqual([]);
    expect(await only('_')).toStrictEqual([]);
    expect(await only('a","b')).toStrictEqual([['a","b']]);
    expect(await only('b')).toStrictEqual([]);
  });

  it('filters by key, method, route, status, ip and time, and pages with skip/limit', async () => {
    const other = await t.createKey({ name: 'filter key' });
    const otherId = await keyIdOf(other);
    const start = Date.now();
    // Distinct URLs: identical reads in the same second would share one record (tested below).
    for (let i = 0; i < 4; i++)
      expect(
        (await call({ 'im-api-key': other }, 'GET', `/admin/groups?limit=${i + 1}`, undefined, '192.0.2.44'))
          .statusCode,
      ).toBe(200);
    expect(
      (await call({ 'im-api-key': other }, 'POST', '/admin/groups', { _id: 'audit-group', members: [] }, '192.0.2.44'))
        .statusCode,
    ).toBeLessThan(500);
    expect((await call({ 'im-api-key': other }, 'GET', '/admin/groups/nope', undefined, '192.0.2.44')).statusCode).toBe(
      404,
    );
    const end = Date.now();

    const byKey = await audit(`?keyId=${otherId}`);
    expect(byKey.totalCount).toBe(6);
    expect(byKey.data.every((entry) => entry.keyId === otherId && entry.keyName === 'filter key')).toBe(true);

    expect((await audit(`?keyId=${otherId}&method=get`)).totalCount).toBe(5);
    expect((await audit(`?keyId=${otherId}&method=POST`)).totalCount).toBe(1);
    expect((await audit(`?keyId=${otherId}&route=/admin/groups`)).totalCount).toBe(5);
    expect(
      (await audit(`?keyId=${otherId}&route=${encodeURIComponent('/admin/groups/:id')}`)).data.map(
        (entry) => entry.url,
      ),
    ).toStrictEqual(['/admin/groups/nope']);
    expect((await audit(`?keyId=${otherId}&status=404`)).totalCount).toBe(1);
    expect((await audit('?ip=192.0.2.44')).totalCount).toBe(6);
    expect((await audit(`?ip=192.0.2.44&method=GET&status=200`)).totalCount).toBe(4);
    expect((await audit(`?keyId=${otherId}&from=${new Date(start).toISOString()}&to=${end + 1}`)).totalCount).toBe(6);
    expect((await audit(`?keyId=${otherId}&to=${start}`)).totalCount).toBe(0);
    expect((await audit(`?keyId=${otherId}&from=${end + 1}`)).totalCount).toBe(0);
    expect((await audit('?keyId=key_nobody')).totalCount).toBe(0);

    const all = byKey.data;
    const first = await audit(`?keyId=${otherId}&limit=4`);
    expect(first.totalCount).toBe(6);
    expect(first.data).toStrictEqual(all.slice(0, 4));
    const second = await audit(`?keyId=${otherId}&limit=4&skip=4`);
    expect(second.totalCount).toBe(6);
    expect(second.data).toStrictEqual(all.slice(4));
    expect((await audit(`?keyId=${otherId}&skip=6`)).data).toStrictEqual([]);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.timeMS).toBeGreaterThanOrEqual(all[i]!.timeMS);
  });

  it('shares one record among identical requests that changed nothing within a second, never among changes', async () => {
    const key = await t.createKey({ name: 'repeat key' });
    const keyId = await keyIdOf(key);
    for (let i = 0; i < 5; i++)
      expect(
        (await call({ 'im-api-key': key }, 'GET', '/admin/clients/repeat-target', undefined, '192.0.2.60')).statusCode,
      ).toBe(404);
    for (let i = 0; i < 3; i++)
      expect((await call({ 'im-api-key': key }, 'GET', '/admin/app', undefined, '192.0.2.60')).statusCode).toBe(200);
    for (let i = 0; i < 2; i++)
      expect(
        (await call({ 'im-api-key': key }, 'POST', '/admin/clients', { _id: 'repeat-target' }, '192.0.2.60'))
          .statusCode,
      ).toBe(200);
    const entries = (await audit(`?keyId=${keyId}&limit=500`)).data;
    const total = (url: string, method: string) =>
      entries
        .filter((entry) => entry.url === url && entry.method === method)
        .reduce((sum, entry) => sum + entry.count, 0);
    const rows = (url: string, method: string) =>
      entries.filter((entry) => entry.url === url && entry.method === method).length;
    // Every request is counted; identical ones usually share a record (two, if a second boundary fell between them).
    expect(total('/admin/clients/repeat-target', 'GET')).toBe(5);
    expect(rows('/admin/clients/repeat-target', 'GET')).toBeLessThanOrEqual(2);
    expect(total('/admin/app', 'GET')).toBe(3);
    expect(rows('/admin/app', 'GET')).toBeLessThanOrEqual(2);
    // Changes always have a record each.
    expect(rows('/admin/clients', 'POST')).toBe(2);
    expect(entries.filter((entry) => entry.method === 'POST').every((entry) => entry.count === 1)).toBe(true);
    // Usage still counts each request.
    const usage = (await t.admin('GET', `/admin/keys/${keyId}/usage`)).json().result.totals;
    expect(usage).toStrictEqual({ requests: 10, errors: 5, rateLimited: 0 });
  });

  it('defaults to 50 entries and never returns more than 500', async () => {
    for (let i = 0; i < 60; i++) await t.admin('GET', `/admin/clients?skip=${i}`);
    const page = await audit();
    expect(page.data).toHaveLength(50);
    expect(page.totalCount).toBeGreaterThan(60);
    const big = await audit('?limit=100000');
    expect(big.data.length).toBe(Math.min(big.totalCount, 500));
  });

  it('validates its query', async () => {
    for (const query of [
      'from=yesterday',
      'to=later',
      'status=99',
      'status=600',
      'skip=-1',
      'limit=-1',
      'limit=x',
      'from=99999999999999999999',
    ]) {
      const response = await t.admin('GET', `/admin/audit?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
    }
  });

  it('does not record requests made with a client key and user token', async () => {
    const token = await t.createUser('audit-sdk-user');
    const start = Date.now();
    expect((await t.asUser(token, 'GET', '/me')).statusCode).toBe(200);
    expect((await call({ 'im-client-key': t.clientKey, 'im-authorization': 'bad' }, 'GET', '/me')).statusCode).toBe(
      401,
    );
    expect((await t.admin('GET', '/me', undefined, { 'im-client-id': 'audit-sdk-user' })).statusCode).toBe(200);
    const page = await audit(`?from=${start}&route=/me`);
    expect(page.totalCount).toBe(1);
    expect(page.data[0]).toMatchObject({ keyId: adminKeyId, method: 'GET', status: 200 });
  });

  it('needs the audit:read scope', async () => {
    const without = await t.createKey({
      name: 'no audit',
      scopes: ['users:*', 'keys:manage', 'stats:read', 'config:read'],
    });
    const refused = await call({ 'im-api-key': without }, 'GET', '/admin/audit');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual(INSUFFICIENT);
    for (const scopes of [['audit:read'], ['audit:*']]) {
      const key = await t.createKey({ name: `audit ${scopes[0]}`, scopes });
      const response = await call({ 'im-api-key': key }, 'GET', '/admin/audit?limit=1');
      expect(response.statusCode, scopes[0]).toBe(200);
      expect(response.json().result.data).toHaveLength(1);
    }
  });

  it("never shows another application's entries", async () => {
    await t.services.apps.create('Audit B', 'audit-b');
    const other = await t.services.keys.create('audit-b', { name: 'b key' }, 'test');
    expect((await call({ 'im-api-key': other.secret }, 'POST', '/admin/clients', { _id: 'b_user' })).statusCode).toBe(
      200,
    );
    expect((await audit('?targetId=b_user')).totalCount).toBe(0);
    expect((await audit(`?keyId=${other.key.id}`)).totalCount).toBe(0);
    const own = await call({ 'im-api-key': other.secret }, 'GET', '/admin/audit');
    expect(own.statusCode).toBe(200);
    const entries = own.json().result.data as Entry[];
    expect(entries.length).toBe(1);
    expect(entries[0]).toMatchObject({ keyId: other.key.id, keyName: 'b key', targetIds: ['b_user'] });
  });
});

describe('retention', () => {
  it('purgeBefore removes old entries and usage', async () => {
    const p = await buildTestApp();
    try {
      for (let i = 0; i < 3; i++) expect((await p.admin('GET', `/admin/clients?skip=${i}`)).statusCode).toBe(200);
      await p.services.activity.flush();
      expect((await p.services.audit.list(p.appId, { skip: 0, limit: 50 })).totalCount).toBe(3);
      const keyId = await keyIdOf(p.apiKey, p);
      expect((await p.services.audit.usage(p.appId, keyId, 0, Date.now() + 60_000)).length).toBeGreaterThan(0);

      await p.services.audit.purgeBefore(Date.now() + 1);
      expect((await p.services.audit.list(p.appId, { skip: 0, limit: 50 })).totalCount).toBe(0);
      expect(await p.services.audit.usage(p.appId, keyId, 0, Date.now() + 60_000)).toStrictEqual([]);
      const page = await audit('', p);
      expect(page).toStrictEqual({ totalCount: 0, data: [] });
    } finally {
      await p.close();
    }
  });

  it('the activity recorder purges what is older than auditRetentionDays', async () => {
    const p = await buildTestApp({ auditRetentionDays: 1 });
    try {
      const keyId = await keyIdOf(p.apiKey, p);
      const now = Date.now();
      const entry = (at: number, requestId: string) => ({
        appId: p.appId,
        at,
        keyId,
        keyName: 'Initial key',
        operatorId: null,
        ip: '127.0.0.1',
        method: 'GET',
        route: '/admin/clients',
        url: '/admin/clients',
        status: 200,
        targetIds: [],
        requestId,
        durationMs: 1,
        count: 1,
      });
      await p.services.audit.insert([
        entry(now - 2 * 86_400_000, 'two-days-old'),
        entry(now - 25 * 3_600_000, 'a-day-and-an-hour-old'),
        entry(now - 12 * 3_600_000, 'half-a-day-old'),
      ]);
      const minute = (at: number) => Math.floor(at / 60_000) * 60_000;
      await p.services.audit.addUsage([
        { appId: p.appId, keyId, minute: minute(now - 2 * 86_400_000), requests: 5, errors: 0, rateLimited: 0 },
        { appId: p.appId, keyId, minute: minute(now - 12 * 3_600_000), requests: 7, errors: 1, rateLimited: 0 },
      ]);

      await (p.services.activity as unknown as { purge(): Promise<void> }).purge();

      const left = await p.services.audit.list(p.appId, { skip: 0, limit: 50 });
      expect(left.data.map((row) => row.requestId)).toStrictEqual(['half-a-day-old']);
      const usage = await p.services.audit.usage(p.appId, keyId, 0, now);
      expect(usage.map((row) => row.requests)).toStrictEqual([7]);
    } finally {
      await p.close();
    }
  });
});

describe('GET/PATCH /admin/app', () => {
  it('shows the application and changes its name and settings', async () => {
    const shown = await t.admin('GET', '/admin/app');
    expect(shown.statusCode).toBe(200);
    const app = shown.json();
    expect(app).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: {
        appID: t.appId,
        name: t.appId,
        settings: {
          singleTokenPerUser: false,
          defaultGroupOpening: 1,
          defaultHistoryVisibility: 'shared',
          defaultInvitationRequired: false,
        },
        createdAt: app.result.createdAt,
      },
    });
    expect(new Date(app.result.createdAt).toISOString()).toBe(app.result.createdAt);

    const patched = await t.admin('PATCH', '/admin/app', { name: 'Renamed app', singleTokenPerUser: true });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().result).toStrictEqual({
      appID: t.appId,
      name: 'Renamed app',
      settings: {
        singleTokenPerUser: true,
        defaultGroupOpening: 1,
        defaultHistoryVisibility: 'shared',
        defaultInvitationRequired: false,
      },
      createdAt: app.result.createdAt,
    });
    expect((await t.admin('GET', '/admin/app')).json().result).toStrictEqual(patched.json().result);

    // Only what is sent changes.
    const partial = await t.admin('PATCH', '/admin/app', { singleTokenPerUser: false });
    expect(partial.json().result).toMatchObject({ name: 'Renamed app', settings: { singleTokenPerUser: false } });
    const nothing = await t.admin('PATCH', '/admin/app', {});
    expect(nothing.statusCode).toBe(200);
    expect(nothing.json().result).toStrictEqual(partial.json().result);
  });

  it('validates the body', async () => {
    for (const body of [
      { name: '' },
      { name: 'x'.repeat(101) },
      { singleTokenPerUser: 'yes' },
      { singleTokenPerUser: 1 },
      { name: 5 },
    ]) {
      const response = await t.admin('PATCH', '/admin/app', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_REQUEST' } });
    }
  });

  it('needs config:read to read and config:write to change', async () => {
    const reader = await t.createKey({ name: 'config reader', scopes: ['config:read'] });
    expect((await call({ 'im-api-key': reader }, 'GET', '/admin/app')).statusCode).toBe(200);
    const refused = await call({ 'im-api-key': reader }, 'PATCH', '/admin/app', { name: 'nope' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual(INSUFFICIENT);
    const writer = await t.createKey({ name: 'config writer', scopes: ['config:write'] });
    expect((await call({ 'im-api-key': writer }, 'GET', '/admin/app')).statusCode).toBe(403);
    expect((await call({ 'im-api-key': writer }, 'PATCH', '/admin/app', { name: 'By writer' })).statusCode).toBe(200);
    expect((await t.admin('GET', '/admin/app')).json().result.name).toBe('By writer');
  });
});

describe('GET /admin/stats', () => {
  it('reports spec 9.2 fields with a masked API key', async () => {
    const before = Date.now();
    const response = await t.admin('GET', '/admin/stats');
    const after = Date.now();
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(t.apiKey);
    expect(response.body).not.toContain(t.apiKey.slice(0, 20));
    const { RC, RM, result } = response.json();
    expect([RC, RM]).toStrictEqual([0, 'OK']);
    expect(Object.keys(result).sort()).toStrictEqual(
      [
        'apiKey',
        'clientId',
        'clientKey',
        'end',
        'endTime',
        'freeMem',
        'messageCount',
        'monthlyAcitiveUserCount',
        'newUserCount',
        'peakConnectionCount',
        'roomCount',
        'start',
        'startTime',
        'totalMem',
        'totalRoomCount',
        'totalUserCount',
        'userList',
      ].sort(),
    );
    expect(result.clientId).toBe(t.appId);
    expect(result.clientKey).toBe(t.clientKey);
    expect(result.apiKey).toBe(`…${t.apiKey.slice(-4)}`);
    const endMs = Date.parse(result.endTime);
    const startMs = Date.parse(result.startTime);
    expect(result.endTime).toBe(new Date(endMs).toISOString());
    expect(endMs).toBeGreaterThanOrEqual(before);
    expect(endMs).toBeLessThanOrEqual(after);
    expect(endMs - startMs).toBe(3_600_000);
    expect(result.start).toBe(Math.floor(startMs / 1000));
    expect(result.end).toBe(Math.floor(endMs / 1000));
    expect(Array.isArray(result.userList)).toBe(true);
    for (const field of [
      'roomCount',
      'totalRoomCount',
      'messageCount',
      'peakConnectionCount',
      'newUserCount',
      'totalUserCount',
      'monthlyAcitiveUserCount',
    ]) {
      expect(Number.isInteger(result[field]), field).toBe(true);
      expect(result[field], field).toBeGreaterThanOrEqual(0);
    }
    expect(result.totalMem).toBeGreaterThan(0);
    expect(result.freeMem).toBeGreaterThan(0);
    expect(result.freeMem).toBeLessThanOrEqual(result.totalMem);
  });

  it('masks the key that asks, and never returns any plain key', async () => {
    const key = await t.createKey({ name: 'stats only', scopes: ['stats:read'] });
    const response = await call({ 'im-api-key': key }, 'GET', '/admin/stats');
    expect(response.statusCode).toBe(200);
    expect(response.json().result.apiKey).toBe(`…${key.slice(-4)}`);
    expect(response.body).not.toContain(key);
    expect(response.body).not.toContain(t.apiKey);
    expect(response.body).not.toContain(sha256(key));
    const refused = await call(
      { 'im-api-key': await t.createKey({ name: 'no stats', scopes: ['users:read'] }) },
      'GET',
      '/admin/stats',
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual(INSUFFICIENT);
  });

  it('counts users and lists those active in the window; start/end choose it', async () => {
    const s = await buildTestApp();
    try {
      const now = Date.now();
      for (const id of ['stats-a', 'stats-b', 'stats-c'])
        expect((await s.admin('POST', '/admin/clients', { _id: id })).statusCode).toBe(200);
      const db = s.services.storage.db;
      await db
        .updateTable('users')
        .set({ last_login_time: now - 10 * 60_000 })
        .where('id', '=', 'stats-a')
        .execute();
      await db
        .updateTable('users')
        .set({ last_login_time: now - 2 * 3_600_000 })
        .where('id', '=', 'stats-b')
        .execute();
      await db
        .updateTable('users')
        .set({ created_at: now - 10 * 86_400_000 })
        .where('id', '=', 'stats-c')
        .execute();

      const current = (await s.admin('GET', '/admin/stats')).json().result;
      expect(current.userList).toStrictEqual(['stats-a']);
      expect(current.totalUserCount).toBe(3);
      expect(current.newUserCount).toBe(2);
      expect(current.monthlyAcitiveUserCount).toBe(2);

      const from = now - 3 * 3_600_000;
      const to = now - 90 * 60_000;
      const earlier = await s.admin('GET', `/admin/stats?start=${new Date(from).toISOString()}&end=${to}`);
      expect(earlier.statusCode).toBe(200);
      expect(earlier.json().result).toMatchObject({
        userList: ['stats-b'],
        startTime: new Date(from).toISOString(),
        endTime: new Date(to).toISOString(),
        start: Math.floor(from / 1000),
        end: Math.floor(to / 1000),
      });

      for (const query of [`start=${now}&end=${now - 1}`, 'start=yesterday', 'end=never', 'end=99999999999999999999']) {
        const response = await s.admin('GET', `/admin/stats?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(response.json(), query).toMatchObject({ RC: 400, error: { code: 'INVALID_REQUEST' } });
      }
    } finally {
      await s.close();
    }
  });
});
