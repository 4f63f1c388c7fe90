import { Redirect, Route, Switch } from 'wouter';
import { useApps } from './api/apps';
import { useSession } from './api/session';
import { ErrorMessage } from './components/ErrorMessage';
import { AccountPage } from './pages/AccountPage';
import { AppsPage } from './pages/AppsPage';
import { AuditPage } from './pages/AuditPage';
import { KeysPage } from './pages/KeysPage';
import { LeakPage } from './pages/LeakPage';
import { LoginPage } from './pages/LoginPage';
import { SetupPage } from './pages/SetupPage';
import { UsagePage } from './pages/UsagePage';
import { WebhooksPage } from './pages/WebhooksPage';
import { PushPage } from './pages/PushPage';
import { RoomsPage } from './pages/RoomsPage';
import { UsersPage } from './pages/UsersPage';
import { UserDetail } from './pages/chat/UserDetail';
import { SettingsPage } from './pages/SettingsPage';
import { ConfigPage } from './pages/ConfigPage';
import { Shell } from './Shell';

/** The first screen after sign-in: the first application's keys, or the applications page. */
function Home() {
  const apps = useApps();
  if (apps.isPending) return <p>Loading applications…</p>;
  if (apps.error) return <ErrorMessage error={apps.error} />;
  const first = apps.data[0];
  return first ? <Redirect to={`/apps/${first.id}/keys`} replace /> : <Redirect to="/apps" replace />;
}

function SignedIn() {
  return (
    <Shell>
      <Switch>
        <Route path="/">
          <Home />
        </Route>
        <Route path="/apps" component={AppsPage} />
        <Route path="/apps/:appId/keys">{(params) => <KeysPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/usage">{(params) => <UsagePage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/audit">{(params) => <AuditPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/webhooks">{(params) => <WebhooksPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/push">{(params) => <PushPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/users">{(params) => <UsersPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/users/:userId">
          {(params) => <UserDetail appId={params.appId} userId={safeDecode(params.userId)} />}
        </Route>
        <Route path="/apps/:appId/rooms">{(params) => <RoomsPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/settings">{(params) => <SettingsPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/config">{(params) => <ConfigPage appId={params.appId} />}</Route>
        <Route path="/apps/:appId/leak">{(params) => <LeakPage appId={params.appId} />}</Route>
        <Route path="/account" component={AccountPage} />
        <Route path="/login">
          <Redirect to="/" replace />
        </Route>
        <Route>
          <h1>Page not found</h1>
          <p>This dashboard page does not exist.</p>
        </Route>
      </Switch>
    </Shell>
  );
}

/** A path segment as typed, when it is not valid percent-encoding. */
const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};
export function Root() {
  const session = useSession();
  return (
    <Switch>
      <Route path="/setup" component={SetupPage} />
      <Route>
        {session.isPending ? (
          <main className="centered">
            <p>Loading…</p>
          </main>
        ) : session.error ? (
          <main className="centered">
            <ErrorMessage error={session.error} />
          </main>
        ) : session.data ? (
          <SignedIn />
        ) : (
          <LoginPage />
        )}
      </Route>
    </Switch>
  );
}
