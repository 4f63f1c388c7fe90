import { type FormEvent, useState } from 'react';
import { type RuntimeConfig, useDeleteConfig, useRuntimeConfig, useSetConfig } from '../api/config';
import { ErrorMessage } from '../components/ErrorMessage';
import { TableWrap } from '../components/TableWrap';

function keywordsOf(config: RuntimeConfig): string[] {
  const censorship = config.censorship as { keywords?: unknown } | undefined;
  return Array.isArray(censorship?.keywords) ? censorship.keywords.filter((word) => typeof word === 'string') : [];
}

function SensitiveWords({ appId, config }: { appId: string; config: RuntimeConfig }) {
  const save = useSetConfig(appId);
  const remove = useDeleteConfig(appId);
  const [words, setWords] = useState(keywordsOf(config).join('\n'));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const keywords = words
      .split('\n')
      .map((word) => word.trim())
      .filter(Boolean);
    save.mutate({ censorship: { keywords } });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="words-title">
      <h2 id="words-title">Sensitive words</h2>
      <p className="hint">Each occurrence in a new message is replaced by asterisks. Case-sensitive.</p>
      <label className="field">
        <span>Words, one per line</span>
        <textarea rows={5} value={words} onChange={(event) => setWords(event.target.value)} />
      </label>
      <ErrorMessage error={save.error ?? remove.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          Sensitive words saved.
        </p>
      )}
      <div className="row end">
        {'censorship' in config && (
          <button type="button" className="danger" onClick={() => remove.mutate('censorship')}>
            Turn filtering off
          </button>
        )}
        <button type="submit" className="primary" disabled={save.isPending}>
          Save words
        </button>
      </div>
    </form>
  );
}

function SetKeyForm({ appId }: { appId: string }) {
  const save = useSetConfig(appId);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    save.mutate({ [key.trim()]: parsed }, { onSuccess: () => setValue('') });
  };
  return (
    <form onSubmit={submit} aria-label="Set a configuration key">
      <div className="row">
        <label className="field grow">
          <span>Key</span>
          <input required maxLength={200} value={key} onChange={(event) => setKey(event.target.value)} />
        </label>
        <label className="field grow">
          <span>Value (JSON)</span>
          <input
            required
            className="mono"
            placeholder='{"text": "Maintenance at 22:00"}'
            aria-invalid={invalid}
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={save.isPending}>
          Set key
        </button>
      </div>
      {invalid && (
        <p className="error" role="alert">
          The value is not valid JSON.
        </p>
      )}
      <ErrorMessage error={save.error} />
    </form>
  );
}

export function ConfigPage({ appId }: { appId: string }) {
  const config = useRuntimeConfig(appId);
  const remove = useDeleteConfig(appId);
  const entries = Object.entries(config.data ?? {});
  return (
    <>
      <h1>Runtime configuration</h1>
      <p className="lead">
        Settings your apps read at run time (announcements, feature flags…). Changes apply at once.
      </p>
      <ErrorMessage error={config.error ?? remove.error} />
      {config.data && <SensitiveWords appId={appId} config={config.data} />}
      <section className="card" aria-labelledby="config-title">
        <h2 id="config-title">Keys</h2>
        <TableWrap label="Configuration keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row" className="mono">
                    {key}
                  </th>
                  <td className="mono wrap">{JSON.stringify(value)}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => remove.mutate(key)}
                      aria-label={`Delete ${key}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {config.data && entries.length === 0 && (
                <tr>
                  <td colSpan={3}>No keys set.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableWrap>
        <SetKeyForm appId={appId} />
      </section>
    </>
  );
}
