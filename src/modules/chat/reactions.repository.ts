import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';

/** A reaction as a message view lists it (history 7.7). */
export interface Reaction {
  client: string;
  reaction: string;
}

/** Users' reactions to messages: one row per (message, user, reaction). */
export class ReactionsRepository {
  constructor(private readonly storage: Storage) {}

  /** True when the reaction is new. */
  async add(appId: string, messageId: string, userId: string, reaction: string, now: number, db: Db): Promise<boolean> {
    const result = await db
      .insertInto('message_reactions')
      .values({ app_id: appId, message_id: messageId, user_id: userId, reaction, created_at: now })
      .onConflict((conflict) => conflict.columns(['app_id', 'message_id', 'user_id', 'reaction']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** True when there was such a reaction. */
  async remove(appId: string, messageId: string, userId: string, reaction: string, db: Db): Promise<boolean> {
    const result = await db
      .deleteFrom('message_reactions')
      .where('app_id', '=', appId)
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('reaction', '=', reaction)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The reactions of each message that has any, oldest first. */
  async ofMessages(appId: string, messageIds: readonly string[]): Promise<Map<string, Reaction[]>> {
    const byMessage = new Map<string, Reaction[]>();
    if (messageIds.length === 0) return byMessage;
    const rows = await this.storage.db
      .selectFrom('message_reactions')
      .select(['message_id', 'user_id', 'reaction'])
      .where('app_id', '=', appId)
      .where('message_id', 'in', [...new Set(messageIds)])
      .orderBy('created_at')
      .orderBy('user_id')
      .orderBy('reaction')
      .execute();
    for (const row of rows) {
      const list = byMessage.get(row.message_id) ?? [];
      list.push({ client: row.user_id, reaction: row.reaction });
      byMessage.set(row.message_id, list);
    }
    return byMessage;
  }
}
