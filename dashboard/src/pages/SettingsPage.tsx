import { type FormEvent, useState } from 'react';
import { type AppSettings, useAppSettings, useSaveAppSettings } from '../api/settings';
import { ErrorMessage } from '../components/ErrorMessage';

function SettingsForm({ appId, current }: { appId: string; current: AppSettings }) {
  const save = useSaveAppSettings(appId);
  const [name, setName] = useState(current.name);
  const [singleToken, setSingleToken] = useState(current.settings.singleTokenPerUser);
  const [opening, setOpening] = useState(String(current.settings.defaultGroupOpening));
  const [history, setHistory] = useState(current.settings.defaultHistoryVisibility);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      name,
      singleTokenPerUser: singleToken,
      defaultGroupOpening: opening === '0' ? 0 : 1,
      defaultHistoryVisibility: history === 'joined' ? 'joined' : 'shared',
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Application settings">
      <label className="field">
        <span>Name</span>
        <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={singleToken} onChange={(event) => setSingleToken(event.target.checked)} />
        One token per user: issuing a token revokes the user's other tokens
      </label>
      <div className="row">
        <label className="field grow">
          <span>New group rooms are</span>
          <select value={opening} onChange={(event) => setOpening(event.target.value)}>
            <option value="1">open for joining</option>
            <option value="0">closed (invitation only)</option>
          </select>
        </label>
        <label className="field grow">
          <span>New members of a room read</span>
          <select value={history} onChange={(event) => setHistory(event.target.value)}>
            <option value="shared">the whole history</option>
            <option value="joined">only what was sent after they joined</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={save.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          Settings saved.
        </p>
      )}
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save settings
        </button>
      </div>
    </form>
  );
}

export function SettingsPage({ appId }: { appId: string }) {
  const settings = useAppSettings(appId);
  return (
    <>
      <h1>Settings</h1>
      <p className="lead">
        Application <span className="mono">{appId}</span>
      </p>
      <ErrorMessage error={settings.error} />
      {settings.data && <SettingsForm appId={appId} current={settings.data} />}
    </>
  );
}
