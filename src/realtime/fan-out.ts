import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { DomainEvents, EventType } from '../events/event-bus.js';
import { PUSH_SCOPES } from './key-sessions.js';
import type { RealtimeDeps } from './realtime-deps.js';
import { iso } from '../shared/time.js';
import { RoomOrder } from './room-order.js';
import { rooms, toBase64, type ParleySocket } from './session.js';

/** Fields of a room payload that belong to one viewer; a broadcast room carries none of them. */
const VIEWER_FIELDS = ['unread', 'muted', 'isSuperuser', 'pref', 'lastRead'];

/**
 * Turns domain events into pushes (realtime protocol 4.2). Every node receives every event from the
 * event bus (Redis pub/sub across nodes) and pushes to its own sockets only, so each socket gets
 * each push once, plain or base64 as that connection asked.
 */
export class FanOut {
  private readonly unsubscribe: Array<() => void> = [];
  private readonly order = new RoomOrder<() => void>((send) => send());

  constructor(
    private readonly io: Server,
    private readonly deps: RealtimeDeps,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const { bus } = this.deps;
    const on = <T extends EventType>(type: T, handler: (event: DomainEvents[T]) => Promise<void> | void) =>
      this.unsubscribe.push(
        bus.subscribe(type, (event) => {
          Promise.resolve(handler(event)).catch((error: unknown) =>
            this.logger.error({ err: error, type }, 'realtime fan-out failed'),
          );
        }),
      );

    on('message.created', (event) =>
      this.order.push(`${event.appId}\n${event.roomId}`, event.seq, event.previousSeq, () =>
        this.push(event.appId, event.members, 'chat message', event.message),
      ),
    );
    for (const type of ['message.updated', 'message.recalled', 'message.pinned', 'message.unpinned'] as const) {
      on(type, (event) => this.push(event.appId, event.members, 'chat message', event.message));
    }
    on('message.deleted', async (event) => {
      this.push(event.appId, event.members, 'messagesDeleted', {
        room: event.roomId,
        messageIds: event.messageIds,
        all: event.all,
        deletedBy: event.deletedBy,
      });
      await this.pushRoom(event.appId, event.roomId, event.members);
    });
    on('room.created', (event) => this.pushRoom(event.appId, event.roomId, event.members, event.room));
    on('room.updated', (event) => this.pushRoom(event.appId, event.roomId, event.members, event.room));
    on('room.banned', (event) => this.pushRoom(event.appId, event.roomId, event.members));
    // The room is gone: its fields and members come with the event (an array always, for IMKIT's Vue client).
    on('room.deleted', (event) =>
      this.push(event.appId, event.members, 'room', {
        members: [],
        ...event.room,
        _id: event.roomId,
        id: event.roomId,
        deleted: true,
      }),
    );
    on('member.added', (event) => this.pushRoom(event.appId, event.roomId, event.members));
    on('member.removed', (event) => this.pushRoom(event.appId, event.roomId, event.members));
    on('member.updated', async (event) =>
      this.pushRoom(event.appId, event.roomId, await this.memberIds(event.appId, event.roomId)),
    );
    on('invitation.created', async (event) => {
      const room = await this.roomPayload(event.appId, event.roomId);
      if (!room) return;
      // The invitation record ([hist] 6.1) for each invitee; IMKIT's mobile SDKs read the inviter as a
      // user and the `…TimeMS` times (other-clients 1.2).
      const at = iso(event.invitedAt);
      for (const invitee of event.userIds)
        this.push(event.appId, [invitee], 'invitation', {
          room,
          inviter: event.inviter,
          invitee: event.invitees[invitee],
          invitationID: event.roomId,
          createdAt: at,
          updatedAt: at,
          createdAtMS: event.invitedAt,
          updatedAtMS: event.invitedAt,
          createdTimeMS: event.invitedAt,
          updatedTimeMS: event.invitedAt,
        });
    });
    // Flutter reads `room` (the id), iOS `invitationID`: an invitation is one per room and invitee.
    on('invitation.cancelled', (event) => {
      for (const { invitee, inviter } of event.invitations)
        this.push(event.appId, [invitee], 'cancelInvitation', {
          room: event.roomId,
          roomID: event.roomId,
          invitationID: event.roomId,
          invitee,
          inviter,
          reason: event.reason,
        });
    });
    // To the user's own connections only (history 12, `userDeleteMessages`).
    on('message.userDeleted', (event) =>
      this.push(event.appId, [event.userId], 'userDeleteMessages', {
        room: event.roomId,
        messages: event.messageIds,
        isUserDeleteAllMessagesInRoom: event.all,
      }),
    );
    on('read.updated', async (event) => {
      const members = await this.memberIds(event.appId, event.roomId);
      this.push(event.appId, members, 'lastRead', {
        roomID: event.roomId,
        memberID: event.userId,
        messageID: event.lastRead,
      });
    });
    on('room.typing', (event) =>
      this.push(
        event.appId,
        event.members,
        'typing',
        { room: event.roomId, sender: event.userId, message: event.message, senderInfo: event.senderInfo },
        rooms.user(event.appId, event.userId),
      ),
    );
    on('room.muted', (event) =>
      this.push(event.appId, [event.userId], 'roomPref', { room: event.roomId, muted: event.muted }),
    );
    on('room.pref', (event) =>
      this.push(event.appId, [event.userId], 'roomPref', { ...event.pref, room: event.roomId }),
    );
    on('user.pref', (event) => {
      if (event.data === undefined)
        this.pushRaw(event.appId, [event.userId], 'myPrefDelete', event.key, () => toBase64(event.key));
      else this.push(event.appId, [event.userId], 'myPrefChange', { key: event.key, data: event.data });
    });

    on('group.members', (event) => {
      for (const socket of this.localSockets()) {
        if (socket.data.appId !== event.appId || socket.data.userId === undefined) continue;
        if (event.added.includes(socket.data.userId)) socket.join(rooms.user(event.appId, event.groupId));
        if (event.removed.includes(socket.data.userId)) socket.leave(rooms.user(event.appId, event.groupId));
      }
    });

    // Revocations end live sessions at once, on every node.
    on('token.revoked', (event) =>
      this.disconnect(
        (socket) => socket.data.appId === event.appId && event.tokenIds.includes(socket.data.tokenId ?? ''),
      ),
    );
    // A token's expiry changed: its sessions reconnect and authenticate again under the new one.
    on('token.updated', (event) =>
      this.disconnect(
        (socket) => socket.data.appId === event.appId && event.tokenIds.includes(socket.data.tokenId ?? ''),
      ),
    );
    on('user.deleted', (event) =>
      this.disconnect((socket) => socket.data.appId === event.appId && socket.data.userId === event.userId),
    );
    // API-key sockets follow their key's changes in KeySessions.
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.order.stop();
  }

