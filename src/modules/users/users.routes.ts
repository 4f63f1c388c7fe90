import type { Scope } from '../../core/scopes.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { actingUserId, appIdOf, authOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { requireScope } from '../../http/require-scope.js';
import { sendSerialized } from '../../http/send-serialized.js';
import { iso } from '../../shared/time.js';
import type { UserInput, UsersService } from './users.service.js';
import type { UserListCache } from './user-list-cache.js';
import { userView } from './user-view.js';
import {
  BatchUsersBody,
  BatchUsersResponse,
  ListUsersQuery,
  UpsertUserBody,
  UpdateProfileBody,
  UpsertUserResponse,
  UserListResponse,
  UserParams,
  UserResponse,
} from './users.schemas.js';

const tags = ['Users'];
const read = { auth: 'admin', scope: 'users:read' } as const;
const write = { auth: 'admin', scope: 'users:write' } as const;
/** A route on one user, answering the user. */
const onUser = (config: { auth: 'admin'; scope: Scope }, summary: string) => ({
  config,
  schema: { tags, summary, params: UserParams, response: { 200: UserResponse } },
});
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

export const usersRoutes: FastifyPluginAsyncTypebox<{ users: UsersService; userListCache: UserListCache }> = async (
  app,
  { users, userListCache },
) => {
  app.post(
    '/admin/clients',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create or update a user; optionally issue or bind a token',
        description:
          'Upsert keyed by `_id` (spec 3.1). `issueAccessToken: true` issues a JWT; ' +
          '`token` (+ `expirationDate`) binds your own.',
        body: UpsertUserBody,
        response: { 200: UpsertUserResponse },
      },
    },
    async (request) => {
      const body = request.body as UserInput;
      if (body.issueAccessToken === true || body.token !== undefined) requireScope(request, 'tokens:write');
      const { user, grant } = await users.upsert(authOf(request).app, body);
      request.auditTargets.push(user.id);
      const view = userView(user);
      if (!grant) return ok(view);
      const expiresAt = grant.record.expiresAt as number;
      return ok({
        ...view,
        issueAccessToken: body.issueAccessToken === true,
        token: grant.token,
        expirationDate: iso(expiresAt),
        expirationDateMS: expiresAt,
      });
    },
  );

  app.post(
    '/admin/clients/list',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create or update many users (all or nothing)',
        body: BatchUsersBody,
        response: { 200: BatchUsersResponse },
      },
    },
    async (request) => {
      const items = request.body.data as UserInput[];
      const count = await users.upsertMany(appIdOf(request), items);
      request.auditTargets.push(...items.slice(0, 100).map((item) => item._id));
      return ok({ count });
    },
  );

  app.get(
    '/admin/clients',
    {
      config: read,
      schema: {
        tags,
        summary: 'List or search users',
        querystring: ListUsersQuery,
        response: { 200: UserListResponse },
      },
    },
    async (request, reply) => {
      const { q, skip = 0 } = request.query;
      const limit = Math.min(request.query.limit || DEFAULT_LIMIT, MAX_LIMIT);
      const appId = appIdOf(request);
      const cacheKey = `${skip}\n${limit}\n${q ?? ''}`;
      let body = userListCache.get(appId, cacheKey);
      if (body === undefined) {
        const version = userListCache.version(appId);
        const page = await users.list(appId, { q, skip, limit });
        body = reply.serialize(ok({ totalCount: page.totalCount, data: page.data.map(userView) })) as string;
        userListCache.set(appId, cacheKey, version, body);
      }
      return sendSerialized(reply as unknown as FastifyReply, body);
    },
  );

  app.get('/admin/clients/:id', onUser(read, 'Get a user by id (extension, spec 12 item 23)'), async (request) =>
    ok(userView(await users.get(appIdOf(request), request.params.id))),
  );

  app.delete('/admin/clients/:id', onUser(write, 'Delete a user and all of their tokens'), async (request) =>
    ok(userView(await users.delete(appIdOf(request), request.params.id))),
  );

  app.post(
    '/me',
    {
      config: { auth: 'user', scope: 'users:write' },
      schema: {
        tags,
        summary: 'Update my own profile (nickname, avatarUrl, description, custom fields such as publicKey)',
        body: UpdateProfileBody,
        response: { 200: UserResponse },
      },
    },
    async (request) =>
      ok(
        userView(
          await users.updateProfile(appIdOf(request), actingUserId(request), request.body as Record<string, unknown>),
        ),
      ),
  );

  app.get(
    '/me',
    {
      config: { auth: 'user', scope: 'users:read' },
      schema: { tags, summary: 'The current user', response: { 200: UserResponse } },
    },
    async (request) =>
      ok(userView(await users.current(appIdOf(request), actingUserId(request), authOf(request).kind === 'user'))),
  );
};
