import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GrantView } from '../../../shared/ipc/contract.js';
import { useApi } from '../../api/api-context.js';
import { useNow } from '../../components/use-now.js';
import { formatDuration, formatTimestamp } from '../../lib/time.js';
import { isGrantActive } from '../../state/grants.js';
import { useConsole } from '../../state/store.js';
import { CreateGrantForm } from './CreateGrantForm.js';

/** Active grants with live countdowns, revoke, and a form to create one. */
export function GrantsScreen() {
  const { byId, loaded, lastError } = useConsole(useShallow((s) => ({ byId: s.grants.byId, loaded: s.grants.loaded, lastError: s.grants.lastError })));
  const now = useNow();
  // Soonest to expire first: those are the ones a reviewer may want to extend or let go.
  const active = useMemo(
    () => Object.values(byId).filter((g) => isGrantActive(g, now)).sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt),
    [byId, now],
  );
  const tampered = useMemo(() => Object.values(byId).filter((g) => g.tampered && g.revokedAt === null), [byId]);
  const [creating, setCreating] = useState(false);

  return (
    <div className="screen">
      <header className="screen-head">
        <h2>Grants</h2>
        <span className="muted">{loaded ? `${active.length} active` : 'Loading…'}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close form' : 'New grant'}
        </button>
      </header>
      <p className="lede muted">A grant lets one actor use one capability without asking, until it expires, runs out of uses or is revoked.</p>
      {lastError && (
        <p className="banner banner-error" role="alert">
          {lastError}
        </p>
      )}
      {tampered.length > 0 && (
        <p className="banner banner-error" role="alert">
          {tampered.length} grant{tampered.length === 1 ? ' was' : 's were'} edited outside CapFence (signature mismatch) and {tampered.length === 1 ? 'is' : 'are'} never honoured: {tampered.map((g) => g.id).join(', ')}
        </p>
      )}
      {creating && <CreateGrantForm onDone={() => setCreating(false)} />}
      {loaded && active.length === 0 ? (
        <div className="empty">
          <p className="empty-title">No active grants.</p>
          <p className="muted">Create one here, or choose “Approve and grant for” when approving a request.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Actor</th>
                <th scope="col">Capability</th>
                <th scope="col">Scope</th>
                <th scope="col">Uses left</th>
                <th scope="col">Expires in</th>
                <th scope="col">Granted by</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((g) => (
                <GrantRow key={g.id} grant={g} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function GrantRow({ grant: g, now }: { grant: GrantView; now: number }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    const res = await api['grants:revoke']({ id: g.id });
    setBusy(false);
    if (!res.ok) return setError(res.error.message);
    useConsole.getState().grants.applyChanged([res.value]);
    useConsole.getState().ui.announce(`Revoked the grant of ${g.capability} to ${g.actor}`);
  };
  const left = g.expiresAt === null ? null : g.expiresAt - now;
  return (
    <tr>
      <td>{g.actor}</td>
      <td className="mono">{g.capability}</td>
      <td>
        <span className="chip">env {g.environment || '*'}</span>
        {g.sessionId && <span className="chip mono">session {g.sessionId}</span>}
        {g.reason && <span className="muted small block">{g.reason}</span>}
      </td>
      <td>{g.usesLeft === null ? <span className="muted">unlimited</span> : g.usesLeft}</td>
      <td title={g.expiresAt === null ? '' : formatTimestamp(g.expiresAt)}>
        {left === null ? <span className="muted">never</span> : <span className={`countdown${left < 60 ? ' is-urgent' : ''}`}>{formatDuration(left)}</span>}
      </td>
      <td className="muted">{g.grantedBy}</td>
      <td className="actions">
        {error && <span className="error-text small">{error} </span>}
        {confirming ? (
          <span className="confirm">
            <span>Revoke?</span>
            <button type="button" className="btn btn-danger btn-small" disabled={busy} onClick={() => void revoke()}>
              Revoke
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="btn btn-small" onClick={() => setConfirming(true)} aria-label={`Revoke grant of ${g.capability} to ${g.actor}`}>
            Revoke…
          </button>
        )}
      </td>
    </tr>
  );
}
