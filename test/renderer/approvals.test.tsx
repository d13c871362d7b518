// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLD_STRING_AT, JsonView } from '../../renderer/components/JsonView.js';
import { MASK, maskSecrets } from '../../renderer/lib/mask.js';
import { cursorAfterRemoval, moveCursor, sortPending } from '../../renderer/lib/queue-order.js';
import { App } from '../../renderer/App.js';
import { ApprovalsScreen } from '../../renderer/screens/approvals/ApprovalsScreen.js';
import { grantSeconds } from '../../renderer/screens/approvals/grant-durations.js';
import { useConsole } from '../../renderer/state/store.js';
import { FakeConsole, makeApproval } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(teardown);

const key = (k: string, opts: KeyboardEventInit = {}) => act(() => void fireEvent.keyDown(document.body, { key: k, ...opts }));
const options = () => within(screen.getByRole('listbox', { name: /Pending requests/ })).getAllByRole('option');
const listbox = () => screen.getByRole('listbox', { name: /Pending requests/ });

describe('queue order', () => {
  it('puts the riskiest first, then the oldest', () => {
    const now = 1000;
    const rows = [
      makeApproval({ id: 'low-old', risk: 0.2, createdAt: now - 500 }),
      makeApproval({ id: 'high-new', risk: 0.9, createdAt: now - 5 }),
      makeApproval({ id: 'high-old', risk: 0.9, createdAt: now - 50 }),
      makeApproval({ id: 'mid', risk: 0.5, createdAt: now - 1 }),
    ];
    expect(sortPending(Object.fromEntries(rows.map((r) => [r.id, r]))).map((r) => r.id)).toEqual(['high-old', 'high-new', 'mid', 'low-old']);
  });

  it('moves the cursor within bounds and past removed rows', () => {
    const order = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(moveCursor(order, null, 1)).toBe('a');
    expect(moveCursor(order, 'c', 1)).toBe('c');
    expect(moveCursor(order, 'b', -1)).toBe('a');
    expect(cursorAfterRemoval(order, new Set(['b']), 'b')).toBe('c');
    expect(cursorAfterRemoval(order, new Set(['c']), 'c')).toBe('b');
    expect(cursorAfterRemoval(order, new Set(['a', 'b', 'c']), 'a')).toBeNull();
  });

  it('offers 5 min, 1 h, 8 h and a custom number of minutes for approve + grant', () => {
    expect(grantSeconds('300', '')).toBe(300);
    expect(grantSeconds('3600', '')).toBe(3600);
    expect(grantSeconds('28800', '')).toBe(28800);
    expect(grantSeconds('custom', '45')).toBe(2700);
    expect(grantSeconds('custom', '0')).toBeNull();
    expect(grantSeconds('custom', '1.5')).toBeNull();
    expect(grantSeconds('custom', String(32 * 24 * 60))).toBeNull();
  });
});

