import type { Config } from '../config/config.js';
import type { EventBus } from '../events/event-bus.js';
import type { AppsService } from '../modules/apps/index.js';
import type {
  MembersService,
  MessagesService,
  RoomsService,
  SyncService,
  TypingService,
} from '../modules/chat/index.js';
import type { ApiKeyVerifier } from '../modules/keys/index.js';
import type { UserActivity, UserDirectory, UserTokenVerifier } from '../modules/users/index.js';
import type { AuthFailureGuard } from '../ratelimit/auth-failure-guard.js';
import type { WindowCounter } from '../ratelimit/rate-limiter.js';
import type { Presence } from './presence.js';

/** What the real-time gateway uses, by name: the same verifiers and budgets as HTTP, and the chat's services. */
export interface RealtimeDeps {
  config: Pick<Config, 'trustProxy' | 'redisPrefix' | 'corsOrigins'>;
  bus: EventBus;
  presence: Pick<Presence, 'connected' | 'disconnected'>;
  apps: Pick<AppsService, 'defaultApp' | 'resolveClientKey'>;
  tokenVerifier: Pick<UserTokenVerifier, 'verify' | 'verifyInAnyApp'>;
  keyVerifier: Pick<ApiKeyVerifier, 'byId' | 'cached' | 'lookup'>;
  authFailures: AuthFailureGuard;
  keyRequests: WindowCounter;
  users: Pick<UserDirectory, 'find' | 'groupsContaining'> & Pick<UserActivity, 'recordLogin'>;
  chat: {
    rooms: Pick<RoomsService, 'get'>;
    members: Pick<MembersService, 'memberIds'>;
    messages: Pick<MessagesService, 'sendAsMember' | 'markRead'>;
    typing: Pick<TypingService, 'typing'>;
    sync: Pick<SyncService, 'catchUp'>;
  };
}
