// @vitest-environment jsdom
import { EditorState } from '@codemirror/state';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineDiff } from '../../renderer/lib/line-diff.js';
import { analyzeDraft, tryEvent } from '../../renderer/lib/policy-analysis.js';
import { addRule, moveRule, readRuleTable, removeRule, updateRule, type TableRule } from '../../renderer/lib/policy-doc.js';
import { changeKind, orderReplayChanges, type ReplayChange } from '../../renderer/lib/replay-order.js';
import { toEditorDiagnostics } from '../../renderer/screens/policy/cm-diagnostics.js';
import { PolicyScreen } from '../../renderer/screens/policy/PolicyScreen.js';
import { SERVER_CHECK_DELAY_MS } from '../../renderer/screens/policy/use-draft-diagnostics.js';
import { useConsole } from '../../renderer/state/store.js';
import { FakeConsole, makeAudit } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(teardown);

const POLICY = `# team policy: keep this comment
version: 1
deny:
  - capability: shell.exec
    match_keywords: ["rm -rf /"]
require_approval:
  # big payments need a person
  - capability: payment.transfer
    amount_gt: 1000
allow:
  - files.read # reads are fine
  - capability: payment.transfer
    amount_lte: 1000
`;

const rulesOf = (text: string) => {
  const t = readRuleTable(text);
  if (!t.ok) throw new Error(t.error);
  return t.value.rules;
};
const at = (rules: TableRule[], section: string, index: number) => rules.find((r) => r.section === section && r.index === index)!;

describe('diagnostics from the shared engine', () => {
  it('locates an unknown condition at its line and column, with the hint', () => {
    const text = POLICY.replace('amount_gt: 1000', 'amout_gt: 1000');
    const { diagnostics, policy } = analyzeDraft(text, 'team.yaml');
    expect(policy).toBeNull();
    const d = diagnostics.find((x) => x.severity === 'error')!;
    expect(d.message).toContain('`amout_gt`');
    expect(d.hint).toContain('amount_gt');
    expect(d.location).toEqual({ file: 'team.yaml', line: 9, column: 5 });
    // In the editor the squiggle covers exactly the misspelled key.
    const doc = EditorState.create({ doc: text }).doc;
    const [cm] = toEditorDiagnostics(doc, [d], 'team.yaml');
    expect(doc.sliceString(cm!.from, cm!.to)).toBe('amout_gt');
    expect(cm!.severity).toBe('error');
    expect(cm!.message).toContain('help: did you mean `amount_gt`?');
  });

  it('reports YAML syntax errors and lint warnings with locations', () => {
    const broken = analyzeDraft('version: 1\nallow:\n  - files.read\n  bad: [\n', 'p.yaml');
    expect(broken.diagnostics[0]).toMatchObject({ severity: 'error', code: 'yaml-syntax' });
    expect(broken.diagnostics[0]!.location!.line).toBeGreaterThanOrEqual(3);
    const broad = analyzeDraft('version: 1\nallow:\n  - "*"\n', 'p.yaml');
    expect(broad.policy).not.toBeNull();
    expect(broad.diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'broad-wildcard', location: { file: 'p.yaml', line: 3, column: 5 } }));
  });

  it('puts diagnostics of other files (extends parents) on line 1 and names the file', () => {
    const doc = EditorState.create({ doc: 'extends: base.yaml\n' }).doc;
    const [cm] = toEditorDiagnostics(doc, [{ severity: 'error', code: 'x', message: 'bad parent', location: { file: 'base.yaml', line: 7, column: 3 } }], 'child.yaml');
    expect(cm!.from).toBe(0);
    expect(cm!.message).toContain('(in `base.yaml`)');
  });
});

