import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { UserTokensTable } from '../../storage/schema.js';
import type { Db } from '../../storage/transaction.js';

export interface UserToken {
  id: string;
  appId: string;
  userId: string;
  kind: 'issued' | 'assigned';
  last4: string;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

const toToken = (row: Selectable<UserTokensTable>): UserToken => ({
  id: row.id,
  appId: row.app_id,
  userId: row.user_id,
  kind: row.kind === 'issued' ? 'issued' : 'assigned',
  last4: row.last4,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class TokensRepository {
  constructor(private readonly storage: Storage) {}

  async insert(token: UserToken & { tokenHash: string }, db: Db = this.storage.db): Promise<void> {
    await db
      .insertInto('user_tokens')
      .values({
        id: token.id,
        app_id: token.appId,
        user_id: token.userId,
        token_hash: token.tokenHash,
        last4: token.last4,
        kind: token.kind,
        expires_at: token.expiresAt,
        created_at: token.createdAt,
        updated_at: token.updatedAt,
      })
      .execute();
  }

  /** Every stored token with this hash, in any application (to tell a mismatched client key). */
  async findByHash(tokenHash: string): Promise<UserToken[]> {
    const rows = await this.storage.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .limit(10)
      .execute();
    return rows.map(toToken);
  }

  async findInApp(appId: string, tokenHash: string, db: Db = this.storage.db): Promise<UserToken | undefined> {
    const row = await this.inApp(appId, db).where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toToken(row);
  }

  async listForUser(appId: string, userId: string, db: Db = this.storage.db): Promise<UserToken[]> {
    const rows = await this.inApp(appId, db).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map(toToken);
  }

  /** The app's tokens. */
  private inApp(appId: string, db: Db = this.storage.db) {
    return db.selectFrom('user_tokens').selectAll().where('app_id', '=', appId);
  }

  async setExpiry(
    appId: string,
    id: string,
    expiresAt: number | null,
    now: number,
    db: Db = this.storage.db,
  ): Promise<void> {
    await db
      .updateTable('user_tokens')
      .set({ expires_at: expiresAt, updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .execute();
  }

  async deleteByIds(appId: string, ids: readonly string[], db: Db = this.storage.db): Promise<void> {
    if (ids.length === 0) return;
    await db
      .deleteFrom('user_tokens')
      .where('app_id', '=', appId)
      .where(this.storage.dialect.inList('id', ids))
      .execute();
  }
}
