import type { Storage } from '../../storage/database.js';
import type { Db } from '../../storage/transaction.js';

export interface StoredFile {
  appId: string;
  id: string;
  bucket: string;
  ownerId: string | null;
  name: string;
  mimeType: string;
  size: number;
  extra: Record<string, unknown> | null;
  createdAt: number;
}

export class FilesRepository {
  constructor(private readonly storage: Storage) {}

  async insert(file: StoredFile, content: Buffer): Promise<void> {
    await this.storage.db
      .insertInto('files')
      .values({
        app_id: file.appId,
        id: file.id,
        bucket: file.bucket,
        owner_id: file.ownerId,
        name: file.name,
        mime_type: file.mimeType,
        size: file.size,
        extra: file.extra === null ? null : JSON.stringify(file.extra),
        content,
        created_at: file.createdAt,
      })
      .execute();
  }

  async find(appId: string, bucket: string, id: string, db: Db = this.storage.db): Promise<StoredFile | undefined> {
    const row = await db
      .selectFrom('files')
      .select(['app_id', 'id', 'bucket', 'owner_id', 'name', 'mime_type', 'size', 'extra', 'created_at'])
      .where('app_id', '=', appId)
      .where('bucket', '=', bucket)
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        appId: row.app_id,
        id: row.id,
        bucket: row.bucket,
        ownerId: row.owner_id,
        name: row.name,
        mimeType: row.mime_type,
        size: Number(row.size),
        extra: row.extra === null ? null : (JSON.parse(row.extra) as Record<string, unknown>),
        createdAt: row.created_at,
      }
    );
  }

  async content(appId: string, id: string): Promise<Buffer | undefined> {
    const row = await this.storage.db
      .selectFrom('files')
      .select('content')
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? Buffer.from(row.content) : undefined;
  }

  async deleteMany(appId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.storage.db
      .deleteFrom('files')
      .where('app_id', '=', appId)
      .where('id', 'in', [...ids])
      .execute();
  }

  /** Lets the members of a room read a file; idempotent. */
  async share(appId: string, fileId: string, roomId: string, now: number, db: Db = this.storage.db): Promise<void> {
    // A share left by a deleted room of the same id is renewed: it dates from now.
    await db
      .insertInto('file_shares')
      .values({ app_id: appId, file_id: fileId, room_id: roomId, created_at: now })
      .onConflict((oc) => oc.columns(['app_id', 'file_id', 'room_id']).doUpdateSet({ created_at: now }))
      .execute();
  }

  /**
   * Shares an upload in the room it names and records that room's tags on it, as they are now
   * ([hist] 9.5: the statistics by room tag count files by the tags their room had at upload).
   */
  async shareUpload(file: StoredFile, roomId: string): Promise<void> {
    await this.storage.db.transaction().execute(async (tx) => {
      await this.share(file.appId, file.id, roomId, file.createdAt, tx);
      const room = await tx
        .selectFrom('rooms')
        .select('room_tags')
        .where('app_id', '=', file.appId)
        .where('id', '=', roomId)
        .executeTakeFirst();
      const tags = [...new Set(room ? (JSON.parse(room.room_tags) as string[]) : [])];
      if (tags.length === 0) return;
      await tx
        .insertInto('file_tags')
        .values(
          tags.map((tag) => ({
            app_id: file.appId,
            file_id: file.id,
            tag,
            room_id: roomId,
            size: file.size,
            created_at: file.createdAt,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  /**
   * Files counted and sized per room tag, among those uploaded in `range` (inclusive) into rooms
   * with tags: per tag, and over the distinct files (a file of a room with two tags counts once).
   * `tags` narrows to those; `memberId` to the rooms that user is a member of (since before the
   * upload: not a room created later under the same id).
   */
  async statsByTag(
    appId: string,
    filter: { tags?: readonly string[]; since?: number; until?: number; memberId?: string },
  ): Promise<{ perTag: Map<string, { count: number; size: number }>; count: number; size: number }> {
    const matching = () => {
      let query = this.storage.db.selectFrom('file_tags').where('file_tags.app_id', '=', appId);
      if (filter.tags !== undefined) query = query.where(this.storage.dialect.inList('file_tags.tag', filter.tags));
      if (filter.since !== undefined) query = query.where('file_tags.created_at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('file_tags.created_at', '<=', filter.until);
      const { memberId } = filter;
      if (memberId !== undefined)
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('room_members')
              .innerJoin('rooms', (join) =>
                join.onRef('rooms.app_id', '=', 'room_members.app_id').onRef('rooms.id', '=', 'room_members.room_id'),
              )
              .select('room_members.user_id')
              .whereRef('room_members.app_id', '=', 'file_tags.app_id')
              .whereRef('room_members.room_id', '=', 'file_tags.room_id')
              .where('room_members.user_id', '=', memberId)
              .whereRef('rooms.created_at', '<=', 'file_tags.created_at'),
          ),
        );
      return query;
    };
    const rows = await matching()
      .select((eb) => [
        'file_tags.tag',
        eb.fn.countAll<number | string>().as('count'),
        eb.fn.sum<number | string>('file_tags.size').as('size'),
      ])
      .groupBy('file_tags.tag')
      .execute();
    const files = matching().select(['file_tags.file_id', 'file_tags.size']).distinct().as('files');
    const total = await this.storage.db
      .selectFrom(files)
      .select((eb) => [
        eb.fn.countAll<number | string>().as('count'),
        eb.fn.sum<number | string | null>('files.size').as('size'),
      ])
      .executeTakeFirstOrThrow();
    return {
      perTag: new Map(rows.map((row) => [row.tag, { count: Number(row.count), size: Number(row.size) }])),
      count: Number(total.count),
      size: Number(total.size ?? 0),
    };
  }

  /** Shares whose room is the one they were made in: not a room created later with the same id. */
  private liveShares(db: Db) {
    return db
      .selectFrom('file_shares')
      .innerJoin('rooms', (join) =>
        join
          .onRef('rooms.app_id', '=', 'file_shares.app_id')
          .onRef('rooms.id', '=', 'file_shares.room_id')
          .onRef('rooms.created_at', '<=', 'file_shares.created_at'),
      );
  }

  // A share counts only for the room it was made in: not for a room created later with the same id.
  async isSharedIn(appId: string, fileId: string, roomId: string, db: Db = this.storage.db): Promise<boolean> {
    const row = await this.liveShares(db)
      .select('file_shares.room_id')
      .where('file_shares.app_id', '=', appId)
      .where('file_shares.file_id', '=', fileId)
      .where('file_shares.room_id', '=', roomId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** True when the user is a member of a room the file was shared in. */
  async sharedWithMember(appId: string, fileId: string, userId: string, db: Db = this.storage.db): Promise<boolean> {
    const row = await this.liveShares(db)
      .innerJoin('room_members', (join) =>
        join
          .onRef('room_members.app_id', '=', 'file_shares.app_id')
          .onRef('room_members.room_id', '=', 'file_shares.room_id'),
      )
      .select('file_shares.room_id')
      .where('file_shares.app_id', '=', appId)
      .where('file_shares.file_id', '=', fileId)
      .where('room_members.user_id', '=', userId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async isMember(appId: string, roomId: string, userId: string, db: Db = this.storage.db): Promise<boolean> {
    const row = await db
      .selectFrom('room_members')
      .select('user_id')
      .where('app_id', '=', appId)
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async roomExists(appId: string, roomId: string): Promise<boolean> {
    return (
      (await this.storage.db
        .selectFrom('rooms')
        .select('id')
        .where('app_id', '=', appId)
        .where('id', '=', roomId)
        .executeTakeFirst()) !== undefined
    );
  }

  /** When the user of this id was created; a later user of the same id is not an earlier file's uploader. */
  async userCreatedAt(appId: string, userId: string, db: Db = this.storage.db): Promise<number | undefined> {
    const row = await db
      .selectFrom('users')
      .select('created_at')
      .where('app_id', '=', appId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.created_at);
  }
}
