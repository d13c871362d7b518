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
  /** The version the draft was started from; saving sends it, so a change made elsewhere is a conflict, not lost. */
  draftBaseHash: string | null;
  /** The recorded version the draft was loaded from (history's "load as draft"); null for drafts edited from the active one. */
  draftFrom: string | null;
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
  /** Replaces the draft with a recorded version's text; it is saved (and so activated) only through the normal save. */
  loadDraftFrom: (p: { text: string; hash: string }) => void;
  discard: () => void;
  /** After a save: the draft is now the active version. */
  markSaved: (p: { path: string; text: string; hash: string }) => void;
  /** Keeps the draft after reviewing a change made elsewhere: it will replace that newer version. */
  rebaseDraft: () => void;
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
    draftBaseHash: null,
    draftFrom: null,
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
      if (dirty) patch({ loaded: true, path, activeText: text, activeHash: hash, activeChangedElsewhere: p.activeChangedElsewhere || hash !== p.draftBaseHash });
      else patch({ loaded: true, path, activeText: text, activeHash: hash, draft: text, draftBaseHash: hash, draftFrom: null, activeChangedElsewhere: false });
    },
    setDraft: (draft) => patch({ draft }),
    // The base stays the version the draft started from: a change made elsewhere still conflicts on save.
    loadDraftFrom: ({ text, hash }) => patch({ draft: text, draftFrom: hash, saveError: null }),
    discard: () => patch({ draft: get().policyEditor.activeText, draftBaseHash: get().policyEditor.activeHash, draftFrom: null, activeChangedElsewhere: false, saveError: null }),
    markSaved: ({ path, text, hash }) => patch({ path, activeText: text, activeHash: hash, draftBaseHash: hash, draftFrom: null, activeChangedElsewhere: false, saveError: null }),
    rebaseDraft: () => patch({ draftBaseHash: get().policyEditor.activeHash, activeChangedElsewhere: false, saveError: null }),
    setServerDiagnostics: (serverDiagnostics) => patch({ serverDiagnostics }),
    setTryEvent: (t) => patch({ tryEvent: { ...get().policyEditor.tryEvent, ...t } }),
    setReplay: (r) => patch({ replay: { ...get().policyEditor.replay, ...r } }),
    setSaving: (saving, saveError = null) => patch({ saving, saveError }),
  };
}
