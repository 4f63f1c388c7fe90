import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 16 (found after the list): a member property's *name* is a value in the body, so the JSON
 * parser's prototype guard never saw it. `PUT /rooms/:id/member/:client {"property": "__proto__"}`
 * stored a `__proto__` key in every member list sent to every client of the room, where any SDK that
 * merges `memberProperties` with `Object.assign` or a deep merge gets its prototype replaced.
 * Now: `__proto__`, `constructor` and `prototype` are refused as property names (400), like the
 * server-maintained `client`, `badge` and `lastRead` (spec 12 item 44).
 */
describe('item 16: member property names cannot be prototype keys', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let room: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['owen', 'mallory']) tokens[id] = await t.createUser(id);
    room = (await createRoom(t, { name: 'team', owner: 'owen', members: ['owen', 'mallory'] }))._id;
  });
  afterAll(() => t?.close());

  it('refuses __proto__, constructor and prototype with 400, from users and the API key, and stores nothing', async () => {
    for (const property of ['__proto__', 'constructor', 'prototype']) {
      for (const call of [
        () => t.asUser(tokens.mallory!, 'PUT', `/rooms/${room}/member/mallory`, { property, value: { isAdmin: true } }),
        () => t.admin('PUT', `/rooms/${room}/member/mallory`, { property, value: { isAdmin: true } }),
      ]) {
        const response = await call();
        expect(response.statusCode, `${property}: ${response.body}`).toBe(400);
        expect(response.json().error.code).toBe('INVALID_REQUEST');
      }
    }
    const raw = (await t.asUser(tokens.owen!, 'GET', `/rooms/${room}`)).body;
    expect(raw).not.toContain('__proto__');
    expect(raw).not.toContain('isAdmin');
  });

  it('keeps custom properties working', async () => {
    const view = expectOk(
      await t.asUser(tokens.mallory!, 'PUT', `/rooms/${room}/member/mallory`, { property: 'level', value: 3 }),
    );
    expect(view.memberProperties.find((entry: any) => entry.client === 'mallory')).toMatchObject({ level: 3 });
  });
});
