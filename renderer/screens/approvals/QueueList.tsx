import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import type { ApprovalView } from '../../../shared/ipc/contract.js';
import { useNow } from '../../components/use-now.js';
import { riskLevel } from '../../lib/queue-order.js';
import { formatAge, formatTimeLeft } from '../../lib/time.js';

/** Row height in pixels; fixed so 10,000 rows cost nothing to measure. */
export const QUEUE_ROW_HEIGHT = 60;

export const rowDomId = (id: string) => `request-${id}`;

interface QueueListProps {
  order: readonly ApprovalView[];
  cursorId: string | null;
  selected: ReadonlySet<string>;
  inFlight: ReadonlySet<string>;
  onPick: (id: string) => void;
  onToggle: (id: string) => void;
  /** Shift+click: selects every row from the range anchor to this one. */
  onExtend: (id: string) => void;
  listRef: React.RefObject<HTMLDivElement | null>;
}

/** The pending requests as a virtualized listbox: only the visible rows exist in the DOM. */
export function QueueList({ order, cursorId, selected, inFlight, onPick, onToggle, onExtend, listRef }: QueueListProps) {
  const virtualizer = useVirtualizer({
    count: order.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => QUEUE_ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => order[i]?.id ?? i,
    initialRect: { width: 400, height: 800 },
  });
  const cursorIndex = cursorId ? order.findIndex((a) => a.id === cursorId) : -1;
  const lastScrolled = useRef<number>(-1);
  useEffect(() => {
    if (cursorIndex >= 0 && cursorIndex !== lastScrolled.current) {
      lastScrolled.current = cursorIndex;
      virtualizer.scrollToIndex(cursorIndex, { align: 'auto' });
    }
  }, [cursorIndex, virtualizer]);

  return (
    <div
      ref={listRef}
      className="queue-list"
      role="listbox"
      tabIndex={0}
      aria-label={`Pending requests, ${order.length}`}
      aria-multiselectable="true"
      {...(cursorId ? { 'aria-activedescendant': rowDomId(cursorId) } : {})}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const a = order[item.index];
          if (!a) return null;
          return (
            <QueueRow
              key={a.id}
              approval={a}
              top={item.start}
              current={a.id === cursorId}
              checked={selected.has(a.id)}
              busy={inFlight.has(a.id)}
              onPick={onPick}
              onToggle={onToggle}
              onExtend={onExtend}
            />
          );
        })}
      </div>
    </div>
  );
}

interface QueueRowProps {
  approval: ApprovalView;
  top: number;
  current: boolean;
  checked: boolean;
  busy: boolean;
  onPick: (id: string) => void;
  onToggle: (id: string) => void;
  onExtend: (id: string) => void;
}

const QueueRow = memo(function QueueRow({ approval: a, top, current, checked, busy, onPick, onToggle, onExtend }: QueueRowProps) {
  const now = useNow();
  const level = riskLevel(a.risk);
  return (
    <div
      id={rowDomId(a.id)}
      role="option"
      aria-selected={checked}
      className={`queue-row${current ? ' is-current' : ''}${checked ? ' is-checked' : ''}${busy ? ' is-busy' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: QUEUE_ROW_HEIGHT }}
      // Shift+click would otherwise also select the text between the two rows.
      onMouseDown={(e) => e.shiftKey && e.preventDefault()}
      onClick={(e) => (e.shiftKey ? onExtend(a.id) : onPick(a.id))}
    >
      <span
        className={`check${checked ? ' is-on' : ''}`}
        aria-hidden="true"
        onClick={(e) => {
          e.stopPropagation();
          if (e.shiftKey) onExtend(a.id);
          else onToggle(a.id);
        }}
      />
      <div className="queue-row-main">
        <div className="queue-row-line">
          <span className={`risk risk-${level}`}>{level}</span>
          <span className="mono cap">{a.capability}</span>
          <span className="muted age">{formatAge(a.createdAt, now)}</span>
        </div>
        <div className="queue-row-line muted">
          <span className="truncate">
            {a.actor} · <span className="mono">{a.tool}</span>
          </span>
          <span className={`left${a.expiresAt !== null && a.expiresAt - now < 60 ? ' is-urgent' : ''}`}>{formatTimeLeft(a.expiresAt, now)}</span>
        </div>
      </div>
    </div>
  );
});
