import type { KeyUseRecorder } from '../keys/index.js';
import type { AuditEntry, AuditRepository, UsageRow } from './audit.repository.js';

const FLUSH_INTERVAL_MS = 1000;
const FLUSH_AT_ENTRIES = 500;
const PURGE_INTERVAL_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Beyond this many unflushed entries (storage down), the oldest are dropped rather than memory grown. */
const MAX_BUFFERED = 100_000;

/** A request that changed nothing: a read, or one refused before it could act. */
const changedNothing = (entry: AuditEntry): boolean =>
  entry.method === 'GET' || entry.method === 'HEAD' || entry.status >= 400;

/**
 * Records the audit trail and per-key usage of admin requests. Writes are batched off the request
 * path (at most a second behind, flushed on shutdown) so that auditing costs no database round
 * trip per request. Requests that changed nothing and are identical (app, key, IP, method, URL,
 * status) within one second share one record with a `count`; every other request has its own.
 */
export class ActivityRecorder {
  private entries: AuditEntry[] = [];
  private repeats = new Map<string, AuditEntry>();
  private usage = new Map<string, UsageRow>();
  private lastUse = new Map<string, { at: number; ip: string }>();
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly deps: {
      audit: AuditRepository;
      keys: KeyUseRecorder;
      retentionDays: number;
      onError: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.timers.push(setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref());
    this.timers.push(setInterval(() => void this.purge(), PURGE_INTERVAL_MS).unref());
    void this.purge();
  }

  record(entry: AuditEntry, rateLimited: boolean): void {
    this.append(entry);
    if (entry.keyId !== null) {
      const minute = Math.floor(entry.at / MINUTE_MS) * MINUTE_MS;
      const id = `${entry.keyId}|${minute}`;
      let row = this.usage.get(id);
      if (!row) {
        row = { appId: entry.appId, keyId: entry.keyId, minute, requests: 0, errors: 0, rateLimited: 0 };
        this.usage.set(id, row);
      }
      row.requests += 1;
      if (entry.status >= 400) row.errors += 1;
      if (rateLimited) row.rateLimited += 1;
      if (!rateLimited && entry.status < 400) this.lastUse.set(entry.keyId, { at: entry.at, ip: entry.ip });
    }
    if (this.entries.length >= FLUSH_AT_ENTRIES) void this.flush();
  }

  private append(entry: AuditEntry): void {
    if (changedNothing(entry)) {
      const second = Math.floor(entry.at / 1000);
      const who = `${entry.appId}\n${entry.keyId}\n${entry.ip}`;
      const id = `${who}\n${entry.method}\n${entry.status}\n${second}\n${entry.url}`;
      const seen = this.repeats.get(id);
      if (seen) {
        seen.count += 1;
        return;
      }
      this.repeats.set(id, entry);
    }
    if (this.entries.length >= MAX_BUFFERED) this.entries.shift();
    this.entries.push(entry);
  }

  /** Writes what is buffered; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch(this.deps.onError);
    return this.flushing;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.flush();
  }

  private async write(): Promise<void> {
    const entries = this.entries;
    const usage = [...this.usage.values()];
    const lastUse = [...this.lastUse.entries()];
    if (entries.length === 0 && usage.length === 0) return;
    this.entries = [];
    this.repeats = new Map();
    this.usage = new Map();
    this.lastUse = new Map();
    await this.deps.audit.insert(entries);
    await this.deps.audit.addUsage(usage);
    for (const [keyId, use] of lastUse) await this.deps.keys.recordUse(keyId, use.at, use.ip);
  }

  private async purge(): Promise<void> {
    try {
      await this.deps.audit.purgeBefore(Date.now() - this.deps.retentionDays * 86_400_000);
    } catch (error) {
      this.deps.onError(error);
    }
  }
}
