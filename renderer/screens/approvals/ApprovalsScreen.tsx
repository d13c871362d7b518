import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isEditableTarget } from '../../components/keyboard.js';
import { moveCursor, sortPending } from '../../lib/queue-order.js';
import { useConsole } from '../../state/store.js';
import { ApprovalDetail } from './ApprovalDetail.js';
import { BatchBar } from './BatchBar.js';
import { EmptyQueue } from './EmptyQueue.js';
import { QueueList } from './QueueList.js';
import { effectiveCursor, useDecisions } from './use-decisions.js';

/** The approval queue: a keyboard-first list of pending requests beside the one under the cursor. */
export function ApprovalsScreen() {
  const { pending, loaded, cursorId, selected, inFlight, lastError } = useConsole(
    useShallow((s) => ({ pending: s.queue.pending, loaded: s.queue.loaded, cursorId: s.queue.cursorId, selected: s.queue.selected, inFlight: s.queue.inFlight, lastError: s.queue.lastError })),
  );
  const order = useMemo(() => sortPending(pending), [pending]);
  const current = effectiveCursor(order, cursorId);
  const { approve, deny } = useDecisions();
  const [editing, setEditing] = useState(false);
  const listRef = useRef<HTMLDivElement | null>(null);
  const denyReasonRef = useRef<HTMLInputElement | null>(null);
  const batchReasonRef = useRef<HTMLInputElement | null>(null);
  const detailHeadingRef = useRef<HTMLHeadingElement | null>(null);

  // Editing belongs to one request: moving the cursor leaves the editor.
  useEffect(() => setEditing(false), [current?.id]);

  const pick = useCallback((id: string) => {
    useConsole.getState().queue.setCursor(id);
    listRef.current?.focus();
  }, []);
  const toggle = useCallback((id: string) => useConsole.getState().queue.toggleSelected(id), []);
  const extend = useCallback(
    (id: string) => {
      useConsole.getState().queue.extendSelectionTo(id, order);
      listRef.current?.focus();
    },
    [order],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isEditableTarget(e.target)) return;
      const q = useConsole.getState().queue;
      const cur = effectiveCursor(order, q.cursorId);
      const isButton = e.target instanceof HTMLElement && e.target.closest('button, a, select, summary');
      const key = e.key;
      const act = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      if (e.shiftKey && (key === 'ArrowDown' || key === 'ArrowUp' || key === 'J' || key === 'K')) {
        const to = moveCursor(order, cur?.id ?? null, key === 'ArrowDown' || key === 'J' ? 1 : -1);
        return to ? act(() => q.extendSelectionTo(to, order)) : undefined;
      }
      switch (key) {
        case 'j':
        case 'ArrowDown':
          return act(() => q.setCursor(moveCursor(order, cur?.id ?? null, 1)));
        case 'k':
        case 'ArrowUp':
          return act(() => q.setCursor(moveCursor(order, cur?.id ?? null, -1)));
        case 'Home':
          return act(() => q.setCursor(order[0]?.id ?? null));
        case 'End':
          return act(() => q.setCursor(order.at(-1)?.id ?? null));
        case 'a':
          return cur ? act(() => void approve([cur.id])) : undefined;
        case 'd':
          return cur ? act(() => denyReasonRef.current?.focus()) : undefined;
        case 'e':
          return cur ? act(() => setEditing(true)) : undefined;
        case 'x':
        case ' ':
          if (key === ' ' && isButton) return;
          return cur ? act(() => q.toggleSelected(cur.id)) : undefined;
        case 'Enter':
          if (isButton) return;
          return cur ? act(() => detailHeadingRef.current?.focus()) : undefined;
        case 'A':
          return q.selected.size > 0 ? act(() => void approve([...q.selected])) : undefined;
        case 'D':
          return q.selected.size > 0 ? act(() => batchReasonRef.current?.focus()) : undefined;
        case 'Escape':
          if (q.selected.size > 0) return act(() => q.setSelection([]));
          return;
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [order, approve]);

  if (loaded && order.length === 0) return <EmptyQueue error={lastError} />;

  return (
    <div className="screen queue-screen">
      <header className="screen-head">
        <h2>Approvals</h2>
        <span className="muted">{loaded ? `${order.length.toLocaleString()} pending · riskiest first, then oldest` : 'Loading…'}</span>
        <span className="spacer" />
        <span className="muted small hint-keys">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>Shift</kbd>+click range · <kbd>?</kbd> shortcuts
        </span>
      </header>
      {lastError && (
        <p className="banner banner-error" role="alert">
          {lastError}
        </p>
      )}
      {selected.size > 0 && (
        <BatchBar count={selected.size} reasonRef={batchReasonRef} onApprove={() => void approve([...selected])} onDeny={(r) => void deny([...selected], r)} onClear={() => useConsole.getState().queue.setSelection([])} onSelectAll={() => useConsole.getState().queue.setSelection(order.map((a) => a.id))} />
      )}
      <div className="split">
        <QueueList order={order} cursorId={current?.id ?? null} selected={selected} inFlight={inFlight} onPick={pick} onToggle={toggle} onExtend={extend} listRef={listRef} />
        {current ? (
          <ApprovalDetail
            key={current.id}
            approval={current}
            busy={inFlight.has(current.id)}
            editing={editing}
            setEditing={setEditing}
            denyReasonRef={denyReasonRef}
            headingRef={detailHeadingRef}
            onApprove={(opts) => void approve([current.id], opts)}
            onDeny={(reason) => void deny([current.id], reason)}
          />
        ) : (
          <section className="detail muted">Loading requests…</section>
        )}
      </div>
    </div>
  );
}
