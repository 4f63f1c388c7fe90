import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import { actingUserId, actorOf, appIdOf } from '../../http/actor.js';

const tags = ['Preferences (SDK)'];
const KEY = Type.String({ minLength: 1, maxLength: 128 });
const MAX_PREF_BYTES = 64 * 1024;
const MAX_PREFS = 200;
/** Room preference fields (spec 1.9 `pref`). */
const ROOM_PREF_FIELDS = new Set(['tags', 'tagColors', 'hidden', 'sticky', 'muted', 'folder']);

const checkSize = (value: unknown) => {
  if (Buffer.byteLength(JSON.stringify(value) ?? '') > MAX_PREF_BYTES)
    throw new AppError('INVALID_REQUEST', `A preference holds at most ${MAX_PREF_BYTES} bytes of JSON`);
};

/** The preference calls IMKitUI makes (realtime protocol 6.5) that platform-api.md does not list. */
export const prefsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prefs, bus, roomAccess, membersRepository } = app.services;
  const read = { auth: 'user', scope: 'users:read' } as const;
  const write = { auth: 'user', scope: 'users:write' } as const;

  app.get(
    '/me/pref',
    {
      config: read,
      schema: {
        tags,
        summary: 'My preferences, as {key, data} entries',
        response: { 200: Envelope(Type.Array(Type.Object({ key: Type.String(), data: Type.Unknown() }))) },
      },
    },
    async (request) => ok(await prefs.list(appIdOf(request), actingUserId(request))),
  );

  app.post(
    '/me/pref/:key',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set one of my preferences (the body is its value)',
        params: Type.Object({ key: KEY }),
        body: Type.Unknown(),
        response: { 200: Envelope(Type.Object({ key: Type.String(), data: Type.Unknown() })) },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const userId = actingUserId(request);
      const data = request.body ?? {};
      checkSize(data);
      const existing = await prefs.list(appId, userId);
      if (existing.length >= MAX_PREFS && !existing.some((entry) => entry.key === request.params.key))
        throw new AppError('INVALID_REQUEST', `At most ${MAX_PREFS} preferences per user`);
      await prefs.set(appId, userId, request.params.key, data);
      bus.publish('user.pref', { appId, userId, key: request.params.key, data });
      return ok({ key: request.params.key, data });
    },
  );

  app.delete(
    '/me/pref/:key',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove one of my preferences',
        params: Type.Object({ key: KEY }),
        response: { 200: Envelope(Type.Object({ key: Type.String() })) },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const userId = actingUserId(request);
      if (!(await prefs.delete(appId, userId, request.params.key)))
        throw new AppError('NOT_FOUND', 'No such preference');
      bus.publish('user.pref', { appId, userId, key: request.params.key });
      return ok({ key: request.params.key });
    },
  );

  app.post(
    '/roomPrefs/:room',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set my preferences for a room (tags, tagColors, hidden, sticky, muted, folder)',
        params: Type.Object({ room: Type.String({ minLength: 1 }) }),
        body: Type.Object({
          tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
          tagColors: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 32 }))),
          hidden: Type.Optional(Type.Boolean()),
          sticky: Type.Optional(Type.Boolean()),
          muted: Type.Optional(Type.Boolean()),
          folder: Type.Optional(Type.String({ maxLength: 256 })),
        }),
        response: { 200: Envelope(Type.Object({}, { additionalProperties: true })) },
      },
    },
    async (request) => {
      const appId = appIdOf(request);
      const actor = actorOf(request);
      const userId = actor.userId ?? actingUserId(request);
      const context = await roomAccess.load(appId, request.params.room, { admin: false, userId });
      if (!context.canAccess) throw new AppError('NOT_ROOM_MEMBER');
      const states = await membersRepository.readStates(appId, [context.room.id], userId);
      const changes = Object.fromEntries(Object.entries(request.body).filter(([name]) => ROOM_PREF_FIELDS.has(name)));
      const pref = { ...(states.get(context.room.id)?.pref ?? {}), ...changes };
      checkSize(pref);
      await membersRepository.setPref(appId, context.room.id, userId, pref, Date.now());
      bus.publish('room.pref', { appId, roomId: context.room.id, userId, pref });
      return ok({ room: context.room.id, ...pref });
    },
  );
};
