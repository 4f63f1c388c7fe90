import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import multipart from '@fastify/multipart';
import { AppError } from '../../http/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { safeEqual } from '../../shared/secrets.js';
import { iso } from '../../shared/time.js';
import { actorOf, appIdOf, authOf } from '../../http/actor.js';
import type { StoredFile } from './files.repository.js';
import { fileHeaders, storedFileName, storedMediaType } from './file-serving.js';

const tags = ['Files (SDK)'];
const BUCKET = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const FileParams = Type.Object({ bucket: BUCKET, id: Type.String({ minLength: 1, maxLength: 64 }) });
const SIGNED_URL_TTL_S = 3600;
const MAX_EXTRA_BYTES = 16 * 1024;

const metadata = (file: StoredFile) => ({
  id: file.id,
  _id: file.id,
  bucket: file.bucket,
  name: file.name,
  mimeType: file.mimeType,
  size: file.size,
  owner: file.ownerId,
  extra: file.extra ?? {},
  createdAt: iso(file.createdAt),
});

const Metadata = Type.Object({
  id: Type.String(),
  _id: Type.String(),
  bucket: Type.String(),
  name: Type.String(),
  mimeType: Type.String(),
  size: Type.Integer(),
  owner: Type.Union([Type.String(), Type.Null()]),
  extra: Type.Object({}, { additionalProperties: true }),
  createdAt: Type.String(),
});

/** 96 random bits, as 24 hex characters: the shape of the ObjectIds the SDKs expect, but unguessable. */
const newFileId = () => randomBytes(12).toString('hex');

/**
 * Uploads and downloads of the SDKs (realtime protocol 6.2, 6.5): stored in the database, so that
 * every node serves every file; readable by its uploader, the members of the rooms it was shared
 * in and the API key (see FileAccess). Anyone else, like another application, gets 404.
 */
export const filesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { files, fileAccess, config, apps } = app.services;
  await app.register(multipart, {
    limits: { fileSize: config.limits.fileBytes, files: 1, fields: 10, fieldSize: MAX_EXTRA_BYTES },
  });
  const signature = async (appId: string, bucket: string, id: string, expires: number) =>
    createHmac('sha256', (await apps.get(appId)).tokenSecret)
      .update(`file:${appId}:${bucket}:${id}:${expires}`)
      .digest('base64url');

  const send = async (reply: FastifyReply, file: StoredFile) => {
    const content = await files.content(file.appId, file.id);
    if (!content) throw new AppError('NOT_FOUND', 'No such file');
    return reply
      .headers({
        ...fileHeaders(storedMediaType(file.mimeType), storedFileName(file.name)),
        'content-length': String(content.length),
      })
      .send(content);
  };

  /** The file, when this request may read it; 404 otherwise, as for a file that does not exist. */
  const readable = async (request: FastifyRequest<{ Params: { bucket: string; id: string } }>) => {
    const actor = actorOf(request);
    const appId = appIdOf(request);
    const file = await files.find(appId, request.params.bucket, request.params.id);
    if (!file || !(await fileAccess.canRead(appId, file, actor))) throw new AppError('NOT_FOUND', 'No such file');
    return file;
  };

  app.post(
    '/files/:bucket',
    {
      config: { auth: 'user', scope: 'messages:write' },
      schema: {
        tags,
        summary: 'Upload a file (multipart: `file`, optional `extra` JSON)',
        params: Type.Object({ bucket: BUCKET }),
        response: { 200: Envelope(Metadata) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data');
      let extra: Record<string, unknown> | null = null;
      let upload: { name: string; mimeType: string; content: Buffer } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            upload = {
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
          throw new AppError('PAYLOAD_TOO_LARGE', `A file holds at most ${config.limits.fileBytes} bytes`);
        if (error instanceof SyntaxError) throw new AppError('INVALID_REQUEST', 'extra must be a JSON object');
        throw new AppError('INVALID_REQUEST', 'The multipart body could not be read');
      }
      if (!upload) throw new AppError('INVALID_REQUEST', 'Missing required field: file');
      assertSafeInput({ name: upload.name, mimeType: upload.mimeType, extra }, 'The multipart fields');
      const auth = authOf(request);
      const file: StoredFile = {
        appId: auth.app.id,
        id: newFileId(),
        bucket: request.params.bucket,
        ownerId: actor.userId,
        name: storedFileName(upload.name),
        mimeType: storedMediaType(upload.mimeType),
        size: upload.content.length,
        extra,
        createdAt: Date.now(),
      };
      await files.insert(file, upload.content);
      await fileAccess.shareOnUpload(file, extra?.room, actor);
      return ok(metadata(file));
    },
  );

  app.get(
    '/files/:bucket/:id/metadata',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: { tags, summary: "A file's metadata", params: FileParams, response: { 200: Envelope(Metadata) } },
    },
    async (request) => {
      return ok(metadata(await readable(request)));
    },
  );

  app.get(
    '/files/:bucket/:id',
    {
      config: { auth: 'user', scope: 'messages:read' },
      schema: {
        tags,
        summary: 'Download a file, or with `signedUrlOnly=1` a URL that works without headers for an hour',
        params: FileParams,
        querystring: Type.Object({ signedUrlOnly: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const appId = appIdOf(request);
      const file = await readable(request);
      if (request.query.signedUrlOnly === '1' || request.query.signedUrlOnly === 'true') {
        const expires = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_S;
        const query = `app=${encodeURIComponent(appId)}&expires=${expires}&signature=${await signature(appId, file.bucket, file.id, expires)}`;
        return ok({ url: `/files/${file.bucket}/${file.id}/signed?${query}` });
      }
      return send(reply as unknown as FastifyReply, file);
    },
  );

  app.get(
    '/files/:bucket/:id/signed',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Download a file through a signed URL',
        params: FileParams,
        querystring: Type.Object({
          app: Type.String({ minLength: 1 }),
          expires: Type.Integer(),
          signature: Type.String({ minLength: 1 }),
        }),
      },
    },
    async (request, reply) => {
      const { app: appId, expires, signature: given } = request.query;
      const denied = new AppError('NOT_FOUND', 'No such file');
      if (expires < Date.now() / 1000) throw denied;
      const file = await files.find(appId, request.params.bucket, request.params.id).catch(() => undefined);
      if (!file || !safeEqual(await signature(appId, file.bucket, file.id, expires), given)) throw denied;
      return send(reply as unknown as FastifyReply, file);
    },
  );
};
