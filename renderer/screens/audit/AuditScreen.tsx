import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../../api/api-context.js';
import { loadAuditFirstPage } from '../../state/audit-loader.js';
import { useConsole } from '../../state/store.js';
import { AuditDetailPane } from './AuditDetailPane.js';
import { AuditFilters } from './AuditFilters.js';
import { AuditList } from './AuditList.js';
import { ExportMenu } from './ExportMenu.js';
import { VerifyPanel } from './VerifyPanel.js';

/** How long filter typing must pause before the history is queried again. */
export const FILTER_DEBOUNCE_MS = 250;

/** Audit history: filtered, paged, with entry details, chain verification and export. */
export function AuditScreen() {
  const api = useApi();
  const { filter, entries, loading, loadError, head, hasMore } = useConsole(
    useShallow((s) => ({ filter: s.audit.filter, entries: s.audit.entries, loading: s.audit.loading, loadError: s.audit.loadError, head: s.audit.head, hasMore: s.audit.hasMore })),
  );
  const first = useRef(true);
  useEffect(() => {
    // The bindings load the first page at start; re-query only when the filter changes.
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => void loadAuditFirstPage(api), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [api, filter]);

  return (
    <div className="screen audit-screen">
      <header className="screen-head">
        <h2>Audit</h2>
        <span className="muted">
          {entries.length.toLocaleString()} shown{hasMore ? '+' : ''} · head #{head.toLocaleString()}
        </span>
        <span className="spacer" />
        <ExportMenu />
      </header>
      <VerifyPanel />
      <AuditFilters />
      {loadError && (
        <p className="banner banner-error" role="alert">
          Could not load the audit log: {loadError}
        </p>
      )}
      <div className="split">
        <AuditList entries={entries} loading={loading} hasMore={hasMore} />
        <AuditDetailPane />
      </div>
    </div>
  );
}
