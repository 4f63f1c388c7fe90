import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../core/principal.js';
import { iso } from '../../shared/time.js';
import type { AppsService } from '../apps/index.js';
import type { KeysService } from '../keys/index.js';
import { signedInOf } from './operators.routes.js';
import {
  AppListResponse,
  AppParams,
  AppResponse,
  CreateAppBody,
  CreatedAppResponse,
  RenameAppBody,
} from './operators.schemas.js';

const tags = ['Dashboard'];
const config = { auth: 'operator' } as const;

const summary = (app: App) => ({ id: app.id, name: app.name, createdAt: iso(app.createdAt) });

/** Audited in the application concerned, under the operator's name. */
function audit(request: FastifyRequest, appId: string): void {
  const { operator } = signedInOf(request);
  request.auditSubject = { appId, keyId: null, keyName: `operator:${operator.name}`, operatorId: operator.id };
}

/** `/dashboard/api/apps…`: operators span applications; these list, create and rename them. */
export const dashboardAppsRoutes: FastifyPluginAsyncTypebox<{ apps: AppsService; keys: KeysService }> = async (
  app,
  { apps, keys },
) => {
  app.get(
    '/dashboard/api/apps',
    { config, schema: { tags, summary: 'Every application', response: { 200: AppListResponse } } },
    async () => ({ apps: (await apps.list()).map(summary) }),
  );

  app.post(
    '/dashboard/api/apps',
    {
      config,
      schema: {
        tags,
        summary: 'Create an application with its first API key (shown once)',
        body: CreateAppBody,
        response: { 201: CreatedAppResponse },
      },
    },
    async (request, reply) => {
      const { operator } = signedInOf(request);
      const created = await apps.create(request.body.name, request.body.id);
      const { key, secret } = await keys.create(created.id, { name: 'Initial key' }, `operator:${operator.name}`);
      audit(request, created.id);
      request.auditTargets.push(created.id, key.id);
      return reply.code(201).send({ app: summary(created), apiKey: secret, clientKey: created.clientKey });
    },
  );

  app.patch(
    '/dashboard/api/apps/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Rename an application',
        params: AppParams,
        body: RenameAppBody,
        response: { 200: AppResponse },
      },
    },
    async (request) => {
      const renamed = await apps.update(request.params.id, { name: request.body.name });
      audit(request, renamed.id);
      return { app: summary(renamed) };
    },
  );
};
