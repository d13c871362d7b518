import { create } from 'zustand';
import { createAuditSlice, type AuditSlice } from './audit.js';
import { createGrantsSlice, type GrantsSlice } from './grants.js';
import { createPolicyEditorSlice, type PolicyEditorSlice } from './policy-editor.js';
import { createPolicyHistorySlice, type PolicyHistorySlice } from './policy-history.js';
import { createQueueSlice, type QueueSlice } from './queue.js';
import { createUiSlice, type UiSlice } from './ui.js';

/** The console's whole state: one store, one typed slice per feature. */
export interface ConsoleState {
  queue: QueueSlice;
  grants: GrantsSlice;
  policyEditor: PolicyEditorSlice;
  policyHistory: PolicyHistorySlice;
  audit: AuditSlice;
  ui: UiSlice;
}

export type SetConsole = (update: (s: ConsoleState) => Partial<ConsoleState>) => void;
export type GetConsole = () => ConsoleState;

/** The store. Components select narrowly from it (with `useShallow` for several fields). */
export const useConsole = create<ConsoleState>()((set, get) => ({
  queue: createQueueSlice(set, get),
  grants: createGrantsSlice(set, get),
  policyEditor: createPolicyEditorSlice(set, get),
  policyHistory: createPolicyHistorySlice(set, get),
  audit: createAuditSlice(set, get),
  ui: createUiSlice(set, get),
}));

/** Back to the initial state (tests call it between cases). */
export function resetConsoleStore(): void {
  useConsole.setState(useConsole.getInitialState(), true);
}
