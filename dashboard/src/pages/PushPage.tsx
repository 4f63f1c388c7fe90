import { usePushProviders } from '../api/push';
import { ErrorMessage } from '../components/ErrorMessage';
import { NotificationLog } from './push/NotificationLog';
import { PlatformCard } from './push/PlatformCard';
import { ApnsForm, FcmForm, WebPushForm } from './push/PlatformForms';
import { PushSettingsForm } from './push/PushSettingsForm';

export function PushPage({ appId }: { appId: string }) {
  const providers = usePushProviders(appId);
  const view = providers.data;
  return (
    <>
      <h1>Push</h1>
      <p className="lead">
        Parley sends notifications to your users' devices through each platform with this application's credentials.
        Keys go in and are never shown again.
      </p>
      <ErrorMessage error={providers.error} />
      {view && !view.sealed && (
        <p className="warning" data-testid="push-unsealed">
          Credentials are stored unsealed: set SECRETS_KEY on the server to seal them in the database.
        </p>
      )}
      {view && (
        <>
          <PlatformCard
            appId={appId}
            platform="fcm"
            title="FCM"
            devices="Android and FCM devices"
            ids={
              view.fcm && [
                ['Project', view.fcm.projectId],
                ['Service account', view.fcm.clientEmail],
              ]
            }
            updatedAt={view.fcm?.updatedAt}
          >
            <FcmForm appId={appId} />
          </PlatformCard>
          <PlatformCard
            appId={appId}
            platform="apns"
            title="APNs"
            devices="iOS and iOS VoIP devices"
            ids={
              view.apns && [
                ['Key ID', view.apns.keyId],
                ['Team ID', view.apns.teamId],
                ['Bundle ID', view.apns.bundleId],
                ['Environment', view.apns.production ? 'production' : 'sandbox'],
              ]
            }
            updatedAt={view.apns?.updatedAt}
          >
            <ApnsForm appId={appId} current={view.apns} />
          </PlatformCard>
          <PlatformCard
            appId={appId}
            platform="webpush"
            title="Web Push"
            devices="browsers"
            ids={
              view.webpush && [
                ['Public key', view.webpush.publicKey],
                ['Contact', view.webpush.subject],
              ]
            }
            updatedAt={view.webpush?.updatedAt}
          >
            <WebPushForm appId={appId} current={view.webpush} />
          </PlatformCard>
          <PushSettingsForm appId={appId} current={view.settings} />
        </>
      )}
      <NotificationLog appId={appId} />
    </>
  );
}
