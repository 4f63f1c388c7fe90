import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { type App, useApps, useCreateApp, useRenameApp } from '../api/apps';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { SecretOnce } from '../components/SecretOnce';

function RenameForm({ app, onDone }: { app: App; onDone: () => void }) {
  const rename = useRenameApp();
  const [name, setName] = useState(app.name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate({ id: app.id, name }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={submit} className="row">
      <label className="field inline">
        <span className="visually-hidden">New name of {app.name}</span>
        <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={rename.isPending}>
        Save
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorMessage error={rename.error} />
    </form>
  );
}

function CreateApp() {
  const create = useCreateApp();
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name, { onSuccess: () => setName('') });
  };
  if (create.data)
    return (
      <section className="card" aria-labelledby="created-app">
        <h2 id="created-app">Application “{create.data.app.name}” created</h2>
        <p>
          Client key (ships inside your apps, not a secret): <code>{create.data.clientKey}</code>{' '}
          <CopyButton value={create.data.clientKey} label="Copy client key" />
        </p>
        <SecretOnce label="First API key" value={create.data.apiKey} onDone={() => create.reset()} />
      </section>
    );
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-app">
      <h2 id="new-app">New application</h2>
      <div className="row">
        <label className="field inline grow">
          <span>Name</span>
          <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create application
        </button>
      </div>
      <ErrorMessage error={create.error} />
    </form>
  );
}

export function AppsPage() {
  const apps = useApps();
  const [renaming, setRenaming] = useState<string>();
  return (
    <>
      <h1>Applications</h1>
      <p className="lead">Each application has its own users, rooms, API keys and client key.</p>
      <ErrorMessage error={apps.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Applications</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(apps.data ?? []).map((app) => (
              <tr key={app.id}>
                <td>
                  {renaming === app.id ? (
                    <RenameForm app={app} onDone={() => setRenaming(undefined)} />
                  ) : (
                    <Link href={`/apps/${app.id}/keys`}>{app.name}</Link>
                  )}
                </td>
                <td className="mono">{app.id}</td>
                <td>{formatTime(app.createdAt)}</td>
                <td>
                  <button type="button" onClick={() => setRenaming(app.id)} aria-label={`Rename ${app.name}`}>
                    Rename
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CreateApp />
    </>
  );
}
