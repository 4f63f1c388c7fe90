import type { KeyActivityPort } from '../keys/index.js';
import type { ActivityRecorder } from './activity-recorder.js';
import type { AuditEntry, AuditQuery, AuditRepository, UsageRow } from './audit.repository.js';

/** Reads of the audit trail and of per-key usage, always after what the recorder buffered is written. */
export class AuditService implements KeyActivityPort {
  constructor(private readonly deps: { audit: AuditRepository; activity: ActivityRecorder }) {}

  /** Writes what the recorder buffered. */
  flush(): Promise<void> {
    return this.deps.activity.flush();
  }

  /** `GET /admin/audit`: newest first. */
  async list(appId: string, query: AuditQuery): Promise<{ totalCount: number; data: AuditEntry[] }> {
    await this.deps.activity.flush();
    return this.deps.audit.list(appId, query);
  }

  usage(appId: string, keyId: string, from: number, to: number): Promise<UsageRow[]> {
    return this.deps.audit.usage(appId, keyId, from, to);
  }

  /** Stores records as they are, unbatched (imports, tests). */
  insert(entries: AuditEntry[]): Promise<void> {
    return this.deps.audit.insert(entries);
  }

  /** Adds per-minute counts to the stored ones (imports, tests). */
  addUsage(rows: UsageRow[]): Promise<void> {
    return this.deps.audit.addUsage(rows);
  }

  /** Drops records and usage older than `cutoff` (ms epoch). */
  purgeBefore(cutoff: number): Promise<void> {
    return this.deps.audit.purgeBefore(cutoff);
  }
}
