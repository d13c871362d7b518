import type { AuditEntryView, ResponseOf } from '../../shared/ipc/contract.js';
import type { GetConsole, SetConsole } from './store.js';

/** Filters as the user typed them; empty strings mean "any". Times are `datetime-local` text. */
export interface AuditFilter {
  actor: string;
  capability: string;
  decision: string;
  since: string;
  until: string;
  text: string;
}

export type VerifyResult = ResponseOf<'audit:verify'>;
export type AuditDetail = ResponseOf<'audit:entry'>;

/** Audit history (newest first, paged back), the selected entry and chain verification. */
export interface AuditSlice {
  entries: readonly AuditEntryView[];
  head: number;
  filter: AuditFilter;
  loading: boolean;
  /** False once a page came back shorter than asked: nothing older matches. */
  hasMore: boolean;
  loadError: string | null;
  selectedSeq: number | null;
  detail: AuditDetail | null;
  verify: { running: boolean; done: number; total: number; result: VerifyResult | null; path: string | null; error: string | null };
  setFilter: (patch: Partial<AuditFilter>) => void;
  replaceEntries: (entries: readonly AuditEntryView[], head: number, hasMore: boolean) => void;
  appendOlder: (entries: readonly AuditEntryView[], head: number, hasMore: boolean) => void;
  prependNewer: (entries: readonly AuditEntryView[], head: number) => void;
  setHead: (head: number) => void;
  setLoading: (loading: boolean, error?: string | null) => void;
  select: (seq: number | null) => void;
  setDetail: (detail: AuditDetail | null) => void;
  setVerify: (patch: Partial<AuditSlice['verify']>) => void;
}

export const emptyAuditFilter: AuditFilter = { actor: '', capability: '', decision: '', since: '', until: '', text: '' };

export function createAuditSlice(set: SetConsole, get: GetConsole): AuditSlice {
  const patch = (p: Partial<AuditSlice>) => set((s) => ({ audit: { ...s.audit, ...p } }));
  return {
    entries: [],
    head: 0,
    filter: emptyAuditFilter,
    loading: false,
    hasMore: true,
    loadError: null,
    selectedSeq: null,
    detail: null,
    verify: { running: false, done: 0, total: 0, result: null, path: null, error: null },
    setFilter: (f) => patch({ filter: { ...get().audit.filter, ...f } }),
    replaceEntries: (entries, head, hasMore) => patch({ entries, head, hasMore, loadError: null }),
    appendOlder: (older, head, hasMore) => {
      const last = get().audit.entries.at(-1)?.seq ?? Infinity;
      // Pages can overlap when entries arrive between requests; keep seq strictly descending.
      patch({ entries: [...get().audit.entries, ...older.filter((e) => e.seq < last)], head, hasMore });
    },
    prependNewer: (newer, head) => {
      const top = get().audit.entries[0]?.seq ?? -Infinity;
      const fresh = newer.filter((e) => e.seq > top);
      patch({ entries: fresh.length > 0 ? [...fresh, ...get().audit.entries] : get().audit.entries, head });
    },
    setHead: (head) => patch({ head }),
    setLoading: (loading, loadError = null) => patch({ loading, loadError }),
    select: (selectedSeq) => patch({ selectedSeq, detail: get().audit.detail?.entry.seq === selectedSeq ? get().audit.detail : null }),
    setDetail: (detail) => patch({ detail }),
    setVerify: (v) => patch({ verify: { ...get().audit.verify, ...v } }),
  };
}

/** Converts the filter the user typed into an `audit:query` filter (seconds, trimmed, empties dropped). */
export function toQueryFilter(f: AuditFilter): { actor?: string; capability?: string; decision?: string; since?: number; until?: number; text?: string } {
  const out: { actor?: string; capability?: string; decision?: string; since?: number; until?: number; text?: string } = {};
  if (f.actor.trim()) out.actor = f.actor.trim();
  if (f.capability.trim()) out.capability = f.capability.trim();
  if (f.decision) out.decision = f.decision;
  if (f.text.trim()) out.text = f.text.trim();
  const since = f.since ? Date.parse(f.since) : NaN;
  const until = f.until ? Date.parse(f.until) : NaN;
  if (Number.isFinite(since)) out.since = since / 1000;
  if (Number.isFinite(until)) out.until = until / 1000;
  return out;
}
