import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { actingUserId, actorOf, appIdOf } from '../../http/actor.js';
import {
  PrefKeyParams,
  PrefKeyResponse,
  PrefListQuery,
  PrefListResponse,
  PrefMapResponse,
  PrefResponse,
  RoomPrefBody,
  RoomPrefParams,
  RoomPrefResponse,
} from './prefs.schemas.js';
import type { PrefsService, RoomPrefsPort } from './prefs.service.js';

const tags = ['Preferences (SDK)'];

/** The preference calls IMKitUI makes (realtime protocol 6.5) that platform-api.md does not list. */
export const prefsRoutes: FastifyPluginAsyncTypebox<{ prefs: PrefsService; roomPrefs: RoomPrefsPort }> = async (
  app,
  { prefs, roomPrefs },
) => {
  const read = { auth: 'user', scope: 'users:read' } as const;
  const write = { auth: 'user', scope: 'users:write' } as const;

  app.get(
    '/me/pref',
    {
      config: read,
      schema: {
        tags,
        summary: 'My preferences, as {key, data} entries; with `key`, that one entry',
        querystring: PrefListQuery,
        response: { 200: PrefListResponse },
      },
    },
    async (request) => {
      const { key } = request.query;
      const appId = appIdOf(request);
      const userId = actingUserId(request);
      return ok(key === undefined ? await prefs.list(appId, userId) : await prefs.get(appId, userId, key));
    },
  );

  app.get(
    '/me/prefs',
    {
      config: read,
      schema: {
        tags,
        summary: 'My preferences, as one object keyed by preference key',
        response: { 200: PrefMapResponse },
      },
    },
    async (request) => ok(await prefs.map(appIdOf(request), actingUserId(request))),
  );

  app.post(
    '/me/pref/:key',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set one of my preferences (the body is its value)',
        params: PrefKeyParams,
        body: Type.Unknown(),
        response: { 200: PrefResponse },
      },
    },
    async (request) =>
      ok(await prefs.set(appIdOf(request), actingUserId(request), request.params.key, request.body ?? {})),
  );

  app.delete(
    '/me/pref/:key',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove one of my preferences',
        params: PrefKeyParams,
        response: { 200: PrefKeyResponse },
      },
    },
    async (request) => ok(await prefs.delete(appIdOf(request), actingUserId(request), request.params.key)),
  );

  app.post(
    '/roomPrefs/:room',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set my preferences for a room (tags, tagColors, hidden, sticky, muted, folder)',
        params: RoomPrefParams,
        body: RoomPrefBody,
        response: { 200: RoomPrefResponse },
      },
    },
    async (request) => {
      const userId = actorOf(request).userId ?? actingUserId(request);
      return ok(await roomPrefs.setRoomPref(appIdOf(request), userId, request.params.room, request.body));
    },
  );
};
