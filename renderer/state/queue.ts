import type { ApprovalView } from '../../shared/ipc/contract.js';
import { rangeBetween } from '../lib/queue-order.js';
import type { GetConsole, SetConsole } from './store.js';

/** Pending approvals, the list cursor and the multi-selection. */
export interface QueueSlice {
  /** Pending rows by id; replaced on every change, never mutated. */
  pending: Readonly<Record<string, ApprovalView>>;
  loaded: boolean;
  cursorId: string | null;
  selected: ReadonlySet<string>;
  /**
   * Where a Shift range starts: the row of the last plain move, click or toggle. A range replaces
   * only what the previous range added, so Shift+click and Shift+arrows can grow and shrink it.
   */
  anchorId: string | null;
  /** The selection as it was when the anchor was set: ranges are added on top of it. */
  rangeBase: ReadonlySet<string>;
  /** Ids with a decision on the way, so their buttons cannot be pressed twice. */
  inFlight: ReadonlySet<string>;
  lastError: string | null;
  replaceAll: (rows: readonly ApprovalView[]) => void;
  /** Applies changed rows (as they are now); returns how many became newly pending. */
  applyChanged: (rows: readonly ApprovalView[]) => number;
  /** Moves the cursor (a plain move: the range anchor follows it). */
  setCursor: (id: string | null) => void;
  toggleSelected: (id: string) => void;
  setSelection: (ids: Iterable<string>) => void;
  /** Selects the rows from the anchor to `id` (in `order`) on top of the earlier selection and moves the cursor there. */
  extendSelectionTo: (id: string, order: readonly { id: string }[]) => void;
  setInFlight: (ids: readonly string[], on: boolean) => void;
  setError: (message: string | null) => void;
}

const withoutMissing = (set: ReadonlySet<string>, keep: Readonly<Record<string, unknown>>): ReadonlySet<string> => {
  let changed = false;
  for (const id of set) if (!(id in keep)) changed = true;
  return changed ? new Set([...set].filter((id) => id in keep)) : set;
};

export function createQueueSlice(set: SetConsole, get: GetConsole): QueueSlice {
  const patch = (p: Partial<QueueSlice>) => set((s) => ({ queue: { ...s.queue, ...p } }));
  return {
    pending: {},
    loaded: false,
    cursorId: null,
    selected: new Set(),
    anchorId: null,
    rangeBase: new Set(),
    inFlight: new Set(),
    lastError: null,
    replaceAll: (rows) => {
      const pending: Record<string, ApprovalView> = {};
      for (const r of rows) if (r.status === 'pending') pending[r.id] = r;
      const q = get().queue;
      patch({ pending, loaded: true, selected: withoutMissing(q.selected, pending), rangeBase: withoutMissing(q.rangeBase, pending), cursorId: q.cursorId && q.cursorId in pending ? q.cursorId : null });
    },
    applyChanged: (rows) => {
      const q = get().queue;
      const pending: Record<string, ApprovalView> = { ...q.pending };
      let added = 0;
      for (const r of rows) {
        if (r.status === 'pending') {
          if (!(r.id in pending)) added++;
          pending[r.id] = r;
        } else delete pending[r.id];
      }
      patch({ pending, selected: withoutMissing(q.selected, pending), rangeBase: withoutMissing(q.rangeBase, pending), cursorId: q.cursorId && q.cursorId in pending ? q.cursorId : null });
      return added;
    },
    setCursor: (cursorId) => patch({ cursorId, anchorId: cursorId, rangeBase: get().queue.selected }),
    toggleSelected: (id) => {
      const next = new Set(get().queue.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      patch({ selected: next, anchorId: id, rangeBase: next });
    },
    setSelection: (ids) => {
      const selected = new Set(ids);
      patch({ selected, rangeBase: selected });
    },
    extendSelectionTo: (id, order) => {
      const q = get().queue;
      const anchor = q.anchorId !== null && q.anchorId in q.pending ? q.anchorId : (q.cursorId ?? order[0]?.id ?? id);
      const range = rangeBetween(order, anchor, id);
      if (range.length === 0) return;
      const selected = new Set(q.rangeBase);
      for (const r of range) selected.add(r);
      // Ids in the base that have left the queue since must not come back.
      patch({ selected: withoutMissing(selected, q.pending), anchorId: anchor, cursorId: id });
    },
    setInFlight: (ids, on) => {
      const next = new Set(get().queue.inFlight);
      for (const id of ids) if (on) next.add(id);
      else next.delete(id);
      patch({ inFlight: next });
    },
    setError: (lastError) => patch({ lastError }),
  };
}
