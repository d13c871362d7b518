import { useId, useState } from 'react';
import { CONDITION_KEYS } from '../../../shared/policy/types.js';
import { TABLE_SECTIONS, conditionsToText, parseConditionsText, type RuleDraft, type TableSection } from '../../lib/policy-doc.js';

const SECTION_OPTION: Record<TableSection, string> = { deny: 'Deny', require_approval: 'Require approval', allow: 'Allow' };

/** Adds or edits one rule: section, capability, and conditions as `key: value` lines. */
export function RuleForm({ initial, submitLabel, onSubmit, onCancel }: { initial: RuleDraft; submitLabel: string; onSubmit: (r: RuleDraft) => void; onCancel: () => void }) {
  const [section, setSection] = useState<TableSection>(initial.section);
  const [capability, setCapability] = useState(initial.capability);
  const [conditions, setConditions] = useState(conditionsToText(initial.conditions));
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  return (
    <form
      className="rule-form"
      aria-label={submitLabel}
      onSubmit={(e) => {
        e.preventDefault();
        if (!capability.trim()) return setError('capability is required');
        const parsed = parseConditionsText(conditions);
        if (!parsed.ok) return setError(parsed.error);
        onSubmit({ section, capability: capability.trim(), conditions: parsed.value });
      }}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <div className="rule-form-row">
        <label htmlFor={`${id}-section`}>Section</label>
        <select id={`${id}-section`} value={section} onChange={(e) => setSection(e.target.value as TableSection)}>
          {TABLE_SECTIONS.map((s) => (
            <option key={s} value={s}>
              {SECTION_OPTION[s]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-cap`}>Capability</label>
        <input id={`${id}-cap`} className="mono grow" value={capability} placeholder="payment.transfer" onChange={(e) => setCapability(e.target.value)} autoFocus />
      </div>
      <label htmlFor={`${id}-cond`} className="field-label">
        Conditions <span className="muted small">(one <code>key: value</code> per line; all must hold)</span>
      </label>
      <textarea id={`${id}-cond`} className="mono" rows={Math.max(2, conditions.split('\n').length + 1)} value={conditions} placeholder={'amount_gt: 1000\nenvironment: production'} spellCheck={false} onChange={(e) => setConditions(e.target.value)} />
      <p className="muted small">Keys: {CONDITION_KEYS.join(', ')}</p>
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small">
          {submitLabel}
        </button>
        <button type="button" className="btn btn-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
