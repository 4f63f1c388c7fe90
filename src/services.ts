import type { Redis } from 'ioredis';
import type { Config } from './config/config.js';
import type { EventBus } from './events/event-bus.js';
import type { Storage } from './storage/database.js';
import { WindowCounter } from './ratelimit/rate-limiter.js';
import { AuthFailureGuard } from './ratelimit/auth-failure-guard.js';
import { createAppsModule, type AppsService } from './modules/apps/index.js';
import { createKeysModule, type ApiKeyVerifier, type KeysService } from './modules/keys/index.js';
import {
  createUsersModule,
  type GroupsService,
  type UserActivity,
  type UserDirectory,
  type UserListCache,
  type UsersModule,
  type UsersService,
  type UserTokenVerifier,
} from './modules/users/index.js';
import { createAuditModule, type ActivityRecorder, type AuditService } from './modules/audit/index.js';
import type { FastifyPluginAsync } from 'fastify';
import { RoomsRepository } from './modules/chat/index.js';
import { RoomAccess } from './modules/chat/index.js';
import { RoomPresenter } from './modules/chat/index.js';
import { RoomsService } from './modules/chat/index.js';
import { RoomList } from './modules/chat/index.js';
import { MembersRepository } from './modules/chat/index.js';
import { MembersService } from './modules/chat/index.js';
import { MessagesRepository } from './modules/chat/index.js';
import { MessageWriter } from './modules/chat/index.js';
import { MessagesService } from './modules/chat/index.js';
import { MessageList } from './modules/chat/index.js';
import { BatchRepository } from './modules/chat/index.js';
import { BatchService } from './modules/chat/index.js';
import { SearchService } from './modules/search/index.js';
import { BadgesService } from './modules/badges/index.js';
import { PrefsRepository } from './modules/prefs/index.js';
import { createFilesModule, type FilesModule } from './modules/files/index.js';
import { createDevicesModule, type DevicesModule } from './modules/devices/index.js';
import { createConfigModule, type ConfigService } from './modules/config/index.js';
import { createHealthModule } from './modules/health/index.js';
import { ModerationRepository } from './modules/chat/index.js';
import { ModerationService } from './modules/chat/index.js';
import {
  createWebhooksModule,
  type WebhookOutbox,
  type WebhookQueue,
  type WebhooksModule,
} from './modules/webhooks/index.js';
import { messageView, type Room, type StoredMessage } from './modules/chat/index.js';
import { userSummary } from './modules/users/index.js';
import { createPushModule, createPushProvider, type PushModule } from './modules/push/index.js';
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
  usersRepository: UserDirectory & UserActivity;
  /** Route plugins of the modules built by their factories (the integrator replaces this bag). */
  moduleRoutes: Record<'health' | 'keys' | 'users' | 'audit' | 'apps' | 'config', FastifyPluginAsync>;
  tokenVerifier: UserTokenVerifier;
  groups: GroupsService;
  audit: AuditService;
  activity: ActivityRecorder;
  keyRequests: WindowCounter;
  /** Requests of each user (`appId:userId`) on client routes, across its tokens and the nodes. */
  userRequests: WindowCounter;
  authFailures: AuthFailureGuard;
  roomsRepository: RoomsRepository;
  messagesRepository: MessagesRepository;
  membersRepository: MembersRepository;
  roomAccess: RoomAccess;
  presenter: RoomPresenter;
  rooms: RoomsService;
  roomList: RoomList;
  members: MembersService;
  messages: MessagesService;
  messageList: MessageList;
  batches: BatchService;
  search: SearchService;
  badges: BadgesService;
  moderation: ModerationService;
  /** Read by the metrics plugin; PushService.notificationCounts. */
  pushRepository: { counts(): Promise<Record<string, number>> };
  push: PushModule['push'];
  /** Read by the metrics plugin; WebhooksService.deliveryCounts. */
  webhooksRepository: { counts(): Promise<Record<string, number>> };
  /** The dispatcher (runtime starts and stops it). */
  webhooks: WebhooksModule['dispatcher'];
  /** The modules of this branch, built by their factories (routes registered in app.ts). */
  modules: { files: FilesModule; devices: DevicesModule; webhooks: WebhooksModule; push: PushModule };
  presence: Presence;
  prefs: PrefsRepository;
  devices: DevicesModule['devices'];
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
  const appsModule = createAppsModule({ storage, bus });
  // Keys read usage from the audit trail; the trail reports each key's last use to keys.
  const auditModule = createAuditModule({
    storage,
    keys: { recordUse: (keyId, at, ip) => keysModule.keys.recordUse(keyId, at, ip) },
    retentionDays: config.auditRetentionDays,
    onError,
  });
  const keysModule = createKeysModule({
    storage,
    bus,
    defaultRateLimit: config.rateLimitPerMinute,
    apps: appsModule.apps,
    activity: auditModule.audit,
  });
  const membersRepository = new MembersRepository(storage);
  const usersModule = createUsersModule({
    storage,
    bus,
    tokenTtlDays: config.tokenTtlDays,
    groupRooms: membersRepository,
  });
  const usersRepository = usersModule.directory;
  const presence = new Presence(redis, config.redisPrefix);
  const configModule = createConfigModule({ storage, bus });
  const appConfig = configModule.appConfig;
  const apps = appsModule.apps;
  const files = createFilesModule({
    storage,
    apps,
    publicBuckets: config.publicFileBuckets,
    maxFileBytes: config.limits.fileBytes,
  });
  const webhooks = createWebhooksModule({
    storage,
    config: config.webhooks,
    // The chat services are built below with this module's queue; replies arrive only once it runs.
    replies: { applyBotReply: (appId, roomId, text) => chat.messages.applyBotReply(appId, roomId, text) },
    onError,
  });
  const chat = createChatServices(
    config,
    storage,
    bus,
    usersRepository,
    membersRepository,
    presence,
    appConfig,
    onError,
    { webhooks, files },
  );
  const devices = createDevicesModule({ storage, users: usersRepository });
  const push = createPushModule({
    storage,
    bus,
    devices: devices.devices,
    users: usersRepository,
    provider: createPushProvider({
      config: config.push,
      outbound: config.webhooks,
      secretsOf: async (appId) => [(await webhooks.webhooks.settings(appId)).secret],
      logger: logger ?? (pino({ level: 'silent' }) as Logger),
    }),
    onError,
  });
  return {
    ...chat,
    modules: { files, devices, webhooks, push },
    push: push.push,
    pushRepository: { counts: () => push.push.notificationCounts() },
    webhooks: webhooks.dispatcher,
    webhooksRepository: { counts: () => webhooks.webhooks.deliveryCounts() },
    connections: { count: async () => 0, local: () => 0 },
    presence,
    prefs: new PrefsRepository(storage),
    devices: devices.devices,
    appConfig,
    config,
    storage,
    bus,
    redis,
    apps: appsModule.apps,
    keys: keysModule.keys,
    keyVerifier: keysModule.keyVerifier,
    moduleRoutes: {
      health: createHealthModule({ storage, redis }).routes,
      keys: keysModule.routes,
      users: usersModule.routes,
      audit: auditModule.routes,
      apps: appsModule.routes,
      config: configModule.routes,
    },
    users: usersModule.users,
    userListCache: usersModule.userListCache,
    usersRepository,
    tokenVerifier: usersModule.tokenVerifier,
    groups: usersModule.groups,
    audit: auditModule.audit,
    activity: auditModule.activity,
    keyRequests: new WindowCounter('key', redis, config.redisPrefix),
    userRequests: new WindowCounter('user', redis, config.redisPrefix),
    authFailures: new AuthFailureGuard(
      new WindowCounter('authfail', redis, config.redisPrefix),
      config.authFailuresPerMinute,
    ),
  };
}

