import { Fragment, useState } from 'react';
import {
  NOTIFICATIONS_PAGE_SIZE,
  type NotificationStatus,
  type PushNotification,
  usePushNotifications,
  useRefreshNotifications,
} from '../../api/push';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';
import { Pager } from '../../components/Pager';
import { TableWrap } from '../../components/TableWrap';

const COLUMNS = 7;

const badgeOf = (status: string) =>
  status === 'sent' ? 'active' : status === 'pending' || status === 'retry' ? 'expiring' : 'revoked';

function Deliveries({ notification }: { notification: PushNotification }) {
  if (notification.deliveries.length === 0) return <p className="hint">No delivery recorded.</p>;
  return (
    <table aria-label={`Deliveries of notification ${notification.id}`}>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col">User</th>
          <th scope="col">Device type</th>
          <th scope="col">Token</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {notification.deliveries.map((delivery, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: deliveries have no id; their order is stable
          <tr key={index} data-testid="push-delivery">
            <td>{delivery.provider}</td>
            <td>{delivery.client ?? '—'}</td>
            <td>{delivery.deviceType ?? '—'}</td>
            <td className="mono">{delivery.tokenTail ? `…${delivery.tokenTail}` : '—'}</td>
            <td>
              <span className={`badge ${badgeOf(delivery.status)}`}>{delivery.status}</span>
            </td>
            <td>{delivery.attempts}</td>
            <td className="wrap">{delivery.detail ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The push notifications recorded, newest first; each opens to its deliveries. */
export function NotificationLog({ appId }: { appId: string }) {
  const [status, setStatus] = useState<NotificationStatus | ''>('');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const notifications = usePushNotifications(appId, status || undefined, page);
  const refresh = useRefreshNotifications(appId);
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section aria-labelledby="notifications-title">
      <div className="page-head">
        <h2 id="notifications-title">Notification log</h2>
        <label className="field inline">
          <span>Status</span>
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as NotificationStatus | '');
              setPage(0);
            }}
          >
            <option value="">All</option>
            <option value="failed">Failed</option>
            <option value="pending">Pending</option>
            <option value="sent">Sent</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={notifications.error} />
      <TableWrap label="Push notifications">
        <table>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Kind</th>
              <th scope="col">Users</th>
              <th scope="col">Status</th>
              <th scope="col">Devices</th>
              <th scope="col">Last error</th>
              <th scope="col">Deliveries</th>
            </tr>
          </thead>
          <tbody>
            {(notifications.data?.data ?? []).map((notification) => {
              const expanded = open.has(notification.id);
              const panelId = `push-deliveries-${notification.id}`;
              return (
                <Fragment key={notification.id}>
                  <tr data-notification-id={notification.id}>
                    <td>{formatTime(notification.createdAt)}</td>
                    <td>{notification.kind}</td>
                    <td className="wrap">{notification.clients.join(', ') || '—'}</td>
                    <td>
                      <span className={`badge ${badgeOf(notification.status)}`}>{notification.status}</span>
                      {notification.provider && <span className="hint"> via {notification.provider}</span>}
                    </td>
                    <td>{notification.devices}</td>
                    <td className="wrap">{notification.lastError ?? '—'}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={expanded}
                        aria-controls={expanded ? panelId : undefined}
                        aria-label={`${expanded ? 'Hide' : 'Show'} the ${notification.deliveries.length} deliveries of notification ${notification.id}`}
                        onClick={() => toggle(notification.id)}
                      >
                        {expanded ? 'Hide' : 'Show'} ({notification.deliveries.length})
                      </button>
                    </td>
                  </tr>
                  {expanded && (
                    <tr id={panelId}>
                      <td colSpan={COLUMNS}>
                        <Deliveries notification={notification} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
            {notifications.data && notifications.data.data.length === 0 && (
              <tr>
                <td colSpan={COLUMNS}>No notifications.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager
        page={page}
        pageSize={NOTIFICATIONS_PAGE_SIZE}
        total={notifications.data?.totalCount ?? 0}
        loading={notifications.isFetching}
        onPage={setPage}
      >
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </Pager>
    </section>
  );
}
