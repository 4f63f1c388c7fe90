/**
 * The public surface of the chat module (rooms, members, messages, moderation, search, badges):
 * other folders import only from here.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Limits } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes, routeGroup } from '../../http/bind-routes.js';
import type { UserDirectory } from '../users/index.js';
import type { WebhookQueue } from '../webhooks/index.js';
import { BadgesService } from './badges.service.js';
import { PushFacts } from './push-facts.js';
import { badgesRoutes } from './badges.routes.js';
import { BatchRepository } from './batch.repository.js';
import { BatchService } from './batch.service.js';
import { ChatCounts } from './chat-counts.js';
import { InvitationsRepository } from './invitations.repository.js';
import { invitationsRoutes } from './invitations.routes.js';
import { InvitationsService } from './invitations.service.js';
import { MembersRepository } from './members.repository.js';
import { ReadStatesRepository } from './read-states.repository.js';
import { membersRoutes } from './members.routes.js';
import { MembersService } from './members.service.js';
import { MessageList } from './message-list.js';
import { RecentMessages } from './recent-messages.js';
import { BatchMessages } from './batch-messages.js';
import { MessageWriter } from './message-writer.js';
import { MessagesRepository } from './messages.repository.js';
import { messagesRoutes } from './messages.routes.js';
import { MessagesService } from './messages.service.js';
import { ReactionsRepository } from './reactions.repository.js';
import { reactionsRoutes } from './reactions.routes.js';
import { ReactionsService } from './reactions.service.js';
import { messageHidingRoutes } from './message-hiding.routes.js';
import { MessageHidingService } from './message-hiding.service.js';
import { UserDeletionsRepository } from './user-deletions.repository.js';
import { userDeletionsRoutes } from './user-deletions.routes.js';
import { UserDeletionsService } from './user-deletions.service.js';
import { ActorRoomReader } from './actor-room-reader.js';
import { BotReplyService } from './bot-replies.js';
import { DraftCensor } from './draft-censor.js';
import { MessageAnnouncer } from './message-announcer.js';
import { ModerationRepository } from './moderation.repository.js';
import { moderationRoutes } from './moderation.routes.js';
import { ModerationService } from './moderation.service.js';
import type { MessageCensor, MessageFileSharing } from './ports.js';
import { MemberListCache } from './member-cache.js';
import { RoomAccess } from './room-access.js';
import { RoomList } from './room-list.js';
import { RoomPresenter, type OnlineUsers } from './room-presenter.js';
import { RoomPrefsService } from './room-prefs.service.js';
import { RoomsRepository } from './rooms.repository.js';
import { RoomDirectory } from './room-directory.js';
import { RoomDirectoryRepository } from './room-directory.repository.js';
import { roomDirectoryRoutes } from './room-directory.routes.js';
import { roomsRoutes } from './rooms.routes.js';
import { RoomsService } from './rooms.service.js';
import { sdkRoomsRoutes } from './sdk-rooms.routes.js';
import { searchRoutes } from './search.routes.js';
import { SearchService } from './search.service.js';
import { SyncService } from './sync.service.js';
import { SystemMessages } from './system-messages.js';
import { TypingService } from './typing.service.js';
import { RoomWebhookEvents } from './webhook-events.js';
import { MessageStore } from './message-store.js';

export type { Actor } from './room-access.js';
export type { RoomView } from './room-presenter.js';
export type { OnlineUsers } from './room-presenter.js';
export type { MessageView } from './message-view.js';
export type { RoomPref, RoomPrefList } from './room-prefs.service.js';
export type { MessageCensor, MessageFileSharing } from './ports.js';
export type {
  BadgesService,
  BatchService,
  ChatCounts,
  InvitationsService,
  MembersService,
  MessageList,
  MessagesService,
  ModerationService,
  RoomAccess,
  RoomDirectory,
  RoomList,
  RoomPrefsService,
  RoomsService,
  SearchService,
  SyncService,
  TypingService,
};

export interface ChatModuleDeps {
  storage: Storage;
  bus: EventBus;
  config: { limits: Limits; systemUserId: string };
  users: UserDirectory;
  /** The files module's FileAccess. */
  files: MessageFileSharing;
  /** The config module's ConfigService (sensitive-word mask). */
  appConfig: MessageCensor;
  /** The webhooks module's queue of room events. */
  webhooks: WebhookQueue;
  /** Presence (realtime): who of a room's members is connected. */
  online: OnlineUsers;
  onError: (error: unknown) => void;
}

export interface ChatModule {
  access: RoomAccess;
  rooms: RoomsService;
  roomList: RoomList;
  members: MembersService;
  /** Room preferences, personal and of user groups (the prefs module's RoomPrefsPort). */
  roomPrefs: RoomPrefsService;
  invitations: InvitationsService;
  messages: MessagesService;
  reactions: ReactionsService;
  hiding: MessageHidingService;
  userDeletions: UserDeletionsService;
  /** Answers of rooms' webhooks (the webhooks module's BotReplies). */
  botReplies: BotReplyService;
  messageList: MessageList;
  recentMessages: RecentMessages;
  batchMessages: BatchMessages;
  batches: BatchService;
  moderation: ModerationService;
  search: SearchService;
  badges: BadgesService;
  /** What the push module reads: rooms' names and tags, receivers' unread totals. */
  pushFacts: PushFacts;
  typing: TypingService;
  sync: SyncService;
  counts: ChatCounts;
  /** Operators' search of every room (`GET /admin/rooms`). */
  directory: RoomDirectory;
  routes: FastifyPluginAsync;
}

