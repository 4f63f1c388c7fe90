import { createHash } from 'node:crypto';
import { shapeB } from './errors.js';
/**
 * Moderation (spec 7.1-7.7; resolutions 12.4 items 35-36, 45 and 12.6 items 60-64): room bans,
 * personal blocks and the admin's notification mute, endpoint by endpoint with their error bodies
 * and permission rules; then a matrix of what a ban, a personal block, a mute and a freeze each
 * prevent and what they leave alone, over REST and over the sockets of two SDK generations.
 */

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// Bans (7.1-7.3).
export const BANNED = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'You are banned from writing in this room');
export const CANNOT_READD = shapeB(403, 'Forbidden', 'USER_BLOCKED', 'A banned user cannot be added back to this room');
export const BLOCK_NOT_FOUND = shapeB(
  404,
  'Block relationship not found',
  'BLOCK_NOT_FOUND',
  'No block relationship exists with this user',
);

/** A user summary as block records embed it (spec 7), for a user who never connected. */
export function summary(id: string, nickname = id) {
  return { _id: id, id, nickname, avatarUrl: '', clientType: 'user', isRobot: false, lastLoginTimeMS: 0 };
}

export const ids = (list: Array<{ _id: string }>) => list.map((entry) => entry._id);
export const memberIds = (room: { members: Array<string | { _id: string }> }) =>
  room.members.map((member) => (typeof member === 'string' ? member : member._id)).sort();
