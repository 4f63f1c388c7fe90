import { written } from './written.js';
import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { NEW_ROOM, type MembersRepository } from './members.repository.js';
import type { Db } from '../../storage/transaction.js';
import type { Room, RoomsRepository } from './rooms.repository.js';

/** The id of the direct room of two users: md5 of their ids, ascending, joined by "_" (spec 1.6). */
export function directRoomId(a: string, b: string): string {
  return createHash('md5').update([a, b].sort().join('_')).digest('hex');
}

const MD5_HEX = /^[0-9a-f]{32}$/;

/**
 * Ids of this shape are reserved for direct rooms, each for the one pair it is the md5 of: no
 * other room may take one, or the pair's direct room could never be created (or would be another's).
 */
export const isDirectRoomIdShape = (id: string): boolean => MD5_HEX.test(id);

/**
 * The pair's direct room inside the caller's transaction, created when missing (spec 1.6). Only
 * the pair's own room counts: another room that took its id never receives their messages.
 */
export async function ensureDirectRoom(
  repositories: { rooms: RoomsRepository; members: MembersRepository },
  appId: string,
  a: string,
  b: string,
  tx: Db,
): Promise<{ room: Room; created: boolean; members: string[] }> {
  const { rooms, members } = repositories;
  const roomId = directRoomId(a, b);
  const existing = await rooms.findForUpdate(appId, roomId, tx);
  if (existing) {
    const ids = (await members.list(appId, roomId, tx)).map((member) => member.userId);
    if (existing.roomType !== 'direct' || ids.length !== 2 || !ids.includes(a) || !ids.includes(b)) {
      throw new AppError('ROOM_EXISTS', `The direct room id of '${a}' and '${b}' is taken by another room`);
    }
    return { room: existing, created: false, members: ids };
  }
  const now = Date.now();
  await rooms.insert(appId, roomId, { roomType: 'direct' }, now, tx);
  await members.add(appId, roomId, [a, b], NEW_ROOM, now, tx);
  return { room: written(await rooms.find(appId, roomId, tx)), created: true, members: [a, b] };
}
