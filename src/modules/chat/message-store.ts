import { type RawBuilder, sql } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Selectable } from 'kysely';
import type { MessagesTable } from '../../storage/schema/tables.js';
import { preparedQuery } from '../../storage/prepared-query.js';
import type { Db } from '../../storage/transaction.js';
import type { ReadStatesRepository } from './read-states.repository.js';
import { toMessage, type MessagesRepository, type NewMessage, type StoredMessage } from './messages.repository.js';
import type { RoomsRepository } from './rooms.repository.js';

export interface CountedMessage {
  stored: StoredMessage;
  /** The room's count of messages written, this one included (the sender's read position). */
  messagesWritten: number;
}

type InsertValues = {
  appId: string;
  id: string;
  roomId: string;
  senderId: string | null;
  messageType: string;
  content: string;
  searchText: string;
  batchId: string | null;
  createdAt: number;
  updatedAt: number;
};

const MESSAGE_COLUMNS = sql`(app_id, id, room_id, sender_id, message_type, content, search_text, pinned, batch_id,
  created_at, updated_at)`;

/** The message's columns; its time given, or (under the room's lock) an expression of it. */
const messageValues = (v: InsertValues, time: RawBuilder<number> = sql`${v.createdAt}`) =>
  sql`${v.appId}, ${v.id}, ${v.roomId}, ${v.senderId}, ${v.messageType}, ${v.content}, ${v.searchText}, 0,
    ${v.batchId}, ${time}, ${time}`;

/** After the CTE `inserted` (the message written): the room's counters, then the sender's read position. */
const countedAndSenderRead = (v: InsertValues) => sql`counted as (
      update rooms set last_message_id = inserted.id, last_message_seq = inserted.seq,
        last_written_at = greatest(rooms.last_written_at, inserted.created_at),
        message_count = rooms.message_count + 1, messages_written = rooms.messages_written + 1
      from inserted
      where rooms.app_id = ${v.appId} and rooms.id = ${v.roomId}
      returning rooms.messages_written
    ), sender_read as (
      update room_user_state set last_read_seq = inserted.seq, last_read_id = inserted.id,
        unread_base = counted.messages_written, updated_at = ${v.createdAt}
      from inserted, counted
      where room_user_state.app_id = ${v.appId} and room_user_state.room_id = ${v.roomId}
        and room_user_state.user_id = ${v.senderId}
    )`;

/**
 * On PostgreSQL the message, the room's counters and the sender's read position in one statement:
 * the room row stays locked from the caller's read until the commit, and every round trip in that
 * span holds back the room's other writers. An id already taken inserts nothing and changes nothing.
 */
const insertCountedOnPostgres = preparedQuery(
  (_db, v: InsertValues) =>
    sql<Selectable<MessagesTable> & { messages_written: string | number }>`
    with inserted as (
      insert into messages ${MESSAGE_COLUMNS} values (${messageValues(v)})
      on conflict (app_id, id) do nothing
      returning *
    ), ${countedAndSenderRead(v)}
    select inserted.*, counted.messages_written from inserted, counted`,
);

/** What a room must still be when a message written without a held lock lands in it. */
export interface RoomGuard {
  /** The members stamp read: the sender's membership, and the audience the message is announced to. */
  membersStamp: string;
  /** The status read (frozen rooms take no messages from users). */
  status: number;
  /** Whether the sender must still not be banned in the room (a user's message). */
  recheckBan: boolean;
  /** Whether no personal block may have closed the room since (a user's message in a direct room). */
  recheckBlocks: boolean;
}

type GuardedValues = InsertValues & {
  membersStamp: string;
  status: number;
  checkBan: boolean;
  checkBlocks: boolean;
};

/**
 * The same write as one autocommitted statement that takes the room's lock itself and only if the
 * room is still as the caller read it (without a lock): the lock is then held for this statement
 * and its commit only, not across the caller's round trips. The message's seq is drawn under the
 * lock, so the room's previous last message is its predecessor; its time is taken no earlier than
 * that message's, which the room row read under the lock tells.
 */
