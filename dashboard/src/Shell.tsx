import type { ReactNode } from 'react';
import { Link, useLocation, useRoute } from 'wouter';
import { useApps } from './api/apps';
import { useLogout, useSession } from './api/session';

const SECTIONS = [
  ['keys', 'API keys'],
  ['usage', 'Usage'],
  ['audit', 'Audit log'],
  ['webhooks', 'Webhooks'],
  ['push', 'Push'],
  ['users', 'Users'],
  ['rooms', 'Rooms'],
  ['config', 'Config'],
  ['leak', 'Leak response'],
  ['settings', 'Settings'],
] as const;

function AppSwitcher({ appId, section }: { appId: string | undefined; section: string }) {
  const apps = useApps();
  const [, navigate] = useLocation();
  return (
    <label className="app-switcher">
      <span>Application</span>
      <select
        value={appId ?? ''}
        onChange={(event) => {
          if (event.target.value === '') navigate('/apps');
          else navigate(`/apps/${event.target.value}/${section}`);
        }}
      >
        {appId === undefined && <option value="">Choose…</option>}
        {(apps.data ?? []).map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The frame of every signed-in page: application switcher, navigation, operator and sign-out. */
export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const logout = useLogout();
  const [, sectionPage] = useRoute<{ appId: string; section: string }>('/apps/:appId/:section');
  // A page inside a section (a user's page) keeps its section's navigation.
  const [, innerPage] = useRoute<{ appId: string; section: string }>('/apps/:appId/:section/*');
  const params = sectionPage ?? innerPage;
  const appId = params?.appId;
  const section = params?.section ?? 'keys';
  const [location] = useLocation();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Parley
        </Link>
        <AppSwitcher appId={appId} section={section} />
        <nav aria-label="Account" className="account-nav">
          <Link href="/apps" aria-current={location === '/apps' ? 'page' : undefined}>
            Applications
          </Link>
          <Link href="/account" aria-current={location === '/account' ? 'page' : undefined}>
            {session.data?.operator.name ?? 'Account'}
          </Link>
          <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Sign out
          </button>
        </nav>
      </header>
      {appId !== undefined && (
        <nav aria-label="Application" className="sections">
          {SECTIONS.map(([path, label]) => (
            <Link key={path} href={`/apps/${appId}/${path}`} aria-current={section === path ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
