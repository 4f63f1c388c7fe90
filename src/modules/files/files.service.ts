import { createHmac, randomBytes } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import { AppError } from '../../core/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { safeEqual } from '../../shared/secrets.js';
import { parseTime } from '../../shared/time.js';
import type { FileAccess } from './file-access.js';
import { storedFileName, storedMediaType } from './file-serving.js';
import type { FilesRepository, StoredFile } from './files.repository.js';
import { readIsoBmff } from './iso-bmff.js';
import { readMatroska } from './matroska.js';
import type { VideoMetadata } from './video-metadata.js';

const SIGNED_URL_TTL_S = 3600;

/** The application's token secret signs file URLs; the apps module's `AppsService.get` answers it. */
export interface AppSecrets {
  get(appId: string): Promise<{ tokenSecret: string }>;
}

/** An upload as the multipart body carried it. */
export interface Upload {
  name: string;
  mimeType: string;
  content: Buffer;
  extra: Record<string, unknown> | null;
}

/** A stored video and what its container says about it. */
export interface StoredVideo {
  file: StoredFile;
  video: VideoMetadata;
}

/** The room an upload names: `extra.room`, or as the history (`roomID`) and the Vue client (`roomId`) spell it. */
function uploadRoom(extra: Record<string, unknown> | null): unknown {
  for (const field of ['room', 'roomID', 'roomId']) {
    const value = extra && Object.hasOwn(extra, field) ? extra[field] : undefined;
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** `POST /files/stats` ([hist] 9.5): upload times as ISO-8601 or millisecond epochs, both bounds inclusive. */
export interface FileStatsQuery {
  tags?: readonly string[];
  rangeStart?: string | number;
  rangeEnd?: string | number;
}

export interface FileStats {
  inspect: { query: Record<string, unknown>; tookMS: number };
  data: Record<string, { size: number; count: number }>;
  totalCount: number;
  totalSize: number;
}

/** 96 random bits, as 24 hex characters: the shape of the ObjectIds the SDKs expect, but unguessable. */
const newFileId = () => randomBytes(12).toString('hex');

const noSuchFile = () => new AppError('NOT_FOUND', 'No such file');

/** A time bound of the statistics: absent, or an ISO-8601 time or millisecond epoch (else 400). */
function boundOf(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = parseTime(value);
  if (time === undefined)
    throw new AppError('INVALID_REQUEST', `${name} must be an ISO-8601 time or a millisecond epoch`);
  return time;
}

/**
 * Uploads and downloads of the SDKs (realtime protocol 6.2, 6.5): stored in the database, so that
 * every node serves every file; readable by its uploader, the members of the rooms it was shared
 * in and the API key (see FileAccess). Anyone else, like another application, gets 404; so does a
 * signed URL that is expired or forged.
 */
export class FilesService {
  /** The largest file accepted, in bytes. */
  readonly maxFileBytes: number;
  private readonly repository: FilesRepository;
  private readonly access: FileAccess;
  private readonly apps: AppSecrets;

  constructor(deps: { repository: FilesRepository; access: FileAccess; apps: AppSecrets; maxFileBytes: number }) {
    this.repository = deps.repository;
    this.access = deps.access;
    this.apps = deps.apps;
    this.maxFileBytes = deps.maxFileBytes;
  }

  /** Stores an upload of the actor, shared in the room its `extra.room` names when the actor is a member. */
  async upload(appId: string, bucket: string, upload: Upload, actor: Actor): Promise<StoredFile> {
    assertSafeInput({ name: upload.name, mimeType: upload.mimeType, extra: upload.extra }, 'The multipart fields');
    const file: StoredFile = {
      appId,
      id: newFileId(),
      bucket,
      ownerId: actor.userId,
      name: storedFileName(upload.name),
      mimeType: storedMediaType(upload.mimeType),
      size: upload.content.length,
      extra: upload.extra,
      createdAt: Date.now(),
    };
    await this.repository.insert(file, upload.content);
    await this.access.shareOnUpload(file, uploadRoom(upload.extra), actor);
    return file;
  }

  /**
   * Stores content the application itself publishes (sticker images and archives): no owner, no
   * room, its type and name as the caller checked them.
   */
  async storePublished(
    appId: string,
    bucket: string,
    name: string,
    mimeType: string,
    content: Buffer,
  ): Promise<StoredFile> {
    const file: StoredFile = {
      appId,
      id: newFileId(),
      bucket,
      ownerId: null,
      name,
      mimeType,
      size: content.length,
      extra: null,
      createdAt: Date.now(),
    };
    await this.repository.insert(file, content);
    return file;
  }

  /** The bytes of stored content, as `storePublished` stored them. */
  async publishedContent(appId: string, id: string): Promise<Buffer | undefined> {
    return this.repository.content(appId, id);
  }

  /** Deletes stored content (a replaced or deleted sticker set's files). */
  async removePublished(appId: string, ids: readonly string[]): Promise<void> {
    await this.repository.deleteMany(appId, ids);
  }

  /**
   * Stores a video as `upload` does, once its container (MP4, QuickTime, WebM, Matroska) shows a
   * video track; anything else is a 400. It keeps a declared `video/*` type, else takes the
   * container's, so it is always served as passive media.
   */
  async uploadVideo(appId: string, bucket: string, upload: Upload, actor: Actor): Promise<StoredVideo> {
    const video = readIsoBmff(upload.content) ?? readMatroska(upload.content);
    if (!video)
      throw new AppError(
        'INVALID_REQUEST',
        'The file is not a video Parley can read: send an MP4, QuickTime, WebM or Matroska file with a video track',
      );
    const declared = storedMediaType(upload.mimeType);
    const mimeType = declared.startsWith('video/') ? declared : video.mimeType;
    return { file: await this.upload(appId, bucket, { ...upload, mimeType }, actor), video };
  }

  /** The file, when the actor may read it; 404 otherwise, as for a file that does not exist. */
  async readable(appId: string, bucket: string, id: string, actor: Actor): Promise<StoredFile> {
    const file = await this.repository.find(appId, bucket, id);
    if (!file || !(await this.access.canRead(appId, file, actor))) throw noSuchFile();
    return file;
  }

  /**
   * `POST /files/stats` ([hist] 9.5): files and bytes per tag of the room each was uploaded into,
   * by upload time. The tags asked each have an entry (zero when none); without tags, every tag
   * found. `totalCount`/`totalSize` count each file once, however many of its tags are asked (as
   * `totalBadge` of spec 6.1 counts rooms). A user sees the files of the rooms they are a member
   * of; the API key every file of the application.
   */
  async stats(appId: string, actor: Actor, query: FileStatsQuery): Promise<FileStats> {
    const started = performance.now();
    const since = boundOf(query.rangeStart, 'rangeStart');
    const until = boundOf(query.rangeEnd, 'rangeEnd');
    if (since !== undefined && until !== undefined && since > until)
      throw new AppError('INVALID_REQUEST', 'rangeStart must not be after rangeEnd');
    const tags = query.tags && query.tags.length > 0 ? [...new Set(query.tags)] : undefined;
    const counted = await this.repository.statsByTag(appId, {
      tags,
      since,
      until,
      ...(actor.admin ? {} : { memberId: actor.userId ?? '' }),
    });
    const data: FileStats['data'] = {};
    for (const tag of tags ?? [...counted.perTag.keys()].sort())
      data[tag] = { size: counted.perTag.get(tag)?.size ?? 0, count: counted.perTag.get(tag)?.count ?? 0 };
    const range: Record<string, string> = {};
    if (since !== undefined) range.$gte = new Date(since).toISOString();
    if (until !== undefined) range.$lte = new Date(until).toISOString();
    return {
      inspect: {
        query: {
          appID: appId,
          ...(Object.keys(range).length > 0 ? { createdAt: range } : {}),
          ...(tags ? { tags } : {}),
        },
        tookMS: Math.round(performance.now() - started),
      },
      data,
      totalCount: counted.count,
      totalSize: counted.size,
    };
  }

  /** A readable file with its bytes. */
  async download(
    appId: string,
    bucket: string,
    id: string,
    actor: Actor,
  ): Promise<{ file: StoredFile; content: Buffer }> {
    return this.withContent(await this.readable(appId, bucket, id, actor));
  }

  /** A URL that downloads a readable file without headers for an hour. */
  async signedUrl(appId: string, bucket: string, id: string, actor: Actor): Promise<string> {
    const file = await this.readable(appId, bucket, id, actor);
    const expires = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_S;
    const signature = await this.signature(appId, file.bucket, file.id, expires);
    const query = `app=${encodeURIComponent(appId)}&expires=${expires}&signature=${signature}`;
    return `/files/${file.bucket}/${file.id}/signed?${query}`;
  }

  /** The file a signed URL names, while the URL is valid. */
  async signedDownload(
    appId: string,
    bucket: string,
    id: string,
    signed: { expires: number; signature: string },
  ): Promise<{ file: StoredFile; content: Buffer }> {
    if (signed.expires < Date.now() / 1000) throw noSuchFile();
    const file = await this.repository.find(appId, bucket, id).catch(() => undefined);
    if (!file || !safeEqual(await this.signature(appId, file.bucket, file.id, signed.expires), signed.signature))
      throw noSuchFile();
    return this.withContent(file);
  }

  private async withContent(file: StoredFile): Promise<{ file: StoredFile; content: Buffer }> {
    const content = await this.repository.content(file.appId, file.id);
    if (!content) throw noSuchFile();
    return { file, content };
  }

  private async signature(appId: string, bucket: string, id: string, expires: number): Promise<string> {
    return createHmac('sha256', (await this.apps.get(appId)).tokenSecret)
      .update(`file:${appId}:${bucket}:${id}:${expires}`)
      .digest('base64url');
  }
}
