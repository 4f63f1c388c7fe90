import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { parseTime } from '../../shared/time.js';
import type { App } from '../../core/principal.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../storage/schema/tables.js';
import type { GrantedToken, TokensService } from './tokens.service.js';
import type { UserToken } from './tokens.repository.js';
import { parseUserFilter } from './user-filter.js';
import { RESERVED_USER_FIELDS } from './user-view.js';
import type { User, UserChanges, UsersRepository } from './users.repository.js';

export const MAX_USER_ID_LENGTH = 255;
const MAX_CUSTOM_BYTES = 16 * 1024;
const CUSTOM_FIELD = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const MAX_UPSERT_ATTEMPTS = 3;

export interface UserInput {
  _id: string;
  nickname?: string;
  avatarUrl?: string;
  email?: string | null;
  description?: string | null;
  isRobot?: boolean;
  notificationEnabled?: boolean;
  issueAccessToken?: boolean;
  token?: string;
  expirationDate?: string | number;
  [custom: string]: unknown;
}

export class UsersService {
  constructor(private readonly deps: { users: UsersRepository; tokens: TokensService; bus: EventBus }) {}

  /** `POST /admin/clients`: create or update, then issue or bind a token when asked (spec 3.1). */
  async upsert(app: App, input: UserInput): Promise<{ user: User; grant?: GrantedToken }> {
    checkUserId(input._id);
    const changes = toChanges(input);
    const expiresAt = input.expirationDate === undefined ? undefined : parseExpiry(input.expirationDate);
    if (input.issueAccessToken !== true && input.token !== undefined && input.token.length === 0) {
      throw new AppError('INVALID_REQUEST', 'token must be a non-empty string');
    }
    const result = await this.withRetry(async (tx) => {
      // Checked on the row the upsert locked and changed (rolled back here), so that a group
      // created meanwhile counts too.
      const { user } = await this.deps.users.upsert(app.id, input._id, changes, false, tx);
      if (user.isGroup)
        throw new AppError(
          'INVALID_REQUEST',
          `"${input._id}" is a user group; edit it with PUT /admin/groups/${input._id}`,
        );
      if (changes.custom) checkCustomSize(user.custom);
      let grant: GrantedToken | undefined;
      if (input.issueAccessToken === true) grant = await this.deps.tokens.issue(app, user, tx);
      else if (input.token !== undefined) grant = await this.deps.tokens.bind(app, user.id, input.token, expiresAt, tx);
      return { user, grant };
    });
    if (result.grant) this.deps.tokens.announceGrant(result.grant);
    this.deps.bus.publish('user.upserted', { appId: app.id, userId: result.user.id });
    return result.grant ? result : { user: result.user };
  }

