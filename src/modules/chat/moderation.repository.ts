import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';

export interface Ban {
  roomId: string;
  userId: string;
  blocker: string;
  createdAt: number;
  updatedAt: number;
}

export interface Block {
  blocker: string;
  blockee: string;
  roomId: string;
  createdAt: number;
  updatedAt: number;
}

/** Room bans and personal blocks (spec 7.1-7.4). */
export class ModerationRepository {
  constructor(private readonly storage: Storage) {}

  async bannedIn(
    appId: string,
    roomId: string,
    userIds: readonly string[],
    db: Db = this.storage.db,
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await db
      .selectFrom('room_bans')
      .select('user_id')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where(this.storage.dialect.inList('user_id', userIds))
      .execute();
    return rows.map((row) => row.user_id);
  }

  async ban(appId: string, ban: Ban, db: Db): Promise<void> {
    await db
      .insertInto('room_bans')
      .values({
        app_id: appId,
        room_id: ban.roomId,
        user_id: ban.userId,
        blocker: ban.blocker,
        created_at: ban.createdAt,
        updated_at: ban.updatedAt,
      })
      .execute();
  }

  async findBan(appId: string, roomId: string, userId: string, db: Db = this.storage.db): Promise<Ban | undefined> {
    const row = await db
      .selectFrom('room_bans')
      .selectAll()
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (
      row && {
        roomId: row.room_id,
        userId: row.user_id,
        blocker: row.blocker,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }

  async unban(appId: string, roomId: string, userId: string, db: Db): Promise<void> {
    await db
      .deleteFrom('room_bans')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
  }

  async bans(appId: string, roomId: string): Promise<Ban[]> {
    const rows = await this.storage.db
      .selectFrom('room_bans')
      .selectAll()
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .orderBy('created_at', 'desc')
      .orderBy('user_id')
      .execute();
    return rows.map((row) => ({
      roomId: row.room_id,
      userId: row.user_id,
      blocker: row.blocker,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async block(appId: string, block: Block, db: Db): Promise<void> {
    await db
      .insertInto('user_blocks')
      .values({
        app_id: appId,
        blocker: block.blocker,
        blockee: block.blockee,
        room_id: block.roomId,
        created_at: block.createdAt,
        updated_at: block.updatedAt,
      })
      .execute();
  }

  async findBlock(
    appId: string,
    blocker: string,
    blockee: string,
    db: Db = this.storage.db,
  ): Promise<Block | undefined> {
    const row = await db
      .selectFrom('user_blocks')
      .selectAll()
      .where('app_id', '=', appId)
      .where('blocker', '=', blocker)
      .where('blockee', '=', blockee)
      .executeTakeFirst();
    return (
      row && {
        blocker: row.blocker,
        blockee: row.blockee,
        roomId: row.room_id,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }

  async unblock(appId: string, blocker: string, blockee: string, db: Db): Promise<void> {
    await db
      .deleteFrom('user_blocks')
      .where('app_id', '=', appId)
      .where('blocker', '=', blocker)
      .where('blockee', '=', blockee)
      .execute();
  }

  async blocksBy(appId: string, blocker: string): Promise<Block[]> {
    const rows = await this.storage.db
      .selectFrom('user_blocks')
      .selectAll()
      .where('app_id', '=', appId)
      .where('blocker', '=', blocker)
      .orderBy('created_at', 'desc')
      .orderBy('blockee')
      .execute();
    return rows.map((row) => ({
      blocker: row.blocker,
      blockee: row.blockee,
      roomId: row.room_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }
}
