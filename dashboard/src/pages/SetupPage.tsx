import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { useSetup } from '../api/session';
import { ErrorMessage } from '../components/ErrorMessage';

const MIN_PASSWORD = 12;

/** The setup link carries its one-time token in the fragment, which browsers never send to a server. */
function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}

export function SetupPage() {
  const setup = useSetup();
  const [, navigate] = useLocation();
  const [token] = useState(tokenFromHash);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const mismatch = confirmation !== '' && confirmation !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setup.mutate(
      { token, name, password },
      {
        onSuccess: () => {
          // The token is spent: drop it from the address bar and the history entry.
          window.history.replaceState(null, '', window.location.pathname);
          navigate('/', { replace: true });
        },
      },
    );
  };
  return (
    <main className="centered" id="main">
      <form className="card narrow" onSubmit={submit} aria-labelledby="setup-title">
        <h1 id="setup-title">Set up Parley</h1>
        {token === '' ? (
          <p className="error" role="alert">
            This page needs the setup link Parley printed at its first start (it ends with <code>#token=…</code>).
          </p>
        ) : (
          <p>Create the first operator. Operators manage every application on this server.</p>
        )}
        <label className="field">
          <span>Operator name</span>
          <input
            name="name"
            autoComplete="username"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Password (at least {MIN_PASSWORD} characters)</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Repeat the password</span>
          <input
            name="confirmation"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={mismatch}
            aria-describedby={mismatch ? 'password-mismatch' : undefined}
            value={confirmation}
            onChange={(event) => setConfirmation(event.target.value)}
          />
        </label>
        {mismatch && (
          <p className="error" id="password-mismatch">
            The passwords differ.
          </p>
        )}
        <ErrorMessage error={setup.error} />
        <button type="submit" className="primary" disabled={setup.isPending || token === ''}>
          {setup.isPending ? 'Creating…' : 'Create operator'}
        </button>
      </form>
    </main>
  );
}
