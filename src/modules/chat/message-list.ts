import { AppError } from '../../core/errors.js';
import { iso, parseTime } from '../../shared/time.js';
import type { Actor, RoomAccess } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { MessageView } from './message-view.js';
import type { Cursor, MessagesRepository, StoredMessage, TimeField } from './messages.repository.js';
import type { UserDeletionsRepository } from './user-deletions.repository.js';

export interface MessageListQuery {
  limit?: number;
  beforeMessage?: string;
  afterMessage?: string;
  afterTime?: string;
  timeRangeField?: 'updatedAt' | 'createdAt' | 'messageTime';
  /** `asc` or `desc`, any case (the Vue client's paging, other-clients 4.5). */
  sortOrder?: string;
}

const DEFAULT_LIMIT = 20;

const FIELDS: Record<NonNullable<MessageListQuery['timeRangeField']>, TimeField> = {
  updatedAt: 'updated_at',
  createdAt: 'created_at',
  messageTime: 'created_at',
};

const MAX_AROUND = 100;

/** `GET /admin/messages` (history 7.10): its default page and its bound. */
const ADMIN_DEFAULT_LIMIT = 100;
export const ADMIN_MAX_LIMIT = 1000;
/** More pinned messages than a room can hold (one at a time, spec 12 item 55): the list's bound. */
const MAX_PINNED = 100;

export interface AdminMessagesQuery {
  startDate?: string | number;
  endDate?: string | number;
  limit?: number;
  skip?: number;
}

/**
 * `GET /rooms/:id/messages/v3` (spec 5.4, 12 item 52): cursors on `timeRangeField`, newest first.
 *
 * With `sortOrder` (an extension the Vue client sends, other-clients 4.5 and 5 item 10) the same
 * messages are chosen, but a `beforeMessage`/`afterMessage` cursor is itself part of the page
 * (it counts toward `limit`), and `data` comes in that order: `desc` newest first, `asc` oldest
 * first. The client drops the head of every cursor page, which is then the cursor it already has,
 * and continues from the page's last message: nothing is skipped, nothing comes twice. Without a
 * cursor the page is the newest `limit` (or the closest after `afterTime`), in that order.
 */
export class MessageList {
  constructor(
    private readonly deps: {
      messages: MessagesRepository;
      access: RoomAccess;
      presenter: RoomPresenter;
      userDeletions: Pick<UserDeletionsRepository, 'deletedAmong'>;
      maxPageSize: number;
    },
  ) {}

  async list(
    appId: string,
    actor: Actor,
    roomId: string,
    query: MessageListQuery,
  ): Promise<{
    totalCount: number;
    inspect: { query: Record<string, unknown>; tookMS: number };
    data: MessageView[];
    userDeletedIDs: string[];
  }> {
    const started = performance.now();
    const { room, historyFloor } = await this.deps.access.loadReadable(appId, roomId, actor);
    const name = query.timeRangeField ?? 'updatedAt';
    const field = FIELDS[name];
    const limit = Math.min(query.limit || DEFAULT_LIMIT, this.deps.maxPageSize);
    const order = readSortOrder(query.sortOrder);
    const inclusive = order !== undefined;
    const before =
      query.beforeMessage === undefined
        ? undefined
        : await this.cursorAt(appId, roomId, query.beforeMessage, field, 'beforeMessage', inclusive);
    let after: Cursor | undefined =
      query.afterMessage === undefined
        ? undefined
        : await this.cursorAt(appId, roomId, query.afterMessage, field, 'afterMessage', inclusive);
    if (query.afterTime !== undefined) {
      const time = parseTime(query.afterTime);
      if (time === undefined)
        throw new AppError('INVALID_REQUEST', 'afterTime must be an ISO-8601 time or a millisecond epoch');
      // Both "after" cursors: the later one binds.
      if (!after || time >= after.time) after = { time };
    }
    const page = await this.deps.messages.list(appId, roomId, {
      field,
      before,
      after,
      limit,
      fromSeq: historyFloor,
      order: order ?? 'desc',
    });
    const data = await this.viewsFor(appId, actor, page);
    const range: Record<string, string> = {};
    if (after) range[after.inclusive ? '$gte' : '$gt'] = iso(after.time);
    if (before) range[before.inclusive ? '$lte' : '$lt'] = iso(before.time);
    return {
      totalCount: room.messageCount,
      inspect: {
        query: { appID: appId, room: roomId, ...(Object.keys(range).length > 0 ? { [name]: range } : {}) },
        tookMS: Math.round(performance.now() - started),
      },
      data,
      userDeletedIDs: data.filter((view) => view.isDeleted === true).map((view) => view._id),
    };
  }

