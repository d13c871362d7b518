import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { AuditEntryView } from '../../../shared/ipc/contract.js';
import { useApi } from '../../api/api-context.js';
import { formatTimestamp } from '../../lib/time.js';
import { loadOlderAudit } from '../../state/audit-loader.js';
import { useConsole } from '../../state/store.js';

export const AUDIT_ROW_HEIGHT = 50;
/** Rows from the end at which the next page is fetched, so scrolling rarely waits. */
const PREFETCH_ROWS = 40;

export const auditRowId = (seq: number) => `audit-${seq}`;

/** The audit history, newest first, virtualized; scrolling near the end loads older entries. */
export function AuditList({ entries, loading, hasMore }: { entries: readonly AuditEntryView[]; loading: boolean; hasMore: boolean }) {
  const api = useApi();
  const selectedSeq = useConsole((s) => s.audit.selectedSeq);
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => AUDIT_ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => entries[i]?.seq ?? i,
    initialRect: { width: 600, height: 800 },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && !loading && entries.length > 0 && lastVisible >= entries.length - PREFETCH_ROWS) void loadOlderAudit(api);
  }, [api, lastVisible, entries.length, hasMore, loading]);

  const selectedIndex = selectedSeq === null ? -1 : entries.findIndex((e) => e.seq === selectedSeq);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const select = (seq: number) => useConsole.getState().audit.select(seq);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'j' && e.key !== 'k') return;
    e.preventDefault();
    const delta = e.key === 'ArrowDown' || e.key === 'j' ? 1 : -1;
    const next = entries[Math.min(entries.length - 1, Math.max(0, (selectedIndex < 0 ? -1 : selectedIndex) + delta))];
    if (next) select(next.seq);
  };

  if (entries.length === 0) {
    return (
      <div className="audit-list empty-inline">
        <p className="muted">{loading ? 'Loading…' : 'No audit entries match.'}</p>
      </div>
    );
  }
  return (
    <div
      ref={scrollRef}
      className="audit-list"
      role="listbox"
      tabIndex={0}
      aria-label="Audit entries, newest first"
      onKeyDown={onKey}
      {...(selectedSeq !== null && selectedIndex >= 0 ? { 'aria-activedescendant': auditRowId(selectedSeq) } : {})}
    >
      <div style={{ height: virtualizer.getTotalSize() + (hasMore ? AUDIT_ROW_HEIGHT : 0), position: 'relative' }}>
        {items.map((item) => {
          const e = entries[item.index];
          if (!e) return null;
          const selected = e.seq === selectedSeq;
          return (
            <div key={e.seq} id={auditRowId(e.seq)} role="option" aria-selected={selected} className={`audit-row${selected ? ' is-current' : ''}`} style={{ transform: `translateY(${item.start}px)`, height: AUDIT_ROW_HEIGHT }} onClick={() => select(e.seq)}>
              <span className={`verdict verdict-${e.decision}`}>{e.decision === 'require_approval' ? 'approval' : e.decision}</span>
              <div className="audit-row-main">
                <div className="audit-row-line">
                  <span className="mono cap truncate">{e.capability}</span>
                  <span className="muted small time">{formatTimestamp(e.at)}</span>
                </div>
                <div className="audit-row-line muted small">
                  <span className="truncate">
                    {e.actor} · <span className="mono">{e.tool}</span>
                    {e.kind !== 'decision' ? ` · ${e.kind}` : ''}
                  </span>
                  <span className="mono seq">#{e.seq}</span>
                </div>
              </div>
            </div>
          );
        })}
        {hasMore && (
          <div className="audit-more muted small" style={{ transform: `translateY(${virtualizer.getTotalSize()}px)` }}>
            {loading ? 'Loading older entries…' : 'Scroll for older entries'}
          </div>
        )}
      </div>
    </div>
  );
}
