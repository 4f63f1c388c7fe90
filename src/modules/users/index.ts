/** The public surface of the users module (users, their tokens, user groups): other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';
import { bindRoutes, routeGroup } from '../../http/bind-routes.js';
import { groupsRoutes } from './groups.routes.js';
import { sandboxRoutes } from './sandbox.routes.js';
import { sessionsRoutes } from './sessions.routes.js';
import { type SessionDevicesPort, SessionsService } from './sessions.service.js';
import { SandboxSignIn } from './sandbox.service.js';
import { GroupsService, type GroupRoomsPort } from './groups.service.js';
import { UserTokenVerifier } from './token-verifier.js';
import { TokensRepository } from './tokens.repository.js';
import { tokensRoutes } from './tokens.routes.js';
import { TokensService } from './tokens.service.js';
import { UserListCache } from './user-list-cache.js';
import { type Address, type User, UsersRepository as UsersTable } from './users.repository.js';
import { usersRoutes } from './users.routes.js';
import { UsersService } from './users.service.js';

export type { GroupRoomsPort } from './groups.service.js';
export type { SessionDevicesPort } from './sessions.service.js';
export type { GroupsService } from './groups.service.js';
export type { TokenCheck, UserTokenVerifier } from './token-verifier.js';
export { MAX_TOKEN_LENGTH } from './tokens.service.js';
export type { UserListCache } from './user-list-cache.js';
export { userSummary } from './user-summary.js';
export type { UserSummary } from './user-summary.js';
export { groupView, userView } from './user-view.js';
export type { UserView } from './user-view.js';
export type { Address, User } from './users.repository.js';
export { GroupSchema, UserInputSchema, UserSchema, UserSummarySchema } from './users.schemas.js';
export type { UserInput, UsersService } from './users.service.js';

/**
 * What other modules may do with users: look them up, and the user fields the chat keeps (muted
 * rooms, the system robot). `db` runs the call in the caller's transaction.
 */
export interface UserDirectory {
  find(appId: string, id: string, db?: Db): Promise<User | undefined>;
  findMany(appId: string, ids: readonly string[], db?: Db): Promise<User[]>;
  /** Whether the app has any user group. */
  anyGroup(appId: string): Promise<boolean>;
  /** The user groups among these ids, with their members (group id → member ids). */
  groupsAmong(appId: string, ids: readonly string[], db?: Db): Promise<Map<string, string[]>>;
  /** Ids of the groups that list `userId` among their members. */
  groupsContaining(appId: string, userId: string, db?: Db): Promise<string[]>;
  /** Adds or removes a room in the user's `mute` list; the user as changed, or undefined if absent. */
  setMuted(
    appId: string,
    userId: string,
    roomId: string,
    muted: boolean,
  ): Promise<{ user: User; changed: boolean } | undefined>;
  /** Takes a deleted room out of every user's `mute` list; returns the users changed. */
  forgetMutedRoom(appId: string, roomId: string, db: Db): Promise<string[]>;
  /** Ensures a robot user exists (the sender of system and batch messages). */
  ensureRobot(appId: string, id: string): Promise<void>;
}

/** Users' connections and counts, for the realtime gateway (logins) and stats. */
export interface UserActivity {
  /** A user connected: when, from where and with what (spec 1.9 `address`, `userAgent`, `lastLoginTime`). */
  recordLogin(
    appId: string,
    userId: string,
    login: { address: Address | null; userAgent: string | null },
  ): Promise<void>;
  /** Users (not groups), or those created since `since`. */
  count(appId: string, since?: number): Promise<number>;
  countActiveSince(appId: string, since: number): Promise<number>;
  /** Ids of users last connected between `from` and `to`, the latest first. */
  activeBetween(appId: string, from: number, to: number, limit: number): Promise<string[]>;
}

export interface UsersModuleDeps {
  storage: Storage;
  bus: EventBus;
  /** Lifetime of a server-issued user token (TOKEN_TTL_DAYS). */
  tokenTtlDays: number;
  /** The chat's members: users new to a group get unread counts in its rooms. */
  groupRooms: GroupRoomsPort;
  /** PARLEY_SANDBOX: the client key alone may sign in as any user (`POST /auths/sign`). */
  sandbox: boolean;
  /** The push registrations a logout removes (`IM-Device-ID`, [hist] 2.3). */
  sessionDevices: SessionDevicesPort;
}

export interface UsersModule {
  users: UsersService;
  groups: GroupsService;
  /** Verifies the user tokens of client requests and connections. */
  tokenVerifier: UserTokenVerifier;
  /** Serialized pages of `GET /admin/clients`. */
  userListCache: UserListCache;
  directory: UserDirectory & UserActivity;
  /**
   * `/admin/clients…`, `/admin/clients/:id/token`, `/admin/groups…`, `/me`, `/me/logout…`,
   * `/me/notification/…`, `/auths/sign…`.
   */
  routes: FastifyPluginAsync;
}

export function createUsersModule(deps: UsersModuleDeps): UsersModule {
  const { storage, bus } = deps;
  const repository = new UsersTable(storage);
  const tokensRepository = new TokensRepository(storage);
  const tokens = new TokensService({ tokens: tokensRepository, bus, ttlDays: deps.tokenTtlDays });
  const users = new UsersService({ users: repository, tokens, bus });
  const groups = new GroupsService({ users: repository, rooms: deps.groupRooms, bus });
  const userListCache = new UserListCache(bus);
  return {
    users,
    groups,
    tokenVerifier: new UserTokenVerifier({ tokens: tokensRepository, bus }),
    userListCache,
    directory: repository,
    routes: routeGroup(
      bindRoutes(usersRoutes, { users, userListCache }),
      bindRoutes(tokensRoutes, { users }),
      bindRoutes(groupsRoutes, { groups }),
      bindRoutes(sessionsRoutes, {
        sessions: new SessionsService({ users: repository, tokens, devices: deps.sessionDevices }),
        users,
      }),
      bindRoutes(sandboxRoutes, {
        signIn: new SandboxSignIn({ users, directory: repository, enabled: deps.sandbox }),
      }),
    ),
  };
}