  /** `GET /rooms/:id/messages/:messageId` (SDK): a message with `before` older and `after` newer ones, newest first. */
  async around(
    appId: string,
    actor: Actor,
    roomId: string,
    messageId: string,
    counts: { before?: number; after?: number },
  ): Promise<MessageView[]> {
    const { historyFloor } = await this.deps.access.loadReadable(appId, roomId, actor);
    const center = await this.deps.messages.find(appId, messageId);
    if (!center || center.roomId !== roomId || center.seq <= historyFloor) throw new AppError('MESSAGE_NOT_FOUND');
    const cursor = { time: center.createdAt, seq: center.seq };
    const page = (limit: number, side: 'before' | 'after') =>
      limit > 0
        ? this.deps.messages.list(appId, roomId, { field: 'created_at', [side]: cursor, limit, fromSeq: historyFloor })
        : Promise.resolve([]);
    const [older, newer] = await Promise.all([
      page(Math.min(counts.before ?? 0, MAX_AROUND), 'before'),
      page(Math.min(counts.after ?? 0, MAX_AROUND), 'after'),
    ]);
    return this.viewsFor(appId, actor, [...newer, center, ...older]);
  }

  /** Views of messages; those the caller deleted for themselves are listed, marked (spec 5.4, 12 item 53). */
  private async viewsFor(appId: string, actor: Actor, messages: StoredMessage[]): Promise<MessageView[]> {
    const [views, deleted] = await Promise.all([
      this.deps.presenter.messageViews(appId, messages),
      actor.userId === null
        ? new Set<string>()
        : this.deps.userDeletions.deletedAmong(
            appId,
            actor.userId,
            messages.map((message) => message.id),
          ),
    ]);
    for (const view of views) if (deleted.has(view._id)) view.isDeleted = true;
    return views;
  }

  /** `GET /rooms/:id/pined-messages` (history 7.3): the room's pinned messages, latest pin first, for its readers. */
  async pinned(
    appId: string,
    actor: Actor,
    roomId: string,
  ): Promise<{ totalCount: number; inspect: { query: Record<string, unknown>; tookMS: number }; data: MessageView[] }> {
    const started = performance.now();
    const { historyFloor } = await this.deps.access.loadReadable(appId, roomId, actor);
    const data = await this.deps.presenter.messageViews(
      appId,
      await this.deps.messages.pinned(appId, roomId, historyFloor, MAX_PINNED),
    );
    return {
      totalCount: data.length,
      inspect: { query: { appID: appId, room: roomId, pinned: true }, tookMS: Math.round(performance.now() - started) },
      data,
    };
  }

  /** `GET /admin/messages` (history 7.10): the app's messages created in `[startDate, endDate)`, newest first. */
  async inRange(appId: string, query: AdminMessagesQuery): Promise<{ totalCount: number; data: MessageView[] }> {
    const range = { since: readDate(query.startDate, 'startDate'), until: readDate(query.endDate, 'endDate') };
    if (range.since !== undefined && range.until !== undefined && range.since > range.until)
      throw new AppError('INVALID_REQUEST', 'startDate must not be after endDate');
    const limit = Math.min(query.limit || ADMIN_DEFAULT_LIMIT, ADMIN_MAX_LIMIT);
    const [totalCount, page] = await Promise.all([
      this.deps.messages.countInRange(appId, range),
      this.deps.messages.inRange(appId, range, { skip: query.skip ?? 0, limit }),
    ]);
    return { totalCount, data: await this.deps.presenter.messageViews(appId, page) };
  }

  /** `GET /rooms/:id/count` (SDK): how many messages a room has, or has had since `sinceMs` (0: all). */
  async count(appId: string, actor: Actor, roomId: string, sinceMs: number): Promise<number> {
    const { room } = await this.deps.access.loadReadable(appId, roomId, actor);
    return sinceMs > 0 ? this.deps.messages.count(appId, room.id, sinceMs + 1) : room.messageCount;
  }

  private async cursorAt(
    appId: string,
    roomId: string,
    id: string,
    field: TimeField,
    name: string,
    inclusive: boolean,
  ): Promise<Cursor> {
    const message = await this.deps.messages.find(appId, id);
    if (!message || message.roomId !== roomId)
      throw new AppError('INVALID_REQUEST', `${name} is not a message of this room`);
    return { time: field === 'updated_at' ? message.updatedAt : message.createdAt, seq: message.seq, inclusive };
  }
}

function readDate(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = parseTime(value);
  if (time === undefined)
    throw new AppError('INVALID_REQUEST', `${name} must be an ISO-8601 time or a millisecond epoch`);
  return time;
}

function readSortOrder(value: string | undefined): 'asc' | 'desc' | undefined {
  if (value === undefined) return undefined;
  const order = value.toLowerCase();
  if (order === 'asc' || order === 'desc') return order;
  throw new AppError('INVALID_REQUEST', 'sortOrder must be asc or desc');
}
