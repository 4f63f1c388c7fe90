import type { Storage } from '../../storage/database.js';
import { plus } from '../../storage/sql-fragments.js';

export interface AuditEntry {
  appId: string;
  at: number;
  keyId: string | null;
  keyName: string | null;
  /** The dashboard operator who made the request (keyId is then null). */
  operatorId: string | null;
  ip: string;
  method: string;
  route: string;
  url: string;
  status: number;
  targetIds: string[];
  requestId: string;
  durationMs: number;
  /** Identical requests that changed nothing, within the same second, share one record. */
  count: number;
}

export interface UsageRow {
  appId: string;
  keyId: string;
  minute: number;
  requests: number;
  errors: number;
  rateLimited: number;
}

export interface AuditQuery {
  keyId?: string;
  operatorId?: string;
  method?: string;
  route?: string;
  status?: number;
  ip?: string;
  targetId?: string;
  from?: number;
  to?: number;
  skip: number;
  limit: number;
}

export class AuditRepository {
  constructor(private readonly storage: Storage) {}

  async insert(entries: AuditEntry[]): Promise<void> {
    await this.storage.insertMany(
      'audit_log',
      entries.map((entry) => ({
        app_id: entry.appId,
        at: entry.at,
        key_id: entry.keyId,
        key_name: entry.keyName,
        operator_id: entry.operatorId,
        ip: entry.ip,
        method: entry.method,
        route: entry.route,
        url: entry.url,
        status: entry.status,
        // A refused request's params may hold a NUL: stored, it would break every jsonb read of the column.
        target_ids: JSON.stringify(entry.targetIds.filter((id) => !id.includes('\0'))),
        request_id: entry.requestId,
        duration_ms: entry.durationMs,
        count: entry.count,
      })),
    );
  }

  async addUsage(rows: UsageRow[]): Promise<void> {
    for (const row of rows) {
      await this.storage.db
        .insertInto('key_usage')
        .values({
          app_id: row.appId,
          key_id: row.keyId,
          minute: row.minute,
          requests: row.requests,
          errors: row.errors,
          rate_limited: row.rateLimited,
        })
        .onConflict((conflict) =>
          conflict.columns(['key_id', 'minute']).doUpdateSet({
            requests: plus('key_usage', 'requests', row.requests),
            errors: plus('key_usage', 'errors', row.errors),
            rate_limited: plus('key_usage', 'rate_limited', row.rateLimited),
          }),
        )
        .execute();
    }
  }

  async list(appId: string, query: AuditQuery): Promise<{ totalCount: number; data: AuditEntry[] }> {
    let select = this.storage.db.selectFrom('audit_log').where('app_id', '=', appId);
    if (query.keyId !== undefined) select = select.where('key_id', '=', query.keyId);
    if (query.operatorId !== undefined) select = select.where('operator_id', '=', query.operatorId);
    if (query.method !== undefined) select = select.where('method', '=', query.method.toUpperCase());
    if (query.route !== undefined) select = select.where('route', '=', query.route);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.ip !== undefined) select = select.where('ip', '=', query.ip);
    if (query.targetId !== undefined)
      select = select.where(this.storage.dialect.jsonArrayContains('target_ids', query.targetId));
    if (query.from !== undefined) select = select.where('at', '>=', query.from);
    if (query.to !== undefined) select = select.where('at', '<', query.to);
    const [count, rows] = await Promise.all([
      select.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      select.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').offset(query.skip).limit(query.limit).execute(),
    ]);
    return {
      totalCount: Number(count.count),
      data: rows.map((row) => ({
        appId: row.app_id,
        at: row.at,
        keyId: row.key_id,
        keyName: row.key_name,
        operatorId: row.operator_id,
        ip: row.ip,
        method: row.method,
        route: row.route,
        url: row.url,
        status: row.status,
        targetIds: JSON.parse(row.target_ids) as string[],
        requestId: row.request_id,
        durationMs: row.duration_ms,
        count: row.count,
      })),
    };
  }

  async usage(appId: string, keyId: string, from: number, to: number): Promise<UsageRow[]> {
    const rows = await this.storage.db
      .selectFrom('key_usage')
      .selectAll()
      .where('app_id', '=', appId)
      .where('key_id', '=', keyId)
      .where('minute', '>=', from)
      .where('minute', '<', to)
      .orderBy('minute')
      .limit(100_000)
      .execute();
    return rows.map((row) => ({
      appId: row.app_id,
      keyId: row.key_id,
      minute: row.minute,
      requests: row.requests,
      errors: row.errors,
      rateLimited: row.rate_limited,
    }));
  }

  async purgeBefore(cutoff: number): Promise<void> {
    await this.storage.db.deleteFrom('audit_log').where('at', '<', cutoff).execute();
    await this.storage.db.deleteFrom('key_usage').where('minute', '<', cutoff).execute();
  }
}
