import { useEffect, useId, useState, type RefObject } from 'react';
import type { ApprovalView } from '../../../shared/ipc/contract.js';
import { JsonView } from '../../components/JsonView.js';
import { useNow } from '../../components/use-now.js';
import { riskLevel } from '../../lib/queue-order.js';
import { formatAge, formatTimeLeft, formatTimestamp } from '../../lib/time.js';
import { GRANT_CHOICES, grantSeconds, type GrantChoice } from './grant-durations.js';
import type { ApproveOptions } from './use-decisions.js';

interface ApprovalDetailProps {
  approval: ApprovalView;
  busy: boolean;
  editing: boolean;
  setEditing: (on: boolean) => void;
  denyReasonRef: RefObject<HTMLInputElement | null>;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onApprove: (opts?: ApproveOptions) => void;
  onDeny: (reason: string) => void;
}

/** One request in full: who, what, why it was held, its arguments, and the ways to decide it. */
export function ApprovalDetail({ approval: a, busy, editing, setEditing, denyReasonRef, headingRef, onApprove, onDeny }: ApprovalDetailProps) {
  const now = useNow();
  const level = riskLevel(a.risk);
  return (
    <section className="detail" aria-labelledby="approval-detail-title">
      <header className="detail-head">
        <h2 id="approval-detail-title" ref={headingRef} tabIndex={-1} className="mono">
          {a.capability}
        </h2>
        <span className={`risk risk-${level}`}>
          {level} · {a.risk.toFixed(2)}
        </span>
      </header>
      <dl className="facts">
        <dt>Actor</dt>
        <dd>{a.actor}</dd>
        <dt>Tool</dt>
        <dd className="mono">{a.tool}</dd>
        <dt>Asked by</dt>
        <dd>
          {a.rule ? <code>{a.rule}</code> : <span className="muted">no rule (risk level)</span>}
          {/* The runtime's reason repeats the rule id it starts with; show what it adds. */}
          <span className="why"> — {a.rule && a.reason.startsWith(a.rule) ? a.reason.slice(a.rule.length).trim() : a.reason}</span>
        </dd>
        <dt>Requested</dt>
        <dd title={formatTimestamp(a.createdAt)}>{formatAge(a.createdAt, now)}</dd>
        <dt>Expires</dt>
        <dd className={a.expiresAt !== null && a.expiresAt - now < 60 ? 'is-urgent' : ''}>{formatTimeLeft(a.expiresAt, now)}</dd>
        {a.sessionId && (
          <>
            <dt>Session</dt>
            <dd className="mono">{a.sessionId}</dd>
          </>
        )}
        <dt>Request id</dt>
        <dd className="mono muted">{a.id}</dd>
      </dl>
      <h3 className="section-title">Arguments</h3>
      {editing ? (
        <ArgumentsEditor initial={a.arguments} busy={busy} onCancel={() => setEditing(false)} onApprove={(args) => onApprove({ editedArguments: args })} />
      ) : (
        <JsonView value={a.arguments} label="Tool call arguments" />
      )}
      {!editing && <DecisionBar busy={busy} onApprove={onApprove} onDeny={onDeny} onEdit={() => setEditing(true)} denyReasonRef={denyReasonRef} />}
    </section>
  );
}

function DecisionBar({ busy, onApprove, onDeny, onEdit, denyReasonRef }: { busy: boolean; onApprove: (o?: ApproveOptions) => void; onDeny: (r: string) => void; onEdit: () => void; denyReasonRef: RefObject<HTMLInputElement | null> }) {
  const [choice, setChoice] = useState<GrantChoice>('300');
  const [customMinutes, setCustomMinutes] = useState('30');
  const [reason, setReason] = useState('');
  const grantFor = grantSeconds(choice, customMinutes);
  const ids = { duration: useId(), custom: useId(), reason: useId() };
  return (
    <div className="decision">
      <div className="decision-row">
        <button type="button" className="btn btn-approve" disabled={busy} onClick={() => onApprove()}>
          Approve <kbd>a</kbd>
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onEdit}>
          Edit arguments <kbd>e</kbd>
        </button>
      </div>
      <div className="decision-row">
        <label htmlFor={ids.duration}>Approve and grant for</label>
        <select id={ids.duration} value={choice} onChange={(e) => setChoice(e.target.value as GrantChoice)}>
          {GRANT_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        {choice === 'custom' && (
          <>
            <label htmlFor={ids.custom} className="visually-hidden">
              Custom grant minutes
            </label>
            <input id={ids.custom} className="num" type="number" min={1} max={44640} value={customMinutes} onChange={(e) => setCustomMinutes(e.target.value)} />
            <span className="muted">min</span>
          </>
        )}
        <button type="button" className="btn" disabled={busy || grantFor === null} onClick={() => grantFor !== null && onApprove({ grantForSeconds: grantFor })}>
          Approve + grant
        </button>
      </div>
      <form
        className="decision-row"
        onSubmit={(e) => {
          e.preventDefault();
          onDeny(reason);
          setReason('');
        }}
      >
        <label htmlFor={ids.reason} className="visually-hidden">
          Reason the agent will see
        </label>
        <input
          id={ids.reason}
          ref={denyReasonRef}
          className="grow"
          placeholder="Reason the agent will see (optional)"
          value={reason}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
        />
        <button type="submit" className="btn btn-deny" disabled={busy}>
          Deny <kbd>d</kbd>
        </button>
      </form>
    </div>
  );
}

/** Parses edited arguments: a JSON object, or the reason it is not one. */
export function parseEditedArguments(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'arguments must be a JSON object' };
  return { ok: true, value: v as Record<string, unknown> };
}

function ArgumentsEditor({ initial, busy, onCancel, onApprove }: { initial: Record<string, unknown>; busy: boolean; onCancel: () => void; onApprove: (args: Record<string, unknown>) => void }) {
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const parsed = parseEditedArguments(text);
  const id = useId();
  useEffect(() => document.getElementById(id)?.focus(), [id]);
  return (
    <div className="args-editor">
      <label htmlFor={id} className="field-label">
        Edited arguments (JSON; shown unmasked)
      </label>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(18, Math.max(6, text.split('\n').length + 1))}
        value={text}
        spellCheck={false}
        aria-invalid={!parsed.ok}
        aria-describedby={`${id}-status`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && parsed.ok) onApprove(parsed.value);
        }}
      />
      <p id={`${id}-status`} className={parsed.ok ? 'muted small' : 'error-text small'} role={parsed.ok ? undefined : 'alert'}>
        {parsed.ok ? 'Valid JSON object. Ctrl+Enter approves with these arguments.' : parsed.error}
      </p>
      <div className="decision-row">
        <button type="button" className="btn btn-approve" disabled={busy || !parsed.ok} onClick={() => parsed.ok && onApprove(parsed.value)}>
          Approve with edits
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
