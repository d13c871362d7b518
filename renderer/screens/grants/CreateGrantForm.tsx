import { useId, useState } from 'react';
import type { RequestOf } from '../../../shared/ipc/contract.js';
import { parseCapability } from '../../../shared/index.js';
import { useApi } from '../../api/api-context.js';
import { useConsole } from '../../state/store.js';

export interface GrantFormValues {
  actor: string;
  capability: string;
  environment: string;
  durationMinutes: string;
  uses: string;
  sessionId: string;
  reason: string;
}

/** Checks the form and builds the request, or names the first field that is wrong. */
export function buildGrantRequest(v: GrantFormValues): { ok: true; value: RequestOf<'grants:create'> } | { ok: false; error: string } {
  const actor = v.actor.trim();
  const capability = v.capability.trim();
  if (!actor) return { ok: false, error: 'actor is required' };
  const cap = parseCapability(capability);
  if (!cap.ok) return { ok: false, error: `capability \`${capability}\` is not valid: use \`resource.action.scope\`` };
  const req: RequestOf<'grants:create'> = { actor, capability };
  if (v.environment.trim()) req.environment = v.environment.trim();
  if (v.durationMinutes.trim()) {
    const m = Number(v.durationMinutes);
    if (!Number.isInteger(m) || m <= 0 || m > 366 * 24 * 60) return { ok: false, error: 'duration must be a whole number of minutes, at most a year' };
    req.durationSeconds = m * 60;
  }
  if (v.uses.trim()) {
    const n = Number(v.uses);
    if (!Number.isInteger(n) || n <= 0 || n > 1_000_000) return { ok: false, error: 'uses must be a whole number from 1 to 1,000,000' };
    req.uses = n;
  }
  if (v.sessionId.trim()) req.sessionId = v.sessionId.trim();
  if (v.reason.trim()) req.reason = v.reason.trim();
  return { ok: true, value: req };
}

const initial: GrantFormValues = { actor: '', capability: '', environment: 'production', durationMinutes: '60', uses: '', sessionId: '', reason: '' };

/** The form that creates a grant. */
export function CreateGrantForm({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const [v, setV] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const field = (key: keyof GrantFormValues, label: string, opts: { placeholder?: string; type?: string; hint?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} type={opts.type ?? 'text'} value={v[key]} placeholder={opts.placeholder} onChange={(e) => setV({ ...v, [key]: e.target.value })} className={key === 'capability' ? 'mono' : undefined} />
      {opts.hint && <span className="muted small">{opts.hint}</span>}
    </div>
  );
  return (
    <form
      className="card form-grid"
      aria-label="New grant"
      onSubmit={async (e) => {
        e.preventDefault();
        const req = buildGrantRequest(v);
        if (!req.ok) return setError(req.error);
        setBusy(true);
        const res = await api['grants:create'](req.value);
        setBusy(false);
        if (!res.ok) return setError(res.error.message);
        useConsole.getState().grants.applyChanged([res.value]);
        useConsole.getState().ui.announce(`Granted ${res.value.capability} to ${res.value.actor}`);
        setV(initial);
        setError(null);
        onDone();
      }}
    >
      {field('actor', 'Actor', { placeholder: 'agent-1' })}
      {field('capability', 'Capability', { placeholder: 'payment.transfer' })}
      {field('environment', 'Environment', { placeholder: 'production' })}
      {field('durationMinutes', 'Duration (minutes)', { type: 'number', hint: 'empty: no expiry' })}
      {field('uses', 'Uses', { type: 'number', placeholder: 'unlimited' })}
      {field('sessionId', 'Session', { placeholder: 'any session' })}
      <div className="field span-2">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} value={v.reason} placeholder="Why this grant exists (kept in the audit log)" onChange={(e) => setV({ ...v, reason: e.target.value })} />
      </div>
      <div className="form-actions span-all">
        {error && (
          <span className="error-text" role="alert">
            {error}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Create grant
        </button>
      </div>
    </form>
  );
}
