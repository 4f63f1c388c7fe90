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