/** Rooms, members, messages, search and badges (spec 4-6). */
function createChatServices(
  config: Config,
  storage: Storage,
  bus: EventBus,
  users: UserDirectory,
  membersRepository: MembersRepository,
  presence: Presence,
  appConfig: ConfigService,
  onError: (error: unknown) => void,
  modules: { webhooks: WebhooksModule; files: FilesModule },
) {
  const { limits, systemUserId } = config;
  const roomsRepository = new RoomsRepository(storage);
  const messagesRepository = new MessagesRepository(storage);
  const moderationRepository = new ModerationRepository(storage);
  const access = new RoomAccess(roomsRepository, membersRepository, users, moderationRepository);
  const presenter = new RoomPresenter(users, membersRepository, messagesRepository, presence);
  const outbox = chatWebhookOutbox(modules.webhooks.queue, users);
  const fileAccess = modules.files.fileAccess;
  const writer = new MessageWriter(messagesRepository, roomsRepository, membersRepository, outbox, fileAccess);
  const rooms = new RoomsService(
    roomsRepository,
    membersRepository,
    users,
    access,
    presenter,
    writer,
    bus,
    storage.dialect,
    limits,
    systemUserId,
    outbox,
  );
  const messages = new MessagesService(
    messagesRepository,
    roomsRepository,
    membersRepository,
    users,
    access,
    presenter,
    writer,
    bus,
    limits,
    storage.dialect,
    appConfig,
  );
  return {
    roomsRepository,
    messagesRepository,
    membersRepository,
    roomAccess: access,
    presenter,
    rooms,
    roomList: new RoomList(roomsRepository, membersRepository, users, access, presenter),
    members: new MembersService(
      roomsRepository,
      membersRepository,
      users,
      access,
      rooms,
      writer,
      bus,
      limits,
      moderationRepository,
      outbox,
    ),
    messages,
    messageList: new MessageList(messagesRepository, access, presenter, limits.pageSize),
    batches: new BatchService(
      new BatchRepository(storage),
      roomsRepository,
      membersRepository,
      users,
      writer,
      messages,
      bus,
      limits,
      systemUserId,
      onError,
    ),
    moderation: new ModerationService(
      moderationRepository,
      roomsRepository,
      membersRepository,
      users,
      access,
      presenter,
      bus,
    ),
    search: new SearchService(
      storage,
      storage.dialect,
      roomsRepository,
      membersRepository,
      users,
      access,
      presenter,
      messagesRepository,
    ),
    badges: new BadgesService(roomsRepository, membersRepository, access),
  };
}

