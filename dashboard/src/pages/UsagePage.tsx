import { useMemo, useState } from 'react';
import { useKeys } from '../api/keys';
import { useStats } from '../api/settings';
import { type MessageSeries, type UsageReport, useConnectionCount, useKeysUsage, useMessageSeries } from '../api/usage';
import { ErrorMessage } from '../components/ErrorMessage';
import { TableWrap } from '../components/TableWrap';
import { type ChartSeries, UsageChart } from './usage/UsageChart';

const WINDOWS = [
  ['hour', 'Last hour', 3_600_000],
  ['day', 'Last day', 86_400_000],
] as const;
const MINUTE = 60_000;

/** Every minute of the window, with zeros where a key made no call (the API lists busy minutes only). */
function align(reports: Array<{ label: string; report: UsageReport }>, windowMs: number) {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const start = end - windowMs + MINUTE;
  const minutes: number[] = [];
  for (let minute = start; minute <= end; minute += MINUTE) minutes.push(minute);
  const index = new Map(minutes.map((minute, position) => [minute, position]));
  const requests: ChartSeries[] = [];
  const limited: ChartSeries[] = [];
  for (const { label, report } of reports) {
    const calls = new Array<number>(minutes.length).fill(0);
    const refused = new Array<number>(minutes.length).fill(0);
    for (const row of report.data) {
      const position = index.get(Math.floor(row.minuteMS / MINUTE) * MINUTE);
      if (position === undefined) continue;
      calls[position] = (calls[position] ?? 0) + row.requests;
      refused[position] = (refused[position] ?? 0) + row.rateLimited;
    }
    requests.push({ label, values: calls });
    limited.push({ label, values: refused });
  }
  return { xs: minutes.map((minute) => minute / 1000), requests, limited };
}

/** The app's messages per minute on the same minutes as the key charts (`xs`, in seconds). */
function messagesOn(xs: number[], series: MessageSeries | undefined): ChartSeries[] {
  const counts = new Map((series?.data ?? []).map((minute) => [minute.minuteMS / 1000, minute.messages]));
  return [{ label: 'Messages', values: xs.map((x) => counts.get(x) ?? 0) }];
}

export function UsagePage({ appId }: { appId: string }) {
  const [windowName, setWindowName] = useState<'hour' | 'day'>('hour');
  const windowMs = WINDOWS.find(([name]) => name === windowName)?.[2] ?? 3_600_000;
  const keys = useKeys(appId, true);
  const shown = useMemo(() => (keys.data ?? []).filter((key) => key.status !== 'revoked').slice(0, 8), [keys.data]);
  const usage = useKeysUsage(
    appId,
    shown.map((key) => key.id),
    windowMs,
  );
  const connections = useConnectionCount(appId);
  const stats = useStats(appId, windowMs);
  const messages = useMessageSeries(appId, windowMs);
  const loaded = usage.every((query) => query.data);
  const reports = shown.flatMap((key, position) => {
    const report = usage[position]?.data;
    return report ? [{ label: `${key.name} (…${key.last4})`, report }] : [];
  });
  const stamp = usage.map((query) => query.dataUpdatedAt).join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when any report is refetched (stamp)
  const chart = useMemo(() => align(reports, windowMs), [stamp, windowMs, shown]);
  const messageChart = useMemo(() => messagesOn(chart.xs, messages.data), [chart.xs, messages.data]);
  const error = keys.error ?? usage.find((query) => query.error)?.error ?? messages.error;
  return (
    <>
      <h1>Usage</h1>
      <div className="row stats">
        <p className="stat" aria-live="polite">
          <span className="stat-value">{connections.data?.count ?? '…'}</span>
          <span className="stat-label">live connections</span>
        </p>
        <fieldset className="segmented">
          <legend>Window</legend>
          {WINDOWS.map(([name, label]) => (
            <label key={name} className="check">
              <input
                type="radio"
                name="window"
                value={name}
                checked={windowName === name}
                onChange={() => setWindowName(name)}
              />
              {label}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorMessage error={error ?? connections.error ?? stats.error} />
      {stats.data && (
        <dl className="row stats-list">
          {(
            [
              ['Messages', stats.data.messageCount],
              ['Peak connections', stats.data.peakConnectionCount],
              ['Active rooms', stats.data.roomCount],
              ['New users', stats.data.newUserCount],
              ['Users in all', stats.data.totalUserCount],
            ] as const
          ).map(([label, value]) => (
            <div key={label} className="stat card">
              <dt className="stat-label">{label}</dt>
              <dd className="stat-value">{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {!loaded ? (
        <p>Loading usage…</p>
      ) : (
        <>
          <UsageChart title="Requests per minute, per key" xs={chart.xs} series={chart.requests} />
          <UsageChart title="Rate-limited requests (429) per minute, per key" xs={chart.xs} series={chart.limited} />
          <UsageChart title="Messages per minute, every sender" xs={chart.xs} series={messageChart} />
          <TableWrap label="Usage totals per key">
            <table>
              <caption>Totals over the {windowName === 'hour' ? 'last hour' : 'last day'}</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Errors</th>
                  <th scope="col">429s</th>
                </tr>
              </thead>
              <tbody>
                {reports.map(({ label, report }) => (
                  <tr key={report.keyId}>
                    <th scope="row">{label}</th>
                    <td>{report.totals.requests}</td>
                    <td>{report.totals.errors}</td>
                    <td>{report.totals.rateLimited}</td>
                  </tr>
                ))}
                {reports.length === 0 && (
                  <tr>
                    <td colSpan={4}>No live keys.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </>
  );
}
