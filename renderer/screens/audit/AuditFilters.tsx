import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { emptyAuditFilter, type AuditFilter } from '../../state/audit.js';
import { useConsole } from '../../state/store.js';

/** Filters over actor, capability, decision and time, plus free text. */
export function AuditFilters() {
  const filter = useConsole(useShallow((s) => s.audit.filter));
  const setFilter = useConsole((s) => s.audit.setFilter);
  const id = useId();
  const text = (key: keyof AuditFilter, label: string, placeholder: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} type={type} value={filter[key]} placeholder={placeholder} onChange={(e) => setFilter({ [key]: e.target.value })} />
    </div>
  );
  const active = Object.entries(filter).some(([k, v]) => v !== emptyAuditFilter[k as keyof AuditFilter]);
  return (
    <form className="filters" role="search" aria-label="Filter audit entries" onSubmit={(e) => e.preventDefault()}>
      <div className="field grow">
        <label htmlFor={`${id}-text`}>Search</label>
        <input id={`${id}-text`} type="search" value={filter.text} placeholder="actor, capability, tool, reason, rule…" onChange={(e) => setFilter({ text: e.target.value })} />
      </div>
      {text('actor', 'Actor', 'any')}
      {text('capability', 'Capability', 'any')}
      <div className="field">
        <label htmlFor={`${id}-decision`}>Decision</label>
        <select id={`${id}-decision`} value={filter.decision} onChange={(e) => setFilter({ decision: e.target.value })}>
          <option value="">any</option>
          <option value="allow">allow</option>
          <option value="require_approval">require approval</option>
          <option value="deny">deny</option>
        </select>
      </div>
      {text('since', 'From', '', 'datetime-local')}
      {text('until', 'To', '', 'datetime-local')}
      <button type="button" className="btn btn-quiet" disabled={!active} onClick={() => setFilter(emptyAuditFilter)}>
        Clear
      </button>
    </form>
  );
}
