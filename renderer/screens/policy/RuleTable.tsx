import { useState } from 'react';
import { TABLE_SECTIONS, formatConditionValue, type RuleDraft, type RuleTableRead, type TableRule, type TableSection } from '../../lib/policy-doc.js';
import type { LocatedDiagnostic } from './cm-diagnostics.js';
import { Ticks } from './DiagnosticsList.js';
import { RuleForm } from './RuleForm.js';

export const SECTION_LABEL: Record<TableSection, string> = { deny: 'Deny', require_approval: 'Require approval', allow: 'Allow' };

interface RuleTableProps {
  table: RuleTableRead;
  onAdd: (rule: RuleDraft) => void;
  onUpdate: (at: TableRule, rule: RuleDraft) => void;
  onRemove: (at: TableRule) => void;
  onMove: (at: TableRule, delta: -1 | 1) => void;
  onGoTo: (line: number) => void;
  /** The draft's diagnostics, shown under the rule whose lines they point into. */
  diagnostics?: readonly LocatedDiagnostic[];
  file?: string;
}

/** Diagnostics per rule: those located between a rule's first line and the next rule's. */
export function diagnosticsByRule(rules: readonly TableRule[], diagnostics: readonly LocatedDiagnostic[], file: string): Map<TableRule, LocatedDiagnostic[]> {
  const starts = [...rules].filter((r) => r.line > 0).sort((a, b) => a.line - b.line);
  const out = new Map<TableRule, LocatedDiagnostic[]>();
  for (const d of diagnostics) {
    if (!d.location || d.location.file !== file) continue;
    let owner: TableRule | undefined;
    for (const r of starts) if (r.line <= d.location.line) owner = r;
    // Rule contents are never at column 1: a diagnostic there is about a top-level key, not a rule.
    if (!owner || d.location.column <= 1) continue;
    out.set(owner, [...(out.get(owner) ?? []), d]);
  }
  return out;
}

/** The rules of the draft by section, derived from the text; every edit rewrites the text. */
export function RuleTable({ table, onAdd, onUpdate, onRemove, onMove, onGoTo, diagnostics = [], file = '' }: RuleTableProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState<TableSection | null>(null);
  if (!table.ok) return <p className="banner banner-warn">{table.error}</p>;
  const { rules, legacyCount } = table.value;
  const found = diagnosticsByRule(rules, diagnostics, file);
  return (
    <div className="rule-table">
      <p className="muted small">Evaluated top to bottom: a matching deny wins, then require approval, then risk levels, then allow. Anything else is denied.</p>
      {TABLE_SECTIONS.map((section) => {
        const list = rules.filter((r) => r.section === section);
        return (
          <section key={section} className={`rule-section section-${section}`} aria-labelledby={`rules-${section}`}>
            <header className="rule-section-head">
              <h3 id={`rules-${section}`}>
                {SECTION_LABEL[section]} <span className="muted">({list.length})</span>
              </h3>
              <button type="button" className="btn btn-small" onClick={() => setAdding(section)} aria-label={`Add a ${SECTION_LABEL[section].toLowerCase()} rule`}>
                + Add
              </button>
            </header>
            {adding === section && (
              <RuleForm
                initial={{ section, capability: '', conditions: {} }}
                submitLabel="Add rule"
                onCancel={() => setAdding(null)}
                onSubmit={(r) => {
                  onAdd(r);
                  setAdding(null);
                }}
              />
            )}
            {list.length === 0 && adding !== section && <p className="muted small rule-empty">No rules.</p>}
            <ol className="rules">
              {list.map((r, i) => {
                const key = `${r.section}[${r.index}]`;
                return (
                  <li key={key} className="rule">
                    {editing === key ? (
                      <RuleForm
                        initial={{ section: r.section, capability: r.capability, conditions: r.conditions }}
                        submitLabel="Save rule"
                        onCancel={() => setEditing(null)}
                        onSubmit={(next) => {
                          onUpdate(r, next);
                          setEditing(null);
                        }}
                      />
                    ) : (
                      <div className="rule-row">
                        <div className="rule-main">
                          <div className="rule-title">
                            <span className="rule-cap mono">{r.capability || <em className="muted">no capability</em>}</span>
                            <button type="button" className="rule-name mono" onClick={() => onGoTo(r.line)} title={`Go to line ${r.line}`}>
                              {key} · line {r.line}
                            </button>
                          </div>
                          {Object.keys(r.conditions).length > 0 && (
                            <div className="rule-conds">
                              {Object.entries(r.conditions).map(([k, v]) => (
                                <span key={k} className="chip mono">
                                  {k}: {formatConditionValue(v)}
                                </span>
                              ))}
                            </div>
                          )}
                          {(found.get(r) ?? []).map((d, j) => (
                            <span key={j} className={`rule-diag ${d.severity === 'error' ? 'error-text' : 'warn-text'}`}>
                              {d.severity}: <Ticks text={d.message} />
                            </span>
                          ))}
                        </div>
                        <span className="rule-actions">
                          <button type="button" className="icon-btn" disabled={i === 0} onClick={() => onMove(r, -1)} aria-label={`Move ${key} up`}>
                            ↑
                          </button>
                          <button type="button" className="icon-btn" disabled={i === list.length - 1} onClick={() => onMove(r, 1)} aria-label={`Move ${key} down`}>
                            ↓
                          </button>
                          <button type="button" className="icon-btn" onClick={() => setEditing(key)} aria-label={`Edit ${key}`}>
                            ✎
                          </button>
                          <button type="button" className="icon-btn icon-danger" onClick={() => onRemove(r)} aria-label={`Remove ${key}`}>
                            ×
                          </button>
                        </span>
                      </div>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
      {legacyCount > 0 && <p className="muted small">The legacy `rules:` list has {legacyCount} rule{legacyCount === 1 ? '' : 's'}; edit them in the text.</p>}
    </div>
  );
}
