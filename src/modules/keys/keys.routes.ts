import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { ok } from '../../http/envelope.js';
import { parseTime } from '../../shared/time.js';
import type { KeyLimits } from './key-limits.js';
import { DEFAULT_ROLL_GRACE_SECONDS, type KeySettings, type KeysService } from './keys.service.js';
import {
  ClientKeyResponse,
  CreateKeyBody,
  IssuedKeyResponse,
  KeyListResponse,
  KeyParams,
  KeyResponse,
  ListKeysQuery,
  RollKeyBody,
  RolledKeyResponse,
  UpdateKeyBody,
  UsageQuery,
  UsageResponse,
  clientKeyView,
  keyView,
} from './keys.schemas.js';

const tags = ['API keys'];
const config = { auth: 'admin', scope: 'keys:manage' } as const;

/**
 * Who is acting and with what limits: a key cannot grant more than it holds; a dashboard operator
 * acts with every permission (as the CLI does) and is named as the creator.
 */
function caller(request: FastifyRequest): { appId: string; keyId: string; limits: KeyLimits | undefined } {
  const auth = request.auth;
  if (auth?.kind === 'operator')
    return { appId: auth.app.id, keyId: `operator:${auth.operator.name}`, limits: undefined };
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

/** API keys of the calling application and its client key. */
export const keysRoutes: FastifyPluginAsyncTypebox<{ keys: KeysService }> = async (app, { keys }) => {
  app.get(
    '/admin/keys',
    {
      config,
      schema: { tags, summary: 'List API keys', querystring: ListKeysQuery, response: { 200: KeyListResponse } },
    },
    async (request) => {
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
    async (request) => ok(clientKeyView(await keys.clientKey(caller(request).appId))),
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
      return ok(clientKeyView(await keys.regenerateClientKey(who.appId, who.limits)));
    },
  );

  app.get(
    '/admin/keys/:id',
    {
      config,
      schema: { tags, summary: 'Get an API key', params: KeyParams, response: { 200: KeyResponse } },
    },
    async (request) => ok(keyView(await keys.show(caller(request).appId, request.params.id))),
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
      const report = await keys.usage(caller(request).appId, request.params.id, request.query);
      return ok({
        keyId: report.key.id,
        from: new Date(report.from).toISOString(),
        to: new Date(report.to).toISOString(),
        totals: report.totals,
        data: report.minutes.map((row) => ({
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
