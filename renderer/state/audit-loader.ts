import type { ConsoleApi } from '../../shared/ipc/contract.js';
import { toQueryFilter } from './audit.js';
import { useConsole } from './store.js';

/** Entries asked per page: a few screens' worth, small enough to answer instantly. */
export const AUDIT_PAGE = 200;

let generation = 0;

/** Loads the newest page for the current filter, replacing the list (a newer call wins over an older one). */
export async function loadAuditFirstPage(api: ConsoleApi): Promise<void> {
  const mine = ++generation;
  const a = useConsole.getState().audit;
  a.setLoading(true);
  const res = await api['audit:query']({ ...toQueryFilter(a.filter), limit: AUDIT_PAGE });
  if (mine !== generation) return;
  const now = useConsole.getState().audit;
  if (!res.ok) return now.setLoading(false, res.error.message);
  now.replaceEntries(res.value.entries, res.value.head, res.value.entries.length >= AUDIT_PAGE);
  now.setLoading(false);
}

/** Loads the page older than the last entry shown (scrolling down). */
export async function loadOlderAudit(api: ConsoleApi): Promise<void> {
  const a = useConsole.getState().audit;
  if (a.loading || !a.hasMore) return;
  const last = a.entries.at(-1);
  if (!last) return loadAuditFirstPage(api);
  const mine = generation;
  a.setLoading(true);
  const res = await api['audit:query']({ ...toQueryFilter(a.filter), beforeSeq: last.seq, limit: AUDIT_PAGE });
  const now = useConsole.getState().audit;
  if (mine !== generation) return;
  if (!res.ok) return now.setLoading(false, res.error.message);
  now.appendOlder(res.value.entries, res.value.head, res.value.entries.length >= AUDIT_PAGE);
  now.setLoading(false);
}

/** Fetches entries newer than the top one after `audit:appended`. */
export async function loadNewerAudit(api: ConsoleApi, head: number): Promise<void> {
  const a = useConsole.getState().audit;
  const top = a.entries[0]?.seq ?? 0;
  if (head <= top) return a.setHead(head);
  const mine = generation;
  const res = await api['audit:query']({ ...toQueryFilter(a.filter), limit: Math.min(5000, Math.max(1, head - top)) });
  if (mine !== generation || !res.ok) return;
  useConsole.getState().audit.prependNewer(res.value.entries, res.value.head);
}
