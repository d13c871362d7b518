import type { DiagnosticView, ResponseOf } from '../../shared/ipc/contract.js';
import type { GetConsole, SetConsole } from './store.js';

/** The "try an event" inputs, kept as typed text so half-written JSON survives. */
export interface TryEventInput {
  capability: string;
  actor: string;
  environment: string;
  payload: string;
}

export type ReplayResult = ResponseOf<'policy:replay'>;

/** The active policy, the draft being edited, and the results computed for the draft. */
export interface PolicyEditorSlice {
  loaded: boolean;
  path: string | null;
  activeText: string;
  activeHash: string | null;
  draft: string;
  /** The active policy changed elsewhere while this draft had edits. */
  activeChangedElsewhere: boolean;
  /** Diagnostics from `policy:check` (used when the draft has `extends`); null when not asked. */
  serverDiagnostics: readonly DiagnosticView[] | null;
  tryEvent: TryEventInput;
  replay: { running: boolean; result: ReplayResult | null; error: string | null; sourceLabel: string };
  saving: boolean;
  saveError: string | null;
  loadActive: (p: { path: string | null; text: string; hash: string | null }) => void;
  setDraft: (text: string) => void;
  discard: () => void;
  setServerDiagnostics: (d: readonly DiagnosticView[] | null) => void;
  setTryEvent: (patch: Partial<TryEventInput>) => void;
  setReplay: (patch: Partial<PolicyEditorSlice['replay']>) => void;
  setSaving: (saving: boolean, error?: string | null) => void;
}

export function createPolicyEditorSlice(set: SetConsole, get: GetConsole): PolicyEditorSlice {
  const patch = (p: Partial<PolicyEditorSlice>) => set((s) => ({ policyEditor: { ...s.policyEditor, ...p } }));
  return {
    loaded: false,
    path: null,
    activeText: '',
    activeHash: null,
    draft: '',
    activeChangedElsewhere: false,
    serverDiagnostics: null,
    tryEvent: { capability: 'payment.transfer', actor: 'agent-1', environment: 'production', payload: '{\n  "amount": 5000\n}' },
    replay: { running: false, result: null, error: null, sourceLabel: '' },
    saving: false,
    saveError: null,
    loadActive: ({ path, text, hash }) => {
      const p = get().policyEditor;
      const dirty = p.loaded && p.draft !== p.activeText;
      // A draft with edits is never overwritten by a change made elsewhere: the user is told instead.
      patch({ loaded: true, path, activeText: text, activeHash: hash, draft: dirty ? p.draft : text, activeChangedElsewhere: dirty && hash !== p.activeHash });
    },
    setDraft: (draft) => patch({ draft }),
    discard: () => patch({ draft: get().policyEditor.activeText, activeChangedElsewhere: false, saveError: null }),
    setServerDiagnostics: (serverDiagnostics) => patch({ serverDiagnostics }),
    setTryEvent: (t) => patch({ tryEvent: { ...get().policyEditor.tryEvent, ...t } }),
    setReplay: (r) => patch({ replay: { ...get().policyEditor.replay, ...r } }),
    setSaving: (saving, saveError = null) => patch({ saving, saveError }),
  };
}
