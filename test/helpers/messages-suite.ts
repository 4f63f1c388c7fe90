import { afterAll, beforeAll, expect } from 'vitest';
import { buildTestApp, type TestApp } from './test-app.js';
import { createNumberedRoom, sendMessage } from './factories.js';
import { shapeB } from './errors.js';
import { expectOk, sleep } from './expect.js';
import { callWithHeaders } from './wire.js';
import type { InjectOptions } from 'fastify';
/** Messages over HTTP (spec 5.1-5.8, resolutions 12.5 items 46-55). */

export const MESSAGE_NOT_FOUND = shapeB(
  404,
  'Message not found',
  'MESSAGE_NOT_FOUND',
  'The specified message does not exist in this room',
);

/** Waits until the clock has moved on by at least two milliseconds, so timestamps strictly order. */
export async function tick(): Promise<void> {
  const start = Date.now();
  while (Date.now() < start + 2) await sleep(1);
}

/** A user summary as embedded in message payloads (spec 1.9): no tokens, no custom fields. */
export function expectSummary(summary: any, id: string, nickname: string): void {
  expect(summary).toMatchObject({
    _id: id,
    id,
    nickname,
    avatarUrl: expect.any(String),
    clientType: 'user',
    isRobot: false,
    lastLoginTimeMS: expect.any(Number),
  });
  const allowed = [
    '_id',
    'id',
    'nickname',
    'avatarUrl',
    'clientType',
    'description',
    'isRobot',
    'lastLoginTime',
    'lastLoginTimeMS',
    'userAgent',
  ];
  for (const key of Object.keys(summary)) expect(allowed, `unexpected summary field ${key}`).toContain(key);
}

export let t: TestApp;
export let alice: string;
export let bob: string;
export let carol: string;
export let olga: string;
export let mona: string;
/** A fresh group room: olga owns it, mona manages it, alice and bob are plain members. */
export const makeRoom = (fields: Record<string, unknown> = {}) =>
  createNumberedRoom(t, 'room', {
    owner: 'olga',
    managers: ['mona'],
    members: ['olga', 'mona', 'alice', 'bob'],
    ...fields,
  });

/** POST /messages (admin send); returns the stored message. */
export const send = (room: string, sender: string, message: unknown, fields: Record<string, unknown> = {}) =>
  sendMessage(t, room, sender, message, fields);

export async function list(room: string, query = '', token?: string): Promise<any> {
  const url = `/rooms/${room}/messages/v3${query ? `?${query}` : ''}`;
  return expectOk(token ? await t.asUser(token, 'GET', url) : await t.admin('GET', url));
}

export const ids = (page: any): string[] => page.data.map((message: any) => message._id);

/** A REST call as the Flutter SDK makes it: its three headers replace all others (other-clients 1.3). */
export const asFlutter = (token: string, uid: string, method: InjectOptions['method'], url: string, body?: unknown) =>
  callWithHeaders(
    t,
    { 'IM-CLIENT-KEY': t.clientKey, 'IM-Authorization': token, 'IM-CLIENT-ID': uid },
    method,
    url,
    body,
  );

/** A REST call as the Vue client makes it: its four headers replace all others (other-clients 4.3). */
export const asVue = (token: string, method: InjectOptions['method'], url: string, body?: unknown) =>
  callWithHeaders(
    t,
    {
      'IM-Authorization': token,
      'IM-Client-Key': t.clientKey,
      'x-timezone': 'Asia/Taipei',
      'accept-language': 'zh-TW,zh;q=0.9,en;q=0.8',
    },
    method,
    url,
    body,
  );

/** Registers the suite's shared app and users (before all tests of the file) and closes it after. */
export function useMessagesApp(): void {
  beforeAll(async () => {
    t = await buildTestApp();
    alice = await t.createUser('alice', { nickname: 'Alice' });
    bob = await t.createUser('bob', { nickname: 'Bob' });
    carol = await t.createUser('carol', { nickname: 'Carol' });
    olga = await t.createUser('olga', { nickname: 'Olga' });
    mona = await t.createUser('mona', { nickname: 'Mona' });
    await t.createUser('system', { nickname: 'System' });
  });
  afterAll(() => t.close());
}
