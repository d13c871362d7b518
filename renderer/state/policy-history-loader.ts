import type { ConsoleApi } from '../../shared/ipc/contract.js';
import { useConsole } from './store.js';

/** How many versions the history lists (the newest); the contract allows up to 1,000. */
export const HISTORY_LIMIT = 200;

/** Fetches the recorded versions, newest first (replacing the list). */
export async function loadPolicyVersions(api: ConsoleApi): Promise<void> {
  useConsole.getState().policyHistory.setLoading();
  const res = await api['policy:versions']({ limit: HISTORY_LIMIT });
  const h = useConsole.getState().policyHistory;
  if (res.ok) h.setVersions(res.value);
  else h.setError(res.error.message);
}

/** Fetches a version's text unless it is already fetched or on its way. */
export async function loadVersionText(api: ConsoleApi, hash: string): Promise<void> {
  const known = useConsole.getState().policyHistory.texts[hash];
  if (known && known.state !== 'error') return;
  useConsole.getState().policyHistory.setText(hash, { state: 'loading' });
  const res = await api['policy:version']({ hash });
  useConsole.getState().policyHistory.setText(hash, res.ok ? { state: 'ready', text: res.value.text } : { state: 'error', message: res.error.message });
}
