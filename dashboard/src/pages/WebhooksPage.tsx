import { useWebhookSettings } from '../api/webhooks';
import { ErrorMessage } from '../components/ErrorMessage';
import { DeliveryLog } from './webhooks/DeliveryLog';
import { WebhookSettingsCard } from './webhooks/WebhookSettingsCard';

export function WebhooksPage({ appId }: { appId: string }) {
  const settings = useWebhookSettings(appId);
  const counts = settings.data?.deliveries ?? {};
  return (
    <>
      <h1>Webhooks</h1>
      <p className="lead">
        Parley posts room events (messages, members joining or leaving) to your server, signed with the secret below.
      </p>
      <ErrorMessage error={settings.error} />
      {settings.data && <WebhookSettingsCard appId={appId} settings={settings.data} />}
      <h2 className="visually-hidden">Deliveries by status</h2>
      <p className="row">
        {['pending', 'delivered', 'failed'].map((status) => (
          <span key={status} className="stat">
            <span className="stat-value" data-testid={`deliveries-${status}`}>
              {counts[status] ?? 0}
            </span>
            <span className="stat-label">{status}</span>
          </span>
        ))}
      </p>
      <DeliveryLog appId={appId} />
    </>
  );
}
