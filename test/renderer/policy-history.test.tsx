// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../renderer/lib/time.js';
import { PolicyScreen } from '../../renderer/screens/policy/PolicyScreen.js';
import { resetConsoleStore, useConsole } from '../../renderer/state/store.js';
import { FakeConsole } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(teardown);

const V1 = 'version: 1\npolicy_name: team\nallow:\n  - files.read\n';
const V2 = 'version: 1\npolicy_name: team\nallow:\n  - files.read\n  - files.list\n';
const V3 = 'version: 1\npolicy_name: team\ndeny:\n  - shell.exec\nallow:\n  - files.read\n  - files.list\n';
const T0 = 1_700_000_000;
const hash = (n: number) => `ver${n}${'abcdef'.repeat(10)}`;

/** Three recorded versions (v3 active), the oldest recorded from another file. */
function fakeWithHistory(): FakeConsole {
  const f = new FakeConsole();
  f.history = [
    { hash: hash(1), policyId: 'team-old', sourcePath: '/etc/capfence/old.yaml', createdAt: T0, text: V1 },
    { hash: hash(3), policyId: 'team', sourcePath: 'policies/team.yaml', createdAt: T0 + 7200, text: V3 },
    { hash: hash(2), policyId: 'team', sourcePath: 'policies/team.yaml', createdAt: T0 + 3600, text: V2 },
  ];
  f.policy = { path: 'policies/team.yaml', text: V3, hash: hash(3) };
  return f;
}

async function openHistory(f: FakeConsole) {
  await renderWith(f, <PolicyScreen />);
  await act(async () => void fireEvent.click(screen.getByRole('tab', { name: 'History' })));
  await flush();
}

const historyRows = () => within(screen.getByRole('table', { name: /Recorded policy versions/ })).getAllByRole('row').slice(1);
const diffRows = (name: string | RegExp, kind: 'add' | 'del') =>
  within(screen.getByRole('table', { name }))
    .getAllByRole('row')
    .filter((r) => r.className.includes(`diff-${kind}`))
    .map((r) => r.querySelector('.diff-text')!.textContent);

describe('policy history list', () => {
  it('lists every recorded version newest first with hash, time, policy id, source and the active marker', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    expect(f.callsTo('policy:versions')).toEqual([{ limit: 200 }]);
    const rows = historyRows();
    expect(rows.map((r) => within(r).getByRole('button', { name: /^View version/ }).textContent)).toEqual(['ver3abcdef', 'ver2abcdef', 'ver1abcdef']);
    expect(rows[0]!.textContent).toContain('active');
    expect(rows.slice(1).some((r) => r.textContent!.includes('active'))).toBe(false);
    expect(rows[2]!.textContent).toContain(formatTimestamp(T0));
    expect(rows[2]!.textContent).toContain('team-old');
    expect(rows[2]!.textContent).toContain('/etc/capfence/old.yaml');
    expect(rows[0]!.textContent).toContain('policies/team.yaml');
  });

  it('says so when nothing is recorded yet', async () => {
    const f = new FakeConsole();
    f.policy = { path: null, text: '', hash: null };
    await openHistory(f);
    expect(screen.getByText(/No version recorded yet/)).toBeTruthy();
  });

  it('refreshes when a version is saved anywhere while it is open', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    f.history.push({ hash: hash(4), policyId: 'team', sourcePath: 'policies/team.yaml', createdAt: T0 + 9000, text: V1 });
    f.policy = { path: 'policies/team.yaml', text: V1, hash: hash(4) };
    await act(async () => f.emit('policy:changed', { hash: hash(4), path: 'policies/team.yaml' }));
    await flush();
    const rows = historyRows();
    expect(rows).toHaveLength(4);
    expect(within(rows[0]!).getByRole('button', { name: /^View version/ }).textContent).toBe('ver4abcdef');
    expect(rows[0]!.textContent).toContain('active');
    expect(rows[1]!.textContent).not.toContain('active');
  });
});

