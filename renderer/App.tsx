import { lazy, Suspense, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ShortcutsDialog } from './components/ShortcutsDialog.js';
import { isEditableTarget } from './components/keyboard.js';
import { useTheme } from './components/use-theme.js';
import { ApprovalsScreen } from './screens/approvals/ApprovalsScreen.js';
import { AuditScreen } from './screens/audit/AuditScreen.js';
import { GrantsScreen } from './screens/grants/GrantsScreen.js';
import type { Screen } from './state/ui.js';
import { useConsole } from './state/store.js';

// The editor (CodeMirror, the YAML toolkit) is most of the bundle: load it when the Policy screen opens,
// so the approval queue paints first.
const PolicyScreen = lazy(() => import('./screens/policy/PolicyScreen.js').then((m) => ({ default: m.PolicyScreen })));

const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: 'approvals', label: 'Approvals', key: '1' },
  { id: 'grants', label: 'Grants', key: '2' },
  { id: 'policy', label: 'Policy', key: '3' },
  { id: 'audit', label: 'Audit', key: '4' },
];

/** The console's shell: navigation, connection and theme, and the current screen. */
export function App() {
  const { screen, announcement, shortcutsOpen } = useConsole(useShallow((s) => ({ screen: s.ui.screen, announcement: s.ui.announcement, shortcutsOpen: s.ui.shortcutsOpen })));
  useTheme();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isEditableTarget(e.target)) return;
      const ui = useConsole.getState().ui;
      if (e.key === '?') {
        e.preventDefault();
        ui.setShortcutsOpen(!ui.shortcutsOpen);
      }
      const target = SCREENS.find((s) => s.key === e.key);
      if (target) {
        e.preventDefault();
        ui.setScreen(target.id);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SideNav current={screen} />
      <main id="main" className="main" tabIndex={-1}>
        <DisconnectedBanner />
        {screen === 'approvals' && <ApprovalsScreen />}
        {screen === 'grants' && <GrantsScreen />}
        {screen === 'policy' && (
          <Suspense fallback={<div className="screen muted">Loading the policy editor…</div>}>
            <PolicyScreen />
          </Suspense>
        )}
        {screen === 'audit' && <AuditScreen />}
      </main>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {shortcutsOpen && <ShortcutsDialog onClose={() => useConsole.getState().ui.setShortcutsOpen(false)} />}
    </div>
  );
}

function SideNav({ current }: { current: Screen }) {
  const pendingCount = useConsole((s) => Object.keys(s.queue.pending).length);
  const activeGrants = useConsole((s) => Object.values(s.grants.byId).filter((g) => g.revokedAt === null && !g.tampered).length);
  const setScreen = useConsole((s) => s.ui.setScreen);
  return (
    <nav className="nav" aria-label="Console">
      <div className="brand">
        <Logo />
        <h1>CapFence Console</h1>
      </div>
      <ul className="nav-list">
        {SCREENS.map((s) => (
          <li key={s.id}>
            <button type="button" className="nav-item" aria-current={current === s.id ? 'page' : undefined} onClick={() => setScreen(s.id)}>
              <span>{s.label}</span>
              {s.id === 'approvals' && pendingCount > 0 && (
                <span className="badge badge-alert" aria-label={`${pendingCount} pending`}>
                  {pendingCount > 9999 ? '9999+' : pendingCount}
                </span>
              )}
              {s.id === 'grants' && activeGrants > 0 && (
                <span className="badge" aria-label={`${activeGrants} grants`}>
                  {activeGrants}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <div className="nav-foot">
        <ConnectionStatus />
        <ThemeToggle />
        <button type="button" className="btn btn-quiet btn-small" onClick={() => useConsole.getState().ui.setShortcutsOpen(true)}>
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      </div>
    </nav>
  );
}

/** Says plainly when the console cannot reach CapFence: what is on screen may be stale. */
function DisconnectedBanner() {
  const connection = useConsole((s) => s.ui.connection);
  if (connection !== 'disconnected') return null;
  return (
    <p className="banner banner-error banner-top" role="alert">
      Disconnected from CapFence. What you see may be out of date; reconnecting…
    </p>
  );
}

function ConnectionStatus() {
  const { connection, session } = useConsole(useShallow((s) => ({ connection: s.ui.connection, session: s.ui.session })));
  const text = connection === 'connected' ? 'Connected' : connection === 'connecting' ? 'Connecting…' : 'Disconnected';
  return (
    <div className={`conn conn-${connection}`} role="status" title={session ? `${session.transport} · ${session.dbPath}` : ''}>
      <span className="conn-dot" aria-hidden="true" />
      <span>{text}</span>
      {session && (
        <span className="muted small conn-detail">
          {session.user} · v{session.version}
        </span>
      )}
    </div>
  );
}

const THEMES = ['system', 'light', 'dark'] as const;

/** A radio group: one tab stop, arrows move the choice (as native radios do). */
function ThemeToggle() {
  const theme = useConsole((s) => s.ui.theme);
  const setTheme = useConsole((s) => s.ui.setTheme);
  const onKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (delta === 0) return;
    e.preventDefault();
    const next = THEMES[(THEMES.indexOf(theme) + delta + THEMES.length) % THEMES.length]!;
    setTheme(next);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-theme-choice="${next}"]`)?.focus();
  };
  return (
    <div className="theme-toggle" role="radiogroup" aria-label="Theme" onKeyDown={onKey}>
      {THEMES.map((t) => (
        <button key={t} type="button" role="radio" aria-checked={theme === t} tabIndex={theme === t ? 0 : -1} data-theme-choice={t} className="seg" onClick={() => setTheme(t)}>
          {t[0]!.toUpperCase() + t.slice(1)}
        </button>
      ))}
    </div>
  );
}

function Logo() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" className="logo">
      <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3z" fill="var(--accent)" />
      <path d="M8 12.5l2.6 2.6L16 9.7" fill="none" stroke="var(--accent-contrast)" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
