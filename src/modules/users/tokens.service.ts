import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { SignJWT } from 'jose';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { randomId } from '../../shared/ids.js';
import { lastFour, sha256Hex } from '../../shared/secrets.js';
import type { Database } from '../../storage/schema/tables.js';
import type { App } from '../../core/principal.js';
import type { User } from './users.repository.js';
import type { TokensRepository, UserToken } from './tokens.repository.js';

export const MAX_TOKEN_LENGTH = 4096;
const DAY_MS = 86_400_000;

export interface GrantedToken {
  token: string;
  record: UserToken;
  /** Other tokens of the user removed by `singleTokenPerUser`. */
  revokedIds: string[];
  /** True when the token already existed and only its expiry moved. */
  rebound: boolean;
}

/**
 * User tokens (spec 3.2): several per user unless the app sets `singleTokenPerUser`; stored as
 * SHA-256 hashes, so the plain token exists only in the response that granted it.
 */
export class TokensService {
  constructor(private readonly deps: { tokens: TokensRepository; bus: EventBus; ttlDays: number }) {}

  defaultExpiry(now = Date.now()): number {
    return now + this.deps.ttlDays * DAY_MS;
  }

  /** A server-issued HS256 JWT `{id, nickname, avatarUrl, iat, exp}` signed with the app's secret. */
  async issue(
    app: App,
    user: User,
    db: Transaction<Database>,
    now = Date.now(),
    expiresAt = this.defaultExpiry(now),
  ): Promise<GrantedToken> {
    const token = await new SignJWT({ id: user.id, nickname: user.nickname, avatarUrl: user.avatarUrl })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(app.tokenSecret));
    const record: UserToken = {
      id: randomId('tok'),
      appId: app.id,
      userId: user.id,
      kind: 'issued',
      last4: lastFour(token),
      expiresAt,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.tokens.insert({ ...record, tokenHash: sha256Hex(token) }, db);
    const revokedIds = app.settings.singleTokenPerUser ? await this.revokeOthers(app.id, user.id, record.id, db) : [];
    return { token, record, revokedIds, rebound: false };
  }

  /**
   * Binds an integrator-chosen token. Binding the same token to the same user again only moves its
   * expiry; a token held by another user of the app is a 409 TOKEN_CONFLICT.
   */
  async bind(
    app: App,
    userId: string,
    token: string,
    expiresAt: number | undefined,
    db: Transaction<Database>,
    now = Date.now(),
  ): Promise<GrantedToken> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new AppError('INVALID_REQUEST', `token must be 1 to ${MAX_TOKEN_LENGTH} characters`);
    }
    const expiry = expiresAt ?? this.defaultExpiry(now);
    if (expiry <= now) throw new AppError('INVALID_REQUEST', 'expirationDate must be in the future');
    const tokenHash = sha256Hex(token);
    const existing = await this.deps.tokens.findInApp(app.id, tokenHash, db);
    let record: UserToken;
    if (existing) {
      if (existing.userId !== userId) throw new AppError('TOKEN_CONFLICT');
      await this.deps.tokens.setExpiry(app.id, existing.id, expiry, now, db);
      record = { ...existing, expiresAt: expiry, updatedAt: now };
    } else {
      record = {
        id: randomId('tok'),
        appId: app.id,
        userId,
        kind: 'assigned',
        last4: lastFour(token),
        expiresAt: expiry,
        createdAt: now,
        updatedAt: now,
      };
      await this.deps.tokens.insert({ ...record, tokenHash }, db);
    }
    const revokedIds = app.settings.singleTokenPerUser ? await this.revokeOthers(app.id, userId, record.id, db) : [];
    return { token, record, revokedIds, rebound: existing !== undefined };
  }

  /** Revokes one token (by its plain value) or, without one, all of the user's tokens. */
  async revoke(
    appId: string,
    userId: string,
    token: string | undefined,
    db: Transaction<Database>,
  ): Promise<UserToken[]> {
    let revoked: UserToken[];
    if (token !== undefined) {
      const record = await this.deps.tokens.findInApp(appId, sha256Hex(token), db);
      if (!record || record.userId !== userId) throw new AppError('TOKEN_NOT_FOUND');
      revoked = [record];
    } else {
      revoked = await this.deps.tokens.listForUser(appId, userId, db);
    }
    await this.deps.tokens.deleteByIds(
      appId,
      revoked.map((record) => record.id),
      db,
    );
    return revoked;
  }

  /** Removes these tokens; the caller announces them (`announceRevoked`) once its transaction committed. */
  remove(appId: string, ids: readonly string[], db: Transaction<Database>): Promise<void> {
    return this.deps.tokens.deleteByIds(appId, ids, db);
  }

  listForUser(appId: string, userId: string, db?: Transaction<Database>): Promise<UserToken[]> {
    return this.deps.tokens.listForUser(appId, userId, db);
  }

  /** Tells every node to forget these tokens; call after the transaction that removed them committed. */
  announceRevoked(appId: string, userId: string, tokenIds: string[]): void {
    if (tokenIds.length > 0) this.deps.bus.publish('token.revoked', { appId, userId, tokenIds });
  }

  /** Announces what a grant changed, once its transaction committed. */
  announceGrant(grant: GrantedToken): void {
    const { appId, userId, id } = grant.record;
    this.announceRevoked(appId, userId, grant.revokedIds);
    if (grant.rebound) this.deps.bus.publish('token.updated', { appId, userId, tokenIds: [id] });
  }

  private async revokeOthers(
    appId: string,
    userId: string,
    keepId: string,
    db: Transaction<Database>,
  ): Promise<string[]> {
    const others = (await this.deps.tokens.listForUser(appId, userId, db)).filter((record) => record.id !== keepId);
    await this.deps.tokens.deleteByIds(
      appId,
      others.map((record) => record.id),
      db,
    );
    return others.map((record) => record.id);
  }
}
