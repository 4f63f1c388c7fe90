import { type FormEvent, useState } from 'react';
import { type PushProviders, useSaveApns, useSaveFcm, useSaveWebPush } from '../../api/push';
import { ErrorMessage } from '../../components/ErrorMessage';
import { KeyFileField } from './KeyFileField';

function Saved({ shown, what }: { shown: boolean; what: string }) {
  if (!shown) return null;
  return (
    <p className="success" role="status">
      {what} saved. The key is kept on the server and is not shown again.
    </p>
  );
}

export function FcmForm({ appId }: { appId: string }) {
  const save = useSaveFcm(appId);
  const [serviceAccount, setServiceAccount] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ serviceAccount }, { onSuccess: () => setServiceAccount('') });
  };
  return (
    <form onSubmit={submit} aria-label="FCM credentials">
      <KeyFileField
        name="Service-account key"
        accept=".json,application/json"
        placeholder='{"type": "service_account", "project_id": …}'
        value={serviceAccount}
        onChange={setServiceAccount}
      />
      <ErrorMessage error={save.error} />
      <Saved shown={save.isSuccess} what="FCM credentials" />
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending || serviceAccount.trim() === ''}>
          Save FCM credentials
        </button>
      </div>
    </form>
  );
}

export function ApnsForm({ appId, current }: { appId: string; current: PushProviders['apns'] }) {
  const save = useSaveApns(appId);
  const [keyP8, setKeyP8] = useState('');
  const [keyId, setKeyId] = useState(current?.keyId ?? '');
  const [teamId, setTeamId] = useState(current?.teamId ?? '');
  const [bundleId, setBundleId] = useState(current?.bundleId ?? '');
  const [production, setProduction] = useState(current?.production ?? true);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { keyP8, keyId: keyId.trim(), teamId: teamId.trim(), bundleId: bundleId.trim(), production },
      { onSuccess: () => setKeyP8('') },
    );
  };
  return (
    <form onSubmit={submit} aria-label="APNs credentials">
      <KeyFileField
        name="Signing key (.p8)"
        accept=".p8"
        placeholder="-----BEGIN PRIVATE KEY-----"
        value={keyP8}
        onChange={setKeyP8}
      />
      <div className="row">
        <label className="field grow">
          <span>Key ID</span>
          <input required maxLength={64} value={keyId} onChange={(event) => setKeyId(event.target.value)} />
        </label>
        <label className="field grow">
          <span>Team ID</span>
          <input required maxLength={64} value={teamId} onChange={(event) => setTeamId(event.target.value)} />
        </label>
        <label className="field grow">
          <span>Bundle ID (the APNs topic)</span>
          <input required maxLength={255} value={bundleId} onChange={(event) => setBundleId(event.target.value)} />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={production} onChange={(event) => setProduction(event.target.checked)} />
        Production APNs (clear it for development builds, which use the sandbox)
      </label>
      <ErrorMessage error={save.error} />
      <Saved shown={save.isSuccess} what="APNs credentials" />
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending || keyP8.trim() === ''}>
          Save APNs credentials
        </button>
      </div>
    </form>
  );
}

export function WebPushForm({ appId, current }: { appId: string; current: PushProviders['webpush'] }) {
  const save = useSaveWebPush(appId);
  const [subject, setSubject] = useState(current?.subject ?? '');
  const [mode, setMode] = useState<'generate' | 'own'>('generate');
  const [publicKey, setPublicKey] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const clear = () => {
      setPublicKey('');
      setPrivateKey('');
    };
    if (mode === 'generate') save.mutate({ subject: subject.trim(), generate: true }, { onSuccess: clear });
    else
      save.mutate(
        { subject: subject.trim(), publicKey: publicKey.trim(), privateKey: privateKey.trim() },
        { onSuccess: clear },
      );
  };
  return (
    <form onSubmit={submit} aria-label="Web Push credentials">
      <label className="field">
        <span>Contact (mailto: or https: URL push services may reach you at)</span>
        <input
          required
          maxLength={255}
          placeholder="mailto:ops@example.com"
          value={subject}
          onChange={(event) => setSubject(event.target.value)}
        />
      </label>
      <fieldset>
        <legend>VAPID keys</legend>
        <label className="check">
          <input type="radio" name="vapid-mode" checked={mode === 'generate'} onChange={() => setMode('generate')} />
          Generate a new key pair on the server
        </label>
        <label className="check">
          <input type="radio" name="vapid-mode" checked={mode === 'own'} onChange={() => setMode('own')} />
          Use a key pair I have
        </label>
        {mode === 'own' && (
          <div className="row">
            <label className="field grow">
              <span>Public key (base64url)</span>
              <input
                required
                maxLength={255}
                className="mono"
                value={publicKey}
                onChange={(event) => setPublicKey(event.target.value)}
              />
            </label>
            <label className="field grow">
              <span>Private key (base64url)</span>
              <input
                required
                type="password"
                autoComplete="off"
                maxLength={255}
                className="mono"
                value={privateKey}
                onChange={(event) => setPrivateKey(event.target.value)}
              />
            </label>
          </div>
        )}
      </fieldset>
      {mode === 'generate' && current && (
        <p className="hint">
          A new pair replaces the current one: browsers subscribed with the old public key must subscribe again.
        </p>
      )}
      <ErrorMessage error={save.error} />
      <Saved shown={save.isSuccess} what="Web Push keys" />
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending}>
          {mode === 'generate' ? 'Generate VAPID keys' : 'Save VAPID keys'}
        </button>
      </div>
    </form>
  );
}
