import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { badRequest, insufficient } from '../../helpers/errors.js';
import { expectBody, expectOk } from '../../helpers/expect.js';

/**
 * `GET /me/prefs` ([hist] 3.4): the caller's preferences as one object keyed by preference key; and
 * `GET /me/pref?key=`: that one `{key, data}` entry instead of the list.
 */
describe('GET /me/prefs', () => {
  let t: TestApp;
  let pia: string;
  let ray: string;
  beforeAll(async () => {
    t = await buildTestApp();
    pia = await t.createUser('pia');
    ray = await t.createUser('ray');
  });
  afterAll(() => t.close());

  const folders = { foo: 'bar', folders: { 'folder 1': { rooms: ['aaabbb', 'cccddd'] } } };

  it('answers {} when there are none, then every key with its value, as the list form holds them', async () => {
    expect((await t.asUser(pia, 'GET', '/me/prefs')).json()).toStrictEqual({ RC: 0, RM: 'OK', result: {} });
    expectOk(await t.asUser(pia, 'POST', '/me/pref/demokey', folders));
    expectOk(await t.asUser(pia, 'POST', '/me/pref/theme', { mode: 'dark' }));
    // Keys an object must not treat specially are plain keys here.
    expectOk(await t.asUser(pia, 'POST', '/me/pref/__proto__', { polluted: true }));
    const map = expectOk(await t.asUser(pia, 'GET', '/me/prefs'));
    expect(map).toStrictEqual({ demokey: folders, theme: { mode: 'dark' }, ['__proto__']: { polluted: true } });
    expect(Object.keys(map).sort()).toStrictEqual(['__proto__', 'demokey', 'theme']);
    const list = expectOk(await t.asUser(pia, 'GET', '/me/pref')) as Array<{ key: string; data: unknown }>;
    expect(Object.fromEntries(list.map(({ key, data }) => [key, data]))).toStrictEqual(map);

    expectOk(await t.asUser(pia, 'DELETE', '/me/pref/theme'));
    expectOk(await t.asUser(pia, 'DELETE', '/me/pref/__proto__'));
    expect(expectOk(await t.asUser(pia, 'GET', '/me/prefs'))).toStrictEqual({ demokey: folders });
  });

  it("shows only the caller's own; the API key reads the user IM-CLIENT-ID names", async () => {
    expect(expectOk(await t.asUser(ray, 'GET', '/me/prefs'))).toStrictEqual({});
    expect(expectOk(await t.admin('GET', '/me/prefs', undefined, { 'im-client-id': 'pia' }))).toStrictEqual({
      demokey: folders,
    });
    expectBody(await t.admin('GET', '/me/prefs'), 400, badRequest('IM-CLIENT-ID header is required with IM-API-KEY'));
  });

  it('GET /me/pref?key= answers the one entry, 404 NOT_FOUND for a key the caller does not have', async () => {
    expect((await t.asUser(pia, 'GET', '/me/pref?key=demokey')).json()).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: { key: 'demokey', data: folders },
    });
    const absent = { RC: 404, RM: 'Not Found', error: { code: 'NOT_FOUND', message: 'No such preference' } };
    expectBody(await t.asUser(pia, 'GET', '/me/pref?key=theme'), 404, absent);
    // Pia's key is not ray's.
    expectBody(await t.asUser(ray, 'GET', '/me/pref?key=demokey'), 404, absent);
    expect(expectOk(await t.admin('GET', '/me/pref?key=demokey', undefined, { 'im-client-id': 'pia' }))).toStrictEqual({
      key: 'demokey',
      data: folders,
    });
    expect((await t.asUser(pia, 'GET', '/me/pref?key=')).statusCode).toBe(400);
    expect((await t.asUser(pia, 'GET', `/me/pref?key=${'k'.repeat(129)}`)).statusCode).toBe(400);
    // Without key, still the list.
    expect(expectOk(await t.asUser(pia, 'GET', '/me/pref'))).toStrictEqual([{ key: 'demokey', data: folders }]);
  });

  it("DELETE /me/pref/:key is idempotent ([hist] 14 item 16), and never reaches another app's user", async () => {
    expectOk(await t.asUser(ray, 'POST', '/me/pref/shared', { mine: 'ray' }));
    expect(expectOk(await t.asUser(ray, 'DELETE', '/me/pref/shared'))).toStrictEqual({ key: 'shared' });
    expect(expectOk(await t.asUser(ray, 'DELETE', '/me/pref/shared'))).toStrictEqual({ key: 'shared' });
    expect(expectOk(await t.asUser(ray, 'GET', '/me/prefs'))).toStrictEqual({});

    const other = await t.services.apps.create('Other app', 'other-prefs-app');
    const otherKey = (await t.services.keys.create(other.id, { name: 'other' }, 'test')).secret;
    const asOther = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      t.admin(method, url, body, { 'im-api-key': otherKey, 'im-client-id': 'zed' });
    expectOk(await asOther('POST', '/admin/clients', { _id: 'zed', nickname: 'Zed' }));
    expectOk(await asOther('POST', '/me/pref/shared', { mine: 'zed' }));
    // App 1's key naming app 2's user: nothing of app 2's is seen or removed.
    const naming = { 'im-client-id': 'zed' };
    expect(expectOk(await t.admin('GET', '/me/prefs', undefined, naming))).toStrictEqual({});
    expect(expectOk(await t.admin('DELETE', '/me/pref/shared', {}, naming))).toStrictEqual({ key: 'shared' });
    expect(expectOk(await asOther('GET', '/me/prefs'))).toStrictEqual({ shared: { mine: 'zed' } });
  });

  it("refuses another user's map, and no token", async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/me/prefs',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': ray, 'im-client-id': 'pia' },
    });
    expectBody(response, 403, insufficient('IM-CLIENT-ID does not match the user of the token'));
    expect(response.body).not.toContain('folder 1');
    expect(
      (await t.app.inject({ method: 'GET', url: '/me/prefs', headers: { 'im-client-key': t.clientKey } })).statusCode,
    ).toBe(401);
  });
});
