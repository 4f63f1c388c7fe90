import type { Storage } from '../../storage/database.js';

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
        app_id: file.appId, id: file.id, bucket: file.bucket, owner_id: file.ownerId, name: file.name, mime_type: file.mimeType,
        size: file.size, extra: file.extra === null ? null : JSON.stringify(file.extra), content, created_at: file.createdAt,
      })
      .execute();
  }

  async find(appId: string, bucket: string, id: string): Promise<StoredFile | undefined> {
    const row = await this.storage.db
      .selectFrom('files')
      .select(['app_id', 'id', 'bucket', 'owner_id', 'name', 'mime_type', 'size', 'extra', 'created_at'])
      .where('app_id', '=', appId)
      .where('bucket', '=', bucket)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && {
      appId: row.app_id, id: row.id, bucket: row.bucket, ownerId: row.owner_id, name: row.name, mimeType: row.mime_type,
      size: Number(row.size), extra: row.extra === null ? null : (JSON.parse(row.extra) as Record<string, unknown>), createdAt: row.created_at,
    };
  }

  async content(appId: string, id: string): Promise<Buffer | undefined> {
    const row = await this.storage.db.selectFrom('files').select('content').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    return row ? Buffer.from(row.content) : undefined;
  }
}
