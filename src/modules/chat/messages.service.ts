import type { Limits } from '../../config/config.js';
import type { ChatReads } from './chat-reads.js';
import { userIdsOf } from './members.repository.js';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { requireWritable, requireSuperuser, type Actor, type RoomContext } from './room-access.js';
import type { Db } from '../../storage/transaction.js';
import {
  applyPatch,
  hasMessageType,
  isMessageId,
  readDraft,
  readPatch,
  type MessageDraft,
  type MessagePatch,
} from './message-input.js';
import { written } from './written.js';
import { messageView, type MessageView } from './message-view.js';
import type { DraftCensor } from './draft-censor.js';
import type { MessageAnnouncer } from './message-announcer.js';
import { SYSTEM_MESSAGE_TYPES, type MessageWriter } from './message-writer.js';
import type { MessagesRepository, StoredMessage } from './messages.repository.js';

/** How long reconnecting clients can learn of a deletion through `sync`. */
const DELETION_MEMORY_MS = 30 * 24 * 3600 * 1000;

export interface DeleteResult {
  deletedCount: number;
  roomID: string;
  messageID: string;
  deletedBy: string;
  deletedAt: string;
}

/** Sending, editing, recalling, deleting and pinning messages (spec 5.1-5.8). */
export class MessagesService {
  constructor(
    private readonly deps: ChatReads & {
      messages: MessagesRepository;
      writer: MessageWriter;
      bus: EventBus;
      limits: Limits;
      censor: DraftCensor;
      announcer: MessageAnnouncer;
    },
  ) {}

  /** `POST /messages` (spec 5.1, 12 items 46-49): any existing sender, member or not, frozen room or not. */
  async sendAsAdmin(appId: string, body: Record<string, unknown>): Promise<MessageView> {
    if (typeof body.room !== 'string' || body.room === '')
      throw new AppError('INVALID_REQUEST', 'Missing required field: room');
    if (typeof body.sender !== 'string' || body.sender === '')
      throw new AppError('INVALID_REQUEST', 'Missing required field: sender');
    const draft = await this.deps.censor.censored(appId, readDraft(body, this.deps.limits.messageBytes));
    await this.requireUser(appId, body.sender);
    const { stored, members } = await this.deps.rooms.transaction(async (tx) => {
      const room = await this.deps.rooms.findForUpdate(appId, body.room as string, tx);
      if (!room) throw new AppError('ROOM_NOT_FOUND');
      return {
        stored: await this.deps.writer.write(tx, room, body.sender as string, draft),
        members: userIdsOf(await this.deps.access.membersOf(room, tx)),
      };
    });
    await this.deps.announcer.created(appId, stored, sendOptionsOf(body), draft.mentions, members);
    return messageView(stored, stored.senderId);
  }

