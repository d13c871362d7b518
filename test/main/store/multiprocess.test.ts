import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ActionEvent } from '../../../shared/events/action-event.js';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { openStore } from '../../../main/store/store.js';
import { verifyAuditLog } from '../../../main/store/verify.js';
import { DIST, tempHome } from '../../helpers/temp.js';

const run = promisify(execFile);
const WORKERS = join(import.meta.dirname, '../../workers');
const POLICY = join(import.meta.dirname, '../../fixtures/policies/payments.yaml');

describe('one file, many processes', () => {
  it('8 processes × 2,000 decisions: the chain verifies, seqs are gapless, nothing is duplicated', async () => {
    const t = tempHome();
    // Create the file and keys once so the workers don't race on first use.
    await openStore(t.db, { env: t.env }).close();
    const outs = await Promise.all(
      Array.from({ length: 8 }, (_, w) => run(process.execPath, [join(WORKERS, 'decide.mjs'), DIST, t.db, POLICY, `agent-${w}`, '2000'], { env: t.env, maxBuffer: 64 * 1024 * 1024 })),
    );
    const seen = outs.flatMap((o) => o.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; decision: string }));
    expect(seen).toHaveLength(16_000);
    expect(seen.every((s) => s.decision === 'allow')).toBe(true);
    const seqs = seen.map((s) => s.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(16_000);
    const db = new Database(t.db, { readonly: true });
    const count = db.prepare("SELECT count(*) FROM audit_entries WHERE kind = 'decision'").pluck().get() as number;
    const max = db.prepare('SELECT max(seq) FROM audit_entries').pluck().get() as number;
    const perActor = db.prepare("SELECT actor, count(*) AS n FROM audit_entries WHERE kind = 'decision' GROUP BY actor").all() as { n: number }[];
    db.close();
    expect(count).toBe(16_000);
    expect(max).toBe(16_000);
    expect(perActor.map((r) => r.n)).toEqual(Array(8).fill(2000));
    const report = verifyAuditLog(t.db, { home: t.home });
    expect(report.errors).toEqual([]);
    expect(report.entries).toBe(16_000);
  }, 120_000);

  it('kill -9 of a writer mid-stream: the chain still verifies and every decision a caller saw is in it', async () => {
    const t = tempHome();
    await openStore(t.db, { env: t.env }).close();
    const child = spawn(process.execPath, [join(WORKERS, 'decide.mjs'), DIST, t.db, POLICY, 'victim', '100000'], { env: t.env });
    const seen: number[] = [];
    let buf = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) seen.push((JSON.parse(l) as { seq: number }).seq);
        if (seen.length >= 500 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    const report = verifyAuditLog(t.db, { home: t.home });
    expect(report.errors).toEqual([]);
    const db = new Database(t.db, { readonly: true });
    const stored = new Set(db.prepare('SELECT seq FROM audit_entries').pluck().all() as number[]);
    db.close();
    expect(seen.every((s) => stored.has(s))).toBe(true);
    expect(stored.size).toBeGreaterThanOrEqual(seen.length);
  }, 60_000);

  it('two processes racing to resolve one approval: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const t = tempHome();
      const rt = ActionRuntime.fromPolicy(POLICY, { db: t.db, env: t.env });
      const v = await rt.execute(ActionEvent.create({ actor: 'agent', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: 9000 } }));
      await rt.close();
      const startAt = String(Date.now() + 400);
      const results = await Promise.all(
        (['approve', 'deny'] as const).map((action) => run(process.execPath, [join(WORKERS, 'approvals.mjs'), DIST, t.db, action, v.approvalId as string, action, '0', startAt], { env: t.env })),
      );
      const outcomes = results.map((r) => JSON.parse(r.stdout) as { ok: boolean; error: string | null });
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.find((o) => !o.ok)?.error).toBe('APPROVAL_ALREADY_RESOLVED');
    }
  }, 60_000);

  it('four processes racing for a grant\'s last use: exactly one is allowed', async () => {
    const t = tempHome();
    const store = openStore(t.db, { env: t.env });
    await store.grants.create({ actor: 'agent', capability: 'payment.transfer', uses: 1, grantedBy: 'ops' });
    await store.close();
    const startAt = String(Date.now() + 600);
    const results = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [join(WORKERS, 'use-grant.mjs'), DIST, t.db, POLICY, startAt], { env: t.env })));
    const decisions = results.map((r) => (JSON.parse(r.stdout) as { decision: string }).decision).sort();
    expect(decisions).toEqual(['allow', 'require_approval', 'require_approval', 'require_approval']);
  }, 60_000);
});
