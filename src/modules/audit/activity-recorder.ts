import type { KeyUseRecorder } from '../keys/index.js';
import type { AuditEntry, AuditRepository, UsageRow } from './audit.repository.js';

const FLUSH_INTERVAL_MS = 1000;
const FLUSH_AT_ENTRIES = 500;
const PURGE_INTERVAL_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Beyond this many unflushed entries (storage down), the oldest are dropped rather than memory grown. */
const MAX_BUFFERED = 100_000;

/** A request that changed nothing: a read, or one refused before it could act. */
const changedNothing = (facts: RequestFacts): boolean =>
  facts.method === 'GET' || facts.method === 'HEAD' || facts.status >= 400;

/** Everything but the time: requests sharing a record also share the second, checked apart. */
const repeatId = (facts: RequestFacts): string =>
  `${facts.appId}\n${facts.keyId}\n${facts.operatorId}\n${facts.ip}\n${facts.method}\n${facts.status}\n${facts.url}`;

const sameRequest = (a: RequestFacts, b: RequestFacts): boolean =>
  a.url === b.url &&
  a.keyId === b.keyId &&
  a.operatorId === b.operatorId &&
  a.appId === b.appId &&
  a.ip === b.ip &&
  a.method === b.method &&
  a.status === b.status;

/** One key's requests since the last write: its usage rows by minute and its last successful use. */
interface KeyActivity {
  rows: UsageRow[];
  lastAt: number;
  lastIp: string | null;
}

/** What tells two requests apart for the trail; the rest of a record (`AuditDetails`) is built only when kept. */
export type RequestFacts = Pick<
  AuditEntry,
  'appId' | 'keyId' | 'keyName' | 'operatorId' | 'ip' | 'method' | 'url' | 'status' | 'at'
>;
export type AuditDetails = Pick<AuditEntry, 'route' | 'targetIds' | 'requestId' | 'durationMs'>;

/**
 * Records the audit trail and per-key usage of admin requests. Writes are batched off the request
 * path (at most a second behind, flushed on shutdown) so that auditing costs no database round
 * trip per request. Requests that changed nothing and are identical (app, key, IP, method, URL,
 * status) within one second share one record with a `count`; every other request has its own.
 */

export class ActivityRecorder {
  private entries: AuditEntry[] = [];
  /** The record each request that changed nothing would share, by everything but its second. */
  private repeats = new Map<string, AuditEntry>();
  private lastRepeatable: AuditEntry | undefined;
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

  /**
   * Counts one admin request; `details` is asked for only when it needs a record of its own (a
   * repeat of a request that changed nothing, within the same second, only adds to that one's count).
   */
  record(facts: RequestFacts, rateLimited: boolean, details: () => AuditDetails): void {
    if (facts.keyId !== null) this.countUse(facts, facts.keyId, rateLimited);
    const shared = changedNothing(facts);
    if (shared && this.addToRepeated(facts)) return;
    const { route, targetIds, requestId, durationMs } = details();
    const { appId, at, keyId, keyName, operatorId, ip, method, url, status } = facts;
    const entry: AuditEntry = {
      appId,
      at,
      keyId,
      keyName,
      operatorId,
      ip,
      method,
      route,
      url,
      status,
      targetIds,
      requestId,
      durationMs,
      count: 1,
    };
    if (shared) {
      this.lastRepeatable = entry;
      this.repeats.set(repeatId(entry), entry);
    }
    if (this.entries.length >= MAX_BUFFERED) this.entries.shift();
    this.entries.push(entry);
    if (this.entries.length >= FLUSH_AT_ENTRIES) void this.flush();
  }

  /** True when an identical request that changed nothing was recorded within the same second. */
  private addToRepeated(facts: RequestFacts): boolean {
    const second = Math.floor(facts.at / 1000);
    // A client repeating one call (polling) is the common case: checked without building a key.
    const last = this.lastRepeatable;
    const seen = last !== undefined && sameRequest(last, facts) ? last : this.repeats.get(repeatId(facts));
    if (seen === undefined || Math.floor(seen.at / 1000) !== second) return false;
    seen.count += 1;
    this.lastRepeatable = seen;
    return true;
  }

  private countUse(facts: RequestFacts, keyId: string, rateLimited: boolean): void {
    const minute = facts.at - (facts.at % MINUTE_MS);
    let activity = this.keys.get(keyId);
    if (activity === undefined) {
      activity = { rows: [], lastAt: 0, lastIp: null };
      this.keys.set(keyId, activity);
    }
    let row = activity.rows.at(-1);
    if (row === undefined || row.minute !== minute) {
      row = activity.rows.find((candidate) => candidate.minute === minute);
      if (row === undefined) {
        row = { appId: facts.appId, keyId, minute, requests: 0, errors: 0, rateLimited: 0 };
        activity.rows.push(row);
      }
    }
    row.requests += 1;
    if (facts.status >= 400) row.errors += 1;
    if (rateLimited) row.rateLimited += 1;
    if (!rateLimited && facts.status < 400) {
      activity.lastAt = facts.at;
      activity.lastIp = facts.ip;
    }
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
    this.lastRepeatable = undefined;
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
