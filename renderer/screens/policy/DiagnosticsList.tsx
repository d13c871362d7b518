import type { LocatedDiagnostic } from './cm-diagnostics.js';

/** The draft's diagnostics as a list; clicking one moves the editor to it. */
export function DiagnosticsList({ diagnostics, source, onPick }: { diagnostics: readonly LocatedDiagnostic[]; source: 'local' | 'server' | 'server-pending'; onPick: (line: number, column: number) => void }) {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const from = source === 'local' ? 'checked as you type' : source === 'server' ? 'checked with its `extends` parents' : 'checking `extends` parents…';
  return (
    <div className="diagnostics" aria-live="polite">
      <div className="diagnostics-summary">
        {errors === 0 && warnings === 0 ? (
          <span className="ok-text">✓ Valid policy</span>
        ) : (
          <>
            {errors > 0 && <span className="error-text">{errors} error{errors === 1 ? '' : 's'}</span>}
            {warnings > 0 && <span className="warn-text">{warnings} warning{warnings === 1 ? '' : 's'}</span>}
          </>
        )}
        <span className="muted small">{from}</span>
      </div>
      {diagnostics.length > 0 && (
        <ul className="diagnostic-list">
          {diagnostics.map((d, i) => (
            <li key={i}>
              <button type="button" className={`diagnostic diagnostic-${d.severity}`} onClick={() => d.location && onPick(d.location.line, d.location.column)}>
                <span className="diag-where mono">{d.location ? `${d.location.line}:${d.location.column}` : '—'}</span>
                <span className="diag-sev">{d.severity}</span>
                <span className="diag-msg">
                  <Ticks text={d.message} />
                  {d.hint && (
                    <span className="diag-hint">
                      help: <Ticks text={d.hint} />
                    </span>
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Renders the engine's `backticked` input as code. */
export function Ticks({ text }: { text: string }) {
  const parts = text.split('`');
  return (
    <>
      {parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : <span key={i}>{p}</span>))}
    </>
  );
}
