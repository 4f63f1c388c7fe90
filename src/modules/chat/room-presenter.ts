import { iso } from '../../shared/time.js';
import type { Member } from './members.repository.js';
import type { ReadState, ReadStatesRepository } from './read-states.repository.js';
import { messageView, type MessageView } from './message-view.js';
import type { MessagesRepository, StoredMessage } from './messages.repository.js';
import type { Reaction, ReactionsRepository } from './reactions.repository.js';
import type { User, UserDirectory } from '../users/index.js';
import { groupsAmongPrincipals, type RoomContext } from './room-access.js';
import { userSummary, type UserSummary } from '../users/index.js';
import type { Room } from './rooms.repository.js';
import { written } from './written.js';

/**
 * The room object of spec 1.9, as rooms.schemas.ts `RoomSchema` answers it. A type rather than an
 * interface so that events carry it as a plain record.
 */
export type RoomView = {
  _id: string;
  id: string;
  appID: string;
  name: string;
  cover: string;
  description: string;
  roomType: string;
  roomTags: string[];
  owner?: string;
  managers: string[];
  webhook?: string;
  botMode: boolean;
  botState?: string;
  encrypted: boolean;
  serviceStatus: number;
  status: number;
  opening: number;
  historyVisibility: string;
  extParams?: string;
  createdTime: string;
  createdTimeMS: number;
  updatedAt: string;
  updatedAtMS: number;
  __v: number;
  /** Ids in a create call's answer, user summaries elsewhere. */
  members?: string[] | UserSummary[];
  /** Each member's badge, read position, role and custom properties (spec 4.2). */
  memberProperties?: Record<string, unknown>[];
  lastMessage?: MessageView;
  pinnedMessage?: MessageView | null;
  unread?: number;
  muted?: boolean;
  isSuperuser?: boolean;
  pref?: Record<string, unknown>;
  lastRead?: string;
};

/** What the caller sees of a room that is theirs alone (spec 4.2, 4.5). */
export interface ViewerState {
  unread: number;
  muted: boolean;
  isSuperuser: boolean;
  pref: Record<string, unknown> | null;
  lastRead: string | null;
  /** Messages up to this seq are not the viewer's to read (a late joiner of a 'joined' room). */
  historyFloor?: number;
}

/** The stored room fields, as every room payload carries them (spec 1.9). */
export function roomFields(room: Room): RoomView {
  const view: RoomView = {
    _id: room.id,
    id: room.id,
    appID: room.appId,
    name: room.name,
    cover: room.cover,
    description: room.description,
    roomType: room.roomType,
    roomTags: room.roomTags,
    managers: room.managers,
    botMode: room.botMode,
    encrypted: room.encrypted,
    serviceStatus: room.serviceStatus,
    status: room.status,
    opening: room.opening,
    historyVisibility: room.historyVisibility,
    createdTime: iso(room.createdAt),
    createdTimeMS: room.createdAt,
    updatedAt: iso(room.updatedAt),
    updatedAtMS: room.updatedAt,
    __v: 0,
  };
  if (room.owner !== null) view.owner = room.owner;
  if (room.webhook !== null) view.webhook = room.webhook;
  if (room.botState !== null) view.botState = room.botState;
  if (room.extParams !== null) view.extParams = room.extParams;
  return view;
}

/** Who of these users is online now; the realtime layer's presence implements it. */
export interface OnlineUsers {
  online(appId: string, userIds: readonly string[]): Promise<Set<string>>;
}

/** Builds room payloads: members as user summaries, last and pinned messages expanded. */
export class RoomPresenter {
  private readonly users: UserDirectory;
  private readonly readStates: ReadStatesRepository;
  private readonly messages: MessagesRepository;
  private readonly presence: OnlineUsers;
  private readonly reactions: Pick<ReactionsRepository, 'ofMessages'>;

  constructor(deps: {
    users: UserDirectory;
    readStates: ReadStatesRepository;
    messages: MessagesRepository;
    presence: OnlineUsers;
    reactions: Pick<ReactionsRepository, 'ofMessages'>;
  }) {
    this.users = deps.users;
    this.readStates = deps.readStates;
    this.messages = deps.messages;
    this.presence = deps.presence;
    this.reactions = deps.reactions;
  }

