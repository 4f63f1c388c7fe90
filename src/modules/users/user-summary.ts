import { iso } from '../../shared/time.js';
import type { User } from './users.repository.js';

/** `"group"` for a user group's pseudo-user (spec 3.6), `"user"` for everyone else. */
export type ClientType = 'user' | 'group';

export const clientTypeOf = (user: Pick<User, 'isGroup'> | undefined): ClientType => (user?.isGroup ? 'group' : 'user');

/** A type rather than an interface so that events carry it as a plain record. */
export type UserSummary = {
  _id: string;
  id: string;
  nickname: string;
  avatarUrl: string;
  /** IMKIT's Vue client counts a room member only when this is `"user"` (other-clients 4.4). */
  clientType: ClientType;
  description?: string;
  isRobot: boolean;
  lastLoginTime?: string;
  lastLoginTimeMS: number;
  userAgent?: string;
  /** RSA public key for end-to-end encryption (realtime protocol 8), kept as a custom field. */
  publicKey?: string;
  /** A live connection on any node (spec 4.2, room members only). */
  isSocketConnected?: boolean;
  /** Group pseudo-users: their members, as summaries (spec 12 item 26). */
  members?: UserSummary[];
};

/**
 * The embedded user of messages, room members and blocks (spec 1.9): never tokens or custom data.
 * A user deleted since keeps their id with empty fields.
 */
export function userSummary(
  id: string,
  user: User | undefined,
  options: { userAgent?: boolean; publicKey?: boolean } = {},
): UserSummary {
  if (!user)
    return { _id: id, id, nickname: '', avatarUrl: '', clientType: 'user', isRobot: false, lastLoginTimeMS: 0 };
  const summary: UserSummary = {
    _id: user.id,
    id: user.id,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    clientType: clientTypeOf(user),
    isRobot: user.isRobot,
    lastLoginTimeMS: user.lastLoginTime,
  };
  if (user.description !== null) summary.description = user.description;
  if (user.lastLoginTime > 0) summary.lastLoginTime = iso(user.lastLoginTime);
  if (options.userAgent && user.userAgent !== null) summary.userAgent = user.userAgent;
  if (options.publicKey && typeof user.custom.publicKey === 'string') summary.publicKey = user.custom.publicKey;
  return summary;
}
