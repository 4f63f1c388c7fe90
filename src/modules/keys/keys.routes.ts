import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { parseTime } from '../../shared/time.js';
import type { App } from '../../core/principal.js';
import type { KeyLimits } from './key-limits.js';
import { scopeAllows } from '../../core/scopes.js';
import { DEFAULT_ROLL_GRACE_SECONDS, type KeySettings } from './keys.service.js';
import {
  ClientKeyResponse,
  CreateKeyBody,
  IssuedKeyResponse,
  KeyListResponse,
  KeyParams,
  KeyResponse,
  RollKeyBody,
  RolledKeyResponse,
  UpdateKeyBody,
  UsageQuery,
  UsageResponse,
  keyView,
} from './keys.schemas.js';

const tags = ['API keys'];
const config = { auth: 'admin', scope: 'keys:manage' } as const;
const HOUR_MS = 3_600_000;
const MAX_USAGE_RANGE_MS = 31 * 24 * HOUR_MS;

/** Who is acting and with what limits: a key cannot grant more than it holds. */
function caller(request: FastifyRequest): { appId: string; keyId: string; limits: KeyLimits } {
  const auth = request.auth;
  if (auth?.kind !== 'apiKey') throw new AppError('MISSING_API_KEY');
  return { appId: auth.app.id, keyId: auth.key.id, limits: auth.key };
}

function settingsFrom(body: {
  name?: string;
  scopes?: string[];
  expiresAt?: string | number | null;
  allowedIps?: string[] | null;
  rateLimitPerMinute?: number;
}): KeySettings {
  const settings: KeySettings = {
    name: body.name,
    scopes: body.scopes,
    allowedIps: body.allowedIps,
    rateLimit: body.rateLimitPerMinute,
  };
  if (body.expiresAt !== undefined) {
    const expiresAt = body.expiresAt === null ? null : parseTime(body.expiresAt);
    if (expiresAt === undefined)
      throw new AppError('INVALID_REQUEST', 'expiresAt must be an ISO-8601 time or a ms epoch');
    settings.expiresAt = expiresAt;
  }
  return settings;
}

const clientKeyView = (app: App) => ({
  appID: app.id,
  clientKey: app.clientKey,
  createdAt: new Date(app.clientKeyCreatedAt).toISOString(),
  createdAtMS: app.clientKeyCreatedAt,
});

