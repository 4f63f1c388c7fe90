import { type FormEvent, useState } from 'react';
import { type WebhookSettings, useRevealSecret, useRotateSecret, useSaveWebhookSettings } from '../../api/webhooks';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatSeconds, formatTime } from '../../components/format';

const GRACE = [0, 3600, 86_400, 7 * 86_400];

function SettingsForm({ appId, settings }: { appId: string; settings: WebhookSettings }) {
  const save = useSaveWebhookSettings(appId);
  const [url, setUrl] = useState(settings.url ?? '');
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ url: url.trim() || null, baseUrl: baseUrl.trim() || null });
  };
  return (
    <form onSubmit={submit}>
      <label className="field">
        <span>Webhook URL (every room's events; empty for none)</span>
        <input
          type="url"
          value={url}
          placeholder="https://example.com/parley-events"
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Base URL for room webhook keys (empty for none)</span>
        <input type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </label>
      <ErrorMessage error={save.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          Saved.
        </p>
      )}
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save webhook settings
        </button>
      </div>
    </form>
  );
}

function SigningSecret({ appId, settings }: { appId: string; settings: WebhookSettings }) {
  const reveal = useRevealSecret(appId);
  const rotate = useRotateSecret(appId);
  const [grace, setGrace] = useState('86400');
  const shown = rotate.data?.secret ?? reveal.data?.secret;
  return (
    <section aria-labelledby="secret-title">
      <h3 id="secret-title">Signing secret</h3>
      <p className="hint">Receivers verify each delivery's signature with it.</p>
      <div className="row">
        {shown ? (
          <>
            <code className="mono wrap" data-testid="webhook-secret">
              {shown}
            </code>
            <CopyButton value={shown} label="Copy signing secret" />
            <button type="button" onClick={() => (rotate.data ? rotate.reset() : reveal.reset())}>
              Hide
            </button>
          </>
        ) : (
          <>
            <code className="mono">{settings.secret}</code>
            <button type="button" onClick={() => reveal.mutate()} disabled={reveal.isPending}>
              Reveal
            </button>
          </>
        )}
      </div>
      {settings.previousSecretValidUntil && (
        <p className="hint">The previous secret also signs until {formatTime(settings.previousSecretValidUntil)}.</p>
      )}
      <div className="row">
        <label className="field">
          <span>Previous secret keeps signing for</span>
          <select value={grace} onChange={(event) => setGrace(event.target.value)}>
            {GRACE.map((seconds) => (
              <option key={seconds} value={String(seconds)}>
                {formatSeconds(seconds)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="danger"
          onClick={() => rotate.mutate(Number(grace))}
          disabled={rotate.isPending}
        >
          Rotate secret
        </button>
      </div>
      <ErrorMessage error={reveal.error ?? rotate.error} />
      {rotate.isSuccess && (
        <p className="success" role="status">
          Secret rotated: configure your receivers with the new one.
        </p>
      )}
    </section>
  );
}

export function WebhookSettingsCard({ appId, settings }: { appId: string; settings: WebhookSettings }) {
  return (
    <section className="card" aria-labelledby="webhook-settings-title">
      <h2 id="webhook-settings-title">Settings</h2>
      <SettingsForm appId={appId} settings={settings} />
      <SigningSecret appId={appId} settings={settings} />
    </section>
  );
}
