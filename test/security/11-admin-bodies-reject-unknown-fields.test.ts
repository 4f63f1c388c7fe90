import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const errorMessage = (response: { json(): { error: { message: string } } }) => response.json().error.message;

describe('item 11: a typo in an admin body is refused, never silently ignored', () => {
  it('refuses "scope" for "scopes" and creates no key (it used to make a * key)', async () => {
    const before = (await t.admin('GET', '/admin/keys')).json().result.totalCount;
    const response = await t.admin('POST', '/admin/keys', { name: 'reader', scope: ['stats:read'] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_REQUEST');
    expect(errorMessage(response)).toContain("'scope'");
    expect((await t.admin('GET', '/admin/keys')).json().result.totalCount).toBe(before);
  });

  it('refuses a misspelled field on PATCH and PUT of a key, changing nothing', async () => {
    const created = (await t.admin('POST', '/admin/keys', { name: 'typo', scopes: ['stats:read'] })).json().result;
    for (const method of ['PATCH', 'PUT'] as const) {
      const response = await t.admin(method, `/admin/keys/${created.id}`, { rateLimitPerMinite: 5 });
      expect(response.statusCode, method).toBe(400);
      expect(errorMessage(response)).toContain("'rateLimitPerMinite'");
    }
    const after = (await t.admin('GET', `/admin/keys/${created.id}`)).json().result;
    expect(after.rateLimitPerMinute).toBe(created.rateLimitPerMinute);
  });

  it('reports every error of the body at once, not only the first', async () => {
    const response = await t.admin('POST', '/admin/keys', {
      name: 7,
      scopes: 'stats:read',
      rateLimitPerMinute: 0,
      expires: 1,
    });
    expect(response.statusCode).toBe(400);
    const message = errorMessage(response);
    for (const field of ['/name', '/scopes', '/rateLimitPerMinute', "'expires'"]) expect(message).toContain(field);
  });

  it('bounds the errors it reports for a body full of unknown fields', async () => {
    const body: Record<string, number> = { name: 1 } as never;
    for (let i = 0; i < 5000; i++) body[`f${i}`] = i;
    const response = await t.admin('POST', '/admin/keys', body);
    expect(response.statusCode).toBe(400);
    expect(errorMessage(response).length).toBeLessThan(2000);
  });

  it("closes Parley's other admin bodies: rolling a key, the app settings, webhooks, a group's update", async () => {
    const key = (await t.admin('POST', '/admin/keys', { name: 'to roll' })).json().result;
    await t.admin('POST', '/admin/groups', { _id: 'team-11', nickname: 'Team' });
    const cases: Array<[string, string, object, string]> = [
      ['POST', `/admin/keys/${key.id}/roll`, { gracePeriod: 0 }, 'gracePeriod'],
      ['PATCH', '/admin/app', { singleTokenPerUsr: true }, 'singleTokenPerUsr'],
      ['PUT', '/admin/webhooks', { ulr: 'https://example.com/hook' }, 'ulr'],
      ['POST', '/admin/webhooks/secret', { grace: 5 }, 'grace'],
      ['PUT', '/admin/groups/team-11', { nicknme: 'Renamed' }, 'nicknme'],
    ];
    for (const [method, url, body, field] of cases) {
      const response = await t.admin(method as 'POST', url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(errorMessage(response), `${method} ${url}`).toContain(`'${field}'`);
    }
    // Nothing happened: the key was not rolled, the group kept its name.
    expect((await t.admin('GET', `/admin/keys/${key.id}`)).json().result.rolledTo).toBeNull();
    expect((await t.admin('GET', '/admin/groups/team-11')).json().result.nickname).toBe('Team');
    // An empty roll body is still fine.
    expect((await t.admin('POST', `/admin/keys/${key.id}/roll`)).statusCode).toBe(200);
  });

  it('keeps accepting the custom fields IMKIT allows on its own bodies (users, messages)', async () => {
    const user = await t.admin('POST', '/admin/clients', { _id: 'custom-11', nickname: 'C', favouriteColour: 'teal' });
    expect(user.statusCode).toBe(200);
    const room = await t.admin('POST', '/rooms', { _id: 'room-11', name: 'R', members: ['custom-11'] });
    expect(room.statusCode).toBe(200);
    const message = await t.admin('POST', '/messages', {
      room: 'room-11',
      sender: 'custom-11',
      message: 'hi',
      messageType: 'text',
      customTag: 'x',
    });
    expect(message.statusCode).toBe(200);
  });
});
