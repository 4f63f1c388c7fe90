import { type FormEvent, useState } from 'react';
import { type PushSettings, useSavePushSettings } from '../../api/push';
import { ErrorMessage } from '../../components/ErrorMessage';

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** How pushes are shaped: a constant badge, sounds, and IMKIT's external push services. */
export function PushSettingsForm({ appId, current }: { appId: string; current: PushSettings }) {
  const save = useSavePushSettings(appId);
  const [badge, setBadge] = useState(current.constantBadge === null ? '' : String(current.constantBadge));
  const [soundAndroid, setSoundAndroid] = useState(current.soundAndroid ?? '');
  const [soundIos, setSoundIos] = useState(current.soundIos ?? '');
  const [externalPushUrl, setExternalPushUrl] = useState(current.externalPushUrl ?? '');
  const [genericPushUrl, setGenericPushUrl] = useState(current.genericPushUrl ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      constantBadge: badge.trim() === '' ? null : Number(badge),
      soundAndroid: orNull(soundAndroid),
      soundIos: orNull(soundIos),
      externalPushUrl: orNull(externalPushUrl),
      genericPushUrl: orNull(genericPushUrl),
    });
  };
  return (
    <section className="card" aria-labelledby="push-settings-title">
      <h2 id="push-settings-title">Push settings</h2>
      <form onSubmit={submit} aria-label="Push settings">
        <div className="row">
          <label className="field grow">
            <span>Constant badge (empty: the unread total)</span>
            <input
              type="number"
              inputMode="numeric"
              min={0}
              max={99_999}
              step={1}
              value={badge}
              onChange={(event) => setBadge(event.target.value)}
            />
          </label>
          <label className="field grow">
            <span>Android sound (empty: the default)</span>
            <input maxLength={64} value={soundAndroid} onChange={(event) => setSoundAndroid(event.target.value)} />
          </label>
          <label className="field grow">
            <span>iOS sound (empty: the default)</span>
            <input maxLength={64} value={soundIos} onChange={(event) => setSoundIos(event.target.value)} />
          </label>
        </div>
        <label className="field">
          <span>IMKIT external push service URL (v1; empty for none)</span>
          <input
            type="url"
            maxLength={2048}
            value={externalPushUrl}
            onChange={(event) => setExternalPushUrl(event.target.value)}
          />
        </label>
        <label className="field">
          <span>IMKIT generic push service URL (v2; empty for none)</span>
          <input
            type="url"
            maxLength={2048}
            value={genericPushUrl}
            onChange={(event) => setGenericPushUrl(event.target.value)}
          />
        </label>
        <ErrorMessage error={save.error} />
        {save.isSuccess && (
          <p className="success" role="status">
            Push settings saved.
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary" disabled={save.isPending}>
            Save push settings
          </button>
        </div>
      </form>
    </section>
  );
}
