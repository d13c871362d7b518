import { useId, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { displayVerdict, type Explanation, type Policy } from '../../../shared/index.js';
import { tryEvent } from '../../lib/policy-analysis.js';
import { useConsole } from '../../state/store.js';
import { Ticks } from './DiagnosticsList.js';

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** "Try an event": decides a hand-written event against the draft as you type, with the reasons. */
export function TryEventPanel({ policy, hasExtends }: { policy: Policy | null; hasExtends: boolean }) {
  const input = useConsole(useShallow((s) => s.policyEditor.tryEvent));
  const setTryEvent = useConsole((s) => s.policyEditor.setTryEvent);
  const outcome = useMemo(() => (policy ? tryEvent(policy, input) : null), [policy, input]);
  const id = useId();
  return (
    <div className="try-event">
      <div className="form-grid compact">
        <div className="field">
          <label htmlFor={`${id}-cap`}>Capability</label>
          <input id={`${id}-cap`} className="mono" value={input.capability} onChange={(e) => setTryEvent({ capability: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>Actor</label>
          <input id={`${id}-actor`} value={input.actor} onChange={(e) => setTryEvent({ actor: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-env`}>Environment</label>
          <input id={`${id}-env`} value={input.environment} onChange={(e) => setTryEvent({ environment: e.target.value })} />
        </div>
        <div className="field span-all">
          <label htmlFor={`${id}-payload`}>Payload (JSON)</label>
          <textarea id={`${id}-payload`} className="mono" rows={4} spellCheck={false} value={input.payload} onChange={(e) => setTryEvent({ payload: e.target.value })} />
        </div>
      </div>
      <div aria-live="polite" className="try-result">
        {!policy ? (
          <p className="muted">{hasExtends ? 'This draft extends other policy files, which only the main side can read; save it or run a replay to decide events.' : 'Fix the errors in the policy to try events.'}</p>
        ) : outcome && !outcome.ok ? (
          <p className="error-text">
            <Ticks text={outcome.error} />
          </p>
        ) : outcome ? (
          <ExplanationView explanation={outcome.explanation} />
        ) : null}
      </div>
    </div>
  );
}

/** A decision with its section, rule, and every condition with what it saw. */
export function ExplanationView({ explanation: x }: { explanation: Explanation }) {
  const verdict = displayVerdict(x.verdict);
  return (
    <div className="explanation">
      <div className="verdict-line">
        <span className={`verdict verdict-${verdict}`}>{verdict.replace('_', ' ')}</span>
        <span className="muted">
          {x.section === 'default' ? 'no rule matched: denied by default' : <>by <code>{x.rule}</code>{x.location ? ` (line ${x.location.line})` : ''} in {x.section.replace('_', ' ')}</>}
        </span>
      </div>
      <p className="muted small mono">{x.reason}</p>
      {x.conditions.length > 0 && (
        <table className="table table-compact">
          <caption className="visually-hidden">Conditions of the deciding rule</caption>
          <thead>
            <tr>
              <th scope="col">Condition</th>
              <th scope="col">Expected</th>
              <th scope="col">Saw</th>
              <th scope="col">Held</th>
            </tr>
          </thead>
          <tbody>
            {x.conditions.map((c, i) => (
              <tr key={i}>
                <td className="mono">{c.key}</td>
                <td className="mono">{show(c.expected)}</td>
                <td className="mono">{show(c.actual)}</td>
                <td>{c.held ? <span className="ok-text">yes</span> : <span className="error-text">no</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {x.considered.length > 0 && (
        <details className="considered">
          <summary>
            {x.considered.length} rule{x.considered.length === 1 ? '' : 's'} matched the capability but not {x.considered.length === 1 ? 'its' : 'their'} conditions
          </summary>
          <ul>
            {x.considered.map((r, i) => (
              <li key={i}>
                <code>{r.rule}</code> <span className="mono">{r.capability}</span>{' '}
                <span className="muted">
                  {r.conditions
                    .filter((c) => !c.held)
                    .map((c) => `${c.key} expected ${show(c.expected)}, saw ${show(c.actual)}`)
                    .join('; ')}
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