describe('viewing and comparing recorded versions', () => {
  it('shows a picked version read-only without touching the draft', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'View version ver1abcdef' })));
    await flush();
    expect(f.callsTo('policy:version')).toEqual([{ hash: hash(1) }]);
    const view = screen.getByRole('region', { name: /Version ver1abcdef/ });
    const text = within(view).getByRole('textbox', { name: 'Policy version ver1abcdef (read-only)' });
    expect(text.getAttribute('contenteditable')).toBe('false');
    expect([...text.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n')).toBe(V1);
    expect(view.textContent).toContain('team-old');
    expect(view.textContent).not.toContain('active');
    expect(historyRows()[2]!.getAttribute('aria-current')).toBe('true');
    expect(useConsole.getState().policyEditor.draft).toBe(V3);
    fireEvent.click(within(view).getByRole('button', { name: 'Back to editor' }));
    expect(screen.getByRole('textbox', { name: 'Policy YAML' })).toBeTruthy();
  });

  it('compares the latest change by default, and any two versions the user picks', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    expect((screen.getByRole('radio', { name: 'Compare from ver2abcdef' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('radio', { name: 'Compare to ver3abcdef' }) as HTMLInputElement).checked).toBe(true);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Compare selected' })));
    await flush();
    expect(diffRows('Changes from version ver2abcdef to ver3abcdef', 'add')).toEqual(['deny:', '  - shell.exec']);
    expect(diffRows('Changes from version ver2abcdef to ver3abcdef', 'del')).toEqual([]);

    fireEvent.click(screen.getByRole('radio', { name: 'Compare from ver3abcdef' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Compare to ver1abcdef' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Compare selected' })));
    await flush();
    const name = 'Changes from version ver3abcdef to ver1abcdef';
    expect(diffRows(name, 'del')).toEqual(['deny:', '  - shell.exec', '  - files.list']);
    expect(diffRows(name, 'add')).toEqual([]);
    expect(screen.getByText(/lines from ver3abcdef to ver1abcdef/)).toBeTruthy();
    // Swapping turns removals into additions.
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Swap' })));
    await flush();
    expect(diffRows('Changes from version ver1abcdef to ver3abcdef', 'add')).toEqual(['deny:', '  - shell.exec', '  - files.list']);
    // Each text was fetched once, however often it was shown.
    expect(f.callsTo('policy:version').map((r) => r.hash).sort()).toEqual([hash(1), hash(2), hash(3)]);
  });

  it('cannot compare a version with itself', async () => {
    await openHistory(fakeWithHistory());
    fireEvent.click(screen.getByRole('radio', { name: 'Compare from ver3abcdef' }));
    expect((screen.getByRole('button', { name: 'Compare selected' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('loading an old version as a draft', () => {
  it('puts the text in the editor as an unsaved draft; only the normal save records and activates it', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'View version ver1abcdef' })));
    await flush();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Load as draft' })));
    await flush();
    const pe = useConsole.getState().policyEditor;
    expect(pe.draft).toBe(V1);
    expect(pe.activeHash).toBe(hash(3));
    expect(pe.draftBaseHash).toBe(hash(3));
    expect(f.callsTo('policy:save')).toEqual([]);
    expect(screen.getByRole('textbox', { name: 'Policy YAML' })).toBeTruthy();
    expect(screen.getByText('unsaved draft')).toBeTruthy();
    expect(screen.getByText('from ver1abcdef')).toBeTruthy();
    expect(useConsole.getState().ui.announcement).toContain('save to make it active');
    // The draft is checked like any other: here it is valid, so it can be saved.
    expect(screen.getByText('✓ Valid policy')).toBeTruthy();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Save new version' })));
    await flush();
    expect(f.callsTo('policy:save')).toEqual([{ text: V1, baseHash: hash(3) }]);
    expect(useConsole.getState().policyEditor.activeText).toBe(V1);
    expect(screen.queryByText('from ver1abcdef')).toBeNull();
  });

  it('an invalid old version loads as a draft but cannot be saved until fixed', async () => {
    const f = fakeWithHistory();
    f.history.push({ hash: hash(0), policyId: 'legacy', sourcePath: null, createdAt: T0 - 60, text: 'version: 1\nallow:\n  - capability: files.read\n    amout_gt: 3\n' });
    await openHistory(f);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'View version ver0abcdef' })));
    await flush();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Load as draft' })));
    await flush();
    expect(document.querySelector('.diagnostics')!.textContent).toContain('1 error');
    expect((screen.getByRole('button', { name: 'Save new version' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('asks before replacing unsaved edits, and keeps them when told to', async () => {
    const f = fakeWithHistory();
    await openHistory(f);
    act(() => useConsole.getState().policyEditor.setDraft(`${V3}# my edit\n`));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'View version ver2abcdef' })));
    await flush();
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Load as draft' })));
    expect(screen.getByRole('alert').textContent).toContain('replaces your unsaved draft');
    expect(useConsole.getState().policyEditor.draft).toContain('# my edit');
    fireEvent.click(screen.getByRole('button', { name: 'Keep my draft' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(useConsole.getState().policyEditor.draft).toContain('# my edit');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Load as draft' })));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Replace my draft' })));
    expect(useConsole.getState().policyEditor.draft).toBe(V2);
    expect(useConsole.getState().policyEditor.draftFrom).toBe(hash(2));
    // Discarding goes back to the active version and forgets where the draft came from.
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(useConsole.getState().policyEditor.draft).toBe(V3);
    expect(useConsole.getState().policyEditor.draftFrom).toBeNull();
  });

  it('shows an error instead of a text when a version cannot be fetched', async () => {
    const f = fakeWithHistory();
    f.overrides.set('policy:version', async () => ({ ok: false, error: { code: 'STORE_ERROR', message: 'database is locked' } }));
    await openHistory(f);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'View version ver2abcdef' })));
    await flush();
    expect(screen.getByRole('alert').textContent).toContain('database is locked');
    expect((screen.getByRole('button', { name: 'Load as draft' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('history slice', () => {
  beforeEach(() => resetConsoleStore());
  const h = () => useConsole.getState().policyHistory;
  const v = (n: number) => ({ hash: hash(n), policyId: 'p', sourcePath: null, createdAt: T0 + n });

  it('keeps the user’s pair across refreshes while both versions are still listed', () => {
    h().setVersions([v(3), v(2), v(1)]);
    expect([h().compareFrom, h().compareTo]).toEqual([hash(2), hash(3)]);
    h().pickCompare('from', hash(1));
    h().setVersions([v(4), v(3), v(2), v(1)]);
    expect([h().compareFrom, h().compareTo]).toEqual([hash(1), hash(3)]);
    h().setVersions([v(5)]);
    expect([h().compareFrom, h().compareTo]).toEqual([null, hash(5)]);
  });
});