export function createChatModule(deps: ChatModuleDeps): ChatModule {
  const { storage, bus, users } = deps;
  const { limits, systemUserId } = deps.config;
  const rooms = new RoomsRepository(storage);
  const messages = new MessagesRepository(storage);
  const members = new MembersRepository(storage);
  const readStates = new ReadStatesRepository(storage);
  const moderation = new ModerationRepository(storage);
  const access = new RoomAccess({
    rooms,
    actorRooms: new ActorRoomReader(storage),
    users,
    memberLists: new MemberListCache(members),
  });
  const reactions = new ReactionsRepository(storage);
  const userDeletions = new UserDeletionsRepository(storage);
  const presenter = new RoomPresenter({ users, readStates, messages, reactions, presence: deps.online });
  const webhookEvents = new RoomWebhookEvents({ queue: deps.webhooks, users });
  const store = new MessageStore({ storage, messages, rooms, readStates });
  const writer = new MessageWriter({ store, webhookEvents, files: deps.files });
  const notices = new SystemMessages({ users, writer, presenter, bus, systemUserId });
  const shared = { rooms, members, readStates, users, access, presenter, bus };
  const membersService = new MembersService({ ...shared, notices, webhookEvents, moderation, limits });
  const censor = new DraftCensor(deps.appConfig);
  const announcer = new MessageAnnouncer({ presenter, members, bus });
  const messagesService = new MessagesService({ ...shared, messages, writer, limits, censor, announcer });
  const batchRepository = new BatchRepository(storage);
  const badges = new BadgesService({ rooms, readStates, messages, access });
  const chat = {
    access,
    rooms: new RoomsService({ ...shared, notices, webhookEvents, membership: membersService, limits }),
    roomList: new RoomList({ rooms, members, readStates, users, access, presenter }),
    members: membersService,
    roomPrefs: new RoomPrefsService({ rooms, readStates, access, users, bus }),
    invitations: new InvitationsService({
      ...shared,
      invitations: new InvitationsRepository(storage),
      notices,
      pageSize: limits.pageSize,
    }),
    messages: messagesService,
    hiding: new MessageHidingService({ rooms, access, presenter, members, messages, announcer }),
    reactions: new ReactionsService({ rooms, access, presenter, messages, reactions, announcer }),
    botReplies: new BotReplyService({ ...shared, writer, limits, censor, announcer }),
    messageList: new MessageList({ messages, access, presenter, userDeletions, maxPageSize: limits.pageSize }),
    userDeletions: new UserDeletionsService({ access, rooms, readStates, deletions: userDeletions, bus }),
    recentMessages: new RecentMessages({ access, rooms, messages, members, presenter }),
    batchMessages: new BatchMessages({ batches: batchRepository, messages, presenter }),
    batches: new BatchService({
      batches: batchRepository,
      rooms,
      members,
      access,
      users,
      writer,
      censor,
      announcer,
      bus,
      limits,
      systemUserId,
      onError: deps.onError,
    }),
    moderation: new ModerationService({ moderation, ...shared }),
    search: new SearchService({ rooms, members, readStates, users, access, presenter, messagesRepository: messages }),
    badges,
    pushFacts: new PushFacts({ rooms, badges }),
    typing: new TypingService({ access, users, bus }),
    sync: new SyncService({ access, rooms, messages, members, presenter }),
    counts: new ChatCounts({ rooms, messages }),
    directory: new RoomDirectory(new RoomDirectoryRepository(storage)),
  };
  const routes = routeGroup(
    bindRoutes(roomsRoutes, { rooms: chat.rooms, roomList: chat.roomList }),
    bindRoutes(membersRoutes, { members: chat.members }),
    bindRoutes(invitationsRoutes, { invitations: chat.invitations }),
    bindRoutes(messagesRoutes, {
      messages: chat.messages,
      messageList: chat.messageList,
      recentMessages: chat.recentMessages,
      batchMessages: chat.batchMessages,
      batches: chat.batches,
    }),
    bindRoutes(reactionsRoutes, { reactions: chat.reactions }),
    bindRoutes(messageHidingRoutes, { hiding: chat.hiding }),
    bindRoutes(userDeletionsRoutes, { deletions: chat.userDeletions }),
    bindRoutes(searchRoutes, { search: chat.search }),
    bindRoutes(badgesRoutes, { badges: chat.badges }),
    bindRoutes(sdkRoomsRoutes, {
      rooms: chat.rooms,
      roomList: chat.roomList,
      members: chat.members,
      messageList: chat.messageList,
      typing: chat.typing,
    }),
    bindRoutes(moderationRoutes, { moderation: chat.moderation }),
    bindRoutes(roomDirectoryRoutes, { directory: chat.directory, search: chat.search }),
  );
  return { ...chat, routes };
}
