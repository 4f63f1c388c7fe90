import { useState } from 'react';
import { Link } from 'wouter';
import { useKeys, useRevokeKey, useRollKey } from '../api/keys';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime, fromLocalInput, toLocalInput } from '../components/format';
import { SecretOnce } from '../components/SecretOnce';
import { AuditTable } from './audit/AuditTable';

const CHECKLIST = [
  ['deploy', 'Deploy the new key wherever the old one was used (servers, CI secrets, vaults).', undefined],
  ['webhook', 'Rotate the webhook signing secret if the leaked key could read webhook settings.', 'webhooks'],
  ['client-key', 'Regenerate the client key if it leaked with the API key.', 'keys'],
  ['other-keys', 'Look in step 3 for keys the leaked key created or changed, and revoke them.', undefined],
  ['source', 'Find how the key leaked (repository, logs, chat) and remove it from there.', undefined],
] as const;

/** The four steps after a leak: roll with no grace, revoke the old key, read its trail, rotate the rest. */
export function LeakPage({ appId }: { appId: string }) {
  const keys = useKeys(appId, true);
  const roll = useRollKey(appId);
  const revoke = useRevokeKey(appId);
  const [keyId, setKeyId] = useState('');
  const [since, setSince] = useState(() => toLocalInput(Date.now() - 86_400_000));
  const [newKeyStored, setNewKeyStored] = useState(false);
  const [done, setDone] = useState<string[]>([]);
  const candidates = (keys.data ?? []).filter((key) => key.status === 'active' || key.status === 'expiring');
  const leaked = (keys.data ?? []).find((key) => key.id === keyId);
  const rolled = roll.data;
  const start = () => {
    if (leaked) roll.mutate({ id: leaked.id, gracePeriodSeconds: 0 });
  };
  return (
    <>
      <h1>Leak response</h1>
      <p className="lead">
        A key was exposed? Replace it at once, shut the old one out, then see what it was used for.
      </p>
      <ol className="steps">
        <li className="card">
          <h2>1. Roll the leaked key with no grace period</h2>
          <div className="row">
            <label className="field grow">
              <span>Leaked key</span>
              <select value={keyId} disabled={rolled !== undefined} onChange={(event) => setKeyId(event.target.value)}>
                <option value="">Choose a key…</option>
                {candidates.map((key) => (
                  <option key={key.id} value={key.id}>
                    {key.name} (…{key.last4})
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="danger"
              disabled={!leaked || roll.isPending || rolled !== undefined}
              onClick={start}
            >
              Roll now (old key stops at once)
            </button>
          </div>
          <ErrorMessage error={roll.error} />
          {rolled && !newKeyStored && (
            <SecretOnce label="Replacement API key" value={rolled.key} onDone={() => setNewKeyStored(true)} />
          )}
          {rolled && newKeyStored && (
            <p className="success">
              Rolled: the replacement ends in …{rolled.last4}; the old key (…{rolled.previous.last4}) stopped at{' '}
              {formatTime(rolled.previous.expiresAt)}.
            </p>
          )}
        </li>
        <li className="card">
          <h2>2. Revoke the old key</h2>
          <p>Revoking records the end for good: the old key can never be rolled or changed again.</p>
          <button
            type="button"
            className="danger"
            disabled={!rolled || revoke.isPending || revoke.isSuccess}
            onClick={() => rolled && revoke.mutate(rolled.previous.id)}
          >
            {revoke.isSuccess ? 'Old key revoked' : 'Revoke the old key'}
          </button>
          <ErrorMessage error={revoke.error} />
        </li>
        <li className="card">
          <h2>3. What the leaked key did</h2>
          <label className="field">
            <span>Since</span>
            <input type="datetime-local" value={since} onChange={(event) => setSince(event.target.value)} />
          </label>
          {leaked ? (
            <AuditTable
              key={`${leaked.id}-${since}`}
              appId={appId}
              filters={{ keyId: leaked.id, from: fromLocalInput(since) }}
              label={`Audit records of ${leaked.name} since ${since}`}
            />
          ) : (
            <p className="hint">Choose the leaked key above to see its records.</p>
          )}
          {leaked && (
            <p>
              <Link href={`/apps/${appId}/audit?keyId=${encodeURIComponent(leaked.id)}`}>
                Open the full audit log of this key
              </Link>
            </p>
          )}
        </li>
        <li className="card">
          <h2>4. Rotate everything else it could reach</h2>
          <fieldset className="checklist">
            <legend>Checklist</legend>
            {CHECKLIST.map(([id, label, page]) => (
              <div key={id} className="checklist-item">
                <label className="check">
                  <input
                    type="checkbox"
                    checked={done.includes(id)}
                    onChange={(event) =>
                      setDone(event.target.checked ? [...done, id] : done.filter((item) => item !== id))
                    }
                  />
                  {label}
                </label>
                {page && (
                  <Link href={`/apps/${appId}/${page}`}>{page === 'webhooks' ? 'Open Webhooks' : 'Open API keys'}</Link>
                )}
              </div>
            ))}
          </fieldset>
          <p role="status">
            {done.length} of {CHECKLIST.length} done
          </p>
        </li>
      </ol>
    </>
  );
}
