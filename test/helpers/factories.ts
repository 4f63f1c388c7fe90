import type { TestApp } from './test-app.js';
import { expectOk } from './expect.js';

/** Room, message, group and user factories shared by the API and security suites. */

/** What a factory needs of a node: its full-permission admin requests. */
export type AdminCaller = Pick<TestApp, 'admin'>;

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

/** Creates users with the given ids (nickname = id unless given) and returns their tokens by id. */
export async function createUsers(
  t: TestApp,
  users: Array<string | [id: string, nickname: string]>,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const user of users) {
    const [id, nickname] = typeof user === 'string' ? [user, undefined] : user;
    tokens[id] = await t.createUser(id, nickname === undefined ? {} : { nickname });
  }
  return tokens;
}

/** Creates users with the given ids, each nicknamed after its id capitalised ('ann' → 'Ann'); returns their tokens by id. */
export function createNamedUsers(t: TestApp, ids: string[]): Promise<Record<string, string>> {
  return createUsers(
    t,
    ids.map((id): [string, string] => [id, id.charAt(0).toUpperCase() + id.slice(1)]),
  );
}

/** POST /rooms as the platform admin; answers the stored room. */
export async function createRoom(t: AdminCaller, fields: Record<string, unknown>): Promise<any> {
  return expectOk(await t.admin('POST', '/rooms', fields));
}

/** The cast's members of a cast room: everyone but the outsider. */
export const CAST_MEMBERS = ['owner', 'manager', 'admin-member', 'member'];

/**
 * A room of the cast: owner 'owner', manager 'manager', members {@link CAST_MEMBERS} (override with fields),
 * and with `adminMember` the room's member role 'admin' given to that member.
 */
export async function createCastRoom(
  t: AdminCaller,
  id: string,
  fields: Record<string, unknown> = {},
  adminMember?: string,
): Promise<any> {
  const room = await createRoom(t, {
    _id: id,
    owner: 'owner',
    managers: ['manager'],
    members: CAST_MEMBERS,
    ...fields,
  });
  if (adminMember) await setMemberRole(t, id, adminMember, 'admin');
  return room;
}

/** PUT /rooms/:id/member/:client {property: 'role'} as the platform admin. */
export async function setMemberRole(t: AdminCaller, room: string, member: string, role: string): Promise<void> {
  expectOk(await t.admin('PUT', `/rooms/${room}/member/${member}`, { property: 'role', value: role }));
}

/** POST /admin/groups as the platform admin; answers the stored group. */
export async function createGroup(t: AdminCaller, fields: Record<string, unknown>): Promise<any> {
  return expectOk(await t.admin('POST', '/admin/groups', fields));
}

/** POST /messages as the platform admin (a text message unless fields say otherwise); answers the stored message. */
export async function sendMessage(
  t: AdminCaller,
  room: string,
  sender: string,
  message: unknown,
  fields: Record<string, unknown> = {},
): Promise<any> {
  return expectOk(await t.admin('POST', '/messages', { room, sender, message, messageType: 'text', ...fields }));
}

const roomCounters = new Map<string, number>();

/** POST /rooms of a fresh room `${prefix}-${n}` (n counts per prefix, from 1), named after its id; answers the id. */
export async function createNumberedRoom(
  t: AdminCaller,
  prefix: string,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const n = (roomCounters.get(prefix) ?? 0) + 1;
  roomCounters.set(prefix, n);
  const _id = `${prefix}-${n}`;
  await createRoom(t, { _id, name: _id, ...fields });
  return _id;
}