  /** Users by id, with the members of any group among them. */
  async usersById(appId: string, ids: Iterable<string>): Promise<Map<string, User>> {
    const found = await this.users.findMany(appId, [...new Set(ids)]);
    const byId = new Map(found.map((user) => [user.id, user]));
    const nested = found.flatMap((user) => user.groupMembers ?? []).filter((id) => !byId.has(id));
    if (nested.length > 0)
      for (const user of await this.users.findMany(appId, [...new Set(nested)])) byId.set(user.id, user);
    return byId;
  }

  /** A member as room payloads show it, with `isSocketConnected` (spec 4.2) and a group's users expanded. */
  memberSummary(id: string, users: Map<string, User>, online: Set<string>): UserSummary {
    const user = users.get(id);
    const summary = userSummary(id, user, { userAgent: true, publicKey: true });
    summary.isSocketConnected = online.has(id);
    if (user?.isGroup) {
      summary.members = (user.groupMembers ?? []).map((memberId) => ({
        ...userSummary(memberId, users.get(memberId), { publicKey: true }),
        isSocketConnected: online.has(memberId),
      }));
    }
    return summary;
  }

  /** Messages with their senders expanded and their reactions, in the order given. */
  async messageViews(
    appId: string,
    messages: StoredMessage[],
    options: { justWritten?: boolean } = {},
  ): Promise<MessageView[]> {
    const [senders, reactions] = await Promise.all([
      this.usersById(
        appId,
        messages.flatMap((message) => (message.senderId === null ? [] : [message.senderId])),
      ),
      // A message just written has none yet (its reactions go with any earlier message of its id):
      // sending stays free of this read.
      options.justWritten
        ? new Map<string, Reaction[]>()
        : this.reactions.ofMessages(
            appId,
            messages.map((message) => message.id),
          ),
    ]);
    return messages.map((message) =>
      messageView(
        message,
        message.senderId === null ? null : userSummary(message.senderId, senders.get(message.senderId)),
        reactions.get(message.id),
      ),
    );
  }

  messagesById(appId: string, ids: readonly string[]): Promise<StoredMessage[]> {
    return this.messages.findMany(appId, ids);
  }

  async messageViewOf(
    appId: string,
    message: StoredMessage,
    options: { justWritten?: boolean } = {},
  ): Promise<MessageView> {
    return written((await this.messageViews(appId, [message], options))[0]);
  }

  /** The room in full as `context.actor` sees it. */
  async detailFor(context: RoomContext): Promise<RoomView> {
    return this.detail(context.room, context.members, await this.viewerState(context));
  }

  /** What `context.actor` alone sees of the room; none for the platform admin outside it. */
  async viewerState(context: RoomContext): Promise<ViewerState | null> {
    const userId = context.actor.userId;
    if (userId === null || (!context.isMember && context.actor.admin)) return null;
    const { room } = context;
    const [states, user] = await Promise.all([
      this.readStates.readStates(room.appId, [room.id], userId, groupsAmongPrincipals(context.principals, userId)),
      this.users.find(room.appId, userId),
    ]);
    const state = states.get(room.id);
    return {
      unread: state?.badge ?? 0,
      muted: (user?.mute.includes(room.id) ?? false) || state?.pref?.muted === true,
      isSuperuser: context.isSuperuser,
      pref: state?.pref ?? null,
      lastRead: state?.lastReadId ?? null,
      historyFloor: context.historyFloor,
    };
  }

  /** A single room in full (spec 4.2): every member's unread count and read position included. */
  async detail(room: Room, members: Member[], viewer: ViewerState | null): Promise<RoomView> {
    const [users, states, special] = await Promise.all([
      this.usersById(
        room.appId,
        members.map((member) => member.userId),
      ),
      this.readStates.roomStates(room.appId, room.id),
      this.specialMessages(room, viewer?.historyFloor ?? 0),
    ]);
    const online = await this.presence.online(room.appId, [...users.keys()]);
    const stateOf = new Map(states.map((state) => [state.userId, state]));
    const view = this.assemble(room, members, users, online, special, viewer);
    view.memberProperties = members.map((member) => memberProperty(member, stateOf.get(member.userId)));
    return view;
  }