const insertIfRoomUnchangedOnPostgres = preparedQuery(
  (_db, v: GuardedValues) =>
    sql<Selectable<MessagesTable> & { messages_written: string | number; previous_seq: string | number | null }>`
    with room as (
      select rooms.last_message_seq, rooms.last_written_at from rooms
      where rooms.app_id = ${v.appId} and rooms.id = ${v.roomId}
        and rooms.members_stamp = ${v.membersStamp} and rooms.status = ${v.status}
        and (${v.checkBan} = false or not exists (select 1 from room_bans where room_bans.app_id = ${v.appId}
          and room_bans.room_id = ${v.roomId} and room_bans.user_id = ${v.senderId}))
        and (${v.checkBlocks} = false or not exists (select 1 from user_blocks where user_blocks.app_id = ${v.appId}
          and user_blocks.room_id = ${v.roomId}))
      for update of rooms
    ), inserted as (
      insert into messages ${MESSAGE_COLUMNS}
      select ${messageValues(v, sql`greatest(${v.createdAt}, room.last_written_at)`)} from room
      on conflict (app_id, id) do nothing
      returning *
    ), ${countedAndSenderRead(v)}
    select inserted.*, counted.messages_written, room.last_message_seq as previous_seq
    from inserted, counted, room`,
);

/** Writes a new message with what counts it: the room's last message and counts, the sender's read position. */
export class MessageStore {
  constructor(
    private readonly deps: {
      storage: Storage;
      messages: MessagesRepository;
      rooms: RoomsRepository;
      readStates: ReadStatesRepository;
    },
  ) {}

  /** The message and the room's new count, or undefined when its id is taken (nothing is written then). */
  async insert(message: NewMessage, db: Db): Promise<CountedMessage | undefined> {
    if (this.deps.storage.dialect.name === 'postgres') return this.insertInOneStatement(message, db);
    const stored = await this.deps.messages.insert(message, db);
    if (!stored) return undefined;
    const messagesWritten = await this.deps.rooms.messageAdded(message.appId, message.roomId, stored, db);
    if (message.senderId !== null)
      await this.deps.readStates.markSent(
        message.appId,
        message.roomId,
        message.senderId,
        { seq: stored.seq, messageId: stored.id, now: message.createdAt, messagesWritten },
        db,
      );
    return { stored, messagesWritten };
  }

  /** Whether `insertIfRoomUnchanged` can write here (PostgreSQL: SQLite's writers queue anyway). */
  get writesWithoutHeldLock(): boolean {
    return this.deps.storage.dialect.name === 'postgres';
  }

  /**
   * Writes the message, autocommitted, only if the room is still as `guard` says; undefined when it
   * changed (or the id is taken): nothing is written then, and the caller takes the locked path.
   */
  async insertIfRoomUnchanged(
    message: NewMessage & { senderId: string },
    guard: RoomGuard,
  ): Promise<(CountedMessage & { previousSeq: number | null }) | undefined> {
    const { rows } = await insertIfRoomUnchangedOnPostgres(this.deps.storage.db, {
      ...this.valuesOf(message),
      membersStamp: guard.membersStamp,
      status: guard.status,
      checkBan: guard.recheckBan,
      checkBlocks: guard.recheckBlocks,
    });
    const row = rows[0];
    if (!row) return undefined;
    const { messages_written, previous_seq, ...stored } = row;
    return {
      stored: toMessage(stored),
      messagesWritten: Number(messages_written),
      previousSeq: previous_seq === null ? null : Number(previous_seq),
    };
  }

  private valuesOf(message: NewMessage): InsertValues {
    return {
      appId: message.appId,
      id: message.id,
      roomId: message.roomId,
      senderId: message.senderId,
      messageType: message.messageType,
      content: JSON.stringify(message.content),
      searchText: message.searchText,
      batchId: message.batchId,
      createdAt: message.createdAt,
      updatedAt: message.updatedAt,
    };
  }

  private async insertInOneStatement(message: NewMessage, db: Db): Promise<CountedMessage | undefined> {
    const { rows } = await insertCountedOnPostgres(db, this.valuesOf(message));
    const row = rows[0];
    if (!row) return undefined;
    const { messages_written, ...stored } = row;
    return { stored: toMessage(stored), messagesWritten: Number(messages_written) };
  }
}