describe('rule table ↔ YAML text', () => {
  it('derives rules by section with their lines', () => {
    const rules = rulesOf(POLICY);
    expect(rules.map((r) => `${r.section}[${r.index}] ${r.capability} ${JSON.stringify(r.conditions)} @${r.line}`)).toEqual([
      'deny[0] shell.exec {"match_keywords":["rm -rf /"]} @4',
      'require_approval[0] payment.transfer {"amount_gt":1000} @8',
      'allow[0] files.read {} @11',
      'allow[1] payment.transfer {"amount_lte":1000} @12',
    ]);
  });

  it('edits in place and keeps every comment', () => {
    let text = updateRule(POLICY, { section: 'require_approval', index: 0 }, { section: 'require_approval', capability: 'payment.transfer', conditions: { amount_gt: 5000, environment: 'production' } });
    expect(text).toContain('# team policy: keep this comment');
    expect(text).toContain('# big payments need a person');
    expect(text).toContain('# reads are fine');
    expect(at(rulesOf(text), 'require_approval', 0).conditions).toEqual({ amount_gt: 5000, environment: 'production' });
    text = updateRule(text, { section: 'allow', index: 0 }, { section: 'allow', capability: 'files.list', conditions: {} });
    expect(text).toContain('  - files.list # reads are fine');
  });

  it('adds, removes, reorders and moves rules between sections', () => {
    let text = addRule(POLICY, { section: 'allow', capability: 'mcp.*.read_file', conditions: {} });
    expect(rulesOf(text).filter((r) => r.section === 'allow').map((r) => r.capability)).toEqual(['files.read', 'payment.transfer', 'mcp.*.read_file']);
    text = moveRule(text, { section: 'allow', index: 2 }, -1);
    expect(rulesOf(text).filter((r) => r.section === 'allow').map((r) => r.capability)).toEqual(['files.read', 'mcp.*.read_file', 'payment.transfer']);
    text = removeRule(text, { section: 'allow', index: 0 });
    expect(rulesOf(text).filter((r) => r.section === 'allow').map((r) => r.capability)).toEqual(['mcp.*.read_file', 'payment.transfer']);
    text = updateRule(text, { section: 'deny', index: 0 }, { section: 'require_approval', capability: 'shell.exec', conditions: {} });
    expect(rulesOf(text).filter((r) => r.section === 'deny')).toEqual([]);
    expect(rulesOf(text).filter((r) => r.section === 'require_approval').map((r) => r.capability)).toEqual(['payment.transfer', 'shell.exec']);
    // The result is still a policy the engine loads.
    expect(analyzeDraft(text, 'p.yaml').policy).not.toBeNull();
    // A section that did not exist is created.
    expect(rulesOf(addRule('version: 1\n', { section: 'deny', capability: 'shell.*', conditions: {} }))).toEqual([expect.objectContaining({ section: 'deny', capability: 'shell.*' })]);
  });

  it('refuses to derive a table from broken YAML', () => {
    expect(readRuleTable('allow: [\n').ok).toBe(false);
  });
});

describe('try an event', () => {
  it('decides with the draft and explains each condition', () => {
    const policy = analyzeDraft(POLICY, 'p.yaml').policy!;
    const big = tryEvent(policy, { capability: 'payment.transfer', actor: 'a', environment: 'production', payload: '{"amount": 5000}' });
    expect(big.ok && big.explanation.verdict).toBe('require_approval');
    expect(big.ok && big.explanation.rule).toBe('require_approval[0]');
    expect(big.ok && big.explanation.conditions).toEqual([{ key: 'amount_gt', expected: 1000, held: true, actual: 5000 }]);
    const small = tryEvent(policy, { capability: 'payment.transfer', actor: 'a', environment: '', payload: '{"amount": 50}' });
    expect(small.ok && small.explanation.verdict).toBe('allow');
    const none = tryEvent(policy, { capability: 'db.drop', actor: 'a', environment: '', payload: '' });
    expect(none.ok && none.explanation.verdict).toBe('default_deny');
    expect(tryEvent(policy, { capability: 'x', actor: 'a', environment: '', payload: '{' })).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
  });
});

describe('replay result ordering', () => {
  const change = (ref: number, before: ReplayChange['before'], after: ReplayChange['after']): ReplayChange => ({ ref, actor: 'a', capability: 'c', before, after, afterReason: 'r', afterRule: null });
  it('puts newly allowed first, then other loosenings, then tightenings, each in source order', () => {
    const ordered = orderReplayChanges([change(1, 'allow', 'deny'), change(2, 'deny', 'require_approval'), change(3, 'require_approval', 'allow'), change(4, 'deny', 'allow'), change(5, 'allow', 'require_approval')]);
    expect(ordered.map((c) => c.ref)).toEqual([3, 4, 2, 1, 5]);
    expect(ordered.map(changeKind)).toEqual(['newly-allowed', 'newly-allowed', 'loosened', 'tightened', 'tightened']);
  });
});

describe('line diff', () => {
  it('shows removed and added lines with their numbers', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd').map((l) => `${l.kind}:${l.oldNo ?? '-'}:${l.newNo ?? '-'}:${l.text}`)).toEqual(['same:1:1:a', 'del:2:-:b', 'add:-:2:B', 'same:3:3:c', 'add:-:4:d']);
  });
});

