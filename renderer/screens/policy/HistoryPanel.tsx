import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../../api/api-context.js';
import { useNow } from '../../components/use-now.js';
import { formatAge, formatTimestamp } from '../../lib/time.js';
import { HISTORY_LIMIT, loadPolicyVersions } from '../../state/policy-history-loader.js';
import { useConsole } from '../../state/store.js';
import { shortHash } from './use-version-text.js';

/** Every recorded policy version, newest first: view one read-only, or pick two and compare them. */
export function HistoryPanel() {
  const api = useApi();
  const now = useNow();
  const { versions, loaded, loading, error, compareFrom, compareTo, pane, activeHash } = useConsole(
    useShallow((s) => ({
      versions: s.policyHistory.versions,
      loaded: s.policyHistory.loaded,
      loading: s.policyHistory.loading,
      error: s.policyHistory.error,
      compareFrom: s.policyHistory.compareFrom,
      compareTo: s.policyHistory.compareTo,
      pane: s.policyHistory.pane,
      activeHash: s.policyEditor.activeHash,
    })),
  );
  // Fetched whenever the tab opens; while it is open, saves anywhere refresh it (see bindings).
  useEffect(() => void loadPolicyVersions(api), [api]);

  const h = () => useConsole.getState().policyHistory;
  const viewing = pane.kind === 'version' ? pane.hash : null;
  const canCompare = compareFrom !== null && compareTo !== null && compareFrom !== compareTo;

  if (!loaded) {
    return error ? (
      <p className="error-text" role="alert">
        Could not list the versions: {error}
      </p>
    ) : (
      <p className="muted">Loading the versions…</p>
    );
  }
  if (versions.length === 0) return <p className="muted">No version recorded yet. Saving the policy records one.</p>;

  return (
    <form
      className="history"
      aria-label="Policy versions"
      onSubmit={(e) => {
        e.preventDefault();
        if (canCompare) h().setPane({ kind: 'versions', from: compareFrom, to: compareTo });
      }}
    >
      <div className="history-head">
        <p className="muted small">
          {versions.length === HISTORY_LIMIT ? `The newest ${HISTORY_LIMIT} versions` : `${versions.length} ${versions.length === 1 ? 'version' : 'versions'}`}, newest first. Open one to read it or load it as a draft; pick a
          “from” and a “to” to compare two.
        </p>
        <button type="submit" className="btn btn-primary" disabled={!canCompare} title={canCompare ? undefined : 'Pick two different versions'}>
          Compare selected
        </button>
      </div>
      {error && (
        <p className="error-text small" role="alert">
          Could not refresh the versions: {error}
        </p>
      )}
      <table className="table table-compact history-table" aria-busy={loading}>
        <caption className="visually-hidden">Recorded policy versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Version</th>
            <th scope="col">Recorded</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const short = shortHash(v.hash);
            return (
              <tr key={v.hash} className={v.hash === viewing ? 'is-current' : undefined} aria-current={v.hash === viewing ? 'true' : undefined}>
                <td className="pick">
                  <input type="radio" name="history-from" aria-label={`Compare from ${short}`} checked={compareFrom === v.hash} onChange={() => h().pickCompare('from', v.hash)} />
                </td>
                <td className="pick">
                  <input type="radio" name="history-to" aria-label={`Compare to ${short}`} checked={compareTo === v.hash} onChange={() => h().pickCompare('to', v.hash)} />
                </td>
                <td className="history-version">
                  <button type="button" className="link-button mono" aria-label={`View version ${short}`} title={v.hash} onClick={() => h().setPane({ kind: 'version', hash: v.hash })}>
                    {short}
                  </button>
                  {v.hash === activeHash && <span className="chip chip-ok">active</span>}
                  <span className="block muted small truncate" title={v.sourcePath ?? undefined}>
                    <span className="mono">{v.policyId}</span> · {v.sourcePath ?? 'no file'}
                  </span>
                </td>
                <td className="nowrap" title={formatTimestamp(v.createdAt)}>
                  {formatTimestamp(v.createdAt)}
                  <span className="block muted small">{formatAge(v.createdAt, now)}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </form>
  );
}
