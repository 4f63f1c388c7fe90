import { createHash } from 'node:crypto';
import type { TestApp } from './test-app.js';
import { clientNotFound, shapeB } from './wire.js';
import { expectOk } from './expect.js';
/**
 * Moderation (spec 7.1-7.7; resolutions 12.4 items 35-36, 45 and 12.6 items 60-64): room bans,
 * personal blocks and the admin's notification mute, endpoint by endpoint with their error bodies
 * and permission rules; then a matrix of what a ban, a personal block, a mute and a freeze each
 * prevent and what they leave alone, over REST and over the sockets of two SDK generations.
 */

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// Bans (7.1-7.3).
export const CANNOT_BAN = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only platform admin and room owner can block users in group chat rooms',
);
export const CANNOT_UNBAN = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner can unblock users in group chat rooms',
);
export const CANNOT_LIST = shapeB(
  403,
  'Access denied',
  'INSUFFICIENT_PERMISSIONS',
  'Only room owner can view blocklist in group chat rooms',
);
export const ROOM_OR_USER_NOT_FOUND = shapeB(
  404,
  'Resource not found',
  'ROOM_OR_USER_NOT_FOUND',
  'The specified room or user does not exist',
);
export const INVALID_USER_ID = shapeB(
  400,
  'Invalid parameters',
  'INVALID_USER_ID',
  'The room owner and yourself cannot be banned',
);
export const ALREADY_BANNED = shapeB(
  409,
  'User already blocked',
  'USER_ALREADY_BLOCKED',
  'This user is already blocked in this room',
);
export const BAN_NOT_FOUND = shapeB(
  404,
  'Block relationship not found',
  'BLOCK_NOT_FOUND',
  'No block relationship exists for this user in the specified room',
);
export const BANNED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'You are banned from writing in this room');
export const CANNOT_READD = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A banned user cannot be added back to this room');
// Personal blocks (7.4).
export const USER_NOT_FOUND = shapeB(404, 'User not found', 'USER_NOT_FOUND', 'The specified user does not exist');
export const SELF_BLOCK = shapeB(400, 'Cannot block yourself', 'SELF_BLOCK_FORBIDDEN', 'Users cannot block themselves');
export const ALREADY_BLOCKED = shapeB(
  409,
  'User already blocked',
  'USER_ALREADY_BLOCKED',
  'This user is already in your block list',
);
export const BLOCK_NOT_FOUND = shapeB(
  404,
  'Block relationship not found',
  'BLOCK_NOT_FOUND',
  'No block relationship exists with this user',
);
export const BLOCKED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A block between you closes this direct room');
export const NEEDS_CLIENT_ID = shapeB(
  400,
  'Bad Request',
  'INVALID_REQUEST',
  'IM-CLIENT-ID header is required with IM-API-KEY',
);
export const CLIENT_ID_MISMATCH = shapeB(
  403,
  'Forbidden',
  'INSUFFICIENT_PERMISSIONS',
  'IM-CLIENT-ID does not match the user of the token',
);
// Admin mute (7.6-7.7).
export const mutedClientNotFound = (id: string) => clientNotFound(id, 'Client not found');
export const ROOM_NOT_MUTED = shapeB(
  400,
  'Room is not muted',
  'ROOM_NOT_MUTED',
  'The specified room is not in the mute list',
);
export const MISSING_API_KEY = { error: 'MISSING_API_KEY', message: 'IM-API-KEY header is required' };

/** A user summary as block records embed it (spec 7), for a user who never connected. */
export function summary(id: string, nickname = id) {
  return { _id: id, id, nickname, avatarUrl: '', isRobot: false, lastLoginTimeMS: 0 };
}

export const ids = (list: Array<{ _id: string }>) => list.map((entry) => entry._id);
export const memberIds = (room: { members: Array<string | { _id: string }> }) =>
  room.members.map((member) => (typeof member === 'string' ? member : member._id)).sort();

/** Everything about a room that a refused write could have changed, as the platform admin reads it. */
export async function roomState(t: TestApp, roomId: string) {
  const room = expectOk(await t.admin('GET', `/rooms/${roomId}`));
  const messages = expectOk(await t.admin('GET', `/rooms/${roomId}/messages/v3?limit=100`));
  delete messages.inspect;
  return { room, messages };
}
