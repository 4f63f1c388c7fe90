import type { Storage } from '../../storage/database.js';
import type { StickerSetsTable } from '../../storage/schema/tables.js';

export interface StoredImage {
  name: string;
  fileId: string;
  etag: string;
}

export interface StoredStickerSet {
  appId: string;
  id: string;
  name: string;
  order: number;
  zip: StoredImage;
  images: StoredImage[];
  version: number;
  createdAt: number;
  updatedAt: number;
}

const toSet = (row: StickerSetsTable): StoredStickerSet => ({
  appId: row.app_id,
  id: row.id,
  name: row.name,
  order: Number(row.sort_order),
  zip: { name: row.zip_name, fileId: row.zip_file_id, etag: row.zip_etag },
  images: JSON.parse(row.images) as StoredImage[],
  version: Number(row.version),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export class StickersRepository {
  constructor(private readonly storage: Storage) {}

  async find(appId: string, id: string): Promise<StoredStickerSet | undefined> {
    const row = await this.storage.db
      .selectFrom('sticker_sets')
      .selectAll()
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSet(row);
  }

  /** Every set of the application: by id, then the newest first (history 10.2). */
  async list(appId: string): Promise<StoredStickerSet[]> {
    const rows = await this.storage.db
      .selectFrom('sticker_sets')
      .selectAll()
      .where('app_id', '=', appId)
      .orderBy('id')
      .orderBy('updated_at', 'desc')
      .execute();
    return rows.map(toSet);
  }

  /** Inserts the set, or replaces the one with its id. */
  async save(set: StoredStickerSet): Promise<void> {
    const values = {
      name: set.name,
      sort_order: set.order,
      zip_file_id: set.zip.fileId,
      zip_name: set.zip.name,
      zip_etag: set.zip.etag,
      images: JSON.stringify(set.images),
      version: set.version,
      updated_at: set.updatedAt,
    };
    await this.storage.db
      .insertInto('sticker_sets')
      .values({ app_id: set.appId, id: set.id, created_at: set.createdAt, ...values })
      .onConflict((conflict) => conflict.columns(['app_id', 'id']).doUpdateSet(values))
      .execute();
  }

  async delete(appId: string, id: string): Promise<number> {
    const result = await this.storage.db
      .deleteFrom('sticker_sets')
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
