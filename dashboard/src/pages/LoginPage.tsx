import { type FormEvent, useState } from 'react';
import { useLogin } from '../api/session';
import { ErrorMessage } from '../components/ErrorMessage';

export function LoginPage() {
  const login = useLogin();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ name, password });
  };
  return (
    <main className="centered" id="main">
      <form className="card narrow" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Parley</h1>
        <label className="field">
          <span>Operator name</span>
          <input
            name="name"
            autoComplete="username"
            required
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <ErrorMessage error={login.error} />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          No operator yet? Open the setup link Parley printed at its first start. Lost your password? Run{' '}
          <code>parley operators reset-password</code> on the server.
        </p>
      </form>
    </main>
  );
}