  /**
   * `POST /rooms/:roomId/message` (spec 5.2, 5.5): a new message, an edit of one of the room's
   * messages (`_id` of an existing message) or a recall (`messageType: "recall"`).
   */
  async sendAsMember(appId: string, actor: Actor, roomId: string, body: Record<string, unknown>): Promise<MessageView> {
    const id = body._id ?? undefined; // null: no id (Flutter sends null for fields it has no value for)
    if (id !== undefined && (typeof id !== 'string' || id === ''))
      throw new AppError('INVALID_REQUEST', '_id must be a message id');
    if (body.messageType === 'recall') {
      if (id === undefined)
        throw new AppError('INVALID_REQUEST', 'Missing required field: _id (the message to recall)');
      return this.recall(appId, actor, roomId, id);
    }
    // An edit without messageType (the Vue client's `{_id, message}`, other-clients 4.5) changes the
    // fields it gives and keeps the rest; a new message must name its type (spec 5.1-5.2).
    const input: { draft: MessageDraft } | { patch: MessagePatch } =
      id !== undefined && !hasMessageType(body)
        ? { patch: await this.deps.censor.maskedPatch(appId, readPatch(body)) }
        : { draft: await this.deps.censor.censored(appId, readDraft(body, this.deps.limits.messageBytes)) };
    const draft = 'draft' in input ? input.draft : undefined;
    if (draft && !actor.admin && SYSTEM_MESSAGE_TYPES.has(draft.messageType)) {
      throw new AppError('NOT_PERMITTED', `messageType "${draft.messageType}" is written by the server only`);
    }
    const senderId = actor.admin
      ? typeof body.sender === 'string' && body.sender !== ''
        ? body.sender
        : actor.userId
      : actor.userId;

    if (draft && id === undefined && !actor.admin && senderId !== null) {
      const sent = await this.sendWithoutHeldLock(appId, actor, roomId, senderId, draft);
      if (sent)
        return this.deps.announcer.created(appId, sent.message, sendOptionsOf(body), draft.mentions, sent.members);
    }
    const outcome = await this.deps.rooms.transactionOrConflict(async (tx) => {
      const context = await this.deps.access.loadReadable(appId, roomId, actor, tx);
      requireWritable(context);
      const existing = id === undefined ? undefined : await this.deps.messages.find(appId, id, tx);
      if (existing && (draft || existing.roomId === roomId)) {
        // Taken in another room: a conflict that says nothing of where (issue 9 item 5).
        if (existing.roomId !== roomId) throw new AppError('MESSAGE_EXISTS');
        this.requireEditable(context, existing);
        const change =
          'draft' in input ? input.draft : applyPatch(existing, input.patch, this.deps.limits.messageBytes);
        await this.deps.messages.replaceContent(appId, existing.id, change, Date.now(), tx);
        return {
          message: written(await this.deps.messages.find(appId, existing.id, tx)),
          created: false,
          members: userIdsOf(context.members),
        };
      }
      // Not an edit of this room's message: a new one, which names its type.
      if (!draft) throw new AppError('INVALID_REQUEST', 'Missing required field: messageType');
      if (id !== undefined && !isMessageId(id))
        throw new AppError('INVALID_REQUEST', '_id of a new message must be 24 lowercase hex characters');
      // A new message needs its author: the token's user, or with the API key `sender` or IM-CLIENT-ID.
      if (senderId === null)
        throw new AppError('INVALID_REQUEST', 'Missing required field: sender (or IM-CLIENT-ID) with IM-API-KEY');
      if (actor.admin && !(await this.deps.users.find(appId, senderId, tx)))
        throw new AppError('CLIENT_NOT_FOUND', `Client with id '${senderId}' not found`);
      // The members read under the room's lock are the message's audience: announced without reading them again.
      return {
        message: await this.deps.writer.write(tx, context.room, senderId, draft, { id }),
        created: true,
        members: userIdsOf(context.members),
      };
    });
    // A client-chosen id taken meanwhile (a retried send): the first one stands.
    if (outcome === 'conflict') throw new AppError('MESSAGE_EXISTS');
    if (outcome.created)
      return this.deps.announcer.created(
        appId,
        outcome.message,
        sendOptionsOf(body),
        draft?.mentions ?? [],
        outcome.members,
      );
    return this.deps.announcer.changed('message.updated', appId, outcome.message, outcome.members);
  }

  /**
   * A user's new message where the store can write it without holding the room's lock (PostgreSQL):
   * the room is read without a lock and checked as the locked path checks it, then written in one
   * statement that locks it only while it is still as read. Undefined when that cannot be done or
   * the room changed meanwhile: the locked path then decides.
   */
  private async sendWithoutHeldLock(
    appId: string,
    actor: Actor,
    roomId: string,
    senderId: string,
    draft: MessageDraft,
  ): Promise<{ message: StoredMessage; members: string[] } | undefined> {
    if (!this.deps.writer.writesWithoutHeldLock) return undefined;
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    requireWritable(context);
    // Membership through a user group is not covered by the room's members stamp.
    if (!context.members.some((member) => member.userId === senderId)) return undefined;
    const message = await this.deps.writer.writeIfRoomUnchanged(context.room, senderId, draft, {
      membersStamp: context.room.membersStamp,
      status: context.room.status,
      recheckBan: true,
      recheckBlocks: context.room.roomType === 'direct',
    });
    return message && { message, members: userIdsOf(context.members) };
  }

