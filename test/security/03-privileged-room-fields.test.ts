import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 3: `owner`, `managers`, `webhook`, `botMode` and the room's moderation state were taken from
 * user tokens on every route that sets room fields. Now: `webhook` and `botMode` only with the API
 * key; `owner` and `managers` only with the API key or by the room's owner (a user creating a
 * group room may name itself owner); `status` (freeze) by superusers on update, never on create.
 */
describe('item 3: privileged room fields', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['mallory', 'alice', 'bob', 'owen', 'mia']) tokens[id] = await t.createUser(id);
  });
  afterAll(() => t?.close());

  const refused = (response: { statusCode: number; body: string; json(): any }) => {
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
  };

  const PRIVILEGED_ON_CREATE: Array<Record<string, unknown>> = [
    { webhook: 'https://attacker.example/hook' },
    { webhook: 'some-registered-key' },
    { botMode: true },
    { owner: 'alice' },
    { managers: ['mallory'] },
    { status: 0 },
  ];

  it('a user token cannot set them when creating a room (POST /rooms, createAndJoin)', async () => {
    for (const fields of PRIVILEGED_ON_CREATE) {
      refused(
        await t.asUser(tokens.mallory!, 'POST', '/rooms', { name: 'x', members: ['mallory', 'alice'], ...fields }),
      );
      refused(
        await t.asUser(tokens.mallory!, 'POST', '/rooms/createAndJoin', { name: 'x', invitee: ['alice'], ...fields }),
      );
      refused(
        await t.asUser(tokens.mallory!, 'POST', '/rooms', {
          roomType: 'direct',
          members: ['mallory', 'bob'],
          ...fields,
        }),
      );
    }
    const listed = expectOk(await t.asUser(tokens.alice!, 'GET', '/rooms'));
    expect(listed.totalCount).toBe(0);
  });

  it('a user may name itself owner of a group room it creates; the API key sets anything', async () => {
    const own = expectOk(
      await t.asUser(tokens.owen!, 'POST', '/rooms/createAndJoin', { name: 'owned', owner: 'owen', invitee: ['mia'] }),
    );
    expect(own.owner).toBe('owen');
    const byKey = await createRoom(t, {
      name: 'bot room',
      members: ['alice'],
      owner: 'alice',
      managers: ['bob'],
      webhook: 'https://example.com/hook',
      botMode: true,
    });
    expect(byKey).toMatchObject({ webhook: 'https://example.com/hook', botMode: true, managers: ['bob'] });
  });

  it('on update: webhook and botMode need the API key; owner and managers the owner; others are refused', async () => {
    const room = (
      await createRoom(t, {
        name: 'team',
        members: ['owen', 'mia', 'mallory'],
        owner: 'owen',
        managers: ['mia'],
      })
    )._id as string;
    // Even the owner cannot point the room at a webhook or switch its bot.
    refused(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { webhook: 'https://attacker.example/hook' }));
    refused(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { botMode: true }));
    refused(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}/bot`, { botMode: true }));
    // A manager cannot make itself owner, nor appoint managers.
    refused(await t.asUser(tokens.mia!, 'PUT', `/rooms/${room}`, { owner: 'mia' }));
    refused(await t.asUser(tokens.mia!, 'PUT', `/rooms/${room}`, { managers: ['mia', 'mallory'] }));
    // A plain member nothing at all.
    refused(await t.asUser(tokens.mallory!, 'PUT', `/rooms/${room}`, { owner: 'mallory' }));
    refused(await t.asUser(tokens.mallory!, 'PUT', `/rooms/${room}/bot`, { botState: 'X' }));
    let detail = expectOk(await t.admin('GET', `/rooms/${room}`));
    expect(detail.owner).toBe('owen');
    expect(detail.managers).toStrictEqual(['mia']);
    expect(detail.webhook ?? null).toBeNull();
    expect(detail.botMode).toBe(false);
    // The owner hands over: managers, then ownership.
    expectOk(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { managers: ['mia', 'alice'] }));
    expectOk(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}`, { owner: 'mia' }));
    // A manager still freezes and renames (spec 4.3, 7.5), and sets the bot state.
    expect((await t.asUser(tokens.alice!, 'PUT', `/rooms/${room}`, { name: 'renamed', status: 0 })).statusCode).toBe(
      200,
    );
    expectOk(await t.asUser(tokens.alice!, 'PUT', `/rooms/${room}/bot`, { botState: 'CONTACT' }));
    detail = expectOk(await t.admin('GET', `/rooms/${room}`));
    expect(detail).toMatchObject({
      owner: 'mia',
      managers: ['mia', 'alice'],
      name: 'renamed',
      status: 0,
      botState: 'CONTACT',
    });
    // The API key sets the rest.
    expectOk(await t.admin('PUT', `/rooms/${room}`, { webhook: 'https://example.com/hook', botMode: true }));
    expect(expectOk(await t.admin('GET', `/rooms/${room}`))).toMatchObject({
      webhook: 'https://example.com/hook',
      botMode: true,
    });
  });
});
