import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { JsonView } from '../../components/JsonView.js';
import { formatTimestamp } from '../../lib/time.js';
import { useConsole } from '../../state/store.js';

/** The selected entry in full: fields, payload and the policy version that decided it. */
export function AuditDetailPane() {
  const api = useApi();
  const seq = useConsole((s) => s.audit.selectedSeq);
  const detail = useConsole((s) => s.audit.detail);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (seq === null) return;
    let cancelled = false;
    setError(null);
    void api['audit:entry']({ seq }).then((res) => {
      if (cancelled) return;
      if (res.ok) useConsole.getState().audit.setDetail(res.value);
      else setError(res.error.message);
    });
    return () => {
      cancelled = true;
    };
  }, [api, seq]);

  if (seq === null) return <section className="detail muted" aria-label="Entry details">Select an entry to see its payload and policy version.</section>;
  if (error) return <section className="detail" aria-label="Entry details"><p className="error-text">Could not load entry #{seq}: {error}</p></section>;
  if (!detail || detail.entry.seq !== seq) return <section className="detail muted" aria-label="Entry details">Loading entry #{seq}…</section>;
  const e = detail.entry;
  return (
    <section className="detail" aria-labelledby="audit-detail-title">
      <header className="detail-head">
        <h2 id="audit-detail-title">Entry #{e.seq}</h2>
        <span className={`verdict verdict-${e.decision}`}>{e.decision.replace('_', ' ')}</span>
      </header>
      <dl className="facts">
        <dt>Time</dt>
        <dd>{formatTimestamp(e.at)}</dd>
        <dt>Kind</dt>
        <dd>{e.kind}</dd>
        <dt>Actor</dt>
        <dd>{e.actor}</dd>
        <dt>Capability</dt>
        <dd className="mono">{e.capability}</dd>
        <dt>Tool</dt>
        <dd className="mono">{e.tool}</dd>
        <dt>Reason</dt>
        <dd>
          {e.reason}
          {e.rule && (
            <>
              {' '}
              by <code>{e.rule}</code>
            </>
          )}
        </dd>
        {e.environment && (
          <>
            <dt>Environment</dt>
            <dd>{e.environment}</dd>
          </>
        )}
        {e.sessionId && (
          <>
            <dt>Session</dt>
            <dd className="mono">{e.sessionId}</dd>
          </>
        )}
        {e.approvalId && (
          <>
            <dt>Approval</dt>
            <dd>
              <span className="mono">{e.approvalId}</span>
              {e.approver && ` by ${e.approver}`}
              {e.approverReason && ` — “${e.approverReason}”`}
            </dd>
          </>
        )}
        <dt>Entry hash</dt>
        <dd className="mono small break">{e.entryHash}</dd>
        <dt>Previous</dt>
        <dd className="mono small break">{e.prevHash}</dd>
        <dt>Payload</dt>
        <dd className="mono small break">commitment {e.payloadCommitment}</dd>
      </dl>
      <h3 className="section-title">Payload</h3>
      {e.redacted ? <p className="muted">The payload was redacted; only its commitment is kept.</p> : e.payload === undefined ? <p className="muted">No payload stored.</p> : <JsonView value={e.payload} label="Audited payload" />}
      <h3 className="section-title">Policy version</h3>
      {detail.policy ? (
        <details className="policy-version">
          <summary>
            <span className="mono">{detail.policy.hash.slice(0, 16)}</span> · {detail.policy.sourcePath ?? detail.policy.policyId} · {formatTimestamp(detail.policy.createdAt)}
          </summary>
          <pre className="code-block" tabIndex={0} aria-label="Policy text of this version">{detail.policy.text}</pre>
        </details>
      ) : (
        <p className="muted mono small">{e.policyHash || 'no policy'} (text not stored)</p>
      )}
    </section>
  );
}