  /** `POST /admin/clients/list`: validates every item first, then writes all or nothing (spec 3.3). */
  async upsertMany(appId: string, items: UserInput[]): Promise<number> {
    const prepared = items.map((item, index) =>
      atIndex(index, () => {
        checkUserId(item._id);
        return { id: item._id, changes: toChanges(item) };
      }),
    );
    const ids = new Set(prepared.map((item) => item.id));
    // One lock order for every batch (by id; equal ids keep their order) so concurrent batches cannot deadlock.
    const ordered = [...prepared.entries()].sort(([, a], [, b]) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await this.withRetry(async (tx) => {
      for (const [index, item] of ordered) {
        const { user } = await this.deps.users.upsert(appId, item.id, item.changes, false, tx);
        if (user.isGroup) throw new AppError('INVALID_REQUEST', `data[${index}]: "${user.id}" is a user group`);
        if (item.changes.custom) atIndex(index, () => checkCustomSize(user.custom));
      }
    });
    for (const userId of ids) this.deps.bus.publish('user.upserted', { appId, userId });
    return ids.size;
  }

  /** `POST /me` (realtime protocol 6.2): a user edits their own profile; never tokens, ids or groups. */
  async updateProfile(appId: string, userId: string, input: Record<string, unknown>): Promise<User> {
    for (const field of ['issueAccessToken', 'token', 'expirationDate', '_id', 'isRobot']) {
      if (input[field] !== undefined) throw new AppError('INVALID_REQUEST', `${field} cannot be changed here`);
    }
    const changes = toChanges(input);
    const user = await this.deps.users.transaction(async (tx) => {
      const existing = existingUser(await this.deps.users.find(appId, userId, tx), userId);
      const { user: updated } = await this.deps.users.upsert(appId, existing.id, changes, false, tx);
      if (changes.custom) checkCustomSize(updated.custom);
      return updated;
    });
    this.deps.bus.publish('user.upserted', { appId, userId });
    return user;
  }

  async list(
    appId: string,
    options: { q?: string; skip: number; limit: number },
  ): Promise<{ totalCount: number; data: User[] }> {
    const filter = parseUserFilter(options.q);
    const page = await this.deps.users.listUsers(appId, { filter, skip: options.skip, limit: options.limit });
    if (page === 'invalid-pattern') throw new AppError('INVALID_QUERY', 'Invalid regular expression');
    if (page === 'timeout') throw new AppError('INVALID_QUERY', 'The query took too long; use a more specific filter');
    return page;
  }

  async get(appId: string, id: string): Promise<User> {
    return existingUser(await this.deps.users.find(appId, id), id);
  }

  /** `GET /me`: with a user token, a user deleted since makes the token invalid (not a 404). */
  async current(appId: string, id: string, byToken: boolean): Promise<User> {
    const user = await this.deps.users.find(appId, id);
    if (byToken && (!user || user.isGroup)) throw new AppError('INVALID_TOKEN');
    return existingUser(user, id);
  }

  /** Deletes the user and every token of theirs; live sessions learn it through `user.deleted`. */
  async delete(appId: string, id: string): Promise<User> {
    const user = await this.get(appId, id);
    const tokens = await this.deps.tokens.listForUser(appId, id);
    const groups = await this.deps.users.transaction(async (tx) => {
      const changed = await this.deps.users.removeFromGroups(appId, id, tx);
      await this.deps.users.removeFromRooms(appId, id, tx);
      await this.deps.users.delete(appId, id, tx);
      return changed;
    });
    this.deps.tokens.announceRevoked(
      appId,
      id,
      tokens.map((token) => token.id),
    );
    this.deps.bus.publish('user.deleted', { appId, userId: id });
    for (const groupId of groups) this.deps.bus.publish('user.upserted', { appId, userId: groupId });
    return user;
  }

  /** `PUT /admin/clients/:id/token` (spec 3.2.1). */
  async updateToken(
    app: App,
    userId: string,
    token: string,
    expirationDate: string | number,
  ): Promise<{ user: User; grant: GrantedToken }> {
    const expiresAt = parseExpiry(expirationDate);
    // Two binds of one new token at once: the loser's insert conflicts; on retry it sees TOKEN_CONFLICT.
    const result = await this.withRetry(async (tx) => {
      const user = existingUser(await this.deps.users.find(app.id, userId, tx), userId);
      return { user, grant: await this.deps.tokens.bind(app, userId, token, expiresAt, tx) };
    });
    this.deps.tokens.announceGrant(result.grant);
    return result;
  }

  /**
   * A server-issued token for an existing user (`parley tokens issue`): what `issueAccessToken` does
   * on `POST /admin/clients`, without creating or changing the user; `expiresAt` defaults to TOKEN_TTL_DAYS.
   */
  async issueToken(app: App, userId: string, expiresAt?: number): Promise<{ user: User; grant: GrantedToken }> {
    if (expiresAt !== undefined && expiresAt <= Date.now())
      throw new AppError('INVALID_REQUEST', 'The expiry must be in the future');
    const result = await this.deps.users.transaction(async (tx) => {
      const user = existingUser(await this.deps.users.find(app.id, userId, tx), userId);
      return { user, grant: await this.deps.tokens.issue(app, user, tx, Date.now(), expiresAt) };
    });
    this.deps.tokens.announceGrant(result.grant);
    return result;
  }

  /** `DELETE /admin/clients/:id/token` (spec 3.2.2): one token, or all of them. */
  async revokeTokens(appId: string, userId: string, token: string | undefined): Promise<UserToken[]> {
    const revoked = await this.deps.users.transaction(async (tx) => {
      existingUser(await this.deps.users.find(appId, userId, tx), userId);
      return this.deps.tokens.revoke(appId, userId, token, tx);
    });
    this.deps.tokens.announceRevoked(
      appId,
      userId,
      revoked.map((record) => record.id),
    );
    return revoked;
  }

  /** Two requests creating the same new user at once: the loser's insert conflicts; it then updates. */
  private async withRetry<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; attempt < MAX_UPSERT_ATTEMPTS; attempt++) {
      const result = await this.deps.users.attempt(work);
      if (result.outcome === 'done') return result.value;
    }
    return this.deps.users.transaction(work);
  }
}

export function checkUserId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new AppError('INVALID_REQUEST', 'Missing required field: _id');
  if (id.length > MAX_USER_ID_LENGTH)
    throw new AppError('INVALID_REQUEST', `_id must be at most ${MAX_USER_ID_LENGTH} characters`);
}

/** A user (never a group) by the id asked for, or 404 CLIENT_NOT_FOUND. */
function existingUser(user: User | undefined, id: string): User {
  if (!user || user.isGroup) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${id}' not found`);
  return user;
}

function parseExpiry(value: string | number): number {
  const ms = parseTime(value);
  if (ms === undefined) throw new AppError('INVALID_REQUEST', 'Invalid expirationDate format');
  return ms;
}

/** Known fields as typed changes; every other top-level field is custom data (spec 1.9). */
export function toChanges(input: Record<string, unknown>): UserChanges {
  const changes: UserChanges = {};
  if (input.nickname !== undefined) changes.nickname = input.nickname as string;
  if (input.avatarUrl !== undefined) changes.avatarUrl = input.avatarUrl as string;
  if (input.email !== undefined) changes.email = input.email as string | null;
  if (input.description !== undefined) changes.description = input.description as string | null;
  if (input.isRobot !== undefined) changes.isRobot = input.isRobot as boolean;
  if (input.notificationEnabled !== undefined) changes.notificationEnabled = input.notificationEnabled as boolean;
  const custom: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (RESERVED_USER_FIELDS.has(name)) continue;
    if (!CUSTOM_FIELD.test(name)) {
      throw new AppError(
        'INVALID_REQUEST',
        `Custom field "${name.slice(0, 64)}" must be 1 to 64 letters, digits, "_" or "-"`,
      );
    }
    custom[name] = value;
  }
  if (Object.keys(custom).length > 0) {
    checkCustomSize(custom);
    changes.custom = custom;
  }
  return changes;
}

/** Bounds a user's custom data in total: checked on the fields sent and again on the merged result. */
function checkCustomSize(custom: Record<string, unknown>): void {
  if (Buffer.byteLength(JSON.stringify(custom)) > MAX_CUSTOM_BYTES) {
    throw new AppError('INVALID_REQUEST', `Custom fields must total at most ${MAX_CUSTOM_BYTES} bytes`);
  }
}

/** Runs a check for item `index` of a batch; its error names the item (spec 3.3). */
function atIndex<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AppError) throw new AppError('INVALID_REQUEST', `data[${index}]: ${error.message}`);
    throw error;
  }
}
