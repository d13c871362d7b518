// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MASK } from '../../renderer/lib/mask.js';
import { AuditScreen, FILTER_DEBOUNCE_MS } from '../../renderer/screens/audit/AuditScreen.js';
import { emptyAuditFilter, toQueryFilter } from '../../renderer/state/audit.js';
import { AUDIT_PAGE, loadOlderAudit } from '../../renderer/state/audit-loader.js';
import { useConsole } from '../../renderer/state/store.js';
import { FakeConsole, makeAudit } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(() => {
  teardown();
  vi.restoreAllMocks();
});

const list = () => screen.getByRole('listbox', { name: /Audit entries/ });
const wait = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

describe('audit filters', () => {
  it('turns typed filters into an audit:query filter (trimmed, empties dropped, times in seconds)', () => {
    expect(toQueryFilter(emptyAuditFilter)).toEqual({});
    const since = '2026-01-02T03:04';
    expect(toQueryFilter({ actor: ' agent-1 ', capability: 'shell.exec', decision: 'deny', since, until: '', text: ' rm ' })).toEqual({
      actor: 'agent-1',
      capability: 'shell.exec',
      decision: 'deny',
      text: 'rm',
      since: new Date(since).getTime() / 1000,
    });
  });
});

describe('audit screen', () => {
  it('loads the newest page, then older pages with beforeSeq as you scroll', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(450);
    await renderWith(fake, <AuditScreen />);
    expect(fake.callsTo('audit:query')).toEqual([{ limit: AUDIT_PAGE }]);
    expect(within(list()).getAllByRole('option')[0]!.textContent).toContain('#450');
    expect(within(list()).getAllByRole('option').length).toBeLessThan(40);
    // Scroll to the bottom of what is loaded: the next page is asked for, older than the last seq.
    act(() => list().scrollTo({ top: 200 * 50 }));
    await wait(50);
    await flush();
    expect(fake.callsTo('audit:query')[1]).toEqual({ beforeSeq: 251, limit: AUDIT_PAGE });
    expect(useConsole.getState().audit.entries).toHaveLength(400);
    await act(() => loadOlderAudit(fake.api));
    expect(useConsole.getState().audit.entries).toHaveLength(450);
    expect(useConsole.getState().audit.hasMore).toBe(false);
    expect(useConsole.getState().audit.entries.map((e) => e.seq)).toEqual(Array.from({ length: 450 }, (_, i) => 450 - i));
  });

  it('re-queries after a pause in filter typing', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(30);
    await renderWith(fake, <AuditScreen />);
    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: 'agent-even' } });
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'deny' } });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'shell' } });
    await wait(FILTER_DEBOUNCE_MS + 60);
    await flush();
    // One query for the three changes, not three.
    expect(fake.callsTo('audit:query').slice(1)).toEqual([{ actor: 'agent-even', decision: 'deny', text: 'shell', limit: AUDIT_PAGE }]);
    const seqs = within(list()).getAllByRole('option').map((o) => o.id);
    expect(seqs).toEqual(['audit-30', 'audit-24', 'audit-18', 'audit-12', 'audit-6']);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await wait(FILTER_DEBOUNCE_MS + 60);
    await flush();
    expect(useConsole.getState().audit.entries).toHaveLength(30);
  });

  it('shows the full entry with its payload (secrets masked) and policy version', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(5);
    await renderWith(fake, <AuditScreen />);
    fireEvent.click(within(list()).getAllByRole('option')[1]!);
    await flush();
    expect(fake.callsTo('audit:entry')).toEqual([{ seq: 4 }]);
    const detail = screen.getByRole('region', { name: 'Entry #4' });
    expect(detail.textContent).toContain('agent-even');
    expect(within(detail).getByLabelText('Audited payload').textContent).toContain('5000');
    expect(within(detail).getByLabelText('Audited payload').textContent).toContain(MASK);
    expect(detail.textContent).not.toContain('secret-value');
    expect(detail.textContent).toContain('policies/test.yaml');
    // Arrow keys move through the history.
    fireEvent.keyDown(list(), { key: 'ArrowDown' });
    await flush();
    expect(screen.getByRole('region', { name: 'Entry #3' })).toBeTruthy();
  });

  it('verifies the chain with progress and names the first broken entry, then jumps to it', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(20, (seq) => (seq === 7 ? { entryHash: 'tampered' } : {}));
    await renderWith(fake, <AuditScreen />);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Verify chain' })));
    await flush();
    expect(useConsole.getState().audit.verify).toMatchObject({ running: false, done: 20, total: 20 });
    const panel = screen.getByRole('region', { name: 'Chain verification' });
    expect(panel.textContent).toContain('INVALID');
    expect(panel.textContent).toContain('First problem: entry #7 — modified');
    expect(panel.textContent).toContain('Checkpoints: 2, signatures valid');
    fireEvent.click(within(panel).getByRole('button', { name: 'Jump to entry #7' }));
    await flush();
    expect(screen.getByRole('region', { name: 'Entry #7' })).toBeTruthy();
    expect(list().getAttribute('aria-activedescendant')).toBe('audit-7');
  });

  it('says VALID for an intact chain and verifies another file by path', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(3);
    await renderWith(fake, <AuditScreen />);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Verify chain' })));
    await flush();
    expect(screen.getByRole('region', { name: 'Chain verification' }).textContent).toContain('VALID');
    fireEvent.click(screen.getByRole('button', { name: 'Verify another log file…' }));
    fireEvent.change(screen.getByLabelText('Log file path'), { target: { value: '/logs/original.jsonl' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Verify file' })));
    await flush();
    expect(fake.callsTo('audit:verify')).toEqual([{}, { path: '/logs/original.jsonl' }]);
    expect(screen.getByRole('region', { name: 'Chain verification' }).textContent).toContain('/logs/original.jsonl');
  });

  it('exports the filtered entries as a file download', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(3);
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (created.push(b), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    await renderWith(fake, <AuditScreen />);
    fireEvent.change(screen.getByLabelText('Export format'), { target: { value: 'csv' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Export' })));
    await flush();
    expect(fake.callsTo('audit:export')).toEqual([{ format: 'csv' }]);
    expect(click).toHaveBeenCalledTimes(1);
    expect(created[0]!.type).toBe('text/csv');
    expect(screen.getByText('3 entries exported')).toBeTruthy();
  });

  it('adds new entries on audit:appended', async () => {
    const fake = new FakeConsole();
    fake.audit = makeAudit(5);
    await renderWith(fake, <AuditScreen />);
    fake.audit = makeAudit(8);
    act(() => fake.emit('audit:appended', { head: 8 }));
    await flush();
    expect(within(list()).getAllByRole('option').map((o) => o.id).slice(0, 4)).toEqual(['audit-8', 'audit-7', 'audit-6', 'audit-5']);
    expect(useConsole.getState().audit.entries).toHaveLength(8);
  });
});
