// @vitest-environment node
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { AgentActionBlocked } from '../../../main/runtime/errors.js';
import { gate, isGated } from '../../../main/gate/index.js';
import { openStore } from '../../../main/store/store.js';
import { tempHome } from '../../helpers/temp.js';
import { writeGatePolicy } from './policy.js';

let t: ReturnType<typeof tempHome>;
let runtime: ActionRuntime;

beforeEach(() => {
  t = tempHome('capfence-gate-');
  runtime = ActionRuntime.fromPolicy(writeGatePolicy(t.home), { db: t.db, env: t.env });
});
afterEach(async () => {
  await runtime.close();
  rmSync(t.home, { recursive: true, force: true });
});

async function blocked(p: Promise<unknown>): Promise<AgentActionBlocked> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(AgentActionBlocked);
  return e as AgentActionBlocked;
}

async function auditRows(): Promise<{ decision: string; capability: string; tool: string; reason: string }[]> {
  const store = openStore(t.db, { env: t.env });
  try {
    const rows = await store.audit.query({});
    return rows.map((r) => ({ decision: r.decision, capability: r.capability, tool: r.tool, reason: r.reason }));
  } finally {
    await store.close();
  }
}

describe('gate()', () => {
  it('runs the function on allow, with its arguments and result, and records the decision', async () => {
    const calls: unknown[] = [];
    const readFile = gate(async (input: { path: string }, extra: number) => {
      calls.push([input, extra]);
      return `contents of ${input.path}`;
    }, { runtime, actor: 'agent-1', capability: 'files.read' });
    expect(isGated(readFile)).toBe(true);
    await expect(readFile({ path: '/tmp/a' }, 7)).resolves.toBe('contents of /tmp/a');
    expect(calls).toEqual([[{ path: '/tmp/a' }, 7]]);
    const rows = await auditRows();
    expect(rows.map((r) => [r.decision, r.capability])).toEqual([['allow', 'files.read']]);
  });

  it('throws AgentActionBlocked with the verdict on deny, and never runs the function', async () => {
    let ran = false;
    const shell = gate((cmd: string) => {
      ran = true;
      return cmd;
    }, { runtime, actor: 'agent-1', capability: 'shell.exec', tool: 'run_shell' });
    const e = await blocked(shell('rm -rf /'));
    expect(ran).toBe(false);
    expect(e.verdict.decision).toBe('deny');
    expect(e.verdict.reason).toBe('policy_deny');
    expect(e.verdict.explanation.rule).toBe('deny[0]');
    expect((await auditRows())[0]).toMatchObject({ decision: 'deny', tool: 'run_shell' });
  });

  it('computes the capability per call and passes conditions the payload', async () => {
    const transfer = gate(async (a: { amount: number; to: string }) => `sent ${a.amount}`, {
      runtime,
      actor: 'agent-1',
      toCapability: (a) => (a.to === 'shell' ? 'shell.exec' : 'payment.transfer'),
    });
    await expect(transfer({ amount: 10, to: 'bob' })).resolves.toBe('sent 10');
    expect((await blocked(transfer({ amount: 10, to: 'shell' }))).verdict.capability).toBe('shell.exec');
  });

  it('throws at once with the pending approval when approval is required and no wait is set', async () => {
    let ran = false;
    const transfer = gate(async (a: { amount: number }) => {
      ran = true;
      return a.amount;
    }, { runtime, actor: 'agent-1', capability: 'payment.transfer' });
    const e = await blocked(transfer({ amount: 5000 }));
    expect(ran).toBe(false);
    expect(e.verdict.decision).toBe('require_approval');
    expect(e.verdict.approvalId).toMatch(/.+/);
    expect(e.message).toContain(e.verdict.approvalId as string);
  });

  it('without a wait, the identical call made again after approval runs once', async () => {
    let runs = 0;
    const transfer = gate(async (a: { amount: number }) => (runs++, a.amount), { runtime, actor: 'agent-1', capability: 'payment.transfer' });
    const id = (await blocked(transfer({ amount: 4000 }))).verdict.approvalId as string;
    const store = openStore(t.db, { env: t.env });
    expect((await store.approvals.approve(id, { by: 'tester' })).ok).toBe(true);
    await store.close();
    await blocked(transfer({ amount: 4001 }));
    await expect(transfer({ amount: 4000 })).resolves.toBe(4000);
    expect((await blocked(transfer({ amount: 4000 }))).verdict.decision).toBe('require_approval');
    expect(runs).toBe(1);
  });

  it('waits for an approval and runs the identical call once it is approved', async () => {
    const transfer = gate(async (a: { amount: number }) => `sent ${a.amount}`, { runtime, actor: 'agent-1', capability: 'payment.transfer', waitForApprovalMs: 10_000 });
    const pending = transfer({ amount: 5000 });
    const store = openStore(t.db, { env: t.env });
    let id: string | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      id = (await store.approvals.list({ status: 'pending' }))[0]?.id;
      if (!id) await new Promise((r) => setTimeout(r, 10));
    }
    expect(id).toBeDefined();
    const r = await store.approvals.approve(id as string, { by: 'tester' });
    expect(r.ok).toBe(true);
    await store.close();
    await expect(pending).resolves.toBe('sent 5000');
  });

  it('runs with the arguments as the approver edited them, and blocks where an edit cannot be applied', async () => {
    const approveEdited = async () => {
      const store = openStore(t.db, { env: t.env });
      let id: string | undefined;
      for (let i = 0; i < 200 && !id; i++) {
        id = (await store.approvals.list({ status: 'pending' }))[0]?.id;
        if (!id) await new Promise((r) => setTimeout(r, 10));
      }
      expect((await store.approvals.approve(id as string, { by: 'tester', editedArguments: { amount: 900, to: 'bob' } })).ok).toBe(true);
      await store.close();
    };
    const seen: unknown[] = [];
    const transfer = gate(async (a: { amount: number; to: string }) => seen.push(a), { runtime, actor: 'agent-1', capability: 'payment.transfer', waitForApprovalMs: 10_000 });
    const p = transfer({ amount: 5000, to: 'mallory' });
    await approveEdited();
    await p;
    expect(seen).toEqual([{ amount: 900, to: 'bob' }]);
    const mapped = gate(async (a: { cents: number }) => seen.push(a), { runtime, actor: 'agent-2', capability: 'payment.transfer', waitForApprovalMs: 10_000, toPayload: (a) => ({ amount: a.cents / 100 }) });
    const q = mapped({ cents: 700_000 });
    await approveEdited();
    const e = await blocked(q);
    expect(e.verdict.reason).toBe('gate_error:approved_with_edited_arguments_that_cannot_be_applied');
    expect(seen).toHaveLength(1);
  });

  it('blocks when the wait for approval runs out or is aborted', async () => {
    const transfer = gate(async (_a: { amount: number }) => 'sent', { runtime, actor: 'agent-1', capability: 'payment.transfer', waitForApprovalMs: 50 });
    expect((await blocked(transfer({ amount: 5000 }))).verdict.decision).toBe('require_approval');
    const ac = new AbortController();
    const aborting = gate(async (_a: { amount: number }) => 'sent', { runtime, actor: 'agent-1', capability: 'payment.transfer', waitForApprovalMs: 10_000, signal: ac.signal });
    const p = aborting({ amount: 6000 });
    setTimeout(() => ac.abort(), 30);
    const e = await blocked(p);
    expect(e.verdict.authorized).toBe(false);
  });

  it('fails closed: a throwing toCapability, an empty capability or a bad payload blocks', async () => {
    let ran = 0;
    const fn = async (_input?: unknown) => ++ran;
    const boom = gate(fn, { runtime, actor: 'a', toCapability: () => { throw new Error('boom'); } });
    const e = await blocked(boom());
    expect(e.verdict.reason).toBe('gate_error:boom');
    expect(e.cause).toBeInstanceOf(Error);
    // On the record like any deny.
    expect(e.verdict.auditSeq).toBeGreaterThan(0);
    await blocked(gate(fn, { runtime, actor: 'a', toCapability: () => '' })());
    await blocked(gate(fn, { runtime, actor: 'a', capability: 'files.read', toPayload: () => [] as never })());
    expect(ran).toBe(0);
  });

  it('fails closed when the store cannot be used', async () => {
    const broken = ActionRuntime.fromPolicy(writeGatePolicy(t.home), { db: join(t.home, 'policy.yaml', 'capfence.db'), env: t.env });
    let ran = false;
    const read = gate(async (_input: unknown) => (ran = true), { runtime: broken, actor: 'a', capability: 'files.read' });
    const e = await blocked(read({ path: 'x' }));
    expect(ran).toBe(false);
    expect(e.verdict.reason).toMatch(/store_error|audit_error/);
    await broken.close();
  });

  it('lets errors of the function itself through unchanged', async () => {
    const failing = gate(async (_input: unknown) => { throw new RangeError('tool failed'); }, { runtime, actor: 'a', capability: 'files.read' });
    await expect(failing({})).rejects.toThrow(RangeError);
  });

  it('refuses to wrap without a runtime, an actor or a capability', () => {
    const fn = () => 1;
    expect(() => gate(fn, { runtime: {} as ActionRuntime, actor: 'a', capability: 'x' })).toThrow(/runtime/);
    expect(() => gate(fn, { runtime, actor: '', capability: 'x' })).toThrow(/actor/);
    expect(() => gate(fn, { runtime, actor: 'a' })).toThrow(/capability/);
  });

  it('authorizes in observe mode while recording what it would have blocked', async () => {
    const observing = ActionRuntime.fromPolicy(writeGatePolicy(t.home), { db: ':memory:', mode: 'observe' });
    const shell = gate(async (cmd: string) => `ran ${cmd}`, { runtime: observing, actor: 'a', capability: 'shell.exec' });
    await expect(shell('ls')).resolves.toBe('ran ls');
    await observing.close();
  });
});
