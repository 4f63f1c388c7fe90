import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from './config/config.js';
import type { EventBus } from './events/event-bus.js';
import type { Storage } from './storage/database.js';
import { WindowCounter } from './ratelimit/rate-limiter.js';
import { AuthFailureGuard } from './ratelimit/auth-failure-guard.js';
import { AppsRepository } from './modules/apps/index.js';
import { AppsService } from './modules/apps/index.js';
import { KeysRepository } from './modules/keys/index.js';
import { KeysService } from './modules/keys/index.js';
import { ApiKeyVerifier } from './modules/keys/index.js';
import { UsersRepository } from './modules/users/index.js';
import { UsersService } from './modules/users/index.js';
import { UserListCache } from './modules/users/index.js';
import { TokensRepository } from './modules/tokens/index.js';
import { TokensService } from './modules/tokens/index.js';
import { UserTokenVerifier } from './modules/tokens/index.js';
import { GroupsService } from './modules/groups/index.js';
import { AuditRepository } from './modules/audit/index.js';
import { ActivityRecorder } from './modules/audit/index.js';
import {
  createChatModule,
  type BadgesService,
  type BatchService,
  type ChatModule,
  type MembersRepository,
  type MembersService,
  type MessageList,
  type MessagesService,
  type ModerationService,
  type RoomAccess,
  type RoomList,
  type RoomsService,
  type SearchService,
  type WebhookQueue,
} from './modules/chat/index.js';
import { createPrefsModule, type PrefsService } from './modules/prefs/index.js';
import { createStatsModule } from './modules/stats/index.js';
import { FilesRepository } from './modules/files/index.js';
import { FileAccess } from './modules/files/index.js';
import { DevicesRepository } from './modules/devices/index.js';
import { ConfigService } from './modules/config/index.js';
import { WebhooksRepository } from './modules/webhooks/index.js';
import { WebhookDispatcher } from './modules/webhooks/index.js';
import { PushRepository } from './modules/push/index.js';
import { PushService } from './modules/push/index.js';
import { HttpPushProvider, LogPushProvider, type PushProvider } from './modules/push/index.js';
import { pino, type Logger } from 'pino';
import { Presence } from './realtime/presence.js';

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
  /** Requests of each user (`appId:userId`) on client routes, across its tokens and the nodes. */
  userRequests: WindowCounter;
  authFailures: AuthFailureGuard;
  /** TEMP (tests, realtime fan-out): chat's repositories until they build or ask the chat module instead. */
  roomsRepository: ChatModule['repositories']['rooms'];
  messagesRepository: ChatModule['repositories']['messages'];
  membersRepository: MembersRepository;
  roomAccess: RoomAccess;
  chat: ChatModule;
  rooms: RoomsService;
  roomList: RoomList;
  members: MembersService;
  messages: MessagesService;
  messageList: MessageList;
  batches: BatchService;
  search: SearchService;
  badges: BadgesService;
  moderation: ModerationService;
  pushRepository: PushRepository;
  push: PushService;
  webhooksRepository: WebhooksRepository;
  webhooks: WebhookDispatcher;
  presence: Presence;
  prefs: PrefsService;
  /** Route plugins of the modules built by factories (chat, prefs, stats). */
  moduleRoutes: FastifyPluginAsync[];
  files: FilesRepository;
  fileAccess: FileAccess;
  devices: DevicesRepository;
  appConfig: ConfigService;
  /** Live real-time connections of an app on every node; the gateway answers once it runs. */
  connections: { count(appId: string): Promise<number>; local(): number };
}

