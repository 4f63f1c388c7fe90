import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import type { StickersRepository, StoredImage, StoredStickerSet } from './stickers.repository.js';
import { imageTypeOf, readStickerZip } from './sticker-zip.js';

/** Where sticker files are kept: rows of the files module's storage, so that every node serves them. */
export const STICKER_BUCKET = 'stickers';

/** What the stickers module needs of the files module. */
export interface StickerFiles {
  storePublished(
    appId: string,
    bucket: string,
    name: string,
    mimeType: string,
    content: Buffer,
  ): Promise<{ id: string }>;
  publishedContent(appId: string, id: string): Promise<Buffer | undefined>;
  removePublished(appId: string, ids: readonly string[]): Promise<void>;
}

export interface StickerSetInput {
  id: string;
  name: string;
  order: number;
  archive: Buffer;
}

export interface StickerResource {
  name: string;
  /** An image type checked on the bytes, or application/zip for the set's archive. */
  mimeType: string;
  etag: string;
  content: Buffer;
}

const etagOf = (content: Buffer) => `"${createHash('sha256').update(content).digest('hex').slice(0, 32)}"`;
const noSuchResource = () => new AppError('NOT_FOUND', 'No sticker resource has that resourceId');
const fileIdsOf = (set: StoredStickerSet) => [set.zip.fileId, ...set.images.map((image) => image.fileId)];

/** Sticker sets (history 10): a zip of images per set, uploaded by the application's administrators. */
export class StickersService {
  constructor(
    private readonly repository: StickersRepository,
    private readonly files: StickerFiles,
  ) {}

  /** Creates the set, or replaces the set with its id (its old files go once the new ones are stored). */
  async save(appId: string, input: StickerSetInput): Promise<StoredStickerSet> {
    const images = await readStickerZip(input.archive);
    const previous = await this.repository.find(appId, input.id);
    const store = async (name: string, mimeType: string, content: Buffer): Promise<StoredImage> => {
      const file = await this.files.storePublished(appId, STICKER_BUCKET, `${input.id}/${name}`, mimeType, content);
      return { name, fileId: file.id, etag: etagOf(content) };
    };
    const zip = await store(`${input.id}.zip`, 'application/zip', input.archive);
    const stored: StoredImage[] = [];
    for (const image of images) stored.push(await store(image.name, image.mimeType, image.content));
    const now = Date.now();
    const set: StoredStickerSet = {
      appId,
      id: input.id,
      name: input.name,
      order: input.order,
      zip,
      images: stored,
      version: previous ? previous.version + 1 : 0,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    await this.repository.save(set);
    if (previous) await this.files.removePublished(appId, fileIdsOf(previous));
    return set;
  }

  list(appId: string): Promise<StoredStickerSet[]> {
    return this.repository.list(appId);
  }

  /** The number of sets deleted: 0 for an unknown id (history 10.3). */
  async delete(appId: string, id: string): Promise<number> {
    const set = await this.repository.find(appId, id);
    if (!set) return 0;
    const deleted = await this.repository.delete(appId, id);
    await this.files.removePublished(appId, fileIdsOf(set));
    return deleted;
  }

  /** The file a resourceId (`<setId>/<fileName>`) names; 404 for anything else. */
  async resource(appId: string, resourceId: string): Promise<StickerResource> {
    const slash = resourceId.indexOf('/');
    if (slash <= 0) throw noSuchResource();
    const set = await this.repository.find(appId, resourceId.slice(0, slash));
    const name = resourceId.slice(slash + 1);
    const entry = set && [set.zip, ...set.images].find((file) => file.name === name);
    if (!set || !entry) throw noSuchResource();
    const content = await this.files.publishedContent(appId, entry.fileId);
    if (!content) throw noSuchResource();
    const mimeType = entry === set.zip ? 'application/zip' : imageTypeOf(content);
    // Stored images were checked on upload; a row that is no image now is never served as one.
    if (!mimeType) throw noSuchResource();
    return { name, mimeType, etag: entry.etag, content };
  }
}
