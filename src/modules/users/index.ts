/** The public surface of the users module: other folders import only from here. */
export { UserListCache } from './user-list-cache.js';
export { userSummary } from './user-summary.js';
export type { UserSummary } from './user-summary.js';
export { groupView, userView } from './user-view.js';
export type { UserView } from './user-view.js';
export { UsersRepository } from './users.repository.js';
export type { User } from './users.repository.js';
export { usersRoutes } from './users.routes.js';
export { GroupSchema, UserSchema } from './users.schemas.js';
export { UsersService, checkUserId } from './users.service.js';

import type { UsersRepository } from './users.repository.js';
/**
 * What other modules may do with users: look them up, and the user fields the chat keeps (muted
 * rooms, the system robot). Typed by this, the users repository stays private to this module.
 */
export type UserDirectory = Pick<
  UsersRepository,
  'find' | 'findMany' | 'groupsContaining' | 'setMuted' | 'forgetMutedRoom' | 'ensureRobot'
>;
