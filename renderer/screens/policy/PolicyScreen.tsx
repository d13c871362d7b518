import { useCallback, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../../api/api-context.js';
import { addRule, moveRule, readRuleTable, removeRule, updateRule } from '../../lib/policy-doc.js';
import { useConsole } from '../../state/store.js';
import { CompareView } from './CompareView.js';
import { DiagnosticsList } from './DiagnosticsList.js';
import { HistoryPanel } from './HistoryPanel.js';
import { PolicyCodeEditor } from './PolicyCodeEditor.js';
import { ReplayPanel } from './ReplayPanel.js';
import { RuleTable } from './RuleTable.js';
import { TryEventPanel } from './TryEventPanel.js';
import { useDraftDiagnostics } from './use-draft-diagnostics.js';
import { shortHash } from './use-version-text.js';
import { VersionsCompare, VersionView } from './VersionView.js';

type Tab = 'rules' | 'try' | 'replay' | 'history';
const TABS: { id: Tab; label: string }[] = [
  { id: 'rules', label: 'Rules' },
  { id: 'try', label: 'Try an event' },
  { id: 'replay', label: 'Replay' },
  { id: 'history', label: 'History' },
];

/** The policy editor: YAML text and a rule table kept in sync, with live checks, tries and replays. */
export function PolicyScreen() {
  const api = useApi();
  const { loaded, path, activeText, activeHash, draft, draftFrom, activeChangedElsewhere, saving, saveError, pane } = useConsole(
    useShallow((s) => ({ loaded: s.policyEditor.loaded, path: s.policyEditor.path, activeText: s.policyEditor.activeText, activeHash: s.policyEditor.activeHash, draft: s.policyEditor.draft, draftFrom: s.policyEditor.draftFrom, activeChangedElsewhere: s.policyEditor.activeChangedElsewhere, saving: s.policyEditor.saving, saveError: s.policyEditor.saveError, pane: s.policyHistory.pane })),
  );
  const file = path ?? 'policy.yaml';
  const { analysis, diagnostics, source } = useDraftDiagnostics(draft, file);
  const table = useMemo(() => readRuleTable(draft), [draft]);
  const [tab, setTab] = useState<Tab>('rules');
  const setPane = useConsole((s) => s.policyHistory.setPane);
  const comparing = pane.kind === 'draft-vs-active';
  const [goTo, setGoTo] = useState<{ line: number; column: number; nonce: number } | null>(null);
  const [tableError, setTableError] = useState<string | null>(null);
  const dirty = draft !== activeText;
  const hasErrors = diagnostics.some((d) => d.severity === 'error');

  const setDraft = useConsole((s) => s.policyEditor.setDraft);
  const editText = useCallback(
    (fn: (text: string) => string) => {
      try {
        setDraft(fn(useConsole.getState().policyEditor.draft));
        setTableError(null);
      } catch (e) {
        setTableError(e instanceof Error ? e.message : String(e));
      }
    },
    [setDraft],
  );
  const jump = useCallback(
    (line: number, column = 1) => {
      setPane({ kind: 'editor' });
      setGoTo({ line, column, nonce: Date.now() });
    },
    [setPane],
  );

  const save = async () => {
    const pe = useConsole.getState().policyEditor;
    pe.setSaving(true);
    const text = pe.draft;
    const res = await api['policy:save']({ text, baseHash: pe.draftBaseHash });
    if (!res.ok) {
      const why = res.error.code === 'CONFLICT' ? 'the active policy changed since you opened it; compare, then save again' : res.error.message;
      return useConsole.getState().policyEditor.setSaving(false, why);
    }
    useConsole.getState().policyEditor.setSaving(false);
    useConsole.getState().policyEditor.markSaved({ path: res.value.path, text, hash: res.value.hash });
    useConsole.getState().ui.announce(`Policy saved as version ${res.value.hash.slice(0, 12)}`);
  };

  if (!loaded) return <div className="screen"><p className="muted">Loading the policy…</p></div>;

  return (
    <div className="screen policy-screen">
      <header className="screen-head">
        <h2>Policy</h2>
        <span className="mono muted truncate" title={path ?? ''}>{path ?? 'no policy file'}</span>
        {activeHash && <span className="chip mono" title={activeHash}>active {activeHash.slice(0, 10)}</span>}
        {dirty && <span className="chip chip-warn">unsaved draft</span>}
        {dirty && draftFrom && (
          <span className="chip mono" title={draftFrom}>
            from {shortHash(draftFrom)}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="btn" aria-pressed={comparing} onClick={() => setPane({ kind: comparing ? 'editor' : 'draft-vs-active' })}>
          {comparing ? 'Back to editor' : 'Compare with active'}
        </button>
        <button type="button" className="btn" disabled={!dirty || saving} onClick={() => useConsole.getState().policyEditor.discard()}>
          Discard
        </button>
        <button type="button" className="btn btn-primary" disabled={!dirty || saving || hasErrors} onClick={() => void save()} title={hasErrors ? 'Fix the errors before saving' : undefined}>
          {saving ? 'Saving…' : 'Save new version'}
        </button>
      </header>
      {activeChangedElsewhere && (
        <div className="banner banner-warn banner-row" role="status">
          <span>The active policy was changed elsewhere while you edited. Compare your draft with it, then keep your draft or discard it to load the new version.</span>
          <button type="button" className="btn btn-small" onClick={() => setPane({ kind: 'draft-vs-active' })}>
            Compare
          </button>
          <button type="button" className="btn btn-small" onClick={() => useConsole.getState().policyEditor.rebaseDraft()}>
            Keep my draft
          </button>
        </div>
      )}
      {saveError && (
        <p className="banner banner-error" role="alert">
          Not saved: {saveError}
        </p>
      )}
      <div className="policy-grid">
        <div className="policy-text">
          {pane.kind === 'draft-vs-active' && <CompareView before={activeText} after={draft} label="Changes from the active policy" against="against the active version" same="The draft is the same as the active policy." />}
          {pane.kind === 'version' && <VersionView key={pane.hash} hash={pane.hash} />}
          {pane.kind === 'versions' && <VersionsCompare from={pane.from} to={pane.to} />}
          {pane.kind === 'editor' && <PolicyCodeEditor value={draft} onChange={setDraft} diagnostics={diagnostics} file={file} goTo={goTo} />}
          {/* The diagnostics are the draft's: beside a recorded version they would seem to judge it. */}
          {(pane.kind === 'editor' || pane.kind === 'draft-vs-active') && <DiagnosticsList diagnostics={diagnostics} source={source} onPick={jump} />}
        </div>
        <div className="policy-side">
          <div role="tablist" aria-label="Policy tools" className="tabs">
            {TABS.map((t) => (
              <button key={t.id} id={`tab-${t.id}`} role="tab" type="button" aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} tabIndex={tab === t.id ? 0 : -1} className="tab" onClick={() => setTab(t.id)}
                onKeyDown={(e) => {
                  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                  const i = TABS.findIndex((x) => x.id === tab);
                  const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
                  setTab(next.id);
                  document.getElementById(`tab-${next.id}`)?.focus();
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
            {tab === 'rules' && (
              <>
                {tableError && <p className="error-text small" role="alert">{tableError}</p>}
                <RuleTable
                  table={table}
                  onAdd={(r) => editText((t) => addRule(t, r))}
                  onUpdate={(at, r) => editText((t) => updateRule(t, at, r))}
                  onRemove={(at) => editText((t) => removeRule(t, at))}
                  onMove={(at, d) => editText((t) => moveRule(t, at, d))}
                  onGoTo={(line) => jump(line)}
                  diagnostics={diagnostics}
                  file={file}
                />
              </>
            )}
            {tab === 'try' && <TryEventPanel policy={analysis.policy} hasExtends={analysis.hasExtends} />}
            {tab === 'replay' && <ReplayPanel draft={draft} canRun={!hasErrors} />}
            {tab === 'history' && <HistoryPanel />}
          </div>
        </div>
      </div>
    </div>
  );
}