export const keysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { keys, apps, audit } = app.services;

  app.get(
    '/admin/keys',
    {
      config,
      schema: {
        tags,
        summary: 'List API keys',
        querystring: Type.Object({ includeRevoked: Type.Optional(Type.Boolean()) }),
        response: { 200: KeyListResponse },
      },
    },
    async (request) => {
      await app.services.activity.flush();
      const list = await keys.list(caller(request).appId, request.query.includeRevoked ?? false);
      return ok({ totalCount: list.length, data: list.map(keyView) });
    },
  );

  app.post(
    '/admin/keys',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API key (the plain key is returned once)',
        body: CreateKeyBody,
        response: { 200: IssuedKeyResponse },
      },
    },
    async (request) => {
      const who = caller(request);
      const { key, secret } = await keys.create(who.appId, settingsFrom(request.body), who.keyId, who.limits);
      request.auditTargets.push(key.id);
      return ok({ ...keyView(key), key: secret });
    },
  );

  app.get(
    '/admin/keys/client-key',
    {
      config,
      schema: { tags, summary: "Show the application's client key", response: { 200: ClientKeyResponse } },
    },
    async (request) => {
      return ok(clientKeyView(await apps.get(caller(request).appId)));
    },
  );

  app.post(
    '/admin/keys/client-key',
    {
      config,
      schema: {
        tags,
        summary: 'Regenerate the client key (the old one stops working at once)',
        response: { 200: ClientKeyResponse },
      },
    },
    async (request) => {
      const who = caller(request);
      // Every user connection depends on the client key: replacing it is an application setting too.
      if (!scopeAllows(who.limits.scopes, 'config:write'))
        throw new AppError('FORBIDDEN', 'Regenerating the client key also needs the config:write scope');
      return ok(clientKeyView(await apps.regenerateClientKey(who.appId)));
    },
  );

  app.get(
    '/admin/keys/:id',
    {
      config,
      schema: { tags, summary: 'Get an API key', params: KeyParams, response: { 200: KeyResponse } },
    },
    async (request) => {
      await app.services.activity.flush();
      return ok(keyView(await keys.get(caller(request).appId, request.params.id)));
    },
  );

  const update = {
    config,
    schema: {
      tags,
      summary: "Change a key's name, scopes, expiry, IP allow-list or rate limit",
      params: KeyParams,
      body: UpdateKeyBody,
      response: { 200: KeyResponse },
    },
  };
  const updateHandler = async (
    request: FastifyRequest<{ Params: { id: string }; Body: Parameters<typeof settingsFrom>[0] }>,
  ) => {
    const who = caller(request);
    return ok(keyView(await keys.update(who.appId, request.params.id, settingsFrom(request.body), who.limits)));
  };
  app.patch('/admin/keys/:id', update, updateHandler);
  app.put('/admin/keys/:id', { ...update, schema: { ...update.schema, hide: true } }, updateHandler);

  app.post(
    '/admin/keys/:id/roll',
    {
      config,
      schema: {
        tags,
        summary: 'Roll a key: a new key with the same settings; the old one expires after the grace period',
        params: KeyParams,
        body: RollKeyBody,
        response: { 200: RolledKeyResponse },
      },
    },
    async (request) => {
      const who = caller(request);
      const grace = request.body?.gracePeriodSeconds ?? DEFAULT_ROLL_GRACE_SECONDS;
      const { key, secret, previous } = await keys.roll(who.appId, request.params.id, grace, who.keyId, who.limits);
      request.auditTargets.push(key.id);
      return ok({ ...keyView(key), key: secret, previous: keyView(previous) });
    },
  );

  app.delete(
    '/admin/keys/:id',
    {
      config,
      schema: { tags, summary: 'Revoke a key at once', params: KeyParams, response: { 200: KeyResponse } },
    },
    async (request) => {
      const who = caller(request);
      return ok(keyView(await keys.revoke(who.appId, request.params.id, who.limits)));
    },
  );

  app.get(
    '/admin/keys/:id/usage',
    {
      config,
      schema: {
        tags,
        summary: 'Requests per minute of a key',
        params: KeyParams,
        querystring: UsageQuery,
        response: { 200: UsageResponse },
      },
    },
    async (request) => {
      const who = caller(request);
      const key = await keys.get(who.appId, request.params.id);
      const now = Date.now();
      const to = request.query.to === undefined ? now : parseTime(request.query.to);
      const from = request.query.from === undefined ? (to ?? now) - HOUR_MS : parseTime(request.query.from);
      if (from === undefined || to === undefined || from >= to)
        throw new AppError('INVALID_REQUEST', 'from and to must be times with from before to');
      if (to - from > MAX_USAGE_RANGE_MS) throw new AppError('INVALID_REQUEST', 'The range may span at most 31 days');
      await app.services.activity.flush();
      const rows = await audit.usage(who.appId, key.id, from, to);
      const totals = { requests: 0, errors: 0, rateLimited: 0 };
      for (const row of rows) {
        totals.requests += row.requests;
        totals.errors += row.errors;
        totals.rateLimited += row.rateLimited;
      }
      return ok({
        keyId: key.id,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        totals,
        data: rows.map((row) => ({
          minute: new Date(row.minute).toISOString(),
          minuteMS: row.minute,
          requests: row.requests,
          errors: row.errors,
          rateLimited: row.rateLimited,
        })),
      });
    },
  );
};
