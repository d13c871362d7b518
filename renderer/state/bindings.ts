import type { ConsoleApi } from '../../shared/ipc/contract.js';
import { loadAuditFirstPage, loadNewerAudit } from './audit-loader.js';
import { loadPolicyVersions } from './policy-history-loader.js';
import { useConsole } from './store.js';

/** Fetches the pending queue (replacing it). */
export async function loadApprovals(api: ConsoleApi): Promise<void> {
  const res = await api['approvals:list']({ status: 'pending', limit: 100_000 });
  const q = useConsole.getState().queue;
  if (res.ok) {
    q.replaceAll(res.value);
    q.setError(null);
  } else q.setError(res.error.message);
}

/** Fetches active grants (replacing them). */
export async function loadGrants(api: ConsoleApi): Promise<void> {
  const res = await api['grants:list']({ activeOnly: true });
  const g = useConsole.getState().grants;
  if (res.ok) {
    g.replaceAll(res.value);
    g.setError(null);
  } else g.setError(res.error.message);
}

/** Fetches the active policy; a draft with edits is kept (see `loadActive`). */
export async function loadPolicy(api: ConsoleApi): Promise<void> {
  const res = await api['policy:get']({});
  if (res.ok) useConsole.getState().policyEditor.loadActive(res.value);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Connects the store to the main side: loads every slice once, then follows pushed events. The one
 * place events enter the renderer; components never subscribe themselves. Returns the unsubscribe.
 */
export function bindConsole(api: ConsoleApi): () => void {
  const offs = [
    api.on('approvals:changed', ({ approvals }) => {
      const added = useConsole.getState().queue.applyChanged(approvals);
      if (added > 0) {
        const total = Object.keys(useConsole.getState().queue.pending).length;
        useConsole.getState().ui.announce(`${plural(added, 'new approval request', 'new approval requests')}; ${total} pending`);
      }
    }),
    api.on('grants:changed', ({ grants }) => useConsole.getState().grants.applyChanged(grants)),
    api.on('audit:appended', ({ head }) => void loadNewerAudit(api, head)),
    api.on('policy:changed', () => {
      void loadPolicy(api);
      // A save anywhere records a version: a history already on screen shows it at once.
      if (useConsole.getState().policyHistory.loaded) void loadPolicyVersions(api);
    }),
    api.on('audit:verifyProgress', ({ done, total }) => useConsole.getState().audit.setVerify({ done, total })),
  ];
  void (async () => {
    const info = await api['session:info']({});
    const ui = useConsole.getState().ui;
    if (info.ok) {
      ui.setSession(info.value);
      ui.setConnection('connected');
    } else ui.setConnection('disconnected');
    await Promise.all([loadApprovals(api), loadGrants(api), loadPolicy(api), loadAuditFirstPage(api)]);
  })();
  return () => offs.forEach((off) => off());
}
