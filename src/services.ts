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
import { SearchService } from './modules/chat/index.js';
import { BadgesService } from './modules/chat/index.js';
import { PrefsRepository } from './modules/prefs/index.js';
import { FilesRepository } from './modules/files/index.js';
import { FileAccess } from './modules/files/index.js';
import { DevicesRepository } from './modules/devices/index.js';
import { ConfigService } from './modules/config/index.js';
import { ModerationRepository } from './modules/chat/index.js';
import { ModerationService } from './modules/chat/index.js';
import { WebhooksRepository } from './modules/webhooks/index.js';
import { WebhookOutbox } from './modules/webhooks/index.js';
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
  pushRepository: PushRepository;
  push: PushService;
  webhooksRepository: WebhooksRepository;
  webhooks: WebhookDispatcher;
  presence: Presence;
  prefs: PrefsRepository;
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
  const membersRepository = new MembersRepository(storage);
  const presence = new Presence(redis, config.redisPrefix);
  const appConfig = new ConfigService(storage, bus);
  const chat = createChatServices(
    config,
    storage,
    bus,
    usersRepository,
    membersRepository,
    presence,
    appConfig,
    onError,
  );
  const devices = new DevicesRepository(storage);
  return {
    ...chat,
    push: new PushService(
      chat.pushRepository,
      devices,
      usersRepository,
      pushProvider(config, chat.webhooks, logger),
      bus,
      onError,
    ),
    connections: { count: async () => 0, local: () => 0 },
    presence,
    prefs: new PrefsRepository(storage),
    devices,
    appConfig,
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
    groups: new GroupsService(usersRepository, membersRepository, bus, storage.dialect),
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

/** Rooms, members, messages, search and badges (spec 4-6). */
function createChatServices(
  config: Config,
  storage: Storage,
  bus: EventBus,
  users: UsersRepository,
  membersRepository: MembersRepository,
  presence: Presence,
  appConfig: ConfigService,
  onError: (error: unknown) => void,
) {
  const { limits, systemUserId } = config;
  const roomsRepository = new RoomsRepository(storage);
  const messagesRepository = new MessagesRepository(storage);
  const moderationRepository = new ModerationRepository(storage);
  const access = new RoomAccess(roomsRepository, membersRepository, users, moderationRepository);
  const presenter = new RoomPresenter(users, membersRepository, messagesRepository, presence);
  const webhooksRepository = new WebhooksRepository(storage);
  const pushRepository = new PushRepository(storage);
  const outbox = new WebhookOutbox(webhooksRepository, users);
  const files = new FilesRepository(storage);
  const fileAccess = new FileAccess(files, config.publicFileBuckets);
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
    files,
    fileAccess,
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
    webhooksRepository,
    webhooks: new WebhookDispatcher(webhooksRepository, config.webhooks, messages, onError),
    pushRepository,
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
