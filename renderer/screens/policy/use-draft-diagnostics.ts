import { useEffect, useMemo, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { analyzeDraft, type DraftAnalysis } from '../../lib/policy-analysis.js';
import type { LocatedDiagnostic } from './cm-diagnostics.js';

/** How long typing must pause before a draft with `extends` is sent to `policy:check`. */
export const SERVER_CHECK_DELAY_MS = 400;

export interface DraftDiagnostics {
  analysis: DraftAnalysis;
  diagnostics: readonly LocatedDiagnostic[];
  /** Where the diagnostics come from, for the status line. */
  source: 'local' | 'server' | 'server-pending';
}

/**
 * Diagnostics for the draft: computed in the renderer with the shared engine on every keystroke;
 * when the draft has `extends`, from `policy:check` (the main side reads the parents) after a pause.
 */
export function useDraftDiagnostics(draft: string, file: string): DraftDiagnostics {
  const api = useApi();
  const analysis = useMemo(() => analyzeDraft(draft, file), [draft, file]);
  const [server, setServer] = useState<{ text: string; diagnostics: readonly LocatedDiagnostic[] } | null>(null);

  useEffect(() => {
    if (!analysis.hasExtends) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      const res = await api['policy:check']({ text: draft });
      if (cancelled) return;
      setServer({ text: draft, diagnostics: res.ok ? res.value.diagnostics : [{ severity: 'error', code: 'check-failed', message: `could not check the policy: ${res.error.message}` }] });
    }, SERVER_CHECK_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, draft, analysis.hasExtends]);

  if (!analysis.hasExtends) return { analysis, diagnostics: analysis.diagnostics, source: 'local' };
  if (server && server.text === draft) return { analysis, diagnostics: server.diagnostics, source: 'server' };
  // Until the main side answers, show what the renderer can tell (YAML and structure errors).
  return { analysis, diagnostics: analysis.diagnostics, source: 'server-pending' };
}
