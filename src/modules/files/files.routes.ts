import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { fileHeaders, imkitHeaders, md5Hex, storedFileName, storedMediaType } from './file-serving.js';
import type { StoredFile } from './files.repository.js';
import {
  BucketParams,
  DownloadQuery,
  FileParams,
  FileStatsBody,
  FileStatsReply,
  isBucketName,
  MetadataReply,
  metadataView,
  SignedQuery,
  VideoInfoReply,
  videoInfoView,
} from './files.schemas.js';
import type { FilesService, Upload } from './files.service.js';

const tags = ['Files (SDK)'];
const MAX_EXTRA_BYTES = 16 * 1024;
const readScope = { auth: 'user', scope: 'messages:read' } as const;

type FilePart = Omit<Upload, 'extra'>;
type JsonObject = Record<string, unknown>;

/**
 * Reads a multipart body: one `file` part, and the fields named in `objects` as JSON objects (a
 * field that is not one is a 400); other fields are ignored.
 */
async function readMultipart(
  request: FastifyRequest,
  maxFileBytes: number,
  objects: readonly string[],
): Promise<{ file: FilePart; fields: Record<string, JsonObject> }> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data');
  const fields: Record<string, JsonObject> = {};
  let file: FilePart | undefined;
  let reading = '';
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        file = {
          name: part.filename || 'file',
          mimeType: part.mimetype || 'application/octet-stream',
          content: await part.toBuffer(),
        };
      } else if (objects.includes(part.fieldname)) {
        reading = part.fieldname;
        const parsed: unknown = JSON.parse(String(part.value));
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new AppError('INVALID_REQUEST', `${reading} must be a JSON object`);
        fields[reading] = parsed as JsonObject;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('PAYLOAD_TOO_LARGE', `A file holds at most ${maxFileBytes} bytes`);
    if (error instanceof SyntaxError) throw new AppError('INVALID_REQUEST', `${reading} must be a JSON object`);
    throw new AppError('INVALID_REQUEST', 'The multipart body could not be read');
  }
  if (!file) throw new AppError('INVALID_REQUEST', 'Missing required field: file');
  return { file, fields };
}

/** Where the Vue client's video upload goes unless its `autoUpload` field names a bucket. */
const DEFAULT_VIDEO_BUCKET = 'chatserver-upload';

/** `autoUpload` = `{"bucket": …, "extra": {…}}` of `POST /files/video-info`; an `extra` field stands in for its `extra`. */
function readAutoUpload(
  autoUpload: JsonObject | undefined,
  extra: JsonObject | undefined,
): { bucket: string; extra: JsonObject | null } {
  const bucket = autoUpload?.bucket ?? DEFAULT_VIDEO_BUCKET;
  if (!isBucketName(bucket))
    throw new AppError('INVALID_REQUEST', 'autoUpload.bucket must be 1-64 letters, digits, "_", "." or "-"');
  const nested = autoUpload?.extra;
  if (nested === undefined || nested === null) return { bucket, extra: extra ?? null };
  if (typeof nested !== 'object' || Array.isArray(nested))
    throw new AppError('INVALID_REQUEST', 'autoUpload.extra must be a JSON object');
  return { bucket, extra: nested as JsonObject };
}

/** Sends a file's bytes with the headers that keep it passive (see file-serving). */
/**
 * A file's bytes, safely typed; to an authenticated reader also its `x-imkit-*` metadata (not
 * through a signed URL, whose holder need not know who uploaded it).
 */
function send(reply: FastifyReply, { file, content }: { file: StoredFile; content: Buffer }, withMetadata = false) {
  return reply
    .headers({
      ...fileHeaders(storedMediaType(file.mimeType), storedFileName(file.name)),
      ...(withMetadata ? imkitHeaders(file, md5Hex(content)) : {}),
      'content-length': String(content.length),
    })
    .send(content);
}