/** Wires repositories and services over one storage and one event bus. */
export function createServices(
  config: Config,
  storage: Storage,
  bus: EventBus,
  redis: Redis | undefined,
  onError: (error: unknown) => void,
  logger?: Logger,
): Services {
  const keysRepository = new KeysRepository(storage);
  const usersRepository = new UsersRepository(storage);
  const tokensRepository = new TokensRepository(storage);
  const audit = new AuditRepository(storage);
  const tokens = new TokensService(tokensRepository, bus, config.tokenTtlDays);
  const presence = new Presence(redis, config.redisPrefix);
  const appConfig = new ConfigService(storage, bus);
  const apps = new AppsService(new AppsRepository(storage), bus);
  const webhooksRepository = new WebhooksRepository(storage);
  const files = new FilesRepository(storage);
  const fileAccess = new FileAccess(files, config.publicFileBuckets);
  const chat = createChatModule({
    storage,
    bus,
    config,
    users: usersRepository,
    files: fileAccess,
    appConfig,
    webhooks: temporaryWebhookQueue(webhooksRepository),
    online: presence,
    onError,
  });
  const connections = { count: async (_appId: string) => 0, local: () => 0 };
  const prefs = createPrefsModule({ storage, bus, roomPrefs: chat.members });
  const stats = createStatsModule({ apps, users: usersRepository, chat: chat.counts, connections });
  const webhooks = new WebhookDispatcher(webhooksRepository, config.webhooks, chat.messages, onError);
  const pushRepository = new PushRepository(storage);
  const devices = new DevicesRepository(storage);
  return {
    chat,
    roomsRepository: chat.repositories.rooms,
    messagesRepository: chat.repositories.messages,
    membersRepository: chat.repositories.members,
    roomAccess: chat.access,
    rooms: chat.rooms,
    roomList: chat.roomList,
    members: chat.members,
    messages: chat.messages,
    messageList: chat.messageList,
    batches: chat.batches,
    search: chat.search,
    badges: chat.badges,
    moderation: chat.moderation,
    files,
    fileAccess,
    webhooksRepository,
    webhooks,
    pushRepository,
    push: new PushService(
      pushRepository,
      devices,
      usersRepository,
      pushProvider(config, webhooks, logger),
      bus,
      onError,
    ),
    connections,
    presence,
    prefs: prefs.prefs,
    moduleRoutes: [stats.routes, chat.routes, prefs.routes],
    devices,
    appConfig,
    config,
    storage,
    bus,
    redis,
    apps,
    keys: new KeysService(keysRepository, bus, config.rateLimitPerMinute),
    keyVerifier: new ApiKeyVerifier(keysRepository, bus),
    users: new UsersService(usersRepository, tokens, bus, storage.dialect),
    userListCache: new UserListCache(bus),
    usersRepository,
    tokenVerifier: new UserTokenVerifier(tokensRepository, bus),
    // TEMP: GroupsService still takes chat's members repository (it calls seedGroupUsers; chat's `members` has it).
    groups: new GroupsService(usersRepository, chat.repositories.members, bus, storage.dialect),
    audit,
    activity: new ActivityRecorder(audit, keysRepository, config.auditRetentionDays, onError),
    keyRequests: new WindowCounter('key', redis, config.redisPrefix),
    userRequests: new WindowCounter('user', redis, config.redisPrefix),
    authFailures: new AuthFailureGuard(
      new WindowCounter('authfail', redis, config.redisPrefix),
      config.authFailuresPerMinute,
    ),
  };
}

// TEMP until delivery branch: the webhooks module implements chat's WebhookQueue itself.
function temporaryWebhookQueue(repository: WebhooksRepository): WebhookQueue {
  return {
    async enqueue(tx, event) {
      const settings = await repository.settings(event.appId, tx);
      const targets = new Set<string>();
      const key = event.roomWebhook?.trim();
      if (key && /^https?:\/\//i.test(key)) targets.add(key);
      else if (key && settings?.baseUrl)
        targets.add(`${settings.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(key)}`);
      if (settings?.url) targets.add(settings.url);
      if (targets.size === 0) return;
      const { appId, roomId, clientId, botState, data } = event;
      const payload = JSON.stringify({
        appID: appId,
        clientID: clientId ?? 'admin',
        roomID: roomId,
        event: event.event,
        botState,
        data,
      });
      const now = Date.now();
      for (const url of targets) {
        const id = `msg_${randomBytes(12).toString('base64url')}`;
        await repository.enqueue({ id, appId, roomId, event: event.event, url, payload }, now, tx);
      }
    },
  };
}

/** The configured push provider (PUSH_PROVIDER): logged, or forwarded over HTTP signed like webhooks. */
function pushProvider(config: Config, webhooks: WebhookDispatcher, logger: Logger | undefined): PushProvider {
  if (config.push.provider === 'http' && config.push.httpUrl) {
    return new HttpPushProvider(
      config.push.httpUrl,
      async (appId) => [(await webhooks.settings(appId)).secret],
      config.webhooks,
    );
  }
  return new LogPushProvider(logger ?? (pino({ level: 'silent' }) as Logger));
}