describe('secret masking and folding', () => {
  it('masks credential keys at any depth and values shaped like keys', () => {
    const masked = maskSecrets({
      password: 'hunter2',
      Authorization: 'Bearer abc',
      api_key: 12345,
      nested: { apiKey: 'x', client_secret: 'y', credentials: { user: 'u', pass: 'p' } },
      list: ['sk-proj-abcdefghijklmnopqrstuvwxyz123456', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'plain words'],
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      aws: 'AKIAIOSFODNN7EXAMPLE',
      random: 'Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5Ef7Gh0Jk',
      path: '/home/dana/projects/payments/config/settings.production.yaml',
      sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      amount: 5000,
    }) as Record<string, unknown>;
    expect(masked['password']).toBe(MASK);
    expect(masked['Authorization']).toBe(MASK);
    expect(masked['api_key']).toBe(MASK);
    expect(masked['nested']).toEqual({ apiKey: MASK, client_secret: MASK, credentials: { user: MASK, pass: MASK } });
    expect(masked['list']).toEqual([MASK, MASK, 'plain words']);
    expect(masked['jwt']).toBe(MASK);
    expect(masked['aws']).toBe(MASK);
    expect(masked['random']).toBe(MASK);
    expect(masked['path']).toBe('/home/dana/projects/payments/config/settings.production.yaml');
    expect(masked['sha']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(masked['amount']).toBe(5000);
  });

  it('pretty-prints arguments, hides secrets and folds long values behind "show more"', () => {
    const long = 'x'.repeat(FOLD_STRING_AT * 3);
    render(<JsonView value={{ token: 'abc', body: long, items: Array.from({ length: 40 }, (_, i) => i) }} label="args" />);
    const pre = screen.getByLabelText('args');
    expect(pre.textContent).toContain(MASK);
    expect(pre.textContent).not.toContain('"abc"');
    expect(pre.textContent).not.toContain(long);
    fireEvent.click(screen.getByRole('button', { name: /show more \(480 chars\)/ }));
    expect(pre.textContent).toContain(long);
    expect(pre.textContent).not.toContain('39');
    fireEvent.click(screen.getByRole('button', { name: 'show 15 more' }));
    expect(pre.textContent).toContain('39');
  });
});

describe('approval queue screen', () => {
  function fakeWith(n: number): FakeConsole {
    const fake = new FakeConsole();
    const now = Date.now() / 1000;
    fake.approvals = Array.from({ length: n }, (_, i) => makeApproval({ id: `r${i}`, risk: i === 2 ? 0.99 : 0.5, createdAt: now - 100 + i, capability: `cap.n${i}` }));
    return fake;
  }

  it('lists pending requests riskiest first with actor, capability, tool, rule and reason', async () => {
    const fake = fakeWith(3);
    fake.approvals[0] = { ...fake.approvals[0]!, arguments: { amount: 5000, password: 'hunter2' } };
    await renderWith(fake, <ApprovalsScreen />);
    expect(options().map((o) => o.id)).toEqual(['request-r2', 'request-r0', 'request-r1']);
    // The cursor starts on the first row; its details show beside the list, secrets masked.
    act(() => useConsole.getState().queue.setCursor('r0'));
    const detail = screen.getByRole('region', { name: 'cap.n0' });
    expect(detail.textContent).toContain('agent-1');
    expect(detail.textContent).toContain('require_approval[0]');
    expect(detail.textContent).toContain('policy_require_approval');
    expect(within(detail).getByLabelText('Tool call arguments').textContent).toContain(MASK);
    expect(detail.textContent).not.toContain('hunter2');
    expect(detail.textContent).toMatch(/\d+m \d+s left/);
  });

  it('moves with j/k and arrows, selects with x, approves the selection with shift+a', async () => {
    const fake = fakeWith(4);
    await renderWith(fake, <ApprovalsScreen />);
    expect(listbox().getAttribute('aria-activedescendant')).toBe('request-r2');
    await key('j');
    expect(listbox().getAttribute('aria-activedescendant')).toBe('request-r0');
    await key('ArrowDown');
    expect(listbox().getAttribute('aria-activedescendant')).toBe('request-r1');
    await key('k');
    await key('x');
    await key('j');
    await key('x');
    expect(options().filter((o) => o.getAttribute('aria-selected') === 'true').map((o) => o.id)).toEqual(['request-r0', 'request-r1']);
    expect(screen.getByRole('form', { name: 'Batch actions' }).textContent).toContain('2 selected');
    await key('A', { shiftKey: true });
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([{ ids: ['r0', 'r1'] }]);
    expect(options().map((o) => o.id)).toEqual(['request-r2', 'request-r3']);
    expect(screen.queryByRole('form', { name: 'Batch actions' })).toBeNull();
  });

  it('approves the current request with a and moves on to the next', async () => {
    const fake = fakeWith(3);
    await renderWith(fake, <ApprovalsScreen />);
    await key('a');
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([{ ids: ['r2'] }]);
    expect(listbox().getAttribute('aria-activedescendant')).toBe('request-r0');
    expect(options()).toHaveLength(2);
  });

  it('d focuses the reason the model will see; Enter denies with it', async () => {
    const fake = fakeWith(2);
    await renderWith(fake, <ApprovalsScreen />);
    await key('d');
    const reason = screen.getByLabelText('Reason the agent will see');
    expect(document.activeElement).toBe(reason);
    // Single-key shortcuts are off while typing.
    fireEvent.keyDown(reason, { key: 'a' });
    fireEvent.change(reason, { target: { value: 'amount over the monthly limit' } });
    await act(async () => void fireEvent.submit(reason.closest('form')!));
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([]);
    expect(fake.callsTo('approvals:deny')).toEqual([{ ids: ['r0'], reason: 'amount over the monthly limit' }]);
  });

  it('shift+d focuses the batch reason; denying sends every selected id', async () => {
    const fake = fakeWith(3);
    await renderWith(fake, <ApprovalsScreen />);
    await key('x');
    await key('j');
    await key('x');
    await key('D', { shiftKey: true });
    const reason = screen.getByLabelText('Reason the agents will see');
    expect(document.activeElement).toBe(reason);
    fireEvent.change(reason, { target: { value: 'not today' } });
    await act(async () => void fireEvent.submit(reason.closest('form')!));
    await flush();
    expect(fake.callsTo('approvals:deny')).toEqual([{ ids: ['r2', 'r0'], reason: 'not today' }]);
  });

  it('e edits the arguments: invalid JSON blocks approval, valid JSON is sent as editedArguments', async () => {
    const fake = fakeWith(1);
    await renderWith(fake, <ApprovalsScreen />);
    await key('e');
    const editor = screen.getByLabelText(/Edited arguments/);
    fireEvent.change(editor, { target: { value: '{"amount": ' } });
    expect(screen.getByRole('alert').textContent).toContain('invalid JSON');
    expect((screen.getByRole('button', { name: 'Approve with edits' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(editor, { target: { value: '[1]' } });
    expect(screen.getByRole('alert').textContent).toContain('must be a JSON object');
    fireEvent.change(editor, { target: { value: '{"amount": 900}' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Approve with edits' })));
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([{ ids: ['r0'], editedArguments: { amount: 900 } }]);
  });

  it('approve + grant sends the chosen duration, including a custom one', async () => {
    const fake = fakeWith(2);
    await renderWith(fake, <ApprovalsScreen />);
    fireEvent.change(screen.getByLabelText('Approve and grant for'), { target: { value: '3600' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Approve + grant' })));
    await flush();
    fireEvent.change(screen.getByLabelText('Approve and grant for'), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText('Custom grant minutes'), { target: { value: '90' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Approve + grant' })));
    await flush();
    expect(fake.callsTo('approvals:approve')).toEqual([
      { ids: ['r0'], grantForSeconds: 3600 },
      { ids: ['r1'], grantForSeconds: 5400 },
    ]);
  });

  it('shows per-request failures from the main side', async () => {
    const fake = fakeWith(1);
    await renderWith(fake, <ApprovalsScreen />);
    fake.approvals = fake.approvals.map((a) => ({ ...a, status: 'expired' as const }));
    await key('a');
    await flush();
    expect(screen.getByRole('alert').textContent).toContain('r0 (already expired)');
  });

  it('stays virtualized with 10,000 pending requests', async () => {
    const fake = fakeWith(10_000);
    const started = performance.now();
    await renderWith(fake, <ApprovalsScreen />);
    expect(listbox().getAttribute('aria-label')).toBe('Pending requests, 10000');
    // Only the rows in view (plus overscan) exist in the DOM.
    expect(options().length).toBeLessThan(40);
    // Order: r2 (riskiest), then r0, r1, r3, r4... by age; 50 steps down lands on r50.
    for (let i = 0; i < 50; i++) await key('j');
    expect(listbox().getAttribute('aria-activedescendant')).toBe('request-r50');
    // The list scrolls the cursor into view on the next animation frames.
    await act(() => new Promise((r) => setTimeout(r, 120)));
    expect(listbox().scrollTop).toBeGreaterThan(0);
    expect(document.getElementById('request-r50')).not.toBeNull();
    expect(options().length).toBeLessThan(40);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('says honestly when nothing is pending and how to connect an agent', async () => {
    await renderWith(new FakeConsole(), <ApprovalsScreen />);
    expect(screen.getByText('No pending requests.')).toBeTruthy();
    expect(screen.getByText(/will appear here within a fraction of a second/)).toBeTruthy();
    expect(document.body.textContent).toContain('capfence gateway');
  });

  it('announces new requests in a live region and updates the nav badge', async () => {
    const fake = fakeWith(1);
    await renderWith(fake, <App />);
    expect(screen.getByRole('button', { name: /Approvals/ }).textContent).toContain('1');
    act(() => fake.emit('approvals:changed', { approvals: [makeApproval({ id: 'new1' }), makeApproval({ id: 'new2' })] }));
    const live = document.querySelector('[aria-live="polite"]')!;
    expect(live.textContent).toBe('2 new approval requests; 3 pending');
    expect(screen.getByRole('button', { name: /Approvals/ }).textContent).toContain('3');
  });

  it('opens the shortcut help with ?', async () => {
    await renderWith(fakeWith(1), <App />);
    await key('?');
    expect(screen.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });
});

describe('app shell', () => {
  it('switches theme with the radio group, by click and by arrow keys, and applies it to the document', async () => {
    await renderWith(new FakeConsole(), <App />);
    const group = screen.getByRole('radiogroup', { name: 'Theme' });
    fireEvent.click(within(group).getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    fireEvent.keyDown(within(group).getByRole('radio', { name: 'Dark' }), { key: 'ArrowRight' });
    expect(within(group).getByRole('radio', { name: 'System' }).getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(within(group).getByRole('radio', { name: 'System' }));
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('switches screens from the nav and with number keys, and shows the connection', async () => {
    await renderWith(new FakeConsole(), <App />);
    expect(screen.getByRole('navigation', { name: 'Console' }).textContent).toContain('Connected');
    fireEvent.click(screen.getByRole('button', { name: /^Grants/ }));
    expect(screen.getByRole('heading', { name: 'Grants' })).toBeTruthy();
    await key('4');
    expect(screen.getByRole('heading', { name: 'Audit' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Audit/ }).getAttribute('aria-current')).toBe('page');
  });
});
