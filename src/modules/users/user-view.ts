import type { Static } from '@sinclair/typebox';
import { iso } from '../../shared/time.js';
import type { GroupSchema, UserSchema } from './users.schemas.js';
import type { User } from './users.repository.js';
import { clientTypeOf } from './user-summary.js';

/** Fields Parley manages itself; a custom field of the same name is never stored or returned. */
export const RESERVED_USER_FIELDS = new Set([
  '_id',
  'id',
  'appID',
  '__v',
  'nickname',
  'avatarUrl',
  'email',
  'description',
  'isRobot',
  'address',
  'userAgent',
  'lastLoginTime',
  'lastLoginTimeMS',
  'lastJoinOrCreateRoomTime',
  'createdAt',
  'createdAtMS',
  'updatedAt',
  'updatedAtMS',
  'mute',
  'notificationEnabled',
  'members',
  'token',
  'expirationDate',
  'expirationDateMS',
  'issueAccessToken',
  'isGroup',
  'client',
  'clientType',
]);

export type UserView = Static<typeof UserSchema> & Record<string, unknown>;

/** The user object of spec 1.9, custom fields included. Never carries tokens. */
export function userView(user: User): UserView {
  const view: UserView = {
    ...user.custom,
    _id: user.id,
    id: user.id,
    appID: user.appId,
    __v: 0,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    clientType: clientTypeOf(user),
    lastLoginTimeMS: user.lastLoginTime,
    isRobot: user.isRobot,
    mute: user.mute,
    notificationEnabled: user.notificationEnabled,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
  if (user.email !== null) view.email = user.email;
  if (user.description !== null) view.description = user.description;
  if (user.address !== null) view.address = user.address;
  if (user.userAgent !== null) view.userAgent = user.userAgent;
  if (user.lastLoginTime > 0) view.lastLoginTime = iso(user.lastLoginTime);
  if (user.lastJoinOrCreateRoomTime !== null) view.lastJoinOrCreateRoomTime = iso(user.lastJoinOrCreateRoomTime);
  return view;
}

/** A user group as `GET /admin/groups` lists it (spec 3.6). */
export function groupView(group: User): Static<typeof GroupSchema> {
  return {
    _id: group.id,
    id: group.id,
    nickname: group.nickname,
    avatarUrl: group.avatarUrl,
    clientType: 'group',
    members: group.groupMembers ?? [],
    createdAt: iso(group.createdAt),
    updatedAt: iso(group.updatedAt),
  };
}
