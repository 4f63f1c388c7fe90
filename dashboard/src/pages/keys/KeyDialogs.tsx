import { type FormEvent, useState } from 'react';
import { type ApiKey, useCreateKey, useRevokeKey, useRollKey, useUpdateKey } from '../../api/keys';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatSeconds, formatTime } from '../../components/format';
import { SecretOnce } from '../../components/SecretOnce';
import { KeyForm } from './KeyForm';

export function CreateKeyDialog({ appId, onClose }: { appId: string; onClose: () => void }) {
  const create = useCreateKey(appId);
  return (
    <Dialog title={create.data ? 'Your new API key' : 'New API key'} onClose={onClose}>
      {create.data ? (
        <SecretOnce label={`API key “${create.data.name}”`} value={create.data.key} onDone={onClose} />
      ) : (
        <>
          <KeyForm submitLabel="Create key" busy={create.isPending} onSubmit={(settings) => create.mutate(settings)} />
          <ErrorMessage error={create.error} />
        </>
      )}
    </Dialog>
  );
}

export function EditKeyDialog({ appId, apiKey, onClose }: { appId: string; apiKey: ApiKey; onClose: () => void }) {
  const update = useUpdateKey(appId);
  return (
    <Dialog title={`Edit “${apiKey.name}”`} onClose={onClose}>
      <KeyForm
        initial={apiKey}
        submitLabel="Save changes"
        busy={update.isPending}
        onSubmit={(settings) => update.mutate({ id: apiKey.id, settings }, { onSuccess: onClose })}
      />
      <ErrorMessage error={update.error} />
    </Dialog>
  );
}

export const GRACE_CHOICES = [0, 60, 3600, 86_400, 7 * 86_400];

export function RollKeyDialog({ appId, apiKey, onClose }: { appId: string; apiKey: ApiKey; onClose: () => void }) {
  const roll = useRollKey(appId);
  const [choice, setChoice] = useState('86400');
  const [custom, setCustom] = useState('30');
  const grace = choice === 'custom' ? Number(custom) : Number(choice);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    roll.mutate({ id: apiKey.id, gracePeriodSeconds: grace });
  };
  if (roll.data)
    return (
      <Dialog title={`“${apiKey.name}” rolled`} onClose={onClose}>
        <p>
          The old key (…{roll.data.previous.last4}) works until {formatTime(roll.data.previous.expiresAt)}. Deploy the
          new key before then.
        </p>
        <SecretOnce label="New API key" value={roll.data.key} onDone={onClose} />
      </Dialog>
    );
  return (
    <Dialog title={`Roll “${apiKey.name}”`} onClose={onClose}>
      <form onSubmit={submit}>
        <p>
          Rolling issues a new key with the same settings. The old key (…{apiKey.last4}) keeps working for the grace
          period, then stops.
        </p>
        <div className="row">
          <label className="field grow">
            <span>Grace period</span>
            <select value={choice} onChange={(event) => setChoice(event.target.value)}>
              {GRACE_CHOICES.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {formatSeconds(seconds)}
                </option>
              ))}
              <option value="custom">Other (seconds)…</option>
            </select>
          </label>
          {choice === 'custom' && (
            <label className="field grow">
              <span>Grace period in seconds</span>
              <input
                type="number"
                min={0}
                max={30 * 86_400}
                required
                value={custom}
                onChange={(event) => setCustom(event.target.value)}
              />
            </label>
          )}
        </div>
        <ErrorMessage error={roll.error} />
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={roll.isPending}>
            Roll key
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RevokeKeyDialog({ appId, apiKey, onClose }: { appId: string; apiKey: ApiKey; onClose: () => void }) {
  const revoke = useRevokeKey(appId);
  return (
    <ConfirmDialog
      title={`Revoke “${apiKey.name}”?`}
      confirm="Revoke key"
      pending={revoke.isPending}
      error={revoke.error}
      onConfirm={() => revoke.mutate(apiKey.id, { onSuccess: onClose })}
      onClose={onClose}
    >
      <p>
        Every call with the key ending in <code>…{apiKey.last4}</code> is refused from now on. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
