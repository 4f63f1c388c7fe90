import { useState } from 'react';
import {
  DELIVERIES_PAGE_SIZE,
  type Delivery,
  type DeliveryStatus,
  useDeliveries,
  useRedeliver,
  useRefreshWebhooks,
} from '../../api/webhooks';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { Pager } from '../../components/Pager';
import { TableWrap } from '../../components/TableWrap';

const EXCERPT = 80;

function DeliveryDetail({ delivery, onClose }: { delivery: Delivery; onClose: () => void }) {
  return (
    <Dialog title={`${delivery.event} delivery`} onClose={onClose}>
      <dl className="details">
        {(
          [
            ['Status', `${delivery.status} after ${delivery.attempts} attempt(s)`],
            ['URL', delivery.url],
            ['Room', delivery.roomID ?? '—'],
            ['Last response code', delivery.lastStatus === null ? '—' : String(delivery.lastStatus)],
            ['Last error', delivery.lastError ?? '—'],
            ['Next attempt', formatTime(delivery.nextAttemptAt)],
            ['Created', formatTime(delivery.createdAt)],
            ['Updated', formatTime(delivery.updatedAt)],
          ] as const
        ).map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd className="wrap">{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Body</h3>
      <pre className="payload">{JSON.stringify(delivery.payload, null, 2)}</pre>
    </Dialog>
  );
}

export function DeliveryLog({ appId }: { appId: string }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<Delivery>();
  const deliveries = useDeliveries(appId, status || undefined, page);
  const redeliver = useRedeliver(appId);
  const refresh = useRefreshWebhooks(appId);
  const total = deliveries.data?.totalCount ?? 0;
  return (
    <section aria-labelledby="deliveries-title">
      <div className="page-head">
        <h2 id="deliveries-title">Delivery log</h2>
        <label className="field inline">
          <span>Status</span>
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as DeliveryStatus | '');
              setPage(0);
            }}
          >
            <option value="">All</option>
            <option value="failed">Failed</option>
            <option value="pending">Pending</option>
            <option value="delivered">Delivered</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={deliveries.error ?? redeliver.error} />
      <TableWrap label="Webhook deliveries">
        <table>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Response</th>
              <th scope="col">Error excerpt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(deliveries.data?.data ?? []).map((delivery) => (
              <tr key={delivery.id} data-delivery-id={delivery.id}>
                <td>{formatTime(delivery.createdAt)}</td>
                <td>
                  {delivery.event}
                  {delivery.roomID && <span className="hint"> in {delivery.roomID}</span>}
                </td>
                <td>
                  <span
                    className={`badge ${delivery.status === 'failed' ? 'revoked' : delivery.status === 'delivered' ? 'active' : 'expiring'}`}
                  >
                    {delivery.status}
                  </span>
                </td>
                <td>{delivery.attempts}</td>
                <td>{delivery.lastStatus ?? '—'}</td>
                <td className="wrap">
                  {delivery.lastError
                    ? delivery.lastError.length > EXCERPT
                      ? `${delivery.lastError.slice(0, EXCERPT)}…`
                      : delivery.lastError
                    : '—'}
                </td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      onClick={() => setSelected(delivery)}
                      aria-label={`Details of ${delivery.event} delivery ${delivery.id}`}
                    >
                      Details
                    </button>
                    {delivery.status !== 'pending' && (
                      <button
                        type="button"
                        disabled={redeliver.isPending}
                        onClick={() => redeliver.mutate(delivery.id)}
                        aria-label={`Redeliver ${delivery.event} delivery ${delivery.id}`}
                      >
                        Redeliver
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
            {deliveries.data && deliveries.data.data.length === 0 && (
              <tr>
                <td colSpan={7}>No deliveries.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager page={page} pageSize={DELIVERIES_PAGE_SIZE} total={total} loading={deliveries.isFetching} onPage={setPage}>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </Pager>
      {selected && <DeliveryDetail delivery={selected} onClose={() => setSelected(undefined)} />}
    </section>
  );
}
