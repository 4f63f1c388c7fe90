import { useState } from 'react';
import { AUDIT_PAGE_SIZE, type AuditFilters, type AuditRecord, useAudit } from '../../api/audit';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { Pager } from '../../components/Pager';
import { TableWrap } from '../../components/TableWrap';

function AuditDetail({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const rows: Array<[string, string]> = [
    ['Time', formatTime(record.timeMS)],
    ['Key', record.keyName ? `${record.keyName} (${record.keyId})` : 'none'],
    ['Source address', record.ip],
    ['Request', `${record.method} ${record.url}`],
    ['Route', record.route],
    ['Status', String(record.status)],
    ['Target ids', record.targetIds.length > 0 ? record.targetIds.join(', ') : 'none'],
    ['Request id', record.requestId],
    ['Duration', `${record.durationMs} ms`],
    ['Identical requests in this record', String(record.count)],
  ];
  return (
    <Dialog title="Audit record" onClose={onClose}>
      <dl className="details">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd className={term === 'Request' || term.endsWith('id') ? 'mono wrap' : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}

/** One page of audit records matching the filters, newest first; a new filter starts at page one (re-keyed). */
export function AuditTable({ appId, filters, label }: { appId: string; filters: AuditFilters; label: string }) {
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<AuditRecord>();
  const audit = useAudit(appId, filters, page);
  const total = audit.data?.totalCount ?? 0;
  return (
    <>
      <ErrorMessage error={audit.error} />
      <TableWrap label={label}>
        <table className="audit">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Key</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {(audit.data?.data ?? []).map((record) => (
              <tr key={`${record.requestId}-${record.timeMS}`}>
                <td>{formatTime(record.timeMS)}</td>
                <td>{record.keyName ?? '—'}</td>
                <td className="mono wrap">
                  {record.method} {record.url}
                </td>
                <td>
                  <span className={`status s${Math.floor(record.status / 100)}`}>{record.status}</span>
                </td>
                <td className="mono">{record.ip}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => setSelected(record)}
                    aria-label={`Details of ${record.method} ${record.url} at ${formatTime(record.timeMS)}`}
                  >
                    Details
                  </button>
                </td>
              </tr>
            ))}
            {audit.data && audit.data.data.length === 0 && (
              <tr>
                <td colSpan={6}>No records match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager page={page} pageSize={AUDIT_PAGE_SIZE} total={total} loading={audit.isFetching} onPage={setPage}>
        <button type="button" onClick={() => audit.refetch()}>
          Refresh
        </button>
      </Pager>
      {selected && <AuditDetail record={selected} onClose={() => setSelected(undefined)} />}
    </>
  );
}
