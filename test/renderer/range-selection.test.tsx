// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rangeBetween, sortPending } from '../../renderer/lib/queue-order.js';
import { ApprovalsScreen } from '../../renderer/screens/approvals/ApprovalsScreen.js';
import { resetConsoleStore, useConsole } from '../../renderer/state/store.js';
import { FakeConsole, makeApproval } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(teardown);

const key = (k: string, opts: KeyboardEventInit = {}) => act(() => void fireEvent.keyDown(document.body, { key: k, ...opts }));
const options = () => within(screen.getByRole('listbox', { name: /Pending requests/ })).getAllByRole('option');
const checkedIds = () => options().filter((o) => o.getAttribute('aria-selected') === 'true').map((o) => o.id.replace('request-', ''));
const row = (id: string) => document.getElementById(`request-${id}`)!;

/** `n` pending rows r0..r(n-1), shown in that order (same risk, oldest first). */
function pendingRows(n: number) {
  const now = Date.now() / 1000;
  return Array.from({ length: n }, (_, i) => makeApproval({ id: `r${i}`, risk: 0.5, createdAt: now - 100 + i, capability: `cap.n${i}` }));
}

describe('rangeBetween', () => {
  const order = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  it('returns the rows between two ids inclusive, in queue order either way round', () => {
    expect(rangeBetween(order, 'b', 'd')).toEqual(['b', 'c', 'd']);
    expect(rangeBetween(order, 'd', 'b')).toEqual(['b', 'c', 'd']);
    expect(rangeBetween(order, 'c', 'c')).toEqual(['c']);
  });
  it('is empty when either end has left the queue', () => {
    expect(rangeBetween(order, 'gone', 'b')).toEqual([]);
    expect(rangeBetween(order, 'a', 'gone')).toEqual([]);
  });
});

describe('queue slice: range selection', () => {
  beforeEach(() => {
    resetConsoleStore();
    useConsole.getState().queue.replaceAll(pendingRows(6));
  });
  const q = () => useConsole.getState().queue;
  const order = () => sortPending(q().pending);
  const selected = () => [...q().selected].sort();

  it('selects from the last plain move to the target, and grows and shrinks from the same anchor', () => {
    q().setCursor('r1');
    q().extendSelectionTo('r3', order());
    expect(selected()).toEqual(['r1', 'r2', 'r3']);
    expect(q().cursorId).toBe('r3');
    q().extendSelectionTo('r4', order());
    expect(selected()).toEqual(['r1', 'r2', 'r3', 'r4']);
    // Back above the anchor: the earlier range is replaced, not added to.
    q().extendSelectionTo('r0', order());
    expect(selected()).toEqual(['r0', 'r1']);
  });

  it('keeps rows selected before the anchor was set, and anchors on the last toggled row', () => {
    q().toggleSelected('r5');
    q().toggleSelected('r1');
    q().extendSelectionTo('r2', order());
    expect(selected()).toEqual(['r1', 'r2', 'r5']);
    q().extendSelectionTo('r1', order());
    expect(selected()).toEqual(['r1', 'r5']);
  });

  it('starts from the first row when nothing was moved to yet', () => {
    q().extendSelectionTo('r2', order());
    expect(selected()).toEqual(['r0', 'r1', 'r2']);
  });

  it('never brings back rows that left the queue', () => {
    q().toggleSelected('r5');
    q().setCursor('r1');
    q().applyChanged([{ ...q().pending['r5']!, status: 'approved' }]);
    q().extendSelectionTo('r2', order());
    expect(selected()).toEqual(['r1', 'r2']);
  });
});

describe('approval queue: shift range selection', () => {
  it('shift+click selects the rows between the clicked ones; one Approve resolves exactly those', async () => {
    const fake = new FakeConsole();
    fake.approvals = pendingRows(5);
    await renderWith(fake, <ApprovalsScreen />);
    fireEvent.click(row('r1'));
    fireEvent.click(row('r3'), { shiftKey: true });
    expect(checkedIds()).toEqual(['r1', 'r2', 'r3']);
    expect(screen.getByRole('form', { name: 'Batch actions' }).textContent).toContain('3 selected');
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Approve all/ })));
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([{ ids: ['r1', 'r2', 'r3'] }]);
    expect(fake.approvals.filter((a) => a.status === 'approved').map((a) => a.id)).toEqual(['r1', 'r2', 'r3']);
    expect(options().map((o) => o.id)).toEqual(['request-r0', 'request-r4']);
    expect(screen.queryByRole('form', { name: 'Batch actions' })).toBeNull();
  });

  it('shift+click on a checkbox extends from the last toggled row, keeping other selections', async () => {
    const fake = new FakeConsole();
    fake.approvals = pendingRows(6);
    await renderWith(fake, <ApprovalsScreen />);
    fireEvent.click(row('r0').querySelector('.check')!);
    fireEvent.click(row('r3').querySelector('.check')!);
    fireEvent.click(row('r5').querySelector('.check')!, { shiftKey: true });
    expect(checkedIds()).toEqual(['r0', 'r3', 'r4', 'r5']);
  });

  it('shift+arrows extend the range from the cursor and shrink it back; shift+d denies all of it', async () => {
    const fake = new FakeConsole();
    fake.approvals = pendingRows(5);
    await renderWith(fake, <ApprovalsScreen />);
    await key('j');
    await key('ArrowDown', { shiftKey: true });
    await key('ArrowDown', { shiftKey: true });
    expect(checkedIds()).toEqual(['r1', 'r2', 'r3']);
    expect(screen.getByRole('listbox', { name: /Pending requests/ }).getAttribute('aria-activedescendant')).toBe('request-r3');
    await key('ArrowUp', { shiftKey: true });
    expect(checkedIds()).toEqual(['r1', 'r2']);
    await key('K', { shiftKey: true });
    await key('K', { shiftKey: true });
    expect(checkedIds()).toEqual(['r0', 'r1']);
    await key('J', { shiftKey: true });
    await key('J', { shiftKey: true });
    await key('J', { shiftKey: true });
    expect(checkedIds()).toEqual(['r1', 'r2', 'r3']);
    await key('D', { shiftKey: true });
    const reason = screen.getByPlaceholderText('Reason for denying all (optional)');
    fireEvent.change(reason, { target: { value: 'batch no' } });
    await act(async () => void fireEvent.submit(reason.closest('form')!));
    await flush();
    expect(fake.callsTo('approvals:deny')).toEqual([{ ids: ['r1', 'r2', 'r3'], reason: 'batch no' }]);
  });
});
