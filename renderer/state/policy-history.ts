import type { PolicyVersionView } from '../../shared/ipc/contract.js';
import type { GetConsole, SetConsole } from './store.js';

/** What the policy screen's main pane shows. */
export type PolicyPane =
  | { kind: 'editor' }
  /** The draft against the active version. */
  | { kind: 'draft-vs-active' }
  /** One recorded version, read-only. */
  | { kind: 'version'; hash: string }
  /** Two recorded versions, the first as the base of the diff. */
  | { kind: 'versions'; from: string; to: string };

/** A version's text as fetched: a hash names one exact text, so a fetched text never goes stale. */
export type VersionText = { state: 'loading' } | { state: 'ready'; text: string } | { state: 'error'; message: string };

/** Every recorded policy version, the texts fetched so far, and the two picked for comparing. */
export interface PolicyHistorySlice {
  /** Newest first, as the store lists them. */
  versions: readonly PolicyVersionView[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  texts: Readonly<Record<string, VersionText>>;
  compareFrom: string | null;
  compareTo: string | null;
  pane: PolicyPane;
  setLoading: () => void;
  setVersions: (versions: readonly PolicyVersionView[]) => void;
  setError: (message: string) => void;
  setText: (hash: string, text: VersionText) => void;
  pickCompare: (side: 'from' | 'to', hash: string) => void;
  setPane: (pane: PolicyPane) => void;
}

const has = (versions: readonly PolicyVersionView[], hash: string | null) => hash !== null && versions.some((v) => v.hash === hash);

export function createPolicyHistorySlice(set: SetConsole, get: GetConsole): PolicyHistorySlice {
  const patch = (p: Partial<PolicyHistorySlice>) => set((s) => ({ policyHistory: { ...s.policyHistory, ...p } }));
  return {
    versions: [],
    loaded: false,
    loading: false,
    error: null,
    texts: {},
    compareFrom: null,
    compareTo: null,
    pane: { kind: 'editor' },
    setLoading: () => patch({ loading: true }),
    setVersions: (versions) => {
      const h = get().policyHistory;
      // Until the user picks, the pair is the latest change: the previous version against the newest.
      const keep = has(versions, h.compareFrom) && has(versions, h.compareTo);
      patch({
        versions,
        loaded: true,
        loading: false,
        error: null,
        compareFrom: keep ? h.compareFrom : (versions[1]?.hash ?? null),
        compareTo: keep ? h.compareTo : (versions[0]?.hash ?? null),
      });
    },
    setError: (error) => patch({ loading: false, error }),
    setText: (hash, text) => patch({ texts: { ...get().policyHistory.texts, [hash]: text } }),
    pickCompare: (side, hash) => patch(side === 'from' ? { compareFrom: hash } : { compareTo: hash }),
    setPane: (pane) => patch({ pane }),
  };
}