  /**
   * Pushes to every socket of the given users (or groups), and to the app's key sockets holding
   * the push's read scope.
   */
  push(appId: string, userIds: readonly string[], event: string, payload: unknown, except?: string): void {
    this.pushRaw(appId, userIds, event, payload, () => toBase64(payload), except);
  }

  private pushRaw(
    appId: string,
    userIds: readonly string[],
    event: string,
    plain: unknown,
    base64: () => string,
    except?: string,
  ): void {
    // Only rooms with a socket on this node: socket.io encodes a packet before it looks for an
    // audience, and most pushes of a busy room are for members who are not connected here.
    const connected = this.io.of('/').adapter.rooms;
    const scope = PUSH_SCOPES[event];
    const targets = userIds.map((id) => rooms.user(appId, id)).filter((room) => connected.has(room));
    if (scope !== undefined && connected.has(rooms.admins(appId, scope))) targets.push(rooms.admins(appId, scope));
    // socket.io reads no rooms as every socket: a push with no audience goes nowhere.
    if (targets.length === 0) return;
    if (connected.has(rooms.plain))
      this.io.local
        .to(targets)
        .except(except ? [rooms.base64, except] : [rooms.base64])
        .emit(event, plain);
    if (connected.has(rooms.base64))
      this.io.local
        .to(targets)
        .except(except ? [rooms.plain, except] : [rooms.plain])
        .emit(event, base64());
  }

  private async pushRoom(
    appId: string,
    roomId: string,
    members: readonly string[],
    room?: Record<string, unknown>,
  ): Promise<void> {
    const payload = room ? withoutViewerFields(room) : await this.roomPayload(appId, roomId);
    if (payload) this.push(appId, members, 'room', payload);
  }

  private async roomPayload(appId: string, roomId: string): Promise<Record<string, unknown> | undefined> {
    try {
      return withoutViewerFields(await this.deps.chat.rooms.get(appId, { admin: true, userId: null }, roomId));
    } catch {
      return undefined; // deleted meanwhile
    }
  }

  private async memberIds(appId: string, roomId: string): Promise<string[]> {
    return this.deps.chat.members.memberIds(appId, roomId);
  }

  private localSockets(): Iterable<ParleySocket> {
    return this.io.of('/').sockets.values() as Iterable<ParleySocket>;
  }

  private disconnect(match: (socket: ParleySocket) => boolean): void {
    for (const socket of this.localSockets()) if (match(socket)) socket.disconnect(true);
  }
}

function withoutViewerFields(room: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...room };
  for (const field of VIEWER_FIELDS) delete copy[field];
  // One payload goes to every member: in a 'joined' room a late joiner must not get older messages.
  if (copy.historyVisibility === 'joined') {
    delete copy.lastMessage;
    delete copy.pinnedMessage;
  }
  return copy;
}
