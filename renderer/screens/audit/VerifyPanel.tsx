import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../../api/api-context.js';
import type { VerifyResult } from '../../state/audit.js';
import { useConsole } from '../../state/store.js';

const KIND_TEXT: Record<VerifyResult['errors'][number]['kind'], string> = {
  modified: 'modified',
  deleted: 'deleted',
  inserted: 'inserted',
  reordered: 'reordered',
  truncated_tail: 'truncated (entries missing at the end)',
  bad_signature: 'bad checkpoint signature',
  unknown_key: 'checkpoint signed by an unknown key',
  legacy: 'legacy format problem',
};

/** Chain verification: progress, a clear verdict naming the first broken entry, checkpoint status. */
export function VerifyPanel() {
  const api = useApi();
  const verify = useConsole(useShallow((s) => s.audit.verify));
  const [path, setPath] = useState('');
  const [showPath, setShowPath] = useState(false);
  const id = useId();

  const run = async (file: string | null) => {
    const a = useConsole.getState().audit;
    a.setVerify({ running: true, done: 0, total: 0, result: null, error: null, path: file });
    const res = await api['audit:verify'](file ? { path: file } : {});
    const now = useConsole.getState().audit;
    if (res.ok) {
      now.setVerify({ running: false, result: res.value });
      useConsole.getState().ui.announce(`Audit chain ${res.value.valid ? 'valid' : 'INVALID'}`);
    } else now.setVerify({ running: false, error: res.error.message });
  };

  const pct = verify.total > 0 ? Math.min(100, Math.round((verify.done / verify.total) * 100)) : 0;
  return (
    <section className="verify card" aria-label="Chain verification">
      <div className="verify-row">
        <button type="button" className="btn btn-primary" disabled={verify.running} onClick={() => void run(null)}>
          Verify chain
        </button>
        <button type="button" className="btn btn-quiet" aria-expanded={showPath} onClick={() => setShowPath((s) => !s)}>
          Verify another log file…
        </button>
        {verify.running && (
          <div className="progress-wrap">
            <progress max={verify.total || 1} value={verify.done} aria-label="Verification progress" />
            <span className="muted small">{verify.total > 0 ? `${verify.done.toLocaleString()} / ${verify.total.toLocaleString()} (${pct}%)` : 'starting…'}</span>
          </div>
        )}
        {!verify.running && verify.result && <Verdict result={verify.result} path={verify.path} />}
        {!verify.running && verify.error && (
          <span className="error-text" role="alert">
            Could not verify: {verify.error}
          </span>
        )}
      </div>
      {showPath && (
        <form
          className="verify-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void run(path.trim());
          }}
        >
          <label htmlFor={id}>Log file path</label>
          <input id={id} className="mono grow" value={path} placeholder="/path/to/audit.db or an original CapFence audit.jsonl" onChange={(e) => setPath(e.target.value)} />
          <button type="submit" className="btn" disabled={verify.running || !path.trim()}>
            Verify file
          </button>
        </form>
      )}
      {!verify.running && verify.result && <VerifyDetails result={verify.result} path={verify.path} />}
    </section>
  );
}

function Verdict({ result, path }: { result: VerifyResult; path: string | null }) {
  return (
    <span className={`verdict-big ${result.valid ? 'is-valid' : 'is-invalid'}`} role="status">
      {result.valid ? 'VALID' : 'INVALID'}
      <span className="verdict-sub">
        {result.entries.toLocaleString()} entries · {result.format === 'legacy-python' ? 'original CapFence log' : 'CapFence chain'}
        {path ? ` · ${path}` : ''}
      </span>
    </span>
  );
}

function VerifyDetails({ result, path }: { result: VerifyResult; path: string | null }) {
  const first = result.errors[0];
  const sigProblem = result.errors.find((e) => e.kind === 'bad_signature' || e.kind === 'unknown_key');
  return (
    <div className="verify-details">
      {first && (
        <p className="error-text">
          First problem: {first.seq !== null ? `entry #${first.seq}` : 'the log'} — {KIND_TEXT[first.kind]}. {first.message}{' '}
          {first.seq !== null && path === null && (
            <button type="button" className="btn btn-small" onClick={() => useConsole.getState().audit.select(first.seq)}>
              Jump to entry #{first.seq}
            </button>
          )}
          {result.errors.length > 1 && <span className="muted"> ({result.errors.length - 1} more)</span>}
        </p>
      )}
      <p className="muted small">
        Checkpoints: {result.checkpoints === 0 ? 'none yet' : `${result.checkpoints.toLocaleString()}, signatures ${sigProblem ? 'INVALID' : 'valid'}`}
        {result.format === 'legacy-python' && ' · the original format has no signed checkpoints'}
      </p>
      {result.warnings.length > 0 && (
        <ul className="warn-list">
          {result.warnings.map((w, i) => (
            <li key={i} className="warn-text small">
              {w}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
