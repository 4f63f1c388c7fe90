import { afterAll, beforeAll, expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from './test-app.js';
import { createNumberedRoom, sendMessage } from './factories.js';
import { shapeB } from './wire.js';
import { expectOk, sleep } from './expect.js';
/** Messages over HTTP (spec 5.1-5.8, resolutions 12.5 items 46-55). */

export const MESSAGE_EXISTS = shapeB(
  409,
  'Conflict',
  'MESSAGE_EXISTS',
  'A message with this ID already exists; choose another _id',
);
export const MESSAGE_NOT_FOUND = shapeB(
  404,
  'Message not found',
  'MESSAGE_NOT_FOUND',
  'The specified message does not exist in this room',
);
export const DELETE_DENIED = shapeB(
  403,
  'Permission denied',
  'INSUFFICIENT_PERMISSION',
  'Only platform admin, room owner or room manager can delete messages',
);
export const EDIT_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only the sender, room owner, manager, or platform admin can edit a message',
);
export const RECALL_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only the sender, room owner, manager, or platform admin can recall a message',
);
export const PIN_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner, manager, or platform admin can pin messages',
);
export const UNPIN_DENIED = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner, manager, or platform admin can unpin messages',
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
    isRobot: false,
    lastLoginTimeMS: expect.any(Number),
  });
  const allowed = [
    '_id',
    'id',
    'nickname',
    'avatarUrl',
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

/** POST /messages expected to fail. */
export async function send400(room: string, message: string): Promise<LightMyRequestResponse> {
  return t.admin('POST', '/messages', { room, sender: 'alice', message, messageType: 'text' });
}

export async function list(room: string, query = '', token?: string): Promise<any> {
  const url = `/rooms/${room}/messages/v3${query ? `?${query}` : ''}`;
  return expectOk(token ? await t.asUser(token, 'GET', url) : await t.admin('GET', url));
}

/** A 200 of DELETE /rooms/:id/messages/:messageId, with its own RM (spec 5.6). */
export function expectDeleted(response: LightMyRequestResponse): any {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({ RC: 0, RM: 'Message deleted successfully', result: { deletedCount: 1 } });
  return response.json().result;
}

export const ids = (page: any): string[] => page.data.map((message: any) => message._id);

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
