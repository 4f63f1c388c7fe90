import { AppError } from '../../core/errors.js';
import { parseTime } from '../../shared/time.js';
import type { MembersRepository } from './members.repository.js';
import type { MessageView } from './message-view.js';
import type { MessagesRepository } from './messages.repository.js';
import { historyFloors, type RoomAccess } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { RoomsRepository } from './rooms.repository.js';

const SYNC_LIMIT = 500;
/** A position in the stream of changes: after this `(updatedAt, seq)`. Opaque to clients. */
const CURSOR = /^c:(\d{1,16}):(\d{1,20})$/;

export interface CatchUp {
  messages: MessageView[];
  deleted: Array<{ room: string; messageId: string | null; all: boolean; deletedAt: number }>;
  hasMore: boolean;
  cursor: string;
}

/** Reconnect catch-up (the socket's `sync` event, issue 4). */
export class SyncService {
  constructor(
    private readonly deps: {
      access: RoomAccess;
      rooms: RoomsRepository;
      messages: MessagesRepository;
      members: MembersRepository;
      presenter: RoomPresenter;
    },
  ) {}

  /**
   * Every message of the user's rooms created or changed after `since`, oldest change first.
   * `since` is the last message the client saw (what came after it was created, whatever happened
   * to it since), the `cursor` of a previous page, or a time.
   */
  async catchUp(appId: string, userId: string, since: unknown): Promise<CatchUp> {
    const { access, rooms, messages, members, presenter } = this.deps;
    const cursor = await this.cursorOf(appId, since);
    const principals = await access.principals(appId, userId);
    const userRooms = await rooms.listForPrincipals(appId, principals, { activeOnly: false });
    const roomIds = userRooms.map((room) => room.id);
    const changed = await messages.changedSince(appId, roomIds, cursor, SYNC_LIMIT + 1);
    const page = changed.slice(0, SYNC_LIMIT);
    // Nothing from before the user joined a 'joined' room (issue 9 item 1).
    const floors = await historyFloors(members, appId, principals, userRooms);
    const views = await presenter.messageViews(
      appId,
      page.filter((message) => message.seq > (floors.get(message.roomId) ?? 0)),
    );
    const last = page.at(-1);
    const next = last ? { time: last.updatedAt, seq: last.seq } : cursor;
    // Deletions after the starting point, so that the client drops what vanished meanwhile.
    const deleted = (await messages.deletionsSince(appId, roomIds, cursor.time, SYNC_LIMIT)).map((entry) => ({
      room: entry.roomId,
      messageId: entry.messageId === '_all' ? null : entry.messageId,
      all: entry.messageId === '_all',
      deletedAt: entry.deletedAt,
    }));
    return {
      messages: views,
      deleted,
      hasMore: changed.length > SYNC_LIMIT,
      cursor: `c:${next.time}:${next.seq ?? 0}`,
    };
  }

  private async cursorOf(appId: string, since: unknown): Promise<{ time: number; seq?: number }> {
    if (typeof since === 'string') {
      const opaque = CURSOR.exec(since);
      if (opaque) return { time: Number(opaque[1]), seq: Number(opaque[2]) };
      if (/^[0-9a-f]{24}$/.test(since)) {
        const message = await this.deps.messages.find(appId, since);
        if (message) return { time: message.createdAt, seq: message.seq };
        // Deleted since: its id still tells when it was made, to the second
        // (an id from the future was never one of ours).
        const made = Number.parseInt(since.slice(0, 8), 16) * 1000;
        if (made <= Date.now()) return { time: made - 1 };
        throw new AppError('INVALID_REQUEST', 'since names no message of yours');
      }
    }
    const time = parseTime(since);
    if (time === undefined)
      throw new AppError(
        'INVALID_REQUEST',
        'since must be a message id, a cursor, an ISO-8601 time or a millisecond epoch',
      );
    return { time };
  }
}
