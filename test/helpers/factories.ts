import type { TestApp } from './test-app.js';
import { expectOk } from './expect.js';

/** Room, message and user factories shared by the API and security suites. */

/** Tokens of five users for permission tests, one per role a room can give (plus none). */
export interface Cast {
  owner: string;
  manager: string;
  /** The user 'admin-member', meant to hold the room's member role 'admin'. */
  admin: string;
  member: string;
  outsider: string;
}

/** Creates the users 'owner', 'manager', 'admin-member', 'member' and 'outsider' and returns their tokens. */
export async function createCast(t: TestApp): Promise<Cast> {
  return {
    owner: await t.createUser('owner', { nickname: 'Owner' }),
    manager: await t.createUser('manager', { nickname: 'Manager' }),
    admin: await t.createUser('admin-member', { nickname: 'Admin member' }),
    member: await t.createUser('member', { nickname: 'Member' }),
    outsider: await t.createUser('outsider', { nickname: 'Outsider' }),
  };
}

/** POST /rooms as the platform admin; answers the stored room. */
export async function createRoom(t: TestApp, fields: Record<string, unknown>): Promise<any> {
  return expectOk(await t.admin('POST', '/rooms', fields));
}

/** POST /messages as the platform admin (a text message unless fields say otherwise); answers the stored message. */
export async function sendMessage(
  t: TestApp,
  room: string,
  sender: string,
  message: unknown,
  fields: Record<string, unknown> = {},
): Promise<any> {
  return expectOk(await t.admin('POST', '/messages', { room, sender, message, messageType: 'text', ...fields }));
}
