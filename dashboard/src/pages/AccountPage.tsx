import { type FormEvent, useState } from 'react';
import { useChangePassword, useRevokeSession, useSession, useSessions } from '../api/session';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { TableWrap } from '../components/TableWrap';

function PasswordForm() {
  const change = useChangePassword();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrent('');
          setNew('');
        },
      },
    );
  };
  return (
    <form className="card narrow" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <label className="field">
        <span>Current password</span>
        <input
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => setCurrent(event.target.value)}
        />
      </label>
      <label className="field">
        <span>New password</span>
        <input
          type="password"
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(event) => setNew(event.target.value)}
        />
      </label>
      <ErrorMessage error={change.error} />
      {change.isSuccess && (
        <p className="success" role="status">
          Password changed.
        </p>
      )}
      <button type="submit" className="primary" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}

export function AccountPage() {
  const session = useSession();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  return (
    <>
      <h1>{session.data?.operator.name ?? 'Account'}</h1>
      <h2>Sessions</h2>
      <ErrorMessage error={sessions.error ?? revoke.error} />
      <TableWrap label="Sessions">
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Last seen</th>
              <th scope="col">Address</th>
              <th scope="col">Browser</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(sessions.data ?? []).map((record) => (
              <tr key={record.id}>
                <td>{formatTime(record.createdAt)}</td>
                <td>{formatTime(record.lastSeen)}</td>
                <td className="mono">{record.ip || '—'}</td>
                <td className="wrap">{record.userAgent || '—'}</td>
                <td>
                  {record.current ? (
                    'This session'
                  ) : (
                    <button
                      type="button"
                      onClick={() => revoke.mutate(record.id)}
                      aria-label={`End session started ${formatTime(record.createdAt)}`}
                    >
                      End session
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <PasswordForm />
    </>
  );
}
