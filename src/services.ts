import type { Redis } from 'ioredis';
import type { Config } from './config/config.js';
import type { EventBus } from './events/event-bus.js';
import type { Storage } from './storage/database.js';
import { WindowCounter } from './ratelimit/rate-limiter.js';
import { AuthFailureGuard } from './ratelimit/auth-failure-guard.js';
import { AppsRepository } from './modules/apps/apps.repository.js';
import { AppsService } from './modules/apps/apps.service.js';
import { KeysRepository } from './modules/keys/keys.repository.js';
import { KeysService } from './modules/keys/keys.service.js';
import { ApiKeyVerifier } from './modules/keys/key-verifier.js';
import { UsersRepository } from './modules/users/users.repository.js';
import { UsersService } from './modules/users/users.service.js';
import { UserListCache } from './modules/users/user-list-cache.js';
import { TokensRepository } from './modules/tokens/tokens.repository.js';
import { TokensService } from './modules/tokens/tokens.service.js';
import { UserTokenVerifier } from './modules/tokens/token-verifier.js';
import { GroupsService } from './modules/groups/groups.service.js';
import { AuditRepository } from './modules/audit/audit.repository.js';
import { ActivityRecorder } from './modules/audit/activity-recorder.js';

export interface Services {
  config: Config;
  storage: Storage;
  bus: EventBus;
  redis: Redis | undefined;
  apps: AppsService;
  keys: KeysService;
  keyVerifier: ApiKeyVerifier;
  users: UsersService;
  userListCache: UserListCache;
  usersRepository: UsersRepository;
  tokenVerifier: UserTokenVerifier;
  groups: GroupsService;
  audit: AuditRepository;
  activity: ActivityRecorder;
  keyRequests: WindowCounter;
  authFailures: AuthFailureGuard;
}

/** Wires repositories and services over one storage and one event bus. */
export function createServices(
  config: Config,
  storage: Storage,
  bus: EventBus,
  redis: Redis | undefined,
  onError: (error: unknown) => void,
): Services {
  const keysRepository = new KeysRepository(storage);
  const usersRepository = new UsersRepository(storage);
  const tokensRepository = new TokensRepository(storage);
  const audit = new AuditRepository(storage);
  const tokens = new TokensService(tokensRepository, bus, config.tokenTtlDays);
  return {
    config,
    storage,
    bus,
    redis,
    apps: new AppsService(new AppsRepository(storage), bus),
    keys: new KeysService(keysRepository, bus, config.rateLimitPerMinute),
    keyVerifier: new ApiKeyVerifier(keysRepository, bus),
    users: new UsersService(usersRepository, tokens, bus, storage.dialect),
    userListCache: new UserListCache(bus),
    usersRepository,
    tokenVerifier: new UserTokenVerifier(tokensRepository, bus),
    groups: new GroupsService(usersRepository, bus, storage.dialect),
    audit,
    activity: new ActivityRecorder(audit, keysRepository, config.auditRetentionDays, onError),
    keyRequests: new WindowCounter('key', redis, config.redisPrefix),
    authFailures: new AuthFailureGuard(new WindowCounter('authfail', redis, config.redisPrefix), config.authFailuresPerMinute),
  };
}
