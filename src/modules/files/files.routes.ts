import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { fileHeaders, storedFileName, storedMediaType } from './file-serving.js';
import type { StoredFile } from './files.repository.js';
import { BucketParams, DownloadQuery, FileParams, MetadataReply, SignedQuery, metadataView } from './files.schemas.js';
import type { FilesService, Upload } from './files.service.js';

const tags = ['Files (SDK)'];
const MAX_EXTRA_BYTES = 16 * 1024;
const readScope = { auth: 'user', scope: 'messages:read' } as const;

/** Reads the multipart body: one `file` part and an optional `extra` JSON object. */
async function readUpload(request: FastifyRequest, maxFileBytes: number): Promise<Upload> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data');
  let extra: Record<string, unknown> | null = null;
  let file: Omit<Upload, 'extra'> | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        file = {
          name: part.filename || 'file',
          mimeType: part.mimetype || 'application/octet-stream',
          content: await part.toBuffer(),
        };
      } else if (part.fieldname === 'extra') {
        const parsed: unknown = JSON.parse(String(part.value));
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new AppError('INVALID_REQUEST', 'extra must be a JSON object');
        extra = parsed as Record<string, unknown>;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('PAYLOAD_TOO_LARGE', `A file holds at most ${maxFileBytes} bytes`);
    if (error instanceof SyntaxError) throw new AppError('INVALID_REQUEST', 'extra must be a JSON object');
    throw new AppError('INVALID_REQUEST', 'The multipart body could not be read');
  }
  if (!file) throw new AppError('INVALID_REQUEST', 'Missing required field: file');
  return { ...file, extra };
}

/** Sends a file's bytes with the headers that keep it passive (see file-serving). */
function send(reply: FastifyReply, { file, content }: { file: StoredFile; content: Buffer }) {
  return reply
    .headers({
      ...fileHeaders(storedMediaType(file.mimeType), storedFileName(file.name)),
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
      const upload = await readUpload(request, files.maxFileBytes);
      return ok(metadataView(await files.upload(appIdOf(request), request.params.bucket, upload, actorOf(request))));
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
      return ok(metadataView(await files.readable(appIdOf(request), bucket, id, actorOf(request))));
    },
  );

  app.get(
    '/files/:bucket/:id',
    {
      config: readScope,
      schema: {
        tags,
        summary: 'Download a file, or with `signedUrlOnly=1` a URL that works without headers for an hour',
        params: FileParams,
        querystring: DownloadQuery,
      },
    },
    async (request, reply) => {
      const { bucket, id } = request.params;
      const signedUrlOnly = request.query.signedUrlOnly === '1' || request.query.signedUrlOnly === 'true';
      if (signedUrlOnly) return ok({ url: await files.signedUrl(appIdOf(request), bucket, id, actorOf(request)) });
      return send(
        reply as unknown as FastifyReply,
        await files.download(appIdOf(request), bucket, id, actorOf(request)),
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
