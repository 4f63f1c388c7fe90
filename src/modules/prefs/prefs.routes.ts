import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../http/envelope.js';
import { actingUserId, actorOf, appIdOf } from '../../http/actor.js';
import {
  GroupParams,
  GroupRoomPrefKeyParams,
  GroupRoomPrefParams,
  PrefKeyParams,
  PrefKeyResponse,
  PrefListQuery,
  PrefListResponse,
  PrefMapResponse,
  PrefResponse,
  RoomPrefBody,
  RoomPrefKeyParams,
  RoomPrefListResponse,
  RoomPrefParams,
  RoomPrefResponse,
} from './prefs.schemas.js';
import type { PrefsService, RoomPrefsPort } from './prefs.service.js';

const tags = ['Preferences (SDK)'];

/**
 * The preference calls IMKitUI makes (realtime protocol 6.5) that platform-api.md does not list, and
 * the room preferences of the documentation history ([hist] 4): a user's own and a user group's.
 */
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
    async (request) =>
      ok(await roomPrefs.set(appIdOf(request), actingUserId(request), request.params.room, request.body)),
  );

  app.get(
    '/roomPrefs',
    {
      config: read,
      schema: {
        tags,
        summary: 'My room preferences, with those of my user groups under mine',
        response: { 200: RoomPrefListResponse },
      },
    },
    async (request) => ok(await roomPrefs.list(appIdOf(request), actingUserId(request))),
  );

  app.delete(
    '/roomPrefs/:room/:key',
    {
      config: write,
      schema: {
        tags,
        summary: 'Unset one field of my preferences for a room',
        params: RoomPrefKeyParams,
        response: { 200: RoomPrefResponse },
      },
    },
    async (request) => {
      const { room, key } = request.params;
      return ok(await roomPrefs.unset(appIdOf(request), actingUserId(request), room, key));
    },
  );

  app.post(
    '/roomPrefs/:room/group/:group',
    {
      config: write,
      schema: {
        tags,
        summary: "Set a user group's preferences for a room (its members, or the API key)",
        params: GroupRoomPrefParams,
        body: RoomPrefBody,
        response: { 200: RoomPrefResponse },
      },
    },
    async (request) => {
      const { room, group } = request.params;
      return ok(await roomPrefs.setForGroup(appIdOf(request), actorOf(request), group, room, request.body));
    },
  );

  app.get(
    '/roomPrefs/group/:group',
    {
      config: read,
      schema: {
        tags,
        summary: "A user group's room preferences (its members, or the API key)",
        params: GroupParams,
        response: { 200: RoomPrefListResponse },
      },
    },
    async (request) => ok(await roomPrefs.listForGroup(appIdOf(request), actorOf(request), request.params.group)),
  );

  app.delete(
    '/roomPrefs/:room/group/:group/:key',
    {
      config: write,
      schema: {
        tags,
        summary: "Unset one field of a user group's preferences for a room",
        params: GroupRoomPrefKeyParams,
        response: { 200: RoomPrefResponse },
      },
    },
    async (request) => {
      const { room, group, key } = request.params;
      return ok(await roomPrefs.unsetForGroup(appIdOf(request), actorOf(request), group, room, key));
    },
  );
};
