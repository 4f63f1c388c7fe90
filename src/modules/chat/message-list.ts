import { AppError } from '../../core/errors.js';
import { iso, parseTime } from '../../shared/time.js';
import type { Actor, RoomAccess } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { MessageView } from './message-view.js';
import type { Cursor, MessagesRepository, TimeField } from './messages.repository.js';

export interface MessageListQuery {
  limit?: number;
  beforeMessage?: string;
  afterMessage?: string;
  afterTime?: string;
  timeRangeField?: 'updatedAt' | 'createdAt' | 'messageTime';
}

const DEFAULT_LIMIT = 20;

const FIELDS: Record<NonNullable<MessageListQuery['timeRangeField']>, TimeField> = {
  updatedAt: 'updated_at',
  createdAt: 'created_at',
  messageTime: 'created_at',
};

/** `GET /rooms/:id/messages/v3` (spec 5.4, 12 item 52): cursors on `timeRangeField`, newest first. */
export class MessageList {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: RoomAccess,
    private readonly presenter: RoomPresenter,
    private readonly maxPageSize: number,
  ) {}

  async list(
    appId: string,
    actor: Actor,
    roomId: string,
    query: MessageListQuery,
  ): Promise<{
    totalCount: number;
    inspect: Record<string, unknown>;
    data: MessageView[];
    userDeletedIDs: string[];
  }> {
    const started = performance.now();
    const { room, historyFloor } = await this.access.loadReadable(appId, roomId, actor);
    const name = query.timeRangeField ?? 'updatedAt';
    const field = FIELDS[name];
    const limit = Math.min(query.limit || DEFAULT_LIMIT, this.maxPageSize);
    const before =
      query.beforeMessage === undefined
        ? undefined
        : await this.cursorAt(appId, roomId, query.beforeMessage, field, 'beforeMessage');
    let after =
      query.afterMessage === undefined
        ? undefined
        : await this.cursorAt(appId, roomId, query.afterMessage, field, 'afterMessage');
    if (query.afterTime !== undefined) {
      const time = parseTime(query.afterTime);
      if (time === undefined)
        throw new AppError('INVALID_REQUEST', 'afterTime must be an ISO-8601 time or a millisecond epoch');
      // Both "after" cursors: the later one binds.
      if (!after || time >= after.time) after = { time };
    }
    const page = await this.messages.list(appId, roomId, { field, before, after, limit, fromSeq: historyFloor });
    const data = await this.presenter.messageViews(appId, page);
    const range: Record<string, string> = {};
    if (after) range.$gt = iso(after.time);
    if (before) range.$lt = iso(before.time);
    return {
      totalCount: room.messageCount,
      inspect: {
        query: { appID: appId, room: roomId, ...(Object.keys(range).length > 0 ? { [name]: range } : {}) },
        tookMS: Math.round(performance.now() - started),
      },
      data,
      userDeletedIDs: [],
    };
  }

  private async cursorAt(appId: string, roomId: string, id: string, field: TimeField, name: string): Promise<Cursor> {
    const message = await this.messages.find(appId, id);
    if (!message || message.roomId !== roomId)
      throw new AppError('INVALID_REQUEST', `${name} is not a message of this room`);
    return { time: field === 'updated_at' ? message.updatedAt : message.createdAt, seq: message.seq };
  }
}
