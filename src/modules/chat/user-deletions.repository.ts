import type { ExpressionBuilder } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { Database } from '../../storage/schema/tables.js';
import type { Db } from '../../storage/transaction.js';

/** The messages of a room a user deletes for themselves: these ids (else all), past `fromSeq` (their history). */
export interface DeletionSelection {
  messageIds?: readonly string[];
  fromSeq: number;
}

export interface UserDeletion {
  messageId: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * The user's "delete for me" record of the `messages` row the enclosing query is on, as a subquery:
 * `not exists` it where such messages must not count for that user (recent lists, unread counts).
 */
export function deletedFor(eb: ExpressionBuilder<Database, 'messages'>, userId: string) {
  return eb
    .selectFrom('user_deleted_messages as deleted')
    .select('deleted.message_id')
    .whereRef('deleted.app_id', '=', 'messages.app_id')
    .where('deleted.user_id', '=', userId)
    .whereRef('deleted.message_id', '=', 'messages.id');
}

/** Messages users deleted for themselves ("delete for me", history 7.9), by user. */
export class UserDeletionsRepository {
  constructor(private readonly storage: Storage) {}

  /**
   * Records the messages among `messageIds` that are the room's and past `fromSeq` (where the
   * user's history starts); deleting one again only moves its update time. Answers those recorded.
   * Runs in the caller's transaction, which first takes them out of the user's unread count.
   */
  async record(
    appId: string,
    userId: string,
    roomId: string,
    selection: DeletionSelection,
    now: number,
    tx: Db,
  ): Promise<{ matched: string[]; added: number }> {
    // The messages chosen, as a subquery: a whole room's ids never become statement parameters.
    const chosen = () => {
      let query = tx
        .selectFrom('messages')
        .where('messages.app_id', '=', appId)
        .where('messages.room_id', '=', roomId)
        .where('messages.seq', '>', selection.fromSeq);
      if (selection.messageIds) query = query.where('messages.id', 'in', [...new Set(selection.messageIds)]);
      return query;
    };
    const matched = (await chosen().select('messages.id').orderBy('messages.seq').execute()).map((row) => row.id);
    if (matched.length === 0) return { matched, added: 0 };
    const known = await tx
      .selectFrom('user_deleted_messages')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('message_id', 'in', chosen().select('messages.id'))
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('user_deleted_messages')
      .columns(['app_id', 'user_id', 'room_id', 'message_id', 'created_at', 'updated_at'])
      .expression(
        chosen().select((eb) => [
          'messages.app_id',
          eb.cast<string>(eb.val(userId), 'text').as('user_id'),
          'messages.room_id',
          'messages.id',
          eb.cast<number>(eb.val(now), 'bigint').as('created_at'),
          eb.cast<number>(eb.val(now), 'bigint').as('updated_at'),
        ]),
      )
      .onConflict((conflict) => conflict.columns(['app_id', 'user_id', 'message_id']).doUpdateSet({ updated_at: now }))
      .execute();
    return { matched, added: matched.length - Number(known.count) };
  }

  /** The user's deletions in a room, oldest first. */
  async inRoom(appId: string, userId: string, roomId: string): Promise<UserDeletion[]> {
    const rows = await this.storage.db
      .selectFrom('user_deleted_messages')
      .select(['message_id', 'created_at', 'updated_at'])
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('room_id', '=', roomId)
      .orderBy('created_at')
      .orderBy('message_id')
      .execute();
    return rows.map((row) => ({
      messageId: row.message_id,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }

  /** Which of these messages the user deleted for themselves. */
  async deletedAmong(appId: string, userId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.storage.db
      .selectFrom('user_deleted_messages')
      .select('message_id')
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('message_id', 'in', [...messageIds])
      .execute();
    return new Set(rows.map((row) => row.message_id));
  }
}
