import { type ReactNode, useState } from 'react';
import { type PushPlatform, useRemoveCredential } from '../../api/push';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatTime } from '../../components/format';

/** One push platform: whether it is configured, its public ids, removal, and the form that sets it. */
export function PlatformCard(props: {
  appId: string;
  platform: PushPlatform;
  title: string;
  devices: string;
  /** Public ids of the credentials set (label, value), or null when none are. */
  ids: Array<[string, string]> | null;
  updatedAt: string | undefined;
  children: ReactNode;
}) {
  const remove = useRemoveCredential(props.appId);
  const [confirming, setConfirming] = useState(false);
  const titleId = `push-${props.platform}-title`;
  return (
    <section className="card" aria-labelledby={titleId} data-testid={`push-${props.platform}`}>
      <div className="page-head">
        <h2 id={titleId}>{props.title}</h2>
        <span className={`badge ${props.ids ? 'active' : 'expiring'}`}>
          {props.ids ? 'Configured' : 'Not configured'}
        </span>
      </div>
      <p className="hint">
        For {props.devices}. {props.ids ? '' : 'Until it is set, these devices go to the server-wide push provider.'}
      </p>
      {props.ids && (
        <>
          <dl className="details">
            {[...props.ids, ['Updated', formatTime(props.updatedAt)] as [string, string]].map(([term, value]) => (
              <div key={term}>
                <dt>{term}</dt>
                <dd className="wrap mono">{value}</dd>
              </div>
            ))}
          </dl>
          <div className="row end">
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Remove {props.title} credentials
            </button>
          </div>
        </>
      )}
      <h3>{props.ids ? 'Replace the credentials' : 'Set the credentials'}</h3>
      {props.children}
      {confirming && (
        <ConfirmDialog
          title={`Remove the ${props.title} credentials?`}
          confirm="Remove credentials"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(props.platform, { onSuccess: () => setConfirming(false) })}
          onClose={() => {
            setConfirming(false);
            remove.reset();
          }}
        >
          <p>Its devices then go to the server-wide push provider until new credentials are set.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
