// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildGrantRequest, type GrantFormValues } from '../../renderer/screens/grants/CreateGrantForm.js';
import { GrantsScreen } from '../../renderer/screens/grants/GrantsScreen.js';
import { isGrantActive } from '../../renderer/state/grants.js';
import { FakeConsole, makeGrant } from './fake-api.js';
import { flush, renderWith, stubLayout, teardown } from './helpers.js';

beforeEach(() => stubLayout());
afterEach(() => {
  teardown();
  vi.useRealTimers();
});

const form = (over: Partial<GrantFormValues> = {}): GrantFormValues => ({ actor: 'agent-1', capability: 'files.write', environment: '', durationMinutes: '', uses: '', sessionId: '', reason: '', ...over });

describe('grant rules', () => {
  it('is active only while not revoked, not tampered, not expired and with uses left', () => {
    const now = 1000;
    expect(isGrantActive(makeGrant({ expiresAt: 1001 }), now)).toBe(true);
    expect(isGrantActive(makeGrant({ expiresAt: 1000 }), now)).toBe(false);
    expect(isGrantActive(makeGrant({ expiresAt: null }), now)).toBe(true);
    expect(isGrantActive(makeGrant({ revokedAt: 900 }), now)).toBe(false);
    expect(isGrantActive(makeGrant({ tampered: true }), now)).toBe(false);
    expect(isGrantActive(makeGrant({ usesLeft: 0 }), now)).toBe(false);
  });

  it('builds a create request from the form, or names the wrong field', () => {
    expect(buildGrantRequest(form({ environment: 'production', durationMinutes: '30', uses: '3', sessionId: 's1', reason: 'why' }))).toEqual({
      ok: true,
      value: { actor: 'agent-1', capability: 'files.write', environment: 'production', durationSeconds: 1800, uses: 3, sessionId: 's1', reason: 'why' },
    });
    expect(buildGrantRequest(form())).toEqual({ ok: true, value: { actor: 'agent-1', capability: 'files.write' } });
    expect(buildGrantRequest(form({ actor: ' ' }))).toEqual({ ok: false, error: 'actor is required' });
    expect(buildGrantRequest(form({ capability: 'files write' }))).toMatchObject({ ok: false, error: expect.stringContaining('`files write` is not valid') });
    expect(buildGrantRequest(form({ durationMinutes: '-5' }))).toMatchObject({ ok: false, error: expect.stringContaining('duration') });
    expect(buildGrantRequest(form({ uses: '2.5' }))).toMatchObject({ ok: false, error: expect.stringContaining('uses') });
  });
});

describe('grants screen', () => {
  it('shows active grants with scope and a countdown that ticks', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, now: new Date('2026-01-01T00:00:00Z') });
    const now = Date.now() / 1000;
    const fake = new FakeConsole();
    fake.grants = [
      makeGrant({ id: 'g1', capability: 'payment.transfer', expiresAt: now + 125, usesLeft: 3, sessionId: 'sess-9', environment: 'production' }),
      makeGrant({ id: 'g2', capability: 'files.read', expiresAt: null }),
      makeGrant({ id: 'g3', capability: 'gone.expired', expiresAt: now - 1 }),
    ];
    await renderWith(fake, <GrantsScreen />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('payment.transfer');
    expect(rows[0]!.textContent).toContain('env production');
    expect(rows[0]!.textContent).toContain('session sess-9');
    expect(rows[0]!.textContent).toContain('3');
    expect(rows[0]!.textContent).toContain('2m 05s');
    expect(rows[1]!.textContent).toContain('never');
    await act(async () => void vi.advanceTimersByTime(3000));
    expect(within(screen.getByRole('table')).getAllByRole('row')[1]!.textContent).toContain('2m 02s');
    // Once it expires it leaves the list without any event from the main side.
    await act(async () => void vi.advanceTimersByTime(130_000));
    expect(within(screen.getByRole('table')).getAllByRole('row').slice(1)).toHaveLength(1);
  });

  it('revokes only after confirmation', async () => {
    const fake = new FakeConsole();
    fake.grants = [makeGrant({ id: 'g1', actor: 'agent-1', capability: 'payment.transfer' })];
    await renderWith(fake, <GrantsScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke grant of payment.transfer to agent-1' }));
    expect(fake.callsTo('grants:revoke')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Keep' }));
    expect(screen.queryByRole('button', { name: 'Keep' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Revoke grant of payment.transfer to agent-1' }));
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Revoke' })));
    await flush();
    expect(fake.callsTo('grants:revoke')).toEqual([{ id: 'g1' }]);
    expect(screen.getByText('No active grants.')).toBeTruthy();
  });

  it('creates a grant from the form and lists it', async () => {
    const fake = new FakeConsole();
    await renderWith(fake, <GrantsScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'New grant' }));
    const f = screen.getByRole('form', { name: 'New grant' });
    fireEvent.change(within(f).getByLabelText('Actor'), { target: { value: 'deploy-bot' } });
    fireEvent.change(within(f).getByLabelText('Capability'), { target: { value: 'shell.exec' } });
    fireEvent.change(within(f).getByLabelText('Uses'), { target: { value: '2' } });
    await act(async () => void fireEvent.submit(f));
    await flush();
    expect(fake.callsTo('grants:create')).toEqual([{ actor: 'deploy-bot', capability: 'shell.exec', environment: 'production', durationSeconds: 3600, uses: 2 }]);
    const row = within(screen.getByRole('table')).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('deploy-bot');
    expect(row.textContent).toMatch(/1h 00m|59m 5\ds/);
  });

  it('warns about grants whose signature does not match', async () => {
    const fake = new FakeConsole();
    fake.grants = [makeGrant({ id: 'g-bad', tampered: true })];
    await renderWith(fake, <GrantsScreen />);
    expect(screen.getByRole('alert').textContent).toContain('never honoured: g-bad');
  });

  it('follows grants:changed pushed by the main side', async () => {
    const fake = new FakeConsole();
    await renderWith(fake, <GrantsScreen />);
    act(() => fake.emit('grants:changed', { grants: [makeGrant({ id: 'g9', capability: 'db.read' })] }));
    expect(screen.getByRole('table').textContent).toContain('db.read');
    act(() => fake.emit('grants:changed', { grants: [makeGrant({ id: 'g9', capability: 'db.read', revokedAt: 1 })] }));
    expect(screen.queryByRole('table')).toBeNull();
  });
});
