import { useState } from 'react';
import { useClientKey, useRegenerateClientKey } from '../../api/keys';
import { CopyButton } from '../../components/CopyButton';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatTime } from '../../components/format';

export function ClientKeyPanel({ appId }: { appId: string }) {
  const clientKey = useClientKey(appId);
  const regenerate = useRegenerateClientKey(appId);
  const [confirming, setConfirming] = useState(false);
  return (
    <section className="card" aria-labelledby="client-key-title">
      <h2 id="client-key-title">Client key</h2>
      <p className="hint">Ships inside your web and mobile apps to identify the application; it is not a secret.</p>
      <ErrorMessage error={clientKey.error} />
      {clientKey.data && (
        <div className="row">
          <code className="mono wrap" data-testid="client-key">
            {clientKey.data.clientKey}
          </code>
          <CopyButton value={clientKey.data.clientKey} label="Copy client key" />
          <button type="button" onClick={() => setConfirming(true)}>
            Regenerate
          </button>
          <span className="hint">Since {formatTime(clientKey.data.createdAt)}</span>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title="Regenerate the client key?"
          confirm="Regenerate client key"
          pending={regenerate.isPending}
          error={regenerate.error}
          onConfirm={() => regenerate.mutate(undefined, { onSuccess: () => setConfirming(false) })}
          onClose={() => setConfirming(false)}
        >
          <p>The current client key stops working at once: every app that ships it must be updated.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