  /** Who may edit: the sender, or the platform admin; nobody rewrites a recall or a server notice. */
  private requireEditable(context: RoomContext, existing: StoredMessage): void {
    this.requireAuthorOrSuperuser(
      context,
      existing,
      'Only the sender, room owner, manager, or platform admin can edit a message',
    );
    // An edit keeps the sender: a superuser rewriting it would speak in the sender's name.
    // They recall or delete instead.
    if (!context.actor.admin && existing.senderId !== context.actor.userId) {
      throw new AppError(
        'NOT_PERMITTED',
        'Only the sender or the platform admin can edit a message; a room superuser may recall or delete it',
      );
    }
    // A recall (often a moderator's) and the server's notices are final for user tokens.
    if (!context.actor.admin && (existing.messageType === 'recall' || SYSTEM_MESSAGE_TYPES.has(existing.messageType))) {
      throw new AppError(
        'NOT_PERMITTED',
        `A ${existing.messageType === 'recall' ? 'recalled' : 'system'} message cannot be edited`,
      );
    }
  }

  /** Recall (spec 5.5, 12 item 54): content cleared, id and sender kept; idempotent. */
  async recall(appId: string, actor: Actor, roomId: string, messageId: string): Promise<MessageView> {
    const { message, changed } = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.loadReadable(appId, roomId, actor, tx);
      const existing = await this.messageOfRoom(appId, roomId, messageId, tx);
      this.requireAuthorOrSuperuser(
        context,
        existing,
        'Only the sender, room owner, manager, or platform admin can recall a message',
      );
      if (existing.messageType === 'recall') return { message: existing, changed: false };
      requireWritable(context);
      await this.deps.messages.replaceContent(
        appId,
        messageId,
        { messageType: 'recall', content: { message: '' }, searchText: '' },
        Date.now(),
        tx,
      );
      return { message: written(await this.deps.messages.find(appId, messageId, tx)), changed: true };
    });
    if (changed) await this.deps.announcer.changed('message.recalled', appId, message);
    return this.deps.presenter.messageViewOf(appId, message);
  }

  /** `DELETE /rooms/:roomID/messages/:messageID` (spec 5.6): one message or `_all`, for everyone. */
  async delete(appId: string, actor: Actor, roomId: string, messageId: string): Promise<DeleteResult> {
    const all = messageId === '_all';
    const { count, members } = await this.deps.rooms.transaction(async (tx) => {
      const context = await this.deps.access.load(appId, roomId, actor, tx);
      requireSuperuser(
        context,
        'Only platform admin, room owner or room manager can delete messages',
        'INSUFFICIENT_PERMISSION',
      );
      let removed: number;
      if (all) {
        removed = await this.deps.messages.deleteAll(appId, roomId, tx);
        await this.deps.readStates.allMessagesDeleted(appId, roomId, tx);
        if (context.room.pinnedMessageId !== null) await this.deps.rooms.setPinned(appId, roomId, null, tx);
      } else {
        const message = await this.messageOfRoom(appId, roomId, messageId, tx);
        // Before the message goes: its deletions "for me" (gone with it) say who no longer counted it.
        await this.deps.readStates.messageDeleted(appId, roomId, message, tx);
        removed = await this.deps.messages.delete(appId, roomId, messageId, tx);
        if (context.room.pinnedMessageId === messageId) await this.deps.rooms.setPinned(appId, roomId, null, tx);
      }
      await this.deps.rooms.messagesRemoved(
        appId,
        roomId,
        removed,
        await this.deps.messages.latest(appId, roomId, tx),
        tx,
      );
      await this.deps.messages.recordDeletion(appId, roomId, messageId, Date.now(), DELETION_MEMORY_MS, tx);
      return { count: removed, members: context.members.map((member) => member.userId) };
    });
    const deletedBy = actor.userId ?? 'admin';
    this.deps.bus.publish('message.deleted', {
      appId,
      roomId,
      messageIds: all ? [] : [messageId],
      all,
      deletedBy,
      members,
    });
    return {
      deletedCount: count,
      roomID: roomId,
      messageID: messageId,
      deletedBy,
      deletedAt: new Date().toISOString(),
    };
  }

  /** Pin (spec 5.7, 12 item 55): one pinned message per room; pinning another unpins the previous. */
  async setPinned(appId: string, actor: Actor, messageId: string, pinned: boolean): Promise<MessageView> {
    const outcome = await this.deps.rooms.transaction(async (tx) => {
      const found = await this.deps.messages.find(appId, messageId, tx);
      if (!found) throw new AppError('MESSAGE_NOT_FOUND');
      const context = await this.deps.access.load(appId, found.roomId, actor, tx);
      // Outside the room, the message is not there at all.
      if (!context.canAccess) throw new AppError('MESSAGE_NOT_FOUND');
      requireSuperuser(context, `Only room owner, manager, or platform admin can ${pinned ? 'pin' : 'unpin'} messages`);
      requireWritable(context);
      const now = Date.now();
      let previous: string | null = null;
      if (pinned) {
        previous = context.room.pinnedMessageId !== messageId ? context.room.pinnedMessageId : null;
        if (previous !== null) await this.deps.messages.setPinned(appId, previous, false, now, tx);
        if (!found.pinned) await this.deps.messages.setPinned(appId, messageId, true, now, tx);
        await this.deps.rooms.setPinned(appId, found.roomId, messageId, tx);
      } else {
        if (found.pinned) await this.deps.messages.setPinned(appId, messageId, false, now, tx);
        if (context.room.pinnedMessageId === messageId) await this.deps.rooms.setPinned(appId, found.roomId, null, tx);
      }
      const changed = found.pinned !== pinned;
      return { message: written(await this.deps.messages.find(appId, messageId, tx)), previous, changed };
    });
    if (outcome.previous !== null) {
      const previous = await this.deps.messages.find(appId, outcome.previous);
      if (previous) await this.deps.announcer.changed('message.unpinned', appId, previous);
    }
    if (outcome.changed)
      await this.deps.announcer.changed(pinned ? 'message.pinned' : 'message.unpinned', appId, outcome.message);
    return this.deps.presenter.messageViewOf(appId, outcome.message);
  }

  /** `PUT /rooms/:id/lastRead` ([hist], spec 6 and 13): the member's read position and new badge. */
  async markRead(
    appId: string,
    actor: Actor & { userId: string },
    roomId: string,
    messageId: string,
  ): Promise<{ client: string; lastRead: string; badge: number }> {
    const context = await this.deps.access.loadReadable(appId, roomId, actor);
    if (!context.isMember) throw new AppError('NOT_ROOM_MEMBER');
    const message = await this.messageOfRoom(appId, roomId, messageId);
    await this.deps.readStates.markRead(appId, roomId, actor.userId, {
      seq: message.seq,
      messageId: message.id,
      now: Date.now(),
    });
    const state = (await this.deps.readStates.readStates(appId, [roomId], actor.userId)).get(roomId);
    const badge = state?.badge ?? 0;
    const lastRead = state?.lastReadId ?? message.id;
    this.deps.bus.publish('read.updated', { appId, roomId, userId: actor.userId, lastRead, badge });
    return { client: actor.userId, lastRead, badge };
  }

  async messageOfRoom(appId: string, roomId: string, messageId: string, db?: Db): Promise<StoredMessage> {
    const message = await this.deps.messages.find(appId, messageId, db);
    if (!message || message.roomId !== roomId) throw new AppError('MESSAGE_NOT_FOUND');
    return message;
  }

  private requireAuthorOrSuperuser(context: RoomContext, message: StoredMessage, text: string): void {
    if (message.senderId !== null && context.actor.userId === message.senderId) return;
    if (context.actor.admin || context.isSuperuser) return;
    throw new AppError('NOT_PERMITTED', text);
  }

  private async requireUser(appId: string, id: string): Promise<void> {
    const user = await this.deps.users.find(appId, id);
    if (!user) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${id}' not found`);
  }
}

/** A send's `push` (on unless `false`) and `skipTotalBadge` (off unless `true`), spec 5.1-5.2. */
const sendOptionsOf = (body: Record<string, unknown>) => ({
  push: body.push !== false,
  skipTotalBadge: body.skipTotalBadge === true,
});