/** Uploads and downloads of the SDKs (realtime protocol 6.2, 6.5); the rules are in FilesService. */
export const filesRoutes: FastifyPluginAsyncTypebox<{ files: FilesService }> = async (app, { files }) => {
  await app.register(multipart, {
    limits: { fileSize: files.maxFileBytes, files: 1, fields: 10, fieldSize: MAX_EXTRA_BYTES },
  });

  app.post(
    '/files/:bucket',
    {
      config: { auth: 'user', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Upload a file (multipart: `file`, optional `extra` JSON)',
        params: BucketParams,
        response: { 200: MetadataReply },
      },
    },
    async (request) => {
      const { file, fields } = await readMultipart(request, files.maxFileBytes, ['extra']);
      const upload = { ...file, extra: fields.extra ?? null };
      const stored = await files.upload(appIdOf(request), request.params.bucket, upload, actorOf(request));
      return ok(metadataView(stored, md5Hex(upload.content)));
    },
  );

  app.post(
    '/files/video-info',
    {
      config: { auth: 'user', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Upload a video and read its picture size and length (Vue client)',
        description:
          'Multipart: `file` (MP4, QuickTime, WebM or Matroska with a video track; anything else is 400 ' +
          'INVALID_REQUEST), optional `autoUpload` JSON `{"bucket": "…", "extra": {…}}` (bucket default ' +
          '`chatserver-upload`; `extra` as for `POST /files/:bucket`, shared in `extra.room`/`roomID`/`roomId` ' +
          'when the caller is a member). Stored like `POST /files/:bucket`, with its limits. Width, height and ' +
          'duration come from the container headers (null when absent); `thumbnailUrl` is always null, as a ' +
          'thumbnail needs a video decoder. A bucket named `video-info` can no longer take uploads by ' +
          '`POST /files/:bucket` (it is this route), but still serves downloads.',
        response: { 200: VideoInfoReply },
      },
    },
    async (request) => {
      const { file, fields } = await readMultipart(request, files.maxFileBytes, ['autoUpload', 'extra']);
      const { bucket, extra } = readAutoUpload(fields.autoUpload, fields.extra);
      const { file: stored, video } = await files.uploadVideo(
        appIdOf(request),
        bucket,
        { ...file, extra },
        actorOf(request),
      );
      return ok(videoInfoView(stored, video));
    },
  );

  app.post(
    '/files/stats',
    {
      config: readScope,
      schema: {
        tags,
        summary: 'Files counted and sized per room tag, by upload time (history 9.5)',
        description:
          'Counts the files uploaded into a room (`extra.room`, `roomID` or `roomId`) by the tags that room had ' +
          'at the upload; `rangeStart` and `rangeEnd` bound the upload time, both inclusive. A user counts the ' +
          'files of their rooms only; the API key every file of the application. Files uploaded before Parley ' +
          'recorded tags (migration 018) count under none. The answer is enveloped and also carries its fields ' +
          'at the top level, as IMKIT answered them bare. A bucket named `stats` can no longer take uploads by ' +
          '`POST /files/:bucket` (it is this route), but still serves downloads.',
        body: FileStatsBody,
        response: { 200: FileStatsReply },
      },
    },
    async (request) => {
      const stats = await files.stats(appIdOf(request), actorOf(request), request.body ?? {});
      return { ...ok(stats), ...stats };
    },
  );

  app.get(
    '/files/:bucket/:id/metadata',
    {
      config: readScope,
      schema: { tags, summary: "A file's metadata", params: FileParams, response: { 200: MetadataReply } },
    },
    async (request) => {
      const { bucket, id } = request.params;
      const { file, content } = await files.download(appIdOf(request), bucket, id, actorOf(request));
      return ok(metadataView(file, md5Hex(content)));
    },
  );

  app.get(
    '/files/:bucket/:id',
    {
      config: readScope,
      schema: {
        tags,
        summary: 'Download a file, or with `signedUrlOnly=1` a URL that works without headers for an hour',
        description:
          'The metadata travel in `x-imkit-*` headers (history 9.2); `HEAD` answers the same status and headers ' +
          'without the body (9.3). `x-imkit-filename` is percent-encoded, `x-imkit-extra` ASCII-escaped JSON.',
        params: FileParams,
        querystring: DownloadQuery,
      },
    },
    async (request, reply) => {
      const { bucket, id } = request.params;
      const signedUrlOnly = request.query.signedUrlOnly === '1' || request.query.signedUrlOnly === 'true';
      if (signedUrlOnly) {
        // Absolute, on the origin the client called: a page served from another origin fetches it as is.
        const path = await files.signedUrl(appIdOf(request), bucket, id, actorOf(request));
        return ok({ url: new URL(path, `${request.protocol}://${request.host}`).toString() });
      }
      return send(
        reply as unknown as FastifyReply,
        await files.download(appIdOf(request), bucket, id, actorOf(request)),
        true,
      );
    },
  );

  app.get(
    '/files/:bucket/:id/signed',
    {
      config: { auth: 'public' },
      schema: { tags, summary: 'Download a file through a signed URL', params: FileParams, querystring: SignedQuery },
    },
    async (request, reply) => {
      const { app: appId, expires, signature } = request.query;
      const { bucket, id } = request.params;
      return send(
        reply as unknown as FastifyReply,
        await files.signedDownload(appId, bucket, id, { expires, signature }),
      );
    },
  );
};
