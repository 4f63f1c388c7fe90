/**
 * Domain events: services publish what changed; other parts (caches, the real-time gateway,
 * webhooks) subscribe without the services knowing them.
 */
export interface DomainEvents {
  'apiKey.changed': { appId: string; keyId: string };
  'app.changed': { appId: string };
  /** An app's webhook URLs or secret changed: nodes drop what they cached of them. */
  'webhook.settingsChanged': { appId: string };
  /** An app's push credentials or push settings changed: nodes drop their senders and settings. */
  'push.settingsChanged': { appId: string };
  'user.upserted': { appId: string; userId: string };
  'user.deleted': { appId: string; userId: string };
  'token.revoked': { appId: string; userId: string; tokenIds: string[] };
  'token.updated': { appId: string; userId: string; tokenIds: string[] };
  'room.created': RoomEvent;
  'room.updated': RoomEvent;
  /** `members`: who was in the room, for a final notice; `room`: its fields and members (users) then. */
  'room.deleted': RoomEvent;
  'room.muted': { appId: string; roomId: string; userId: string; muted: boolean };
  'member.added': MemberEvent;
  'member.removed': MemberEvent;
  'member.updated': {
    appId: string;
    roomId: string;
    userId: string;
    property: string;
    value: unknown;
    actor: string | null;
  };
  /**
   * `inviter`: the inviting user's summary (none with the API key alone); `invitees`: each invited
   * user's summary, by id; `invitedAt`: ms.
   */
  'invitation.created': MemberEvent & {
    inviter: Record<string, unknown> | null;
    invitees: Record<string, Record<string, unknown>>;
    invitedAt: number;
  };
  /** Pending invitations withdrawn by a member (`cancelled`) or by the invitee (`declined`). */
  'invitation.cancelled': {
    appId: string;
    roomId: string;
    /** The invitees whose invitation is gone. */
    userIds: string[];
    invitations: Array<{ invitee: string; inviter: string | null }>;
    actor: string | null;
    reason: 'cancelled' | 'declined';
  };
  /** `seq` and `previousSeq` (the room's last message before it) let every node deliver a room's messages in order. */
  'message.created': MessageEvent & {
    push: boolean;
    skipTotalBadge: boolean;
    mentions: string[];
    seq?: number;
    previousSeq?: number | null;
  };
  'message.updated': MessageEvent;
  'message.recalled': MessageEvent;
  'message.pinned': MessageEvent;
  'message.unpinned': MessageEvent;
  'message.deleted': {
    appId: string;
    roomId: string;
    messageIds: string[];
    all: boolean;
    deletedBy: string;
    members: string[];
  };
  /** A user deleted messages of a room for themselves (history 7.9); `all`: every message of the room. */
  'message.userDeleted': { appId: string; roomId: string; userId: string; messageIds: string[]; all: boolean };
  'read.updated': { appId: string; roomId: string; userId: string; lastRead: string; badge: number };
  /** Ephemeral: a member is typing (relayed to the room's other members, never stored); `senderInfo` names them. */
  'room.typing': {
    appId: string;
    roomId: string;
    userId: string;
    message: unknown;
    members: string[];
    senderInfo: Record<string, unknown>;
  };
  'config.changed': { appId: string };
  /** A room ban was placed or lifted (spec 7.1-7.2). */
  'room.banned': { appId: string; roomId: string; userId: string; banned: boolean; members: string[] };
  /** Users joined or left a user group: their live connections follow the group's rooms. */
  'group.members': { appId: string; groupId: string; added: string[]; removed: string[] };
  /** A user group was created: the app has groups to expand in a push's audience. */
  'group.created': { appId: string; groupId: string };
  /** A push device was registered: the app has devices a push can reach. */
  'device.registered': { appId: string; userId: string };
  /** A user's personal preference (`/me/pref`) changed or was removed (`data` undefined). */
  'user.pref': { appId: string; userId: string; key: string; data?: unknown };
  /** A user's view of their preferences for one room changed (`/roomPrefs…`, theirs or a group's). */
  'room.pref': { appId: string; roomId: string; userId: string; pref: Record<string, unknown> };
}

/** Room events carry the member ids at the time, so that subscribers can fan out without a lookup. */
export interface RoomEvent {
  appId: string;
  roomId: string;
  members: string[];
  actor: string | null;
  room?: Record<string, unknown>;
}

export interface MemberEvent {
  appId: string;
  roomId: string;
  userIds: string[];
  members: string[];
  actor: string | null;
}

/** `message`: the message object of spec 1.9 with an expanded sender. */
export interface MessageEvent {
  appId: string;
  roomId: string;
  message: Record<string, unknown>;
  members: string[];
}

export type EventType = keyof DomainEvents;
export type EventHandler<T extends EventType> = (payload: DomainEvents[T]) => void;

export interface EventBus {
  /** Delivers to this node's subscribers at once and, with Redis, to every other node. */
  publish<T extends EventType>(type: T, payload: DomainEvents[T]): void;
  subscribe<T extends EventType>(type: T, handler: EventHandler<T>): () => void;
  /** Runs only on the node that published: for work done once per event (recording a push), not per node. */
  subscribeOrigin<T extends EventType>(type: T, handler: EventHandler<T>): () => void;
  close(): Promise<void>;
}

export class LocalEventBus implements EventBus {
  /**
   * Handlers by event type: `subscribe` files each one under its own type only, so `handlersOf`
   * reads it back typed.
   */
  private readonly handlers = new Map<EventType, Set<EventHandler<never>>>();

  constructor(private readonly onHandlerError: (error: unknown, type: EventType) => void = () => undefined) {}

  publish<T extends EventType>(type: T, payload: DomainEvents[T]): void {
    this.deliver(type, payload);
  }

  /** Runs this node's handlers; a failing handler never affects the publisher or the others. */
  deliver<T extends EventType>(type: T, payload: DomainEvents[T]): void {
    for (const handler of this.handlersOf(type) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.onHandlerError(error, type);
      }
    }
  }

  subscribe<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
    let set = this.handlersOf(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  subscribeOrigin<T extends EventType>(type: T, handler: EventHandler<T>): () => void {
    return this.subscribe(type, handler);
  }

  private handlersOf<T extends EventType>(type: T): Set<EventHandler<T>> | undefined {
    return this.handlers.get(type) as Set<EventHandler<T>> | undefined;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
