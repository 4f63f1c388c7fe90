import { Type } from '@sinclair/typebox';
import { Envelope, OptionalBody, TimeInput } from '../../http/schemas.js';
import { iso } from '../../shared/time.js';
import type { StoredFile } from './files.repository.js';
import type { VideoMetadata } from './video-metadata.js';
import { IMKIT_CHUNK_SIZE } from './file-serving.js';

const BUCKET_PATTERN = '^[A-Za-z0-9_.-]+$';
const BUCKET_MAX = 64;
const Bucket = Type.String({ minLength: 1, maxLength: BUCKET_MAX, pattern: BUCKET_PATTERN });
const BUCKET = new RegExp(BUCKET_PATTERN);

/** A bucket name as the routes' `:bucket` accepts it. */
export const isBucketName = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= BUCKET_MAX && BUCKET.test(value);

export const BucketParams = Type.Object({ bucket: Bucket });
export const FileParams = Type.Object({ bucket: Bucket, id: Type.String({ minLength: 1, maxLength: 64 }) });

export const DownloadQuery = Type.Object({ signedUrlOnly: Type.Optional(Type.String()) });

export const SignedQuery = Type.Object({
  app: Type.String({ minLength: 1 }),
  expires: Type.Integer(),
  signature: Type.String({ minLength: 1 }),
});

export const MetadataReply = Envelope(
  Type.Object({
    id: Type.String(),
    _id: Type.String(),
    bucket: Type.String(),
    name: Type.String(),
    mimeType: Type.String(),
    size: Type.Integer(),
    owner: Type.Union([Type.String(), Type.Null()]),
    // The uploader's own `extra` JSON object (realtime protocol 6.2): free-form by spec.
    extra: Type.Object({}, { additionalProperties: true }),
    createdAt: Type.String(),
    // The file record's names in the history (platform-api-history 9): the Flutter SDK builds
    // `{server}/files/{bucketName}/{_id}`.
    bucketName: Type.String(),
    filename: Type.String(),
    mimetype: Type.String(),
    length: Type.Integer(),
    client: Type.Union([Type.String(), Type.Null()]),
    uploadDate: Type.String(),
    uploadDateMS: Type.Integer(),
    appID: Type.String(),
    md5: Type.String({ description: 'hex' }),
    chunkSize: Type.Integer({ description: "GridFS's, which IMKIT reported: always 261120" }),
  }),
);

export const metadataView = (file: StoredFile, md5: string) => ({
  id: file.id,
  _id: file.id,
  bucket: file.bucket,
  name: file.name,
  mimeType: file.mimeType,
  size: file.size,
  owner: file.ownerId,
  extra: file.extra ?? {},
  createdAt: iso(file.createdAt),
  bucketName: file.bucket,
  filename: file.name,
  mimetype: file.mimeType,
  length: file.size,
  client: file.ownerId,
  uploadDate: iso(file.createdAt),
  uploadDateMS: file.createdAt,
  appID: file.appId,
  md5,
  chunkSize: IMKIT_CHUNK_SIZE,
});

/** `POST /files/video-info` (the Vue client's video upload). */
export const VideoInfoReply = Envelope(
  Type.Object({
    originalId: Type.String({ description: 'The stored video: `GET /files/{bucketName}/{originalId}`' }),
    originalUrl: Type.String({ description: 'Root-relative: `/files/{bucketName}/{originalId}`' }),
    thumbnailUrl: Type.Null({
      description: 'Always null: a thumbnail needs a frame decoded, and Parley runs no video decoder',
    }),
    width: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Pixels as shown (a rotated phone video is turned); null if the file does not say',
    }),
    height: Type.Union([Type.Integer(), Type.Null()]),
    duration: Type.Union([Type.Number(), Type.Null()], {
      description: 'Seconds, to the millisecond; null if the file does not say',
    }),
    mimeType: Type.String(),
    bytes: Type.Integer(),
    bucketName: Type.String(),
  }),
);

export const videoInfoView = (file: StoredFile, video: VideoMetadata) => ({
  originalId: file.id,
  originalUrl: `/files/${file.bucket}/${file.id}`,
  thumbnailUrl: null,
  width: video.width,
  height: video.height,
  duration: video.duration,
  mimeType: file.mimeType,
  bytes: file.size,
  bucketName: file.bucket,
});

/** `POST /files/stats` ([hist] 9.5). */
export const MAX_STATS_TAGS = 100;
const Time = Type.Union(TimeInput.anyOf, { description: 'ISO-8601 time or millisecond epoch' });
export const FileStatsBody = OptionalBody(
  Type.Object({
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        maxItems: MAX_STATS_TAGS,
        description: 'Room tags to count by; empty or absent: every tag found',
      }),
    ),
    rangeStart: Type.Optional(Time),
    rangeEnd: Type.Optional(Time),
  }),
);

const FileStatsFields = Type.Object({
  inspect: Type.Object({
    // The filter as IMKIT echoed it (MongoDB-style): free-form by the history.
    query: Type.Object({}, { additionalProperties: true }),
    tookMS: Type.Integer(),
  }),
  data: Type.Record(Type.String(), Type.Object({ size: Type.Integer(), count: Type.Integer() })),
  totalCount: Type.Integer({ description: 'Files with any of the tags, each once' }),
  totalSize: Type.Integer({ description: 'Their bytes, each file once' }),
});

/** Enveloped, and the same fields at the top level too: IMKIT's capture answers them bare ([hist] 9.5). */
export const FileStatsReply = Type.Intersect([Envelope(FileStatsFields), FileStatsFields]);