describe('policy screen', () => {
  function fake(): FakeConsole {
    const f = new FakeConsole();
    f.policy = { path: 'policies/team.yaml', text: POLICY, hash: 'hash-1' };
    return f;
  }
  const editorText = () => document.querySelector('.cm-content')!.textContent;

  it('edits from the table rewrite the text; the text re-derives the table', async () => {
    await renderWith(fake(), <PolicyScreen />);
    expect(screen.getByText('✓ Valid policy')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add a allow rule' }));
    const form = screen.getByRole('form', { name: 'Add rule' });
    fireEvent.change(within(form).getByLabelText('Capability'), { target: { value: 'db.query' } });
    fireEvent.change(within(form).getByLabelText(/Conditions/), { target: { value: 'table: reports' } });
    fireEvent.submit(form);
    const draft = useConsole.getState().policyEditor.draft;
    expect(draft).toContain('  - capability: db.query\n    table: reports');
    expect(draft).toContain('# big payments need a person');
    expect(editorText()).toContain('capability: db.query');
    expect(screen.getByText('unsaved draft')).toBeTruthy();
    // The new rule tests a context field events rarely carry: the lint warning shows inline.
    expect(document.querySelector('.diagnostics')!.textContent).toContain('tests table, which events carry only when');
    fireEvent.click(screen.getByRole('button', { name: 'Remove allow[2]' }));
    expect(useConsole.getState().policyEditor.draft).toBe(POLICY);
    // Text edits (here through the store, as the editor's update listener does) re-derive the table.
    act(() => useConsole.getState().policyEditor.setDraft(POLICY.replace('files.read', 'files.list')));
    expect(screen.getByRole('region', { name: /Allow/ }).textContent).toContain('files.list');
  });

  it('shows located errors as you type and blocks saving', async () => {
    await renderWith(fake(), <PolicyScreen />);
    act(() => useConsole.getState().policyEditor.setDraft(POLICY.replace('amount_gt', 'amout_gt')));
    const list = document.querySelector('.diagnostics')!;
    expect(list.textContent).toContain('1 error');
    expect(list.textContent).toContain('9:5');
    expect(list.textContent).toContain('did you mean');
    expect((screen.getByRole('button', { name: 'Save new version' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('tries an event against the draft as you type', async () => {
    await renderWith(fake(), <PolicyScreen />);
    fireEvent.click(screen.getByRole('tab', { name: 'Try an event' }));
    fireEvent.change(screen.getByLabelText('Capability'), { target: { value: 'payment.transfer' } });
    fireEvent.change(screen.getByLabelText('Payload (JSON)'), { target: { value: '{"amount": 5000}' } });
    const result = () => document.querySelector('.try-result')!.textContent;
    expect(result()).toContain('require approval');
    expect(result()).toContain('require_approval[0]');
    expect(result()).toContain('amount_gt');
    fireEvent.change(screen.getByLabelText('Payload (JSON)'), { target: { value: '{"amount": 10}' } });
    expect(result()).toContain('allow');
    expect(result()).toContain('allow[1]');
    fireEvent.change(screen.getByLabelText('Payload (JSON)'), { target: { value: '{"amount": ' } });
    expect(result()).toContain('payload is not valid JSON');
  });

  it('asks the main side to check a draft with extends, after a pause', async () => {
    const f = fake();
    await renderWith(f, <PolicyScreen />);
    act(() => useConsole.getState().policyEditor.setDraft('version: 1\nextends: base.yaml\nallow:\n  - files.read\n'));
    expect(document.querySelector('.diagnostics')!.textContent).toContain('checking `extends` parents');
    await act(() => new Promise((r) => setTimeout(r, SERVER_CHECK_DELAY_MS + 50)));
    await flush();
    expect(f.callsTo('policy:check')).toHaveLength(1);
    expect(document.querySelector('.diagnostics')!.textContent).toContain('checked with its `extends` parents');
    expect(document.querySelector('.diagnostics')!.textContent).toContain('Valid policy');
  });

  it('replays recent history against the draft: counts, chart and changes, newly allowed first', async () => {
    const f = fake();
    // Source order: a tightening (seq 1, files.read) comes before the newly allowed shell.exec (seq 3).
    f.audit = makeAudit(3);
    await renderWith(f, <PolicyScreen />);
    act(() => useConsole.getState().policyEditor.setDraft(POLICY.replace('  - files.read # reads are fine\n', '  - shell.exec.*\n').replace('  - capability: shell.exec\n    match_keywords: ["rm -rf /"]\n', '  - capability: never.this\n')));
    fireEvent.click(screen.getByRole('tab', { name: 'Replay' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Run replay' })));
    await flush();
    expect(f.callsTo('policy:replay')[0]!.source).toEqual({ kind: 'audit', limit: 1000 });
    const result = document.querySelector('.replay-result')!;
    expect(result.textContent).toContain('1 newly allowed');
    expect(screen.getByRole('img').getAttribute('aria-label')).toContain('allow 2 before, 1 after');
    const rows = within(result.querySelector('table')!).getAllByRole('row').slice(1);
    expect(rows[0]!.className).toBe('change-newly-allowed');
    expect(rows[0]!.textContent).toContain('shell.exec');
    expect(rows.at(-1)!.className).toBe('change-tightened');
  });

  it('replays a trace file chosen in the window', async () => {
    const f = fake();
    await renderWith(f, <PolicyScreen />);
    fireEvent.click(screen.getByRole('tab', { name: 'Replay' }));
    fireEvent.click(screen.getByLabelText(/Trace file/, { selector: 'input[type=radio]' }));
    const file = new File(['{"actor":"a","capability":"files.read"}\n'], 'trace.jsonl', { type: 'application/x-ndjson' });
    fireEvent.change(screen.getByLabelText('Trace file (JSONL)'), { target: { files: [file] } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Run replay' })));
    await flush(6);
    expect(f.callsTo('policy:replay')[0]!.source).toEqual({ kind: 'trace-text', text: '{"actor":"a","capability":"files.read"}\n' });
    expect(document.querySelector('.replay-result')!.textContent).toContain('from trace.jsonl');
  });

  it('saves a new version, compares with the active one, discards', async () => {
    const f = fake();
    await renderWith(f, <PolicyScreen />);
    act(() => useConsole.getState().policyEditor.setDraft(POLICY.replace('1000\nallow', '2000\nallow')));
    fireEvent.click(screen.getByRole('button', { name: 'Compare with active' }));
    const diff = screen.getByRole('table', { name: 'Changes from the active policy' });
    expect(within(diff).getAllByRole('row').filter((r) => r.className.includes('diff-del')).map((r) => r.textContent)).toEqual(['9−    amount_gt: 1000']);
    fireEvent.click(screen.getByRole('button', { name: 'Back to editor' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save new version' })));
    await flush();
    expect(f.callsTo('policy:save')).toEqual([{ text: POLICY.replace('1000\nallow', '2000\nallow'), baseHash: 'hash-1' }]);
    expect(useConsole.getState().policyEditor.activeHash).toBe('hash-2');
    expect(screen.queryByText('unsaved draft')).toBeNull();
    act(() => useConsole.getState().policyEditor.setDraft('version: 1\n'));
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(useConsole.getState().policyEditor.draft).toBe(POLICY.replace('1000\nallow', '2000\nallow'));
  });

  it('explains a save conflict and keeps the draft when the policy changed elsewhere', async () => {
    const f = fake();
    await renderWith(f, <PolicyScreen />);
    act(() => useConsole.getState().policyEditor.setDraft(`${POLICY}# mine\n`));
    f.policy = { ...f.policy, text: `${POLICY}# theirs\n`, hash: 'hash-x' };
    act(() => f.emit('policy:changed', { hash: 'hash-x', path: 'policies/team.yaml' }));
    await flush();
    expect(screen.getByRole('status').textContent).toContain('changed elsewhere');
    expect(useConsole.getState().policyEditor.draft).toContain('# mine');
    // Saving sends the version the draft started from: the main side answers CONFLICT instead of losing their change.
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save new version' })));
    await flush();
    expect(f.callsTo('policy:save')[0]!.baseHash).toBe('hash-1');
    expect(screen.getByRole('alert').textContent).toContain('changed since you opened it');
    // After review the user keeps the draft on top of the newer version.
    fireEvent.click(screen.getByRole('button', { name: 'Keep my draft' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save new version' })));
    await flush();
    expect(f.callsTo('policy:save')[1]!.baseHash).toBe('hash-x');
    expect(f.policy.text).toContain('# mine');
  });
});

describe('rule table diagnostics', () => {
  it('shows each diagnostic under the rule it points into, not top-level ones', async () => {
    const { diagnosticsByRule } = await import('../../renderer/screens/policy/RuleTable.js');
    const text = POLICY.replace('amount_gt: 1000', 'amout_gt: 1000').replace('  - files.read # reads are fine', '  - "*"');
    const rules = rulesOf(text);
    const diags = [
      ...analyzeDraft(text, 'p.yaml').diagnostics,
      { severity: 'error' as const, code: 'x', message: 'top', location: { file: 'p.yaml', line: 10, column: 1 } },
    ];
    const found = diagnosticsByRule(rules, diags, 'p.yaml');
    expect(found.get(at(rules, 'require_approval', 0))!.map((d) => d.message)).toEqual(['rule `require_approval[0]` has unknown condition `amout_gt`']);
    expect([...found.values()].flat().map((d) => d.message)).not.toContain('top');
    expect(found.get(at(rules, 'deny', 0))).toBeUndefined();
  });
});