  /** Rooms of a list (spec 4.5): summaries of members, the caller's own state, no per-member details. */
  async list(
    appId: string,
    entries: Array<{ room: Room; members: Member[]; viewer: ViewerState }>,
  ): Promise<RoomView[]> {
    const users = await this.usersById(
      appId,
      entries.flatMap((entry) => entry.members.map((member) => member.userId)),
    );
    const online = await this.presence.online(appId, [...users.keys()]);
    const lastIds = entries
      .flatMap((entry) => [entry.room.lastMessageId, entry.room.pinnedMessageId])
      .filter((id): id is string => id !== null);
    const stored = await this.messages.findMany(appId, lastIds);
    const seqOf = new Map(stored.map((message) => [message.id, message.seq]));
    const messages = await this.messageViews(appId, stored);
    const byId = new Map(messages.map((message) => [message._id, message]));
    return entries.map((entry) => {
      const readable = (id: string | null) =>
        id === null || (seqOf.get(id) ?? 0) <= (entry.viewer.historyFloor ?? 0) ? undefined : byId.get(id);
      return this.assemble(
        entry.room,
        entry.members,
        users,
        online,
        {
          lastMessage: readable(entry.room.lastMessageId),
          pinnedMessage: readable(entry.room.pinnedMessageId) ?? null,
        },
        entry.viewer,
      );
    });
  }

  /**
   * What the `room` push of a deleted room carries (the room is gone when it is sent): its stored
   * fields and its members then, as users (IMKIT's Vue client needs a `members` array).
   */
  async deleted(room: Room, memberIds: readonly string[]): Promise<RoomView> {
    const users = await this.usersById(room.appId, memberIds);
    const online = await this.presence.online(room.appId, [...users.keys()]);
    return { ...roomFields(room), members: memberIds.map((id) => this.memberSummary(id, users, online)) };
  }

  /** The room as its create call answers it: members as ids (spec 12 items 29-30). */
  created(room: Room, members: Member[]): RoomView {
    return { ...roomFields(room), members: members.map((member) => member.userId) };
  }

  private async specialMessages(
    room: Room,
    historyFloor: number,
  ): Promise<{ lastMessage?: MessageView; pinnedMessage: MessageView | null }> {
    const ids = [room.lastMessageId, room.pinnedMessageId].filter((id): id is string => id !== null);
    const readable = (await this.messages.findMany(room.appId, ids)).filter((message) => message.seq > historyFloor);
    const views = await this.messageViews(room.appId, readable);
    const byId = new Map(views.map((message) => [message._id, message]));
    return {
      lastMessage: room.lastMessageId === null ? undefined : byId.get(room.lastMessageId),
      pinnedMessage: room.pinnedMessageId === null ? null : (byId.get(room.pinnedMessageId) ?? null),
    };
  }

  private assemble(
    room: Room,
    members: Member[],
    users: Map<string, User>,
    online: Set<string>,
    special: { lastMessage?: MessageView; pinnedMessage: MessageView | null },
    viewer: ViewerState | null,
  ): RoomView {
    const view = roomFields(room);
    view.members = members.map((member) => this.memberSummary(member.userId, users, online));
    if (special.lastMessage) view.lastMessage = special.lastMessage;
    view.pinnedMessage = special.pinnedMessage;
    if (viewer) {
      view.unread = viewer.unread;
      view.muted = viewer.muted;
      view.isSuperuser = viewer.isSuperuser;
      if (viewer.pref) view.pref = viewer.pref;
      if (viewer.lastRead !== null) view.lastRead = viewer.lastRead;
    } else {
      // The platform admin: superuser everywhere, nothing of its own unread.
      view.unread = 0;
      view.isSuperuser = true;
    }
    return view;
  }
}

function memberProperty(member: Member, state: ReadState | undefined): Record<string, unknown> {
  const property: Record<string, unknown> = { ...member.properties, client: member.userId, badge: state?.badge ?? 0 };
  if (member.role !== null) property.role = member.role;
  if (state?.lastReadId) property.lastRead = state.lastReadId;
  return property;
}
