import { appIdOf } from '../../http/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../http/envelope.js';
import type { GroupsService } from './groups.service.js';
import { groupView } from './user-view.js';
import {
  CreateGroupBody,
  GroupListQuery,
  GroupListResponse,
  GroupParams,
  GroupResponse,
  UpdateGroupBody,
} from './groups.schemas.js';

const tags = ['User groups'];

/** User groups (spec 3.6): users with `is_group`, standing for their members. */
export const groupsRoutes: FastifyPluginAsyncTypebox<{ groups: GroupsService }> = async (app, { groups }) => {
  const read = { auth: 'admin', scope: 'users:read' } as const;
  const write = { auth: 'admin', scope: 'users:write' } as const;

  app.post(
    '/admin/groups',
    {
      config: write,
      schema: { tags, summary: 'Create a user group', body: CreateGroupBody, response: { 200: GroupResponse } },
    },
    async (request) => {
      const group = await groups.create(appIdOf(request), request.body);
      request.auditTargets.push(group.id);
      return ok(groupView(group));
    },
  );

  app.get(
    '/admin/groups',
    {
      config: read,
      schema: { tags, summary: 'List user groups', querystring: GroupListQuery, response: { 200: GroupListResponse } },
    },
    async (request) => {
      const limit = Math.min(request.query.limit || 50, 100);
      const page = await groups.list(appIdOf(request), request.query.skip ?? 0, limit);
      return ok({ totalCount: page.totalCount, data: page.data.map(groupView) });
    },
  );

  app.get(
    '/admin/groups/:id',
    {
      config: read,
      schema: { tags, summary: 'Get a user group', params: GroupParams, response: { 200: GroupResponse } },
    },
    async (request) => ok(groupView(await groups.get(appIdOf(request), request.params.id))),
  );

  app.put(
    '/admin/groups/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Update a user group (extension, spec 12 item 25)',
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: GroupResponse },
      },
    },
    async (request) => ok(groupView(await groups.update(appIdOf(request), request.params.id, request.body))),
  );

  app.delete(
    '/admin/groups/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a user group', params: GroupParams, response: { 200: GroupResponse } },
    },
    async (request) => ok(groupView(await groups.delete(appIdOf(request), request.params.id))),
  );
};
