import { useState } from 'react';
import { Link } from 'wouter';
import { type ApiKey, useKeys } from '../api/keys';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { TableWrap } from '../components/TableWrap';
import { ClientKeyPanel } from './keys/ClientKeyPanel';
import { CreateKeyDialog, EditKeyDialog, RevokeKeyDialog, RollKeyDialog } from './keys/KeyDialogs';

type Action = { kind: 'create' } | { kind: 'edit' | 'roll' | 'revoke'; key: ApiKey };

const live = (key: ApiKey) => key.status === 'active' || key.status === 'expiring';

function KeyRow({ appId, apiKey, act }: { appId: string; apiKey: ApiKey; act: (action: Action) => void }) {
  return (
    <tr data-key-id={apiKey.id}>
      <th scope="row">{apiKey.name}</th>
      <td className="mono">…{apiKey.last4}</td>
      <td>
        <span className={`badge ${apiKey.status}`}>{apiKey.status}</span>
      </td>
      <td>{apiKey.scopes.join(', ')}</td>
      <td>{apiKey.allowedIps && apiKey.allowedIps.length > 0 ? apiKey.allowedIps.join(', ') : 'any address'}</td>
      <td>{apiKey.rateLimitPerMinute}/min</td>
      <td>{apiKey.revokedAt ? `revoked ${formatTime(apiKey.revokedAt)}` : formatTime(apiKey.expiresAt)}</td>
      <td>{formatTime(apiKey.createdAt)}</td>
      <td>
        {apiKey.lastUsedAt ? (
          <>
            {formatTime(apiKey.lastUsedAt)}
            <br />
            <span className="mono">{apiKey.lastUsedIp}</span>
          </>
        ) : (
          'never'
        )}
      </td>
      <td>
        <div className="actions">
          {live(apiKey) && (
            <>
              <button
                type="button"
                onClick={() => act({ kind: 'edit', key: apiKey })}
                aria-label={`Edit ${apiKey.name}`}
              >
                Edit
              </button>
              {apiKey.rolledTo === null && (
                <button
                  type="button"
                  onClick={() => act({ kind: 'roll', key: apiKey })}
                  aria-label={`Roll ${apiKey.name}`}
                >
                  Roll
                </button>
              )}
            </>
          )}
          {apiKey.status !== 'revoked' && (
            <button
              type="button"
              className="danger"
              onClick={() => act({ kind: 'revoke', key: apiKey })}
              aria-label={`Revoke ${apiKey.name} (…${apiKey.last4})`}
            >
              Revoke
            </button>
          )}
          <Link
            href={`/apps/${appId}/audit?keyId=${encodeURIComponent(apiKey.id)}`}
            aria-label={`Audit log of ${apiKey.name}`}
          >
            Audit
          </Link>
        </div>
      </td>
    </tr>
  );
}

export function KeysPage({ appId }: { appId: string }) {
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useKeys(appId, true);
  const [action, setAction] = useState<Action>();
  const close = () => setAction(undefined);
  const shown = (keys.data ?? []).filter((key) => showRevoked || key.status !== 'revoked');
  return (
    <>
      <div className="page-head">
        <h1>API keys</h1>
        <button type="button" className="primary" onClick={() => setAction({ kind: 'create' })}>
          Create key
        </button>
      </div>
      <p className="lead">Server-side credentials for the admin API. Keep them out of apps and repositories.</p>
      <label className="check">
        <input type="checkbox" checked={showRevoked} onChange={(event) => setShowRevoked(event.target.checked)} />
        Show revoked keys
      </label>
      <ErrorMessage error={keys.error} />
      {keys.isPending ? (
        <p>Loading keys…</p>
      ) : (
        <TableWrap label="API keys">
          <table className="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Scopes</th>
                <th scope="col">Allow-list</th>
                <th scope="col">Limit</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((key) => (
                <KeyRow key={key.id} appId={appId} apiKey={key} act={setAction} />
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={10}>No keys yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableWrap>
      )}
      <ClientKeyPanel appId={appId} />
      {action?.kind === 'create' && <CreateKeyDialog appId={appId} onClose={close} />}
      {action?.kind === 'edit' && <EditKeyDialog appId={appId} apiKey={action.key} onClose={close} />}
      {action?.kind === 'roll' && <RollKeyDialog appId={appId} apiKey={action.key} onClose={close} />}
      {action?.kind === 'revoke' && <RevokeKeyDialog appId={appId} apiKey={action.key} onClose={close} />}
    </>
  );
}
