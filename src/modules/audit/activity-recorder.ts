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
/** One key's requests since the last write: its usage rows by minute and its last successful use. */
interface KeyActivity {
  rows: UsageRow[];
  lastAt: number;
  lastIp: string | null;
}

export class ActivityRecorder {
  private entries: AuditEntry[] = [];
  /** The record each request that changed nothing would share, by everything but its second. */
  private repeats = new Map<string, AuditEntry>();
  private keys = new Map<string, KeyActivity>();
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
    if (entry.keyId !== null) this.countUse(entry, entry.keyId, rateLimited);
    if (this.entries.length >= FLUSH_AT_ENTRIES) void this.flush();
  }

  private countUse(entry: AuditEntry, keyId: string, rateLimited: boolean): void {
    const minute = entry.at - (entry.at % MINUTE_MS);
    let activity = this.keys.get(keyId);
    if (activity === undefined) {
      activity = { rows: [], lastAt: 0, lastIp: null };
      this.keys.set(keyId, activity);
    }
    let row = activity.rows.at(-1);
    if (row === undefined || row.minute !== minute) {
      row = activity.rows.find((candidate) => candidate.minute === minute);
      if (row === undefined) {
        row = { appId: entry.appId, keyId, minute, requests: 0, errors: 0, rateLimited: 0 };
        activity.rows.push(row);
      }
    }
    row.requests += 1;
    if (entry.status >= 400) row.errors += 1;
    if (rateLimited) row.rateLimited += 1;
    if (!rateLimited && entry.status < 400) {
      activity.lastAt = entry.at;
      activity.lastIp = entry.ip;
    }
  }

  private append(entry: AuditEntry): void {
    if (changedNothing(entry)) {
      const second = Math.floor(entry.at / 1000);
      const id = `${entry.appId}\n${entry.keyId}\n${entry.ip}\n${entry.method}\n${entry.status}\n${entry.url}`;
      const seen = this.repeats.get(id);
      if (seen !== undefined && Math.floor(seen.at / 1000) === second) {
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
    const keys = [...this.keys];
    if (entries.length === 0 && keys.length === 0) return;
    this.entries = [];
    this.repeats = new Map();
    this.keys = new Map();
    await this.deps.audit.insert(entries);
    await this.deps.audit.addUsage(keys.flatMap(([, activity]) => activity.rows));
    for (const [keyId, { lastAt, lastIp }] of keys) {
      if (lastIp !== null) await this.deps.keys.recordUse(keyId, lastAt, lastIp);
    }
  }

  private async purge(): Promise<void> {
    try {
      await this.deps.audit.purgeBefore(Date.now() - this.deps.retentionDays * 86_400_000);
    } catch (error) {
      this.deps.onError(error);
    }
  }
}