/**
 * TEMP until chat branch: chat's call sites still hand rooms and stored messages to an outbox; the
 * payloads (spec 11.2) are built here and queued through the webhooks module's `WebhookQueue`.
 */
function chatWebhookOutbox(queue: WebhookQueue, users: UserDirectory): WebhookOutbox {
  const base = (room: Room) => ({
    appId: room.appId,
    roomId: room.id,
    roomWebhook: room.webhook,
    botState: room.botState ?? '',
  });
  return {
    async message(tx, room: Room, message: StoredMessage) {
      const sender =
        message.senderId === null
          ? null
          : userSummary(message.senderId, await users.find(room.appId, message.senderId, tx));
      await queue.enqueue(tx, {
        ...base(room),
        event: 'MESSAGE',
        clientId: message.senderId,
        data: messageView(message, sender),
      });
    },
    async members(tx, room: Room, event, actorId, userIds) {
      if (userIds.length === 0) return;
      const found = new Map(
        (await users.findMany(room.appId, [...userIds, ...(actorId ? [actorId] : [])], tx)).map((user) => [
          user.id,
          user,
        ]),
      );
      const sender = userSummary(actorId ?? 'admin', actorId ? found.get(actorId) : undefined);
      await queue.enqueue(tx, {
        ...base(room),
        event,
        clientId: actorId,
        data: { room: room.id, sender, members: userIds.map((id) => userSummary(id, found.get(id))) },
      });
    },
  };
}
