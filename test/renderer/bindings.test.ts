// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { eventChannels } from '../../shared/ipc/contract.js';
import { bindConsole } from '../../renderer/state/bindings.js';
import { resetConsoleStore, useConsole } from '../../renderer/state/store.js';
import { FakeConsole, makeApproval, makeGrant } from './fake-api.js';
import { flush } from './helpers.js';

afterEach(resetConsoleStore);

describe('bindings', () => {
  it('loads every slice once and follows every pushed event; unbinding stops them', async () => {
    const fake = new FakeConsole();
    fake.approvals = [makeApproval({ id: 'p1' })];
    fake.grants = [makeGrant({ id: 'g1' })];
    const unbind = bindConsole(fake.api);
    await flush();
    const s = useConsole.getState();
    expect(s.ui.connection).toBe('connected');
    expect(s.ui.session?.user).toBe('tester');
    expect(Object.keys(s.queue.pending)).toEqual(['p1']);
    expect(Object.keys(s.grants.byId)).toEqual(['g1']);
    expect(s.policyEditor.loaded).toBe(true);
    for (const e of eventChannels) expect(fake.listenerCount(e)).toBe(1);
    unbind();
    for (const e of eventChannels) expect(fake.listenerCount(e)).toBe(0);
  });

  it('replaces maps on every change instead of mutating them', async () => {
    const fake = new FakeConsole();
    fake.approvals = [makeApproval({ id: 'p1' }), makeApproval({ id: 'p2' })];
    bindConsole(fake.api);
    await flush();
    const before = useConsole.getState().queue.pending;
    useConsole.getState().queue.toggleSelected('p2');
    const selectedBefore = useConsole.getState().queue.selected;
    fake.emit('approvals:changed', { approvals: [{ ...before['p2']!, status: 'approved' }, makeApproval({ id: 'p3' })] });
    const after = useConsole.getState().queue.pending;
    expect(after).not.toBe(before);
    expect(Object.keys(before)).toEqual(['p1', 'p2']);
    expect(Object.keys(after).sort()).toEqual(['p1', 'p3']);
    // A resolved request also leaves the selection.
    expect(useConsole.getState().queue.selected).not.toBe(selectedBefore);
    expect([...useConsole.getState().queue.selected]).toEqual([]);
    const grantsBefore = useConsole.getState().grants.byId;
    fake.emit('grants:changed', { grants: [makeGrant({ id: 'g2' })] });
    expect(useConsole.getState().grants.byId).not.toBe(grantsBefore);
    expect(grantsBefore).toEqual({});
  });

  it('reports a failed session as disconnected and shows the error in the queue', async () => {
    const fake = new FakeConsole();
    fake.overrides.set('session:info', async () => ({ ok: false, error: { code: 'INTERNAL', message: 'console connection failed: closed' } }));
    fake.overrides.set('approvals:list', async () => ({ ok: false, error: { code: 'STORE_ERROR', message: 'database is locked' } }));
    bindConsole(fake.api);
    await flush();
    expect(useConsole.getState().ui.connection).toBe('disconnected');
    expect(useConsole.getState().queue.lastError).toBe('database is locked');
  });

  it('keeps an edited draft when the policy changes elsewhere, and follows it when unedited', async () => {
    const fake = new FakeConsole();
    bindConsole(fake.api);
    await flush();
    fake.policy = { ...fake.policy, text: 'version: 1\n', hash: 'hash-2' };
    fake.emit('policy:changed', { hash: 'hash-2', path: fake.policy.path });
    await flush();
    expect(useConsole.getState().policyEditor.draft).toBe('version: 1\n');
    useConsole.getState().policyEditor.setDraft('version: 1\n# mine\n');
    fake.policy = { ...fake.policy, text: 'version: 1\n# theirs\n', hash: 'hash-3' };
    fake.emit('policy:changed', { hash: 'hash-3', path: fake.policy.path });
    await flush();
    const pe = useConsole.getState().policyEditor;
    expect(pe.draft).toBe('version: 1\n# mine\n');
    expect(pe.activeText).toBe('version: 1\n# theirs\n');
    expect(pe.draftBaseHash).toBe('hash-2');
    expect(pe.activeChangedElsewhere).toBe(true);
  });
});
