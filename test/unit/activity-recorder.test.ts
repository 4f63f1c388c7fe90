import { describe, expect, it, vi } from 'vitest';
import { ActivityRecorder, type RequestFacts } from '../../src/modules/audit/activity-recorder.js';
import type { AuditEntry, AuditRepository, UsageRow } from '../../src/modules/audit/audit.repository.js';

function recorder() {
  const written = { entries: [] as AuditEntry[], usage: [] as UsageRow[], uses: [] as [string, number, string][] };
  const audit = {
    insert: async (entries: AuditEntry[]) => void written.entries.push(...entries),
    addUsage: async (rows: UsageRow[]) => void written.usage.push(...rows),
  } as unknown as AuditRepository;
  const keys = { recordUse: async (keyId: string, at: number, ip: string) => void written.uses.push([keyId, at, ip]) };
  return { activity: new ActivityRecorder({ audit, keys, retentionDays: 30, onError: () => undefined }), written };
}

const t0 = 1_700_000_040_000; // a whole minute
const facts = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  appId: 'app',
  keyId: 'key_1',
  keyName: 'one',
  operatorId: null,
  ip: '192.0.2.1',
  method: 'GET',
  url: '/admin/clients',
  status: 200,
  at: t0,
  ...overrides,
});
const details = (requestId: string) => () => ({ route: '/admin/clients', targetIds: [], requestId, durationMs: 1 });

describe('ActivityRecorder', () => {
  it('shares a record among identical requests that changed nothing within a second, interleaved or not', async () => {
    const { activity, written } = recorder();
    const build = vi.fn(details('r'));
    activity.record(facts(), false, details('a'));
    activity.record(facts({ url: '/admin/clients?skip=1' }), false, details('b'));
    activity.record(facts({ at: t0 + 999 }), false, build);
    activity.record(facts({ at: t0 + 1000 }), false, details('c'));
    activity.record(facts({ method: 'POST' }), false, details('d'));
    activity.record(facts({ method: 'POST' }), false, details('e'));
    expect(build).not.toHaveBeenCalled();
    await activity.flush();
    expect(written.entries.map((entry) => [entry.requestId, entry.count])).toStrictEqual([
      ['a', 2],
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['e', 1],
    ]);
  });

  it('counts usage per key and minute, and the last successful use', async () => {
    const { activity, written } = recorder();
    activity.record(facts(), false, details('a'));
    activity.record(facts({ at: t0 + 10, status: 404 }), false, details('b'));
    activity.record(facts({ at: t0 + 20, status: 429, ip: '192.0.2.9' }), true, details('c'));
    activity.record(facts({ at: t0 + 60_000 }), false, details('d'));
    activity.record(facts({ keyId: 'key_2', at: t0 + 5 }), false, details('e'));
    activity.record(facts({ keyId: null, at: t0 + 6 }), false, details('f'));
    await activity.flush();
    expect(written.usage).toStrictEqual([
      { appId: 'app', keyId: 'key_1', minute: t0, requests: 3, errors: 2, rateLimited: 1 },
      { appId: 'app', keyId: 'key_1', minute: t0 + 60_000, requests: 1, errors: 0, rateLimited: 0 },
      { appId: 'app', keyId: 'key_2', minute: t0, requests: 1, errors: 0, rateLimited: 0 },
    ]);
    expect(written.uses).toStrictEqual([
      ['key_1', t0 + 60_000, '192.0.2.1'],
      ['key_2', t0 + 5, '192.0.2.1'],
    ]);
    written.usage.length = 0;
    await activity.flush();
    expect(written.usage).toStrictEqual([]);
  });
});
