import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import {
  DeleteReply,
  PublicStickerSetListReply,
  ResourceQuery,
  SET_ID_PATTERN,
  SetParams,
  StickerSetListReply,
  StickerSetReply,
} from './stickers.schemas.js';
import type { StickerSetInput, StickersService } from './stickers.service.js';
import { publicStickerSetView, stickerSetView } from './stickers.view.js';

const tags = ['Stickers'];
/** The largest set archive accepted; its images are bounded again once inflated (sticker-zip.ts). */
export const MAX_STICKER_ZIP_BYTES = 8 * 1024 * 1024;
const MAX_FIELD_BYTES = 1024;
const SET_ID = new RegExp(SET_ID_PATTERN);
const MAX_ORDER = 1_000_000;

/** The multipart form of history 10.1: `_id`, `name`, `order` and the zip as `file`. */
async function readSetForm(request: FastifyRequest): Promise<StickerSetInput> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the set as multipart/form-data');
  const fields: Record<string, string> = {};
  let archive: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') archive = await part.toBuffer();
      else fields[part.fieldname] = String(part.value);
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('PAYLOAD_TOO_LARGE', `A sticker zip holds at most ${MAX_STICKER_ZIP_BYTES} bytes`);
    throw new AppError('INVALID_REQUEST', 'The multipart body could not be read');
  }
  const id = fields._id ?? '';
  if (id.length === 0 || id.length > 64 || !SET_ID.test(id))
    throw new AppError('INVALID_REQUEST', '_id must be 1-64 letters, digits, "_", "." or "-"');
  const name = (fields.name ?? id).trim();
  if (name.length === 0 || name.length > 200) throw new AppError('INVALID_REQUEST', 'name must be 1-200 characters');
  const order = fields.order === undefined || fields.order === '' ? 0 : Number(fields.order);
  if (!Number.isInteger(order) || Math.abs(order) > MAX_ORDER)
    throw new AppError('INVALID_REQUEST', `order must be an integer between -${MAX_ORDER} and ${MAX_ORDER}`);
  if (!archive) throw new AppError('INVALID_REQUEST', 'Missing required field: file');
  return { id, name, order, archive };
}

/** Sticker sets (history 10): administered with an API key, read by every user of the application. */
/**
 * The application a public sticker request is for (history 10.4: no headers, one application per
 * host): the one whose client key `IM-CLIENT-KEY` names, else the server's default application.
 */
export type PublicAppOf = (clientKey: string | undefined) => Promise<string | undefined>;

export const stickersRoutes: FastifyPluginAsyncTypebox<{
  stickers: StickersService;
  publicAppOf: PublicAppOf;
}> = async (app, { stickers, publicAppOf }) => {
  const publicApp = async (request: FastifyRequest): Promise<string> => {
    const header = request.headers['im-client-key'];
    const appId = await publicAppOf(typeof header === 'string' && header !== '' ? header : undefined);
    if (appId === undefined) throw new AppError('INVALID_CLIENT_KEY');
    return appId;
  };

  await app.register(multipart, {
    limits: { fileSize: MAX_STICKER_ZIP_BYTES, files: 1, fields: 10, fieldSize: MAX_FIELD_BYTES },
  });
  const read = { auth: 'admin', scope: 'config:read' } as const;
  const write = { auth: 'admin', scope: 'config:write' } as const;

  app.post(
    '/admin/stickers',
    { config: write, schema: { tags, summary: 'Create or replace a sticker set', response: { 200: StickerSetReply } } },
    async (request) => ok(stickerSetView(await stickers.save(appIdOf(request), await readSetForm(request)))),
  );

  app.get(
    '/admin/stickers',
    { config: read, schema: { tags, summary: 'List sticker sets', response: { 200: StickerSetListReply } } },
    async (request) => {
      const sets = await stickers.list(appIdOf(request));
      return ok({ totalCount: sets.length, data: sets.map(stickerSetView) });
    },
  );

  app.delete(
    '/admin/stickers/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a sticker set', params: SetParams, response: { 200: DeleteReply } },
    },
    async (request) => ok({ n: await stickers.delete(appIdOf(request), request.params.id), ok: 1 }),
  );

  app.get(
    '/stickers',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'List sticker sets (summary); public, of the default application or the one IM-CLIENT-KEY names',
        response: { 200: PublicStickerSetListReply },
      },
    },
    async (request) => {
      const sets = await stickers.list(await publicApp(request));
      return ok({ totalCount: sets.length, data: sets.map(publicStickerSetView) });
    },
  );

  app.get(
    '/stickers/res',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Fetch a sticker file; public (an <img> sends no headers), served as passive data',
        querystring: ResourceQuery,
      },
    },
    async (request, reply) => {
      const resource = await stickers.resource(await publicApp(request), request.query.resourceId);
      const isImage = resource.mimeType.startsWith('image/');
      const safeName = resource.name.replace(/[^A-Za-z0-9._-]/g, '_');
      reply.headers({
        'content-type': resource.mimeType,
        'content-disposition': `${isImage ? 'inline' : 'attachment'}; filename="${safeName}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        // A set can be replaced under the same resourceIds: cached for a while, revalidated by ETag.
        'cache-control': 'public, max-age=3600',
        etag: resource.etag,
      });
      if (request.headers['if-none-match'] === resource.etag) return reply.code(304).send();
      return reply.header('content-length', String(resource.content.length)).send(resource.content);
    },
  );
};
