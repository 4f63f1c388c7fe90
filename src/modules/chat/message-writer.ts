import { AppError } from '../../core/errors.js';
import { objectId } from '../../shared/ids.js';
import type { Db } from '../../storage/transaction.js';
import type { Room } from './rooms.repository.js';
import type { MessageDraft } from './message-input.js';
import type { StoredMessage } from './messages.repository.js';
import type { MessageStore, RoomGuard } from './message-store.js';
import type { RoomWebhookEvents } from './webhook-events.js';
import type { MessageFileSharing } from './ports.js';

const MAX_ID_DRAWS = 3;

/** System message types (spec 1.10, 12 item 42): not searchable, produced by member changes. */
export type SystemMessageType = 'addMembers' | 'deleteMember' | 'leaveRoom' | 'assignAdmin' | 'cancelInvitations';

/**
 * Every system type the spec names (1.10, both the singular and plural spellings): clients render
 * them as facts about the room ("X is now admin"), so only the server and the API key write them.
 */
export const SYSTEM_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'addMember',
  'addMembers',
  'deleteMember',
  'deleteMembers',
  'joinRoom',
  'leaveRoom',
  'assignAdmin',
  'cancelInvitations',
]);

/**
 * Stores messages inside the caller's transaction, which holds the room: the message itself, the
 * room's last message and counts (one more message written is one more unread for every other
 * member, with no write to their rows), and the sender's read position (a sender has read their
 * own room up to here).
 */
export interface MessageWriterDeps {
  /** Writes the message with the room's counters and the sender's read position. */
  store: MessageStore;
  webhookEvents: Pick<RoomWebhookEvents, 'message' | 'listensTo'>;
  /** Shares the files a message carries by URL (the files module); none in tests that need no files. */
  files?: MessageFileSharing;
  /** Draws a new server id (tests force collisions with it); `objectId` by default. */
  newId?: (nowMs: number) => string;
}

export class MessageWriter {
  private readonly store: MessageStore;
  private readonly webhookEvents: Pick<RoomWebhookEvents, 'message' | 'listensTo'>;
  private readonly fileAccess: MessageFileSharing | undefined;
  private readonly newId: (nowMs: number) => string;

  constructor(deps: MessageWriterDeps) {
    this.store = deps.store;
    this.webhookEvents = deps.webhookEvents;
    this.fileAccess = deps.files;
    this.newId = deps.newId ?? objectId;
  }

  async write(
    tx: Db,
    room: Room,
    senderId: string | null,
    draft: Pick<MessageDraft, 'messageType' | 'content' | 'searchText'>,
    options: { id?: string; batchId?: string; now?: number; fromWebhook?: boolean } = {},
  ): Promise<StoredMessage> {
    // Never earlier than the room's newest message (read under its lock): time order is delivery order.
    const now = Math.max(options.now ?? Date.now(), room.lastWrittenAt);
    const stored = await this.insert(room, senderId, draft, options, now, tx);
    // The room is locked by the caller's transaction: its last message is this one's predecessor.
    stored.previousSeq = room.lastMessageSeq;
    // Files this message carries by URL become readable by the room's members (see FileAccess).
    await this.fileAccess?.shareFromMessage(tx, room.appId, room.id, senderId, draft.content, now);
    // A bot's reply does not go back to the webhook it came from (spec 11.3).
    if (!options.fromWebhook) await this.webhookEvents.message(tx, room, stored);
    return stored;
  }

  /**
   * A new message with a server id, written without holding the room's lock across round trips
   * (PostgreSQL), when nothing else must be written with it: no file it carries to share, no
   * webhook listening. Undefined when it cannot be, or when the room changed from what `guard`
   * says: nothing is written then, and the caller writes it with `write` under the room's lock.
   */
  get writesWithoutHeldLock(): boolean {
    return this.store.writesWithoutHeldLock;
  }

  async writeIfRoomUnchanged(
    room: Room,
    senderId: string,
    draft: Pick<MessageDraft, 'messageType' | 'content' | 'searchText'>,
    guard: RoomGuard,
  ): Promise<StoredMessage | undefined> {
    if (!this.store.writesWithoutHeldLock || this.fileAccess?.carriesFiles(draft.content)) return undefined;
    if (await this.webhookEvents.listensTo(room)) return undefined;
    const now = Date.now();
    const counted = await this.store.insertIfRoomUnchanged(
      {
        appId: room.appId,
        id: this.newId(now),
        roomId: room.id,
        senderId,
        messageType: draft.messageType,
        content: draft.content,
        searchText: draft.searchText,
        batchId: null,
        createdAt: now,
        updatedAt: now,
      },
      guard,
    );
    if (!counted) return undefined;
    counted.stored.previousSeq = counted.previousSeq;
    return counted.stored;
  }

  /**
   * A client-chosen id that is taken (in any room) is a 409 and changes nothing; a server id that
   * is taken (64 random bits twice: not expected, never fatal) is drawn again.
   */
  private async insert(
    room: Room,
    senderId: string | null,
    draft: Pick<MessageDraft, 'messageType' | 'content' | 'searchText'>,
    options: { id?: string; batchId?: string },
    now: number,
    tx: Db,
  ): Promise<StoredMessage> {
    for (let attempt = 0; attempt < MAX_ID_DRAWS; attempt++) {
      const counted = await this.store.insert(
        {
          appId: room.appId,
          id: options.id ?? this.newId(now),
          roomId: room.id,
          senderId,
          messageType: draft.messageType,
          content: draft.content,
          searchText: draft.searchText,
          batchId: options.batchId ?? null,
          createdAt: now,
          updatedAt: now,
        },
        tx,
      );
      if (counted) return counted.stored;
      if (options.id !== undefined) throw new AppError('MESSAGE_EXISTS');
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'Could not draw a free message id; try again');
  }
}
