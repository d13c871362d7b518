import { useId, useMemo, useState } from 'react';
import type { RequestOf } from '../../../shared/ipc/contract.js';
import { useApi } from '../../api/api-context.js';
import { changeKind, orderReplayChanges } from '../../lib/replay-order.js';
import { useConsole } from '../../state/store.js';
import { ReplayChart } from './ReplayChart.js';

type Source = 'audit' | 'trace';

/** Largest trace file read into the window (the contract's limit for trace text). */
const MAX_TRACE_BYTES = 64 * 1024 * 1024;

/** "Replay against this draft": decides recorded events under the active policy and the draft. */
export function ReplayPanel({ draft, canRun }: { draft: string; canRun: boolean }) {
  const api = useApi();
  const replay = useConsole((s) => s.policyEditor.replay);
  const [source, setSource] = useState<Source>('audit');
  const [limit, setLimit] = useState('1000');
  const [file, setFile] = useState<File | null>(null);
  const id = useId();

  const run = async () => {
    const set = useConsole.getState().policyEditor.setReplay;
    let src: RequestOf<'policy:replay'>['source'];
    let label: string;
    if (source === 'trace') {
      if (!file) return set({ error: 'choose a trace file first' });
      if (file.size > MAX_TRACE_BYTES) return set({ error: `\`${file.name}\` is larger than 64 MB` });
      src = { kind: 'trace-text', text: await file.text() };
      label = file.name;
    } else {
      const n = Number(limit);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) return set({ error: 'history size must be a whole number from 1 to 100,000' });
      src = { kind: 'audit', limit: n };
      label = `the last ${n.toLocaleString()} audited decisions`;
    }
    set({ running: true, error: null });
    const res = await api['policy:replay']({ text: draft, source: src });
    if (res.ok) set({ running: false, result: res.value, sourceLabel: label });
    else set({ running: false, error: res.error.message });
  };

  const changes = useMemo(() => (replay.result ? orderReplayChanges(replay.result.changes) : []), [replay.result]);
  const newlyAllowed = changes.filter((c) => changeKind(c) === 'newly-allowed').length;

  return (
    <div className="replay">
      <fieldset className="replay-source">
        <legend>Replay against this draft</legend>
        <label className="radio">
          <input type="radio" name={`${id}-src`} checked={source === 'audit'} onChange={() => setSource('audit')} /> Recent audit history
        </label>
        {source === 'audit' && (
          <span className="inline-field">
            <label htmlFor={`${id}-limit`}>last</label>
            <input id={`${id}-limit`} className="num" type="number" min={1} max={100000} value={limit} onChange={(e) => setLimit(e.target.value)} />
            <span className="muted">decisions</span>
          </span>
        )}
        <label className="radio">
          <input type="radio" name={`${id}-src`} checked={source === 'trace'} onChange={() => setSource('trace')} /> Trace file
        </label>
        {source === 'trace' && (
          <span className="inline-field">
            <label htmlFor={`${id}-file`} className="visually-hidden">
              Trace file (JSONL)
            </label>
            <input id={`${id}-file`} type="file" accept=".jsonl,.json,.ndjson,.txt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </span>
        )}
        <button type="button" className="btn btn-primary" disabled={!canRun || replay.running} onClick={() => void run()}>
          {replay.running ? 'Replaying…' : 'Run replay'}
        </button>
      </fieldset>
      {!canRun && <p className="muted small">Fix the policy's errors to replay it.</p>}
      {replay.error && (
        <p className="error-text" role="alert">
          {replay.error}
        </p>
      )}
      {replay.result && (
        <div className="replay-result" aria-live="polite">
          <p>
            <strong>{replay.result.total.toLocaleString()}</strong> events from {replay.sourceLabel}:{' '}
            {changes.length === 0 ? (
              <span className="ok-text">no decision changes.</span>
            ) : (
              <>
                <strong>{changes.length}</strong> change{changes.length === 1 ? '' : 's'}
                {newlyAllowed > 0 && <span className="error-text">, {newlyAllowed} newly allowed</span>}.
              </>
            )}
          </p>
          <ReplayChart result={replay.result} />
          {replay.result.warnings.length > 0 && (
            <ul className="warn-list">
              {replay.result.warnings.map((w, i) => (
                <li key={i} className="warn-text small">
                  {w}
                </li>
              ))}
            </ul>
          )}
          {changes.length > 0 && (
            <div className="table-wrap">
              <table className="table table-compact replay-changes">
                <caption className="visually-hidden">Events whose decision changes, newly allowed first</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Event</th>
                    <th scope="col">Before → after</th>
                    <th scope="col">Now decided by</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.slice(0, 500).map((c) => (
                    <tr key={`${c.ref}`} className={`change-${changeKind(c)}`}>
                      <td className="mono">{c.ref}</td>
                      <td>
                        <span className="mono cap-strong">{c.capability}</span>
                        <span className="block small actor-line">{c.actor}</span>
                      </td>
                      <td className="nowrap">
                        <DecisionBadge d={c.before} /> → <DecisionBadge d={c.after} />
                      </td>
                      <td className="mono small">{c.afterRule ?? c.afterReason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {changes.length > 500 && <p className="muted small">Showing the first 500 of {changes.length} changes.</p>}
        </div>
      )}
    </div>
  );
}

function DecisionBadge({ d }: { d: 'allow' | 'deny' | 'require_approval' }) {
  return <span className={`verdict verdict-${d}`}>{d === 'require_approval' ? 'approval' : d}</span>;
}
