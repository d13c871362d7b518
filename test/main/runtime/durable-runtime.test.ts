import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionEvent } from '../../../shared/events/action-event.js';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { openStore } from '../../../main/store/store.js';
import { verifyAuditLog } from '../../../main/store/verify.js';
import { DIST, tempHome } from '../../helpers/temp.js';

const run = promisify(execFile);
const POLICY = join(import.meta.dirname, '../../fixtures/policies/payments.yaml');
const WORKERS = join(import.meta.dirname, '../../workers');
const transfer = (amount: number, extra: Record<string, unknown> = {}) =>
  ActionEvent.create({ actor: 'agent', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount, ...extra } });

const runtimes: ActionRuntime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});
function runtime(t: ReturnType<typeof tempHome>, opts: Parameters<typeof ActionRuntime.fromPolicy>[1] = {}) {
  const r = ActionRuntime.fromPolicy(POLICY, { db: t.db, env: t.env, ...opts });
  runtimes.push(r);
  return r;
}

describe('the durable runtime', () => {
  it('records every decision with the exact policy version before returning', async () => {
    const t = tempHome();
    const rt = runtime(t);
    const allow = await rt.execute(transfer(10));
    const deny = await rt.execute(transfer(10, { to: 'offshore' }));
    expect([allow.decision, deny.decision]).toEqual(['allow', 'deny']);
    expect(allow.auditSeq).toBe(1);
    expect(deny.auditSeq).toBe(2);
    const store = openStore(t.db, { env: t.env });
    const e = await store.audit.get(2);
    expect(e).toMatchObject({ decision: 'deny', reason: 'policy_deny', rule: 'deny[0]', capability: 'payment.transfer.prod' });
    const version = await store.policies.get(e?.policyHash ?? '');
    expect(version?.text).toContain('offshore');
    await store.close();
  });

  it('queues an approval and wakes within 100 ms of a decision made in another process', async () => {
    const t = tempHome();
    const rt = runtime(t);
    const pending = await rt.execute(transfer(5000));
    expect(pending.decision).toBe('require_approval');
    const id = pending.approvalId as string;
    const approver = run(process.execPath, [join(WORKERS, 'approvals.mjs'), DIST, t.db, 'approve', id, 'alice', '300'], { env: t.env });
    const wait = rt.execute(transfer(5000), { waitForApproval: 10_000 });
    const v = await wait;
    const woke = Date.now();
    const { stdout } = await approver;
    const approvedAt = (JSON.parse(stdout) as { at: number }).at;
    expect(v).toMatchObject({ decision: 'allow', authorized: true, approver: 'alice' });
    expect(woke - approvedAt).toBeLessThan(100);
    // The identical retry attached to the same request instead of queuing another.
    const store = openStore(t.db, { env: t.env });
    expect((await store.approvals.list({ status: 'all' })).length).toBe(1);
    expect((await store.approvals.get(id))?.status).toBe('consumed');
    await store.close();
  });

  it('a denial carries the approver\'s reason; an approval is used once', async () => {
    const t = tempHome();
    const rt = runtime(t);
    const first = await rt.execute(transfer(7000));
    const store = openStore(t.db, { env: t.env });
    await store.approvals.deny(first.approvalId as string, { by: 'bob', reason: 'not this account' });
    const denied = await rt.execute(transfer(7000), { waitForApproval: 50 });
    expect(denied.decision).toBe('require_approval');
    const again = await rt.awaitApproval({ ...first }, { actor: 'agent', capability: first.capability, tool: 'transfer', payload: { amount: 7000 } }, 1000, undefined);
    expect(again.decision).toBe('deny');
    expect(again.reason).toContain('not this account');
    // Approve a fresh request: the identical retry runs once, then needs approval again.
    const next = await rt.execute(transfer(8000));
    await store.approvals.approve(next.approvalId as string, { by: 'bob' });
    expect((await rt.execute(transfer(8000))).reason).toMatch(/^previously_approved:/);
    expect((await rt.execute(transfer(8000))).decision).toBe('require_approval');
    await store.close();
  });

  it('grants satisfy require_approval only, never deny or default deny', async () => {
    const t = tempHome();
    const rt = runtime(t);
    const store = openStore(t.db, { env: t.env });
    const g = await store.grants.create({ actor: 'agent', capability: 'payment.*', uses: 2, grantedBy: 'ops' });
    expect((await rt.execute(transfer(5000))).reason).toBe(`approved_grant:${g.id}:ops`);
    expect((await rt.execute(transfer(5000, { to: 'offshore' }))).decision).toBe('deny');
    const other = await rt.execute(ActionEvent.create({ actor: 'agent', action: 'refund', resource: 'payment', environment: 'prod' }));
    expect(other.reason).toBe('policy_default_deny');
    expect((await rt.execute(transfer(5001))).decision).toBe('allow');
    // Two uses spent.
    expect((await rt.execute(transfer(5002))).decision).toBe('require_approval');
    await store.close();
  });

  it('observe mode records the true decision but authorizes', async () => {
    const t = tempHome();
    const rt = runtime(t, { mode: 'observe' });
    const v = await rt.execute(transfer(1, { to: 'offshore' }));
    expect(v).toMatchObject({ authorized: true, decision: 'deny', reason: 'observed: would_have_blocked_due_to_policy_deny' });
  });

  it('fails closed on a corrupt database file, naming the cause', async () => {
    const t = tempHome();
    writeFileSync(t.db, 'this is not a database'.repeat(100));
    const rt = runtime(t);
    const v = await rt.execute(transfer(10));
    expect(v.authorized).toBe(false);
    expect(v.decision).toBe('deny');
    expect(v.reason).toMatch(/^store_error:cannot open the store .*not a database/);
  });

  it('fails closed on a read-only store, and earlier entries stay intact', async () => {
    const t = tempHome();
    const rw = runtime(t);
    await rw.execute(transfer(10));
    const ro = runtime(t, { store: { readonly: true } });
    const v = await ro.execute(transfer(10));
    expect(v.authorized).toBe(false);
    expect(v.reason).toMatch(/^(store|audit)_error:.*readonly/i);
    expect(verifyAuditLog(t.db, { home: t.home }).entries).toBe(1);
  });

  it('fails closed when another process holds the write lock past the busy timeout', async () => {
    const t = tempHome();
    const rt = runtime(t, { store: { busyTimeoutMs: 100 } });
    await rt.execute(transfer(10));
    const locker = new Database(t.db);
    locker.exec('BEGIN IMMEDIATE');
    const v = await rt.execute(transfer(10));
    locker.exec('ROLLBACK');
    locker.close();
    expect(v.authorized).toBe(false);
    expect(v.reason).toMatch(/locked|busy/i);
    expect((await rt.execute(transfer(10))).authorized).toBe(true);
  });

  it('fails closed when the disk is full (max_page_count), with earlier entries intact', async () => {
    const t = tempHome();
    const rt = runtime(t);
    for (let i = 0; i < 3; i++) await rt.execute(transfer(10));
    const db = new Database(t.db);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    const full = runtime(t, { store: { maxPageCount: pages + 2 } });
    let v = await full.execute(transfer(10));
    for (let i = 0; i < 50 && v.authorized; i++) v = await full.execute(transfer(10, { note: 'x'.repeat(20_000) }));
    expect(v.authorized).toBe(false);
    expect(v.reason).toMatch(/full/i);
    const report = verifyAuditLog(t.db, { home: t.home });
    expect(report.errors).toEqual([]);
    expect(report.entries).toBeGreaterThanOrEqual(3);
  });
});
