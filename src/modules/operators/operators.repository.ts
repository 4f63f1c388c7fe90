import type { Selectable } from 'kysely';
import type { Storage } from '../../storage/database.js';
import type { OperatorSessionsTable, OperatorsTable } from '../../storage/schema/tables.js';

export interface Operator {
  id: string;
  name: string;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

export interface OperatorSession {
  id: string;
  operatorId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  expiresAt: number;
  ip: string;
  userAgent: string;
  revokedAt: number | null;
}

const SESSION_COLUMNS = [
  'id',
  'operator_id',
  'csrf_token',
  'created_at',
  'last_seen_at',
  'idle_expires_at',
  'expires_at',
  'ip',
  'user_agent',
  'revoked_at',
] as const;

/** A session as read: every column but the token's hash. */
type SessionRow = Pick<Selectable<OperatorSessionsTable>, (typeof SESSION_COLUMNS)[number]>;

const toOperator = (row: Selectable<OperatorsTable>): Operator => ({
  id: row.id,
  name: row.name,
  passwordHash: row.password_hash,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const toSession = (row: SessionRow): OperatorSession => ({
  id: row.id,
  operatorId: row.operator_id,
  csrfToken: row.csrf_token,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
  idleExpiresAt: Number(row.idle_expires_at),
  expiresAt: Number(row.expires_at),
  ip: row.ip,
  userAgent: row.user_agent,
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
});

/** Operators, their sessions and setup tokens; tokens are looked up by their hash only. */
export class OperatorsRepository {
  constructor(private readonly storage: Storage) {}

  private get db() {
    return this.storage.db;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('operators')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async list(): Promise<Operator[]> {
    return (await this.db.selectFrom('operators').selectAll().orderBy('name').execute()).map(toOperator);
  }

  async findByName(name: string): Promise<Operator | undefined> {
    const row = await this.db.selectFrom('operators').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toOperator(row);
  }

  async findById(id: string): Promise<Operator | undefined> {
    const row = await this.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOperator(row);
  }

  /** False when the name is taken. */
  async insert(operator: Operator): Promise<boolean> {
    const result = await this.db
      .insertInto('operators')
      .values({
        id: operator.id,
        name: operator.name,
        password_hash: operator.passwordHash,
        created_at: operator.createdAt,
        updated_at: operator.updatedAt,
      })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async setPassword(id: string, passwordHash: string, at: number): Promise<void> {
    await this.db
      .updateTable('operators')
      .set({ password_hash: passwordHash, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async insertSession(session: OperatorSession, tokenHash: string): Promise<void> {
    await this.db
      .insertInto('operator_sessions')
      .values({
        id: session.id,
        token_hash: tokenHash,
        operator_id: session.operatorId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        idle_expires_at: session.idleExpiresAt,
        expires_at: session.expiresAt,
        ip: session.ip,
        user_agent: session.userAgent,
        revoked_at: null,
      })
      .execute();
  }

  /** The live session of a token hash, with its operator's id and name. */
  async liveSession(
    tokenHash: string,
    now: number,
  ): Promise<{ session: OperatorSession; operator: Pick<Operator, 'id' | 'name'> } | undefined> {
    const row = await this.db
      .selectFrom('operator_sessions as s')
      .innerJoin('operators as o', 'o.id', 's.operator_id')
      .select(SESSION_COLUMNS.map((column) => `s.${column}` as const))
      .select('o.name')
      .where('s.token_hash', '=', tokenHash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('s.idle_expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    return { session: toSession(row), operator: { id: row.operator_id, name: row.name } };
  }

  async touchSession(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void> {
    await this.db
      .updateTable('operator_sessions')
      .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
      .where('id', '=', id)
      .execute();
  }

  async liveSessionsOf(operatorId: string, now: number): Promise<OperatorSession[]> {
    const rows = await this.db
      .selectFrom('operator_sessions')
      .select(SESSION_COLUMNS)
      .where('operator_id', '=', operatorId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('idle_expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute();
    return rows.map(toSession);
  }

  /** Revokes one session of the operator; false when it has none of that id still live. */
  async revokeSession(operatorId: string, sessionId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('operator_sessions')
      .set({ revoked_at: at })
      .where('id', '=', sessionId)
      .where('operator_id', '=', operatorId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every session of the operator but `keep`. */
  async revokeSessionsOf(operatorId: string, at: number, keep?: string): Promise<void> {
    let update = this.db
      .updateTable('operator_sessions')
      .set({ revoked_at: at })
      .where('operator_id', '=', operatorId)
      .where('revoked_at', 'is', null);
    if (keep !== undefined) update = update.where('id', '!=', keep);
    await update.execute();
  }

  /** Sessions ended more than a day ago are of no use to anyone. */
  async purgeSessions(before: number): Promise<void> {
    await this.db
      .deleteFrom('operator_sessions')
      .where((eb) =>
        eb.or([eb('expires_at', '<', before), eb('idle_expires_at', '<', before), eb('revoked_at', '<', before)]),
      )
      .execute();
  }

  async insertSetupToken(tokenHash: string, createdAt: number, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('operator_setup_tokens')
      .values({ token_hash: tokenHash, created_at: createdAt, expires_at: expiresAt, used_at: null })
      .execute();
  }

  async hasLiveSetupToken(now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('operator_setup_tokens')
      .select('token_hash')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks the token used; true only for the one caller that found it unused and unexpired. */
  async spendSetupToken(tokenHash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('operator_setup_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Puts a token back when what it was used for failed (a name already taken). */
  async releaseSetupToken(tokenHash: string): Promise<void> {
    await this.db
      .updateTable('operator_setup_tokens')
      .set({ used_at: null })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
}
